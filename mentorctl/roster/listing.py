"""Who is enrolled: the listing ``participants list`` and ``validate`` read.

SQL text on the plain read path (:mod:`mentorctl.roster.read`): listing thousands of
people builds no ORM object and, given a :class:`~mentorctl.roster.read.Reader` on
SQLite, imports no SQLAlchemy. An ORM session or a Core connection works too (wrapped by
:func:`~mentorctl.roster.read.as_reader`), so a write transaction reads the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.roster.person import STORED_FIELDS, program_id, select_people, stored_of
from mentorctl.roster.read import as_reader

if TYPE_CHECKING:
    from mentorctl.program import Program
    from mentorctl.roster.person import Source

__all__ = ["LISTED", "list_participants", "program_and_cycle"]

#: What a listing reads of each person: the roster fields of program/person.py and more.
LISTED = STORED_FIELDS


def program_and_cycle(source: Source, program: Program) -> tuple[int | None, int | None]:
    """The program's id in the roster and its current cycle's (None where nothing is stored)."""
    pid = program_id(source, program)
    if pid is None:
        return None, None
    row = as_reader(source).first(
        "SELECT id FROM cycle WHERE program_id = :pid AND name = :name",
        pid=pid,
        name=program.cycle.name,
    )
    return pid, (None if row is None else int(row[0]))


def list_participants(
    source: Source,
    program_id: int,
    *,
    role: str | None = None,
    department: str | None = None,
    matched: bool | None = None,
    cycle_id: int | None = None,
) -> list[tuple[Any, bool]]:
    """Active participants ordered by email, each with whether they are matched this cycle.

    ``role="mentor"`` includes people who are both, likewise for mentees. Each person is a
    read-only :class:`~mentorctl.roster.person.Stored` row (``id``, the record's fields,
    ``active``), typed loosely: callers read it as they read a model.
    """
    reader = as_reader(source)
    where = "program_id = :pid AND forgotten_at IS NULL"
    params: dict[str, Any] = {"pid": program_id}
    if role is not None:
        where += " AND (role = :role OR role = :both)"
        params.update(role=role, both="both")
    if department is not None:
        where += " AND lower(department) = :department"
        params["department"] = department.lower()
    rows = reader.all(select_people(where, LISTED) + " ORDER BY email", **params)
    people = [stored_of(row) for row in rows]
    matched_ids: set[int] = set()
    if cycle_id is not None:
        pairs = reader.all(
            "SELECT mentor_id, mentee_id FROM match WHERE cycle_id = :cid "
            "AND (status = :proposed OR status = :active)",
            cid=cycle_id,
            proposed="proposed",
            active="active",
        )
        matched_ids = {i for pair in pairs for i in pair if i is not None}
    out = [(person, person.id in matched_ids) for person in people]
    if matched is not None:
        out = [(person, m) for person, m in out if m is matched]
    return out
