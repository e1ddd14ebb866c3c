"""Matches in the roster: where proposals are kept, accepted, refused and swapped (what
``match`` reads is :mod:`mentorctl.roster.known`).

A match is ``proposed`` (the latest `mentorctl match` run), ``active`` (accepted),
``rejected`` (the coordinator said no: never proposed again this cycle) or ``ended``.
Earlier cycles' active and ended matches are the "previous pairs" matching avoids.

Accepting never over-fills a mentor: :func:`accept` and :func:`swap` refuse a match
beyond the mentor's capacity (given by the caller, from program.yaml). A saved proposal
also keeps what ``match`` computed (summary, greedy baseline, overrides) on the cycle
row, so that reports read it instead of computing it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from mentorctl.errors import MentorctlError, NotFoundError, Problem
from mentorctl.roster.models import MatchRow, utcnow

if TYPE_CHECKING:
    from mentorctl.matching.engine import Proposal

Pair = tuple[str, str]


@dataclass(frozen=True)
class MenteePlaces:
    """What accepting checks for mentees: how many mentors each takes (email -> places;
    absent: 1) and each mentor's track (email -> track; a mentee has one per track)."""

    places: Mapping[str, int] = field(default_factory=dict)
    tracks: Mapping[str, str] = field(default_factory=dict)


def proposal_record(proposal: Proposal) -> dict[str, Any]:
    """What is kept of a proposal on its cycle (``CycleRow.proposal``), as JSON.

    ``summary`` holds the greedy baseline solved on the same input (locks and kept
    matches included): the report reads it rather than solving again.
    """
    return {
        "mode": proposal.mode.value,
        "computed_at": utcnow().isoformat(timespec="seconds"),
        "summary": dict(proposal.summary),
        "overrides": [
            {
                "mentor": m.mentor,
                "mentee": m.mentee,
                "reason": m.override,
                "constraints": list(m.overridden),
            }
            for m in proposal.matches
            if m.override is not None
        ],
        "small_circles": list(proposal.small_circles),
    }


def stored_proposal(session: Session, cycle_id: int) -> dict[str, Any] | None:
    """The record :func:`store_proposal` kept for the cycle, if any."""
    from mentorctl.roster.models import CycleRow

    row = session.get(CycleRow, cycle_id)
    return None if row is None else row.proposal


def store_proposal(session: Session, cycle_id: int, proposal: Proposal, ids: dict[str, int]) -> int:
    """Replace the cycle's proposed matches with ``proposal``'s new ones; returns how many.

    The cycle row keeps :func:`proposal_record` of it.
    """
    from mentorctl.roster.models import CycleRow

    cycle = session.get(CycleRow, cycle_id)
    if cycle is not None:
        cycle.proposal = proposal_record(proposal)
        session.add(cycle)
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
                explanation=_explanation(m),
                status="proposed",
                locked=m.locked,
                created_at=now,
            )
        )
    session.add_all(rows)
    return len(rows)


def _explanation(m: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"criteria": m.criteria, "reasons": m.reasons}
    if m.override is not None:
        out["override"] = {"reason": m.override, "constraints": list(m.overridden)}
    return out


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
    session: Session,
    cycle_id: int,
    ids: dict[str, int],
    pairs: Iterable[Pair] | None,
    capacity: Mapping[str, int] | None = None,
    *,
    places: MenteePlaces | None = None,
) -> list[int]:
    """Turn proposals into active matches (all of them when ``pairs`` is None).

    ``capacity`` (mentor email -> how many mentees they take) refuses a match that
    would give a mentor more active mentees than that, before anything changes;
    ``places`` likewise for mentees (one active match each without it).
    """
    if pairs is None:
        rows = list(
            session.exec(
                select(MatchRow).where(MatchRow.cycle_id == cycle_id, MatchRow.status == "proposed")
            ).all()
        )
    else:
        rows = [_find(session, cycle_id, ids, m, e, ("proposed",)) for m, e in pairs]
    now = utcnow()
    emails = {v: k for k, v in ids.items()}
    for row in rows:
        _refuse_double_mentee(session, cycle_id, row, emails, places or MenteePlaces())
        if capacity is not None:
            _refuse_full_mentor(session, cycle_id, row, emails, capacity)
        row.status = "active"
        row.started_at = now
        session.add(row)
        session.flush()
    return [row.id or 0 for row in rows]


def _refuse_double_mentee(
    session: Session, cycle_id: int, row: MatchRow, emails: Mapping[int, str], places: MenteePlaces
) -> None:
    others = session.exec(
        select(MatchRow.mentor_id).where(
            MatchRow.cycle_id == cycle_id,
            MatchRow.mentee_id == row.mentee_id,
            MatchRow.status == "active",
            MatchRow.id != row.id,
        )
    ).all()
    mentee = emails.get(row.mentee_id or 0, "")
    limit = places.places.get(mentee, 1)
    if len(others) >= limit:
        if limit == 1 and len(others) == 1:
            raise MentorctlError("the mentee already has an active match this cycle")
        raise MentorctlError(
            f"{mentee} already has {len(others)} active match(es) this cycle, their capacity"
        )
    if row.mentor_id in others:  # a mentee with several mentors: never the same one twice
        raise MentorctlError(f"{mentee} already has an active match with this mentor")
    track = places.tracks.get(emails.get(row.mentor_id or 0, ""))
    for other in others:
        if track is not None and places.tracks.get(emails.get(other or 0, "")) == track:
            raise MentorctlError(
                f"{mentee} already has an active mentor in track {track!r}: "
                f"{emails.get(other or 0, '')}"
            )


