"""The roster's tables (SQLModel).

One roster may hold several programs (a shared PostgreSQL roster); every row hangs off a
program. The schema is owned by the Alembic migrations in ``migrations/versions``: these
classes describe it, they never create or alter it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ProgramRow(SQLModel, table=True):
    __tablename__ = "program"

    id: int | None = Field(default=None, primary_key=True)
    # Unique, as migration 0001 made it: the constraint's own index serves look-ups.
    slug: str = Field(unique=True)
    name: str
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class CycleRow(SQLModel, table=True):
    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    name: str
    start: dt.date
    end: dt.date
    status: str = "open"  # open | closed
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    closed_at: NaiveDatetime | None = None
    #: What the last `match` of this cycle computed (summary, baseline), as its JSON.
    proposal: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Participant(SQLModel, table=True):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("program_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    email: str  # lower-cased: the identity
    name: str
    role: str  # mentor | mentee | both
    department: str | None = None
    title: str | None = None
    level: str | None = None
    manager_email: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tenure_months: int | None = None
    years_experience: float | None = None
    capacity: int | None = None
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True
    forgotten_at: NaiveDatetime | None = None
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class MatchRow(SQLModel, table=True):
    __tablename__ = "match"
    __table_args__ = (Index("ix_match_cycle_status", "cycle_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    mentor_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    mentee_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    circle: str | None = None  # circles programs: the circle's topic
    score: float | None = None
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    status: str = "proposed"  # proposed | active | ended
    locked: bool = False
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    started_at: NaiveDatetime | None = None
    ended_at: NaiveDatetime | None = None
    end_reason: str | None = None
    outcome: str | None = None  # set when the cycle closes or the match ends


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    # Migration 0006 (extending 0003's (match_id, date)): health and status sum each
    # match's minutes by date from the index alone, without a table look-up per meeting.
    __table_args__ = (Index("ix_meeting_match_date_minutes", "match_id", "date", "minutes"),)

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    date: dt.date
    minutes: int | None = None
    note: str | None = None
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Goal(SQLModel, table=True):
    __tablename__ = "goal"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id")
    title: str
    relevant: str | None = None
    aspirational: str | None = None
    experimental: str | None = None
    learning: str | None = None
    status: str = "not-started"  # not-started | in-progress | achieved | dropped
    progress: int = 0
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class Checkin(SQLModel, table=True):
    __tablename__ = "checkin"

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    date: dt.date
    satisfaction: int | None = None
    recommend: int | None = None
    progress: int | None = None
    comment: str | None = None
    # "We met" (True) / "not yet" (False) from the check-in form's one-click links.
    met: bool | None = None
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class MessageRow(SQLModel, table=True):
    """An email mentorctl sent (or tried to): the record that stops a second sending.

    ``dedupe_key`` names what the message is for (``intro:<match id>``,
    ``reminder-1:<match id>:<due date>`` ...); it is unique, so a message is recorded
    as ``pending`` before it is sent and can never be sent twice.
    """

    __tablename__ = "message"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    match_id: int | None = Field(default=None, foreign_key="match.id", index=True)
    kind: str  # intro | reminder-1 | reminder-2 | escalation | digest ...
    dedupe_key: str = Field(unique=True)
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    subject: str
    status: str = "pending"  # pending | sent | failed
    error: str | None = None
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    sent_at: NaiveDatetime | None = None


class HrRecord(SQLModel, table=True):
    """One person's HR outcome (from `mentorctl hr import`), keyed by email."""

    __tablename__ = "hr_record"
    __table_args__ = (UniqueConstraint("program_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id")
    email: str
    employed: bool = True
    left_date: dt.date | None = None
    promotion_date: dt.date | None = None
    updated_at: NaiveDatetime = Field(default_factory=utcnow)
