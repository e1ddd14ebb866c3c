"""Enrolment in the roster: programs, cycles and participants.

Every function takes an open session (one transaction, see
:meth:`mentorctl.roster.db.Roster.session`) and plain data, and returns plain data or
table rows; none prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, select

from mentorctl.errors import MentorctlError, NotFoundError
from mentorctl.program import Program
from mentorctl.roster.ids import id_of
from mentorctl.roster.importer import ImportPlan
from mentorctl.roster.models import (
    Checkin,
    CycleRow,
    Goal,
    MatchRow,
    Meeting,
    Participant,
    ProgramRow,
    utcnow,
)
from mentorctl.roster.records import ParticipantRecord

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

FORGOTTEN_DOMAIN = "forgotten.invalid"


def ensure_program(session: Session, program: Program) -> ProgramRow:
    """The program's row, created on first use and renamed when program.yaml says so."""
    row = session.exec(select(ProgramRow).where(ProgramRow.slug == program.slug)).first()
    if row is None:
        row = ProgramRow(slug=program.slug, name=program.name)
        session.add(row)
        session.flush()
    elif row.name != program.name:
        row.name = program.name
    return row


def find_program_id(session: Session, program: Program) -> int | None:
    """The program's id in the roster, or None if nothing was stored for it yet."""
    return session.exec(select(ProgramRow.id).where(ProgramRow.slug == program.slug)).first()


def ensure_cycle(session: Session, program_row: ProgramRow, program: Program) -> CycleRow:
    """The current cycle (program.yaml's ``cycle.name``), created on first use."""
    row = session.exec(
        select(CycleRow).where(
            CycleRow.program_id == program_row.id, CycleRow.name == program.cycle.name
        )
    ).first()
    if row is None:
        row = CycleRow(
            program_id=id_of(program_row),
            name=program.cycle.name,
            start=program.cycle.start,
            end=program.cycle.end,
        )
        session.add(row)
        session.flush()
    return row


def stored_values(p: Participant) -> dict[str, Any]:
    """A participant's values in the shape of :meth:`ParticipantRecord.as_dict`."""
    return {
        name: getattr(p, name)
        for name in ParticipantRecord.__dataclass_fields__  # type: ignore[attr-defined]
    }


def existing_index(session: Session, program_id: int) -> dict[str, tuple[int, dict[str, Any]]]:
    rows = session.exec(select(Participant).where(Participant.program_id == program_id)).all()
    return {p.email: (p.id or 0, stored_values(p)) for p in rows}


