"""The read path: SQL text over a small reader, for the commands that only read.

Read-only commands (``status``, ``report``, ``participants list``/``show``, ``explain``)
should cost about what their queries cost. Importing SQLAlchemy alone takes a quarter of
a second, more than a status query over 10,000 matches, so on SQLite a :class:`Reader`
is a plain :mod:`sqlite3` connection: one read-only snapshot, the schema checked to be at
this release's migration first (an older roster is opened and migrated the normal way,
once). On PostgreSQL the same SQL text runs through SQLAlchemy. Code that already holds
an ORM session or a Core connection (a write transaction that also reads, such as
``remind`` or ``cycle close``) wraps it with :func:`as_reader`, so every read query is
written once.

The SQL is portable text with ``:name`` parameters (both sqlite3 and SQLAlchemy's
``text()`` take them): quote the column ``"end"``, pass booleans as parameters rather
than ``1``/``true`` literals, and use sub-selects instead of ``IN (:list)``. Values come
back as the database stores them (SQLite: dates as ISO text, booleans as 0/1, JSON as
text); :func:`mentorctl.tables.dates.as_date`, :func:`bool_of` and :func:`json_of` make them
alike.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mentorctl.errors import RosterError
from mentorctl.roster.connect import sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

Row = tuple[Any, ...]


class Reader:
    """Runs read queries. ``dialect`` is ``"sqlite"`` or ``"postgresql"``."""

    dialect: str

    def all(self, sql: str, /, **params: Any) -> list[Row]:
        """Every row of ``sql`` as plain tuples."""
        raise NotImplementedError

    def first(self, sql: str, /, **params: Any) -> Row | None:
        """The first row of ``sql``, or None."""
        rows = self.all(sql, **params)
        return rows[0] if rows else None


class _Sqlite(Reader):
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, url: str) -> None:
        self._conn = conn
        self._url = url

    def all(self, sql: str, /, **params: Any) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise _roster_error(self._url, exc) from None


class _Alchemy(Reader):
    """A SQLAlchemy connection or session: PostgreSQL rosters, and write transactions."""

    def __init__(self, source: Connection | Session) -> None:
        self._source = source
        bind: Any = source.get_bind() if _is_session(source) else source  # type: ignore[union-attr]
        self.dialect = bind.dialect.name

    def all(self, sql: str, /, **params: Any) -> list[Row]:
        from sqlalchemy import text

        return [tuple(r) for r in self._source.execute(text(sql), params)]


def _is_session(source: object) -> bool:
    return hasattr(source, "get_bind")


def as_reader(source: Reader | Connection | Session) -> Reader:
    """``source`` as a :class:`Reader`: an ORM session or Core connection is wrapped, so
    the read queries run inside the caller's transaction."""
    return source if isinstance(source, Reader) else _Alchemy(source)


@contextlib.contextmanager
def reading(url: str, *, migrate: bool = True) -> Iterator[Reader]:
    """One read-only snapshot of the roster at ``url``.

    The roster must exist (the caller says so in its own words when it does not). On
    SQLite no SQLAlchemy is imported unless the schema needs a migration; with
    ``migrate=False`` such a roster is a RosterError instead (for callers that would
    rather take the full path than migrate).
    """
    path = sqlite_path(url)
    if path is None:
        yield from _through_alchemy(url)
        return
    conn = _open_sqlite(path, url)
    try:
        if _revision(conn, url) != _head():
            conn.close()
            if not migrate:
                raise RosterError(f"{path}: the roster's schema is not this release's")
            from mentorctl.roster.db import open_roster

            open_roster(url, create=False).dispose()  # migrates, or refuses a newer roster
            conn = _open_sqlite(path, url)
        conn.execute("BEGIN")  # a snapshot: every query of the command sees the same roster
        try:
            yield _Sqlite(conn, url)
        finally:
            conn.rollback()
    finally:
        conn.close()


def _through_alchemy(url: str) -> Iterator[Reader]:
    from mentorctl.roster.db import open_roster

    roster = open_roster(url, create=False)
    try:
        with roster.reading() as conn:
            yield _Alchemy(conn)
    finally:
        roster.dispose()


def _head() -> str:
    from mentorctl.roster.migrate import HEAD

    return HEAD


def _open_sqlite(path: Path, url: str) -> sqlite3.Connection:
    from mentorctl.roster.db import BUSY_TIMEOUT_MS

    if not path.exists():
        raise RosterError(f"{path}: no roster here yet; run `mentorctl init` first")
    if path.is_dir():
        raise RosterError(f"{path}: is a directory, not a roster file")
    try:
        # mode=rw never creates a file; a write-protected file opens read-only.
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
        )
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise _roster_error(url, exc) from None
    return conn


def _revision(conn: sqlite3.Connection, url: str) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise _roster_error(url, exc) from None
    except sqlite3.DatabaseError as exc:  # not an SQLite file at all
        raise _roster_error(url, exc) from None
    return row[0] if row else None


def _roster_error(url: str, exc: Exception) -> RosterError:
    from mentorctl.roster.db import _roster_error as message

    return message(url, exc)


def bool_of(value: Any) -> bool | None:
    """A stored boolean (SQLite keeps 0/1) as a bool."""
    return None if value is None else bool(value)


def json_of(value: Any) -> Any:
    """A stored JSON column (SQLite keeps text) as Python data."""
    return json.loads(value) if isinstance(value, str | bytes) else value
