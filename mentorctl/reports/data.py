"""Loading what the report needs from the roster: the program's people and cycles, and
one cycle's matches, goals and check-ins, read into plain data.

SQLAlchemy and the roster models are imported inside the functions, so importing the
report does not load them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.errors import NotFoundError
from mentorctl.tracking import as_date

if TYPE_CHECKING:
    from sqlmodel import Session


MATCH_STATUSES = ("active", "ended")


@dataclass
class CycleInfo:
    id: int
    name: str
    start: dt.date
    end: dt.date
    status: str


@dataclass
class _Match:
    id: int
    mentor_id: int | None
    mentee_id: int | None
    score: float | None
    status: str
    started: dt.date | None
    ended: dt.date | None
    outcome: str | None = None


@dataclass
class _Data:
    """What the report reads about the program (people) and one cycle (the rest)."""

    people: dict[int, dict[str, Any]]
    matches: list[_Match]
    goals: list[tuple[str, int]]  # (status, progress)
    checkins: list[tuple[Any, dt.date, int, int | None, int | None]]


def list_cycles(session: Session, program_id: int) -> list[CycleInfo]:
    """The program's cycles, oldest first."""
    from sqlmodel import col, select

    from mentorctl.roster.models import CycleRow

    rows = session.exec(
        select(CycleRow).where(CycleRow.program_id == program_id).order_by(col(CycleRow.start))
    ).all()
    return [CycleInfo(r.id or 0, r.name, r.start, r.end, r.status) for r in rows]


def _load_people(session: Session, program_id: int) -> dict[int, dict[str, Any]]:
    from sqlalchemy import select

    from mentorctl.roster.models import Participant

    table = Participant.__table__  # type: ignore[attr-defined]
    rows = session.execute(select(table).where(table.c.program_id == program_id)).mappings()
    return {row["id"]: dict(row) for row in rows}


def _load_cycle(
    session: Session, cycle: CycleInfo, as_of: dt.date, people: dict[int, dict[str, Any]]
) -> _Data:
    from sqlalchemy import select
    from sqlmodel import col

    from mentorctl.roster.models import Checkin, Goal, MatchRow

    match_rows = session.execute(
        select(
            col(MatchRow.id),
            col(MatchRow.mentor_id),
            col(MatchRow.mentee_id),
            col(MatchRow.score),
            col(MatchRow.status),
            col(MatchRow.started_at),
            col(MatchRow.ended_at),
            col(MatchRow.outcome),
        ).where(col(MatchRow.cycle_id) == cycle.id, col(MatchRow.status).in_(MATCH_STATUSES))
    ).all()
    matches = [
        _Match(r[0], r[1], r[2], r[3], r[4], as_date(r[5]), as_date(r[6]), r[7])
        for r in sorted(match_rows, key=lambda r: r[0])
    ]
    in_cycle = select(col(MatchRow.id)).where(
        col(MatchRow.cycle_id) == cycle.id,
        col(MatchRow.status).in_(MATCH_STATUSES),
    )
    goals = [
        (str(s), int(p or 0))
        for s, p in session.execute(
            select(col(Goal.status), col(Goal.progress)).where(col(Goal.cycle_id) == cycle.id)
        ).all()
    ]
    checkins = [
        (pid if pid is not None else ("match", mid), d, cid, sat, rec)
        for cid, mid, pid, d, sat, rec in session.execute(
            select(
                col(Checkin.id),
                col(Checkin.match_id),
                col(Checkin.participant_id),
                col(Checkin.date),
                col(Checkin.satisfaction),
                col(Checkin.recommend),
            ).where(col(Checkin.match_id).in_(in_cycle), col(Checkin.date) <= as_of)
        ).all()
    ]
    return _Data(people, matches, goals, checkins)


def replaced_matches(matches: Sequence[_Match]) -> frozenset[int]:
    """Ids of matches ended early (``match end``) whose mentee was matched again later in
    the same cycle: the mentee's place in the cycle is one match, not two.

    Their meetings still count (they happened); the match counts, the scores and the
    health shares do not count them a second time.
    """
    later: dict[int, int] = {}
    for m in matches:
        if m.mentee_id is not None:
            later[m.mentee_id] = max(later.get(m.mentee_id, m.id), m.id)
    return frozenset(
        m.id
        for m in matches
        if m.outcome == "ended-early" and m.mentee_id is not None and later[m.mentee_id] > m.id
    )


def _people_dicts(people: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    from mentorctl.roster.records import ParticipantRecord

    fields = ParticipantRecord.__dataclass_fields__  # type: ignore[attr-defined]
    return [{k: p.get(k) if k != "languages" else p.get(k) or [] for k in fields} for p in people]


def _pairs_by_email(
    session: Session, cycle_ids: Sequence[int], statuses: Sequence[str], people: dict[int, dict]
) -> frozenset[tuple[str, str]]:
    from sqlalchemy import select
    from sqlmodel import col

    from mentorctl.roster.models import MatchRow

    if not cycle_ids:
        return frozenset()
    rows = session.execute(
        select(col(MatchRow.mentor_id), col(MatchRow.mentee_id)).where(
            col(MatchRow.cycle_id).in_(cycle_ids),
            col(MatchRow.status).in_(statuses),
        )
    ).all()
    return frozenset(
        (people[a]["email"], people[b]["email"]) for a, b in rows if a in people and b in people
    )


def find_cycle(cycles: Sequence[CycleInfo], name: str) -> CycleInfo:
    for c in cycles:
        if c.name == name:
            return c
    known = ", ".join(c.name for c in cycles) or "none yet"
    raise NotFoundError(f"cycle {name!r}: no such cycle in the roster (cycles: {known})")
