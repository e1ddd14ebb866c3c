"""The fixed vocabularies of program.yaml, in a module light enough for the CLI to import
at start-up (the schema in :mod:`mentorctl.program` needs pydantic; these do not)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    ONE_TO_ONE = "one-to-one"
    GROUP = "group"
    CIRCLES = "circles"
    PEER = "peer"


class Focus(StrEnum):
    INFORMATION = "information"
    SKILL = "skill"
    ADVOCACY = "advocacy"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @property
    def days(self) -> int:
        return {"weekly": 7, "biweekly": 14, "monthly": 30}[self.value]


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RANKED_CHOICE = "ranked_choice"
    LIKERT = "likert"
    NUMBER = "number"
    TEXT = "text"
    EMAIL_LIST = "email_list"

    @property
    def has_options(self) -> bool:
        return self in (
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.RANKED_CHOICE,
        )


class Audience(StrEnum):
    MENTORS = "mentors"
    MENTEES = "mentees"
    BOTH = "both"


class Mode(StrEnum):
    OPTIMAL = "optimal"
    STABLE = "stable"
    GREEDY = "greedy"


class Objective(StrEnum):
    MAX_MATCHES = "max-matches"
    MAX_SCORE = "max-score"
    #: Most matches, then the highest lowest score, then the total (matching/fair.py).
    FAIR = "fair"


class DocFormat(StrEnum):
    """Formats a document (agreement) can be rendered in."""

    MD = "md"
    HTML = "html"
    PDF = "pdf"


class Role(StrEnum):
    """What a participant takes part as."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"

    @property
    def mentors(self) -> bool:
        return self in (Role.MENTOR, Role.BOTH)

    @property
    def mentored(self) -> bool:
        return self in (Role.MENTEE, Role.BOTH)


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class Health(StrEnum):
    """A match's health, best first; ``ended`` is outside the scale."""

    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    STALLED = "stalled"
    ENDED = "ended"

    @property
    def rank(self) -> int:
        """0 on track, 1 at risk, 2 stalled; -1 for ended (never "at or below" anything)."""
        return -1 if self is Health.ENDED else list(Health).index(self)


class GoalStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
