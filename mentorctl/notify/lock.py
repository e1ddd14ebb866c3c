"""The sending lock: one run at a time sends a program's email.

Every sending run (``notify intro --send``, ``remind --send``, any later kind) holds this
lock for its whole run. It is not what stops a duplicate (the outbox's claim does that,
inside a write transaction); it is what lets a run know that a message still ``pending``
belongs to a run that died, so it can be marked ``unknown`` instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mentorctl.errors import RosterError

if TYPE_CHECKING:
    from mentorctl.roster.db import Roster


def _lock_key(slug: str) -> int:
    # The same key as the old remind lock, so an old and a new release exclude each other.
    return zlib.crc32(f"mentorctl-remind:{slug}".encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def sending_lock(
    roster: Roster, slug: str, wait: float = 60.0, what: str = "send"
) -> Iterator[None]:
    """Hold the program's sending lock, waiting up to ``wait`` seconds.

    SQLite: ``flock`` on ``<roster>.remind.lock`` beside the roster file (released by the
    kernel if the process dies). PostgreSQL: a session-level advisory lock on a connection
    kept open for the run (released when the connection closes). Raises RosterError
    (exit 3) if another run still holds it after ``wait`` seconds; nothing is sent then.
    """
    from mentorctl.roster.db import sqlite_path

    deadline = time.monotonic() + wait
    busy = RosterError(
        f"another mentorctl run is sending email for {slug} (waited {wait:g} s); "
        f"nothing sent; retry, or raise --wait"
    )
    if roster.is_sqlite:
        path = sqlite_path(roster.url)
        if path is None:  # in-memory: one process only
            yield
            return
        import fcntl

        lock_path = path.with_name(path.name + ".remind.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise busy from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {what}\n".encode())
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return
    from sqlalchemy import text

    key = _lock_key(slug)
    with roster.engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise busy
            time.sleep(0.05)
        conn.commit()
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