def active_counts(session: Session, cycle_id: int) -> dict[int, int]:
    """Active matches per mentor id in the cycle."""
    from sqlalchemy import func

    rows = session.execute(
        select(MatchRow.mentor_id, func.count())
        .where(MatchRow.cycle_id == cycle_id, MatchRow.status == "active")
        .group_by(col(MatchRow.mentor_id))
    ).all()
    return {int(m): int(n) for m, n in rows if m is not None}


def places_taken(session: Session, cycle_id: int) -> dict[int, tuple[int, int]]:
    """Per mentor id: (active matches, proposals still pending) in the cycle."""
    from sqlalchemy import func

    rows = session.execute(
        select(MatchRow.mentor_id, MatchRow.status, func.count())
        .where(
            MatchRow.cycle_id == cycle_id,
            col(MatchRow.status).in_(("active", "proposed")),
        )
        .group_by(col(MatchRow.mentor_id), col(MatchRow.status))
    ).all()
    out: dict[int, tuple[int, int]] = {}
    for mentor_id, status, n in rows:
        active, pending = out.get(int(mentor_id), (0, 0))
        out[int(mentor_id)] = (active + n, pending) if status == "active" else (active, pending + n)
    return out


def _refuse_full_mentor(
    session: Session,
    cycle_id: int,
    row: MatchRow,
    emails: Mapping[int, str],
    capacity: Mapping[str, int],
) -> None:
    mentor = emails.get(row.mentor_id or 0, "")
    limit = capacity.get(mentor)
    if limit is None:
        return
    taken = active_counts(session, cycle_id).get(row.mentor_id or 0, 0)
    if taken >= limit:
        raise MentorctlError(
            f"{mentor} already has {taken} active mentee(s) this cycle, their capacity; "
            f"end or reject one first"
        )


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
    capacity: Mapping[str, int] | None = None,
    places: MenteePlaces | None = None,
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
    return accept(session, cycle_id, ids, [(new_mentor, mentee)], capacity, places=places)[0]


def match_problems(
    session: Session,
    program: Any,
    program_id: int,
    people: list[dict[str, Any]],
    *,
    roster: str,
    program_file: str,
) -> list[Problem]:
    """What `validate` finds wrong with the current cycle's matches and program.yaml's locks.

    A mentor with more active matches than their capacity (a roster written before
    accepting checked it), and a lock that breaks a hard constraint without an override.
    """
    from collections import Counter

    from mentorctl.matching import constraints
    from mentorctl.roster.models import CycleRow

    by_email = {p["email"]: p for p in people}
    problems: list[Problem] = []
    cycle = session.exec(
        select(CycleRow).where(
            CycleRow.program_id == program_id, CycleRow.name == program.cycle.name
        )
    ).first()
    previous: frozenset[Pair] = frozenset()
    if cycle is not None and cycle.id is not None:
        from mentorctl.roster.known import load

        known = load(session, program_id, cycle.id)
        previous = known.previous_pairs
        counts = Counter(mentor for mentor, _ in known.active)
        for mentor, n in sorted(counts.items()):
            person = by_email.get(mentor)
            cap = constraints.capacity_of(program, person) if person is not None else None
            if cap is not None and n > cap:
                mentees = ", ".join(sorted(e for m, e in known.active if m == mentor))
                problems.append(
                    Problem(
                        f"{n} active matches this cycle ({mentees}) but a capacity of {cap}; "
                        "end one with `mentorctl match end`",
                        file=roster,
                        path=f"{mentor}: capacity",
                    )
                )
        from mentorctl.matching.tracks import mentee_places

        for mentee, n in sorted(Counter(e for _, e in known.active).items()):
            person = by_email.get(mentee)
            places = mentee_places(program, person) if person is not None else None
            if places is not None and n > places:
                mentors = ", ".join(sorted(m for m, e in known.active if e == mentee))
                problems.append(
                    Problem(
                        f"{n} active matches this cycle ({mentors}) but takes {places} "
                        "mentor(s) (mentee_capacity); end one with `mentorctl match end`",
                        file=roster,
                        path=f"{mentee}: capacity",
                    )
                )
    rules = program.matching.constraints
    forbid = {(p.mentor, p.mentee) for p in rules.forbid}
    for i, lock in enumerate(rules.lock):
        giver, taker = by_email.get(lock.mentor), by_email.get(lock.mentee)
        if giver is None or taker is None or lock.override is not None:
            continue  # a lock naming someone not enrolled is `match`'s error to give
        reasons = constraints.hard_reasons(
            program,
            giver,
            taker,
            people_by_email=by_email,
            previous_pairs=previous if rules.avoid_previous_pairs else frozenset(),
            forbid=forbid,
        )
        if reasons:
            problems.append(
                Problem(
                    f"lock {lock.mentor} -> {lock.mentee} breaks a hard constraint: "
                    f'{"; ".join(reasons)}; remove it, or add override: "why"',
                    file=program_file,
                    path=f"matching.constraints.lock[{i}]",
                )
            )
    return problems
