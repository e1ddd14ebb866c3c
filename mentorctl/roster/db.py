"""Opening the roster: engine, migrations on open, and one transaction per command.

The default roster is ``roster.db`` (SQLite) beside ``program.yaml``, created readable by
its owner only and opened in WAL mode with a busy timeout, so that a cron job and a person
can use it at once. A database URL (``--database-url`` / ``MENTORCTL_DATABASE_URL`` /
``database_url:`` in program.yaml) points the same code at PostgreSQL.

Writers are serialised: SQLite write transactions start with ``BEGIN IMMEDIATE`` and
PostgreSQL ones take a transaction-level advisory lock, so two imports at once run one
after the other instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mentorctl.errors import RosterError
from mentorctl.roster.connect import (
    WRITE_OPTION,
    _create_private_file,
    lock_writers,
    redact,
    sqlite_path,
    sqlite_url,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

ROSTER_FILE = "roster.db"
BUSY_TIMEOUT_MS = 30_000


def default_url(program_dir: Path) -> str:
    return sqlite_url(program_dir / ROSTER_FILE)


def resolve_url(program_dir: Path, explicit: str | None, from_program: str | None) -> str:
    """Pick the roster URL: flag/env first, then program.yaml, then roster.db beside it.

    A relative SQLite path in program.yaml is taken relative to the program directory.
    """
    if explicit:
        return explicit
    if not from_program:
        return default_url(program_dir)
    path = sqlite_path(from_program)
    if path is not None and not path.is_absolute():
        return sqlite_url(program_dir / path)
    return from_program


@dataclass
class Roster:
    """An open roster: an engine whose schema is at the current migration."""

    url: str
    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def session(self, *, write: bool = False, dry_run: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error.

        ``write`` takes the writers' lock up front; ``dry_run`` rolls back at the end
        instead of committing, so a command can do all its work and keep none of it.
        """
        from sqlalchemy.exc import OperationalError
        from sqlmodel import Session

        bind = self.engine.execution_options(**{WRITE_OPTION: write})
        try:
            with Session(bind, expire_on_commit=False) as session:
                session.begin()
                try:
                    if write:
                        lock_writers(session.connection())
                    yield session
                except BaseException:
                    session.rollback()
                    raise
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
        except OperationalError as exc:
            raise _roster_error(self.url, exc) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read-only transaction on a Core connection: the plain read path's
        PostgreSQL side (:mod:`mentorctl.roster.read`), whose rows are plain tuples.
        """
        from sqlalchemy.exc import OperationalError

        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise _roster_error(self.url, exc) from None

    def dispose(self) -> None:
        self.engine.dispose()


def _roster_error(url: str, exc: Exception) -> RosterError:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    where = sqlite_path(url) or redact(url)
    if "readonly" in text or "read-only" in text:
        return RosterError(f"{where}: the roster is read-only; check the file's permissions")
    if "locked" in text or "busy" in text:
        return RosterError(f"{where}: the roster is busy (another mentorctl is writing); retry")
    return RosterError(f"{where}: {text}")


def _make_engine(url: str) -> Engine:
    from sqlalchemy import URL, create_engine, event

    if url.startswith("sqlite"):
        # A file's path goes to SQLAlchemy as a URL object, never re-parsed: releases
        # differ in whether they percent-decode a URL's path, and a folder may be named
        # "Draft?" or "100%".
        path = sqlite_path(url)
        target = url if path is None else URL.create("sqlite", database=str(path))
        engine = create_engine(target, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # Let SQLAlchemy, not pysqlite, say when transactions begin (see BEGIN below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            with contextlib.suppress(sqlite3.OperationalError):  # read-only file: keep its mode
                cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: object) -> None:
            write = conn.get_execution_options().get(WRITE_OPTION, False)  # type: ignore[attr-defined]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")  # type: ignore[attr-defined]

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # unknown dialect, driver not installed ...
        raise RosterError(f"{redact(url)}: cannot use this database URL: {exc}") from None


def open_roster(url: str, *, create: bool = True) -> Roster:
    """Open (and if needed create and migrate) the roster at ``url``.

    An SQLite roster that needs a schema upgrade is first copied to
    ``roster.db.bak-<old revision>``; a roster made by a newer release is refused.
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise RosterError(f"{path}: no roster here yet; run `mentorctl init` first")
            _create_private_file(path)
        elif path.is_dir():
            raise RosterError(f"{path}: is a directory, not a roster file")
    engine = _make_engine(url)
    roster = Roster(url=url, engine=engine)
    try:
        from mentorctl.roster.migrate import upgrade

        upgrade(engine, url)
    except RosterError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            raise _roster_error(url, exc) from None
        raise
    return roster
