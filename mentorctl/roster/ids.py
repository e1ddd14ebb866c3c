"""Row ids, typed: a stored row's id is an ``int``, never ``None``.

SQLModel types every primary key ``int | None`` (a new object has none until it is
flushed). Code that holds a stored row asks :func:`id_of` instead of asserting.
"""

from __future__ import annotations

from typing import Protocol

from mentorctl.errors import RosterError


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """The id the database gave ``row``; RosterError if it was never stored."""
    if row.id is None:
        raise RosterError(f"{type(row).__name__} was used before it was stored (a bug)")
    return row.id
