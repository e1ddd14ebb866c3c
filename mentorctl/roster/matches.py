"""Matches in the roster: what matching reads, and where proposals are kept.

A match is ``proposed`` (the latest `mentorctl match` run), ``active`` (accepted),
``rejected`` (the coordinator said no: never proposed again this cycle) or ``ended``.
Earlier cycles' active and ended matches are the "previous pairs" matching avoids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mentorctl.errors import MentorctlError, NotFoundError
from mentorctl.roster.models import MatchRow, Participant, utcnow
from mentorctl.roster.participants import stored_values

if TYPE_CHECKING:
    from mentorctl.matching.engine import Proposal

Pair = tuple[str, str]


@dataclass
class RosterMatches:
    """What the roster knows that matching needs, as plain data."""

    people: list[dict[str, Any]]
    ids: dict[str, int]  # email -> participant id
    previous_pairs: frozenset[Pair]
    active: list[Pair]
    rejected: frozenset[Pair]
    proposed: list[dict[str, Any]]


def _pairs(session: Session, query: Any) -> list[dict[str, Any]]:
    mentor, mentee = aliased(Participant), aliased(Participant)
    rows = session.execute(
        query.add_columns(mentor.email, mentee.email)
        .join(mentor, col(MatchRow.mentor_id) == mentor.id)
        .join(mentee, col(MatchRow.mentee_id) == mentee.id)
    ).all()
    out = []
    for row, mentor_email, mentee_email in rows:
        out.append(
            {
                "id": row.id,
                "mentor": mentor_email,
                "mentee": mentee_email,
                "score": row.score,
                "status": row.status,
                "locked": row.locked,
                "circle": row.circle,
                "explanation": row.explanation,
                "cycle_id": row.cycle_id,
            }
        )
    out.sort(key=lambda r: (r["mentor"], r["mentee"]))
    return out


def load(session: Session, program_id: int, cycle_id: int) -> RosterMatches:
    people_rows = session.exec(
        select(Participant).where(
            Participant.program_id == program_id,
            col(Participant.active).is_(True),
            col(Participant.forgotten_at).is_(None),
        )
    ).all()
    people = [stored_values(p) for p in people_rows]
    ids = {p.email: p.id or 0 for p in people_rows}
    from mentorctl.roster.models import CycleRow

    other_cycles = select(CycleRow.id).where(
        CycleRow.program_id == program_id, CycleRow.id != cycle_id
    )
    previous = _pairs(
        session,
        select(MatchRow).where(
            col(MatchRow.cycle_id).in_(other_cycles),
            col(MatchRow.status).in_(("active", "ended")),
        ),
    )
    this_cycle = _pairs(session, select(MatchRow).where(MatchRow.cycle_id == cycle_id))
    return RosterMatches(
        people=people,
        ids=ids,
        previous_pairs=frozenset((r["mentor"], r["mentee"]) for r in previous),
        active=[(r["mentor"], r["mentee"]) for r in this_cycle if r["status"] == "active"],
        # Refused, or ended early this cycle: never proposed again in this cycle.
        rejected=frozenset(
            (r["mentor"], r["mentee"]) for r in this_cycle if r["status"] in ("rejected", "ended")
        ),
        proposed=[r for r in this_cycle if r["status"] == "proposed"],
    )


def store_proposal(session: Session, cycle_id: int, proposal: Proposal, ids: dict[str, int]) -> int:
    """Replace the cycle's proposed matches with ``proposal``'s new ones; returns how many."""
    session.execute(
        delete(MatchRow).where(
            col(MatchRow.cycle_id) == cycle_id, col(MatchRow.status) == "proposed"
        )
    )
    now = utcnow()
    rows = []
    for m in proposal.matches:
        if m.kept:
            continue
        rows.append(
            MatchRow(
                cycle_id=cycle_id,
                mentor_id=ids[m.mentor],
                mentee_id=ids[m.mentee],
                circle=m.circle,
                score=m.score,
                explanation={"criteria": m.criteria, "reasons": m.reasons},
                status="proposed",
                locked=m.locked,
                created_at=now,
            )
        )
    session.add_all(rows)
    return len(rows)


def _find(
    session: Session,
    cycle_id: int,
    ids: dict[str, int],
    mentor: str,
    mentee: str,
    statuses: Iterable[str],
) -> MatchRow:
    mentor, mentee = mentor.strip().lower(), mentee.strip().lower()
    for email in (mentor, mentee):
        if email not in ids:
            raise NotFoundError(f"{email}: no such participant in this program")
    row = session.exec(
        select(MatchRow).where(
            MatchRow.cycle_id == cycle_id,
            MatchRow.mentor_id == ids[mentor],
            MatchRow.mentee_id == ids[mentee],
            col(MatchRow.status).in_(tuple(statuses)),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no proposed match {mentor} -> {mentee} in this cycle")
    return row


def accept(
    session: Session, cycle_id: int, ids: dict[str, int], pairs: Iterable[Pair] | None
) -> list[int]:
    """Turn proposals into active matches (all of them when ``pairs`` is None)."""
    if pairs is None:
        rows = list(
            session.exec(
                select(MatchRow).where(MatchRow.cycle_id == cycle_id, MatchRow.status == "proposed")
            ).all()
        )
    else:
        rows = [_find(session, cycle_id, ids, m, e, ("proposed",)) for m, e in pairs]
    now = utcnow()
    for row in rows:
        _refuse_double_mentee(session, cycle_id, row)
        row.status = "active"
        row.started_at = now
        session.add(row)
        session.flush()
    return [row.id or 0 for row in rows]


def _refuse_double_mentee(session: Session, cycle_id: int, row: MatchRow) -> None:
    other = session.exec(
        select(MatchRow.id).where(
            MatchRow.cycle_id == cycle_id,
            MatchRow.mentee_id == row.mentee_id,
            MatchRow.status == "active",
            MatchRow.id != row.id,
        )
    ).first()
    if other is not None:
        raise MentorctlError("the mentee already has an active match this cycle")


def reject(session: Session, cycle_id: int, ids: dict[str, int], mentor: str, mentee: str) -> None:
    """Refuse a proposed pair: it is dropped and never proposed again this cycle."""
    row = _find(session, cycle_id, ids, mentor, mentee, ("proposed",))
    row.status = "rejected"
    row.ended_at = utcnow()
    session.add(row)


def swap(
    session: Session,
    cycle_id: int,
    ids: dict[str, int],
    old_mentor: str,
    new_mentor: str,
    mentee: str,
    *,
    score: float,
    explanation: dict[str, Any],
) -> int:
    """Replace a proposed pair's mentor with the coordinator's choice, and accept it.

    The old pair is rejected (never proposed again); the new one is locked and active.
    """
    reject(session, cycle_id, ids, old_mentor, mentee)
    row = MatchRow(
        cycle_id=cycle_id,
        mentor_id=ids[new_mentor],
        mentee_id=ids[mentee],
        score=score,
        explanation=explanation,
        status="proposed",
        locked=True,
    )
    session.add(row)
    session.flush()
    return accept(session, cycle_id, ids, [(new_mentor, mentee)])[0]
