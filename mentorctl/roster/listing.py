"""Who is enrolled: the listing ``participants list`` and ``validate`` read.

Core queries on the light tables of :mod:`mentorctl.roster.tables`, so listing thousands
of people builds no ORM object and imports neither SQLModel nor the ORM; it works on an
ORM session and on a plain connection (:meth:`mentorctl.roster.db.Roster.reading`) alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.program.person import ROSTER_FIELDS
from mentorctl.roster.tables import tables

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from mentorctl.program import Program

    Reader = Session | Connection

__all__ = ["list_participants", "program_and_cycle"]

#: What a listing reads of each person: the roster fields of program/person.py and more.
LISTED = ("id", *ROSTER_FIELDS, "answers", "active")


def program_and_cycle(reader: Reader, program: Program) -> tuple[int | None, int | None]:
    """The program's id in the roster and its current cycle's (None where nothing is stored)."""
    from sqlalchemy import select

    t = tables()
    pid = reader.execute(select(t.program.c.id).where(t.program.c.slug == program.slug)).scalar()
    if pid is None:
        return None, None
    cycle_id = reader.execute(
        select(t.cycle.c.id).where(
            t.cycle.c.program_id == pid, t.cycle.c.name == program.cycle.name
        )
    ).scalar()
    return pid, cycle_id


def list_participants(
    reader: Reader,
    program_id: int,
    *,
    role: str | None = None,
    department: str | None = None,
    matched: bool | None = None,
    cycle_id: int | None = None,
) -> list[tuple[Any, bool]]:
    """Active participants ordered by email, each with whether they are matched this cycle.

    ``role="mentor"`` includes people who are both, likewise for mentees. Each person is a
    read-only row with the attributes a listing shows (``id``, the record's fields,
    ``active``).
    """
    from sqlalchemy import func, or_, select

    t = tables()
    p = t.participant
    query = select(*(p.c[name] for name in LISTED)).where(
        p.c.program_id == program_id, p.c.forgotten_at.is_(None)
    )
    if role is not None:
        query = query.where(or_(p.c.role == role, p.c.role == "both"))
    if department is not None:
        query = query.where(func.lower(p.c.department) == department.lower())
    people = reader.execute(query.order_by(p.c.email)).all()
    matched_ids: set[int] = set()
    if cycle_id is not None:
        m = t.match
        pairs = reader.execute(
            select(m.c.mentor_id, m.c.mentee_id).where(
                m.c.cycle_id == cycle_id, m.c.status.in_(("proposed", "active"))
            )
        )
        matched_ids = {i for pair in pairs for i in pair if i is not None}
    out = [(person, person.id in matched_ids) for person in people]
    if matched is not None:
        out = [(person, m) for person, m in out if m is matched]
    return out
