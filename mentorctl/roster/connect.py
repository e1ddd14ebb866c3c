"""What opening and migrating a roster share: SQLite paths, the writers' lock, private
files and consistent backups."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from mentorctl.errors import RosterError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

WRITE_OPTION = "mentorctl_write"


_PG_LOCK_KEY = 0x6D656E746F72  # "mentor": one advisory lock for all mentorctl writers


def sqlite_url(path: Path) -> str:
    """The SQLite URL of a file. What a URL gives a meaning to (``?``, ``%``, ``#``) is
    percent-encoded, as SQLAlchemy decodes it: a folder named ``Draft?`` must not become
    the roster ``Draft``."""
    return "sqlite:///" + quote(str(path), safe="/")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite.

    The path is percent-decoded, as SQLAlchemy does when it opens the URL."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = rest.split("?", 1)[0]
    if rest in ("", ":memory:"):
        return None
    return Path(unquote(rest))


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def lock_writers(conn: Connection) -> None:
    """Serialise writers on PostgreSQL (SQLite does it with BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy import text

        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def _create_private_file(path: Path) -> None:
    """Create an empty SQLite file readable and writable by its owner only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise RosterError(f"{path}: cannot create the roster: {exc.strerror}") from None


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy an SQLite roster (consistently, via the backup API) beside itself."""
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    target = path.with_name(f"{path.name}.bak-{label}-{stamp}")
    _create_private_file(target)
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target