def apply_import(session: Session, program_id: int, plan: ImportPlan) -> None:
    """Write an import plan: bulk inserts and updates inside the caller's transaction."""
    now = utcnow()
    if plan.create:
        session.execute(
            insert(Participant.__table__),  # type: ignore[attr-defined]
            [
                {
                    **r.as_dict(),
                    "program_id": program_id,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in plan.create
            ],
        )
    if plan.update:
        session.execute(
            update(Participant),
            [{**r.as_dict(), "id": pid, "updated_at": now} for pid, r, _ in plan.update],
        )


def get_participant(session: Session, program_id: int, email: str) -> Participant:
    email = email.strip().lower()
    p = session.exec(
        select(Participant).where(Participant.program_id == program_id, Participant.email == email)
    ).first()
    if p is None:
        raise NotFoundError(f"{email}: no such participant in this program")
    return p


def add_participant(session: Session, program_id: int, record: ParticipantRecord) -> Participant:
    exists = session.exec(
        select(Participant.id).where(
            Participant.program_id == program_id, Participant.email == record.email
        )
    ).first()
    if exists is not None:
        raise MentorctlError(
            f"{record.email}: already enrolled; use `mentorctl participants edit` to change them"
        )
    p = Participant(program_id=program_id, **record.as_dict())
    session.add(p)
    session.flush()
    return p


def update_participant(session: Session, p: Participant, record: ParticipantRecord) -> list[str]:
    """Overwrite ``p`` with ``record``; returns the names of the fields that changed."""
    old = stored_values(p)
    changed = [k for k, v in record.as_dict().items() if old.get(k) != v]
    for key in changed:
        setattr(p, key, getattr(record, key))
    if changed:
        p.updated_at = utcnow()
        session.add(p)
    return changed


def _has_history(session: Session, pid: int) -> bool:
    return (
        session.exec(
            select(MatchRow.id).where(
                or_(col(MatchRow.mentor_id) == pid, col(MatchRow.mentee_id) == pid)
            )
        ).first()
        is not None
        or session.exec(select(Goal.id).where(Goal.participant_id == pid)).first() is not None
    )


def remove_participant(session: Session, p: Participant) -> str:
    """Take someone out of the program: deleted, or withdrawn if they have history.

    Returns ``"deleted"`` or ``"withdrawn"``. A withdrawn person keeps their past matches
    (for reports) but is never matched again; their open matches end.
    """
    if not _has_history(session, id_of(p)):
        session.delete(p)
        return "deleted"
    p.active = False
    p.updated_at = utcnow()
    _end_open_matches(session, id_of(p), "participant withdrew")
    return "withdrawn"


def _end_open_matches(session: Session, pid: int, reason: str) -> None:
    session.execute(
        update(MatchRow)
        .where(
            or_(col(MatchRow.mentor_id) == pid, col(MatchRow.mentee_id) == pid),
            col(MatchRow.status).in_(("proposed", "active")),
        )
        .values(status="ended", ended_at=utcnow(), end_reason=reason)
    )


def _rowcount(result: Any) -> int:
    """Rows an UPDATE touched (its result is a CursorResult, typed as a plain Result)."""
    return cast("CursorResult[Any]", result).rowcount


def forget_participant(session: Session, program_id: int, p: Participant) -> dict[str, int]:
    """Erase a person's personal data, keeping anonymous counts.

    The row stays (so match, meeting and participation counts still add up) with its role
    and department; name, email, answers, goals' text, meeting notes and check-in comments
    go, and so does every mention of their email in other people's records.
    Then every other text the roster holds is swept for their email and name (message
    recipients and subjects, HR records, explanations, and any column added later: see
    :func:`mentorctl.roster.erasure.scrub_tables`); ``records`` counts the columns where
    that found something. Returns how many records of each kind were scrubbed.
    """
    from mentorctl.roster.erasure import Needles, scrub_tables

    old_email, old_name = p.email, p.name
    counts = {
        "participant": 1,
        "goals": 0,
        "meetings": 0,
        "checkins": 0,
        "mentions": 0,
        "records": 0,
    }
    p.email = f"forgotten-{p.id}@{FORGOTTEN_DOMAIN}"
    p.name = "(forgotten)"
    for attr in (
        "title",
        "level",
        "manager_email",
        "location",
        "timezone",
        "tenure_months",
        "years_experience",
        "capacity",
    ):
        setattr(p, attr, None)
    p.languages = []
    p.answers = {}
    p.active = False
    p.forgotten_at = utcnow()
    p.updated_at = p.forgotten_at
    session.add(p)
    _end_open_matches(session, id_of(p), "participant asked to be forgotten")
    counts["goals"] = _rowcount(
        session.execute(
            update(Goal)
            .where(col(Goal.participant_id) == p.id)
            .values(
                title="(erased)", relevant=None, aspirational=None, experimental=None, learning=None
            )
        )
    )
    match_ids = select(MatchRow.id).where(
        or_(col(MatchRow.mentor_id) == p.id, col(MatchRow.mentee_id) == p.id)
    )
    counts["meetings"] = _rowcount(
        session.execute(
            update(Meeting).where(col(Meeting.match_id).in_(match_ids)).values(note=None)
        )
    )
    counts["checkins"] = _rowcount(
        session.execute(
            update(Checkin).where(col(Checkin.match_id).in_(match_ids)).values(comment=None)
        )
    )
    session.execute(
        update(MatchRow)
        .where(or_(col(MatchRow.mentor_id) == p.id, col(MatchRow.mentee_id) == p.id))
        .values(explanation={})
    )
    for other in session.exec(select(Participant).where(Participant.program_id == program_id)):
        if other.id == p.id:
            continue
        touched = False
        if other.manager_email == old_email:
            other.manager_email = None
            touched = True
        answers = dict(other.answers)
        for key, value in other.answers.items():
            if isinstance(value, list) and old_email in value:
                answers[key] = [v for v in value if v != old_email]
                touched = True
        if touched:
            other.answers = answers
            session.add(other)
            counts["mentions"] += 1
    session.flush()
    swept = scrub_tables(session, Needles(old_email, old_name, p.email))
    counts["records"] = len(swept)
    return counts
