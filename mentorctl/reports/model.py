"""The report's shape: the dataclasses of every figure, :meth:`Report.as_json` and the
headline figures that comparisons and trends are made of.

Nothing here reads the roster or computes a figure; the other modules fill these in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

DECIMALS = 4


def _r(x: float | None, decimals: int = DECIMALS) -> float | None:
    return None if x is None else round(float(x), decimals)


def share(count: int | None, total: int | None) -> float | None:
    """``count / total`` rounded, or None when there is nothing to divide by."""
    if count is None or not total:
        return None
    return _r(count / total)


# --------------------------------------------------------------------------- the figures


@dataclass
class GroupRow:
    """One row of a participation breakdown (a role or a department)."""

    group: str
    enrolled: int | None
    matched: int | None
    match_rate: float | None
    suppressed: bool = False


@dataclass
class Participation:
    enrolled: int
    matched: int
    match_rate: float | None
    mentors_enrolled: int  # role mentor or both
    mentors_matched: int  # mentoring someone this cycle
    mentees_enrolled: int  # role mentee or both
    mentees_matched: int  # mentored by someone this cycle
    mentee_match_rate: float | None
    by_role: list[GroupRow]
    by_department: list[GroupRow]


@dataclass
class GroupScoreRow:
    """One row of a score-by-group table (:mod:`mentorctl.reports.groups`)."""

    group: str
    mentees: int | None
    matched: int | None  # mentees of the group in one of the cycle's matches
    match_rate: float | None
    mean_score: float | None  # over the group's matches with a stored score
    suppressed: bool = False  # the whole row: too few mentees
    score_suppressed: bool = False  # the mean only: too few scored matches


@dataclass
class GroupScores:
    """Match rate and mean score by one grouping: ``department`` or a question id."""

    by: str
    label: str
    rows: list[GroupScoreRow]


@dataclass
class GreedyComparison:
    matches: int
    total_score: float
    mean_score: float | None
    gain_total: float  # this cycle's total score minus greedy's
    gain_share: float | None  # gain_total / greedy's total
    extra_matches: int  # this cycle's matches minus greedy's


@dataclass
class PreferredMentors:
    question: str | None
    mentees_with_preferences: int
    got_preferred: int
    share: float | None


@dataclass
class MatchQuality:
    matches: int
    scored: int
    total_score: float | None
    mean_score: float | None
    median_score: float | None
    lowest_score: float | None
    greedy: GreedyComparison | None
    greedy_note: str | None
    preferred: PreferredMentors
    #: Locks kept despite a hard constraint: mentor, mentee, reason, constraints.
    overrides: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class HealthCounts:
    on_track: int = 0
    at_risk: int = 0
    stalled: int = 0
    ended: int = 0  # ended matches: counted, never judged

    @property
    def judged(self) -> int:
        return self.on_track + self.at_risk + self.stalled


@dataclass
class Engagement:
    matches: int
    meetings_held: int
    meetings_expected: int
    meeting_ratio: float | None
    hours: float
    meetings_per_match: float | None
    health: HealthCounts
    health_shares: dict[str, float | None]  # of active (judged) matches
    # active, completed, incomplete, no_meetings, ended_early: what `cycle close` recorded
    outcomes: dict[str, int] = field(default_factory=dict)
    replaced: int = 0  # matches ended early whose mentee was matched again (not in `matches`)


@dataclass
class Goals:
    set: int
    by_status: dict[str, int]
    in_progress: int
    achieved: int
    achieved_share: float | None
    mean_progress: float | None


@dataclass
class ScoreCell:
    score: int
    count: int | None
    suppressed: bool = False


@dataclass
class Satisfaction:
    respondents: int
    mean: float | None
    distribution: list[ScoreCell]
    recommend_respondents: int
    promoters: int | None
    passives: int | None
    detractors: int | None
    nps: float | None  # -100 .. 100
    suppressed: list[str] = field(default_factory=list)  # which NPS groups are hidden


@dataclass
class Gap:
    criterion: str
    item: str
    wanted: int
    offered: int
    shortfall: int


@dataclass
class Change:
    figure: str
    current: float | None
    previous: float | None
    change: float | None


@dataclass
class Comparison:
    previous_cycle: str | None
    changes: list[Change]


@dataclass
class OutcomeGroup:
    group: str  # mentored | mentors | not_mentored
    people: int | None
    retained: int | None
    retention: float | None
    retention_ci: tuple[float, float] | None
    promoted: int | None
    promotion: float | None
    promotion_ci: tuple[float, float] | None
    suppressed: bool = False


@dataclass
class OutcomeComparison:
    measure: str  # retention | promotion
    difference: float | None  # mentored minus not mentored, as a share
    difference_ci: tuple[float, float] | None
    conclusion: str


@dataclass
class Outcomes:
    hr_records: int
    window_start: dt.date
    window_end: dt.date
    groups: list[OutcomeGroup]
    comparisons: list[OutcomeComparison]
    enough_data: bool


@dataclass
class HealthPoint:
    date: dt.date
    on_track: int
    at_risk: int
    stalled: int
    ended: int


@dataclass
class Report:
    """Everything ``mentorctl report`` shows, for one cycle."""

    program: str
    cycle: str
    cycle_start: dt.date
    cycle_end: dt.date
    as_of: dt.date
    in_progress: bool
    min_group_size: int
    participation: Participation
    match_quality: MatchQuality
    engagement: Engagement
    goals: Goals
    satisfaction: Satisfaction
    supply_gaps: list[Gap]
    comparison: Comparison
    outcomes: Outcomes | None
    health_timeline: list[HealthPoint] = field(default_factory=list)
    trends: list[dict[str, Any]] | None = None
    #: Mentees' match rate and mean score by department and by each `group: true`
    #: question, small cells suppressed (:mod:`mentorctl.reports.groups`).
    by_group: list[GroupScores] = field(default_factory=list)

    def headline(self) -> dict[str, Any]:
        return headline(self)

    def as_json(self) -> dict[str, Any]:
        """The documented ``report --json`` shape (docs/reports.md, "JSON")."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, DECIMALS)
    return value


#: The figures compared with the previous cycle and listed in trends, in order.
HEADLINE_FIGURES = (
    "enrolled",
    "matched",
    "match_rate",
    "mean_score",
    "meetings_held",
    "meetings_expected",
    "meeting_ratio",
    "hours",
    "on_track_share",
    "goals_set",
    "goals_achieved",
    "satisfaction_mean",
    "nps",
)


def headline(r: Report) -> dict[str, Any]:
    """A cycle's key figures, flat: the unit of comparisons and trends."""
    return {
        "cycle": r.cycle,
        "start": r.cycle_start.isoformat(),
        "enrolled": r.participation.enrolled,
        "matched": r.participation.matched,
        "match_rate": r.participation.match_rate,
        "mean_score": r.match_quality.mean_score,
        "meetings_held": r.engagement.meetings_held,
        "meetings_expected": r.engagement.meetings_expected,
        "meeting_ratio": r.engagement.meeting_ratio,
        "hours": r.engagement.hours,
        "on_track_share": r.engagement.health_shares.get("on_track"),
        "goals_set": r.goals.set,
        "goals_achieved": r.goals.achieved,
        "satisfaction_mean": r.satisfaction.mean,
        "nps": r.satisfaction.nps,
    }
