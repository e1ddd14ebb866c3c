"""Cycle-end report data: every figure the coordinator shows leadership, and nothing printed.

:func:`build_report` reads one cycle of the roster (one read-only session) and returns a
:class:`Report` of plain dataclasses; :meth:`Report.as_json` is the documented
``report --json`` shape (docs/reports.md). The CLI and :mod:`mentorctl.report_html`
render it; nothing here knows about terminals or files.

Definitions (docs/reports.md says the same in words):

* a cycle's **matches** are its ``active`` and ``ended`` matches (proposals and rejected
  pairs never happened); **matched** people are those in one of them, in either role;
* **enrolled** people are the program's participants who enrolled by the cycle's end and
  are still taking part, plus anyone matched in the cycle (so people who withdrew or
  asked to be forgotten still count where they took part);
* a match is **expected** to meet once per cadence (``cycle.cadence``) over the days it
  ran inside the cycle up to the report date: ``days // cadence_days``;
* satisfaction and would-recommend use each respondent's **latest** check-in in the
  cycle, so a frequent responder counts once;
* **small-group privacy**: any breakdown cell (a role, a department, a satisfaction
  score, an NPS group, an outcome group) with 1 to ``report.min_group_size - 1`` people
  is suppressed; when exactly one cell of a breakdown is suppressed the next smallest is
  suppressed too, so it cannot be recovered by subtraction from the total.

The greedy baseline is recomputed with :func:`mentorctl.matching.engine.propose` in
greedy mode on the cycle's enrolled people (same constraints, earlier cycles' pairs
avoided, this cycle's rejected pairs forbidden): the stored explanations do not keep it.
Scoring every pair is quadratic, so by default it only runs up to
:data:`GREEDY_MAX_PAIRS` candidate pairs; beyond that the figure is left out, with a note.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.errors import NotFoundError
from mentorctl.program import Format, Mode, PreferenceCriterion, Program, QuestionType
from mentorctl.tracking import as_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.tracking import MatchHealth

#: Recompute the greedy baseline only up to this many (mentor, mentee) candidate pairs.
GREEDY_MAX_PAIRS = 1_000_000
#: Outcome groups smaller than this are "too small to conclude anything".
MIN_CONCLUSIVE_GROUP = 10
#: z for 95% intervals.
Z95 = 1.959963984540054
#: Satisfaction is asked on this scale; other stored values get their own bins.
SATISFACTION_SCALE = (1, 2, 3, 4, 5)
HEALTH_STATES = ("on_track", "at_risk", "stalled")  # tracking's on-track, at-risk, stalled
GOAL_STATES = ("not-started", "in-progress", "achieved", "dropped")
MATCH_STATUSES = ("active", "ended")
DECIMALS = 4
NO_DEPARTMENT = "(none)"


def _r(x: float | None, decimals: int = DECIMALS) -> float | None:
    return None if x is None else round(float(x), decimals)


def share(count: int | None, total: int | None) -> float | None:
    """``count / total`` rounded, or None when there is nothing to divide by."""
    if count is None or not total:
        return None
    return _r(count / total)


# --------------------------------------------------------------------------- statistics


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``k`` successes in ``n`` trials (None if n is 0).

    Unlike the textbook ``p ± z·se``, it stays inside [0, 1] and behaves at 0 and n.
    """
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float] | None:
    """Newcombe's hybrid Wilson interval for the difference ``k1/n1 - k2/n2``."""
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if a is None or b is None:
        return None
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - a[0]) ** 2 + (b[1] - p2) ** 2)
    high = d + math.sqrt((a[1] - p1) ** 2 + (p2 - b[0]) ** 2)
    return low, high


def suppress_cells(counts: Mapping[str, int], min_size: int) -> set[str]:
    """Which cells of one breakdown to hide: 1..min_size-1 people, plus a second cell
    when only one would be hidden (else total minus the others gives it away)."""
    hidden = {k for k, n in counts.items() if 0 < n < min_size}
    if len(hidden) == 1:
        rest = sorted((n, k) for k, n in counts.items() if n > 0 and k not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return hidden


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


# --------------------------------------------------------------------------- loading


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


@dataclass
class _Data:
    """What the report reads about the program (people) and one cycle (the rest)."""

    people: dict[int, dict[str, Any]]
    matches: list[_Match]
    goals: list[tuple[str, int]]  # (status, progress)
    checkins: list[tuple[Any, dt.date, int, int | None, int | None]]


def list_cycles(session: Session, program_id: int) -> list[CycleInfo]:
    """The program's cycles, oldest first."""
    from sqlmodel import select

    from mentorctl.roster.models import CycleRow

    rows = session.exec(
        select(CycleRow).where(CycleRow.program_id == program_id).order_by(CycleRow.start)
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

    from mentorctl.roster.models import Checkin, Goal, MatchRow

    match_rows = session.execute(
        select(
            MatchRow.id,
            MatchRow.mentor_id,
            MatchRow.mentee_id,
            MatchRow.score,
            MatchRow.status,
            MatchRow.started_at,
            MatchRow.ended_at,
        ).where(MatchRow.cycle_id == cycle.id, MatchRow.status.in_(MATCH_STATUSES))  # type: ignore[attr-defined]
    ).all()
    matches = [
        _Match(r[0], r[1], r[2], r[3], r[4], as_date(r[5]), as_date(r[6]))
        for r in sorted(match_rows, key=lambda r: r[0])
    ]
    in_cycle = select(MatchRow.id).where(
        MatchRow.cycle_id == cycle.id,
        MatchRow.status.in_(MATCH_STATUSES),  # type: ignore[attr-defined]
    )
    goals = [
        (str(s), int(p or 0))
        for s, p in session.execute(
            select(Goal.status, Goal.progress).where(Goal.cycle_id == cycle.id)
        ).all()
    ]
    checkins = [
        (pid if pid is not None else ("match", mid), d, cid, sat, rec)
        for cid, mid, pid, d, sat, rec in session.execute(
            select(
                Checkin.id,
                Checkin.match_id,
                Checkin.participant_id,
                Checkin.date,
                Checkin.satisfaction,
                Checkin.recommend,
            ).where(Checkin.match_id.in_(in_cycle), Checkin.date <= as_of)  # type: ignore[attr-defined]
        ).all()
    ]
    return _Data(people, matches, goals, checkins)


# --------------------------------------------------------------------------- sections


def _enrolled(data: _Data, cycle: CycleInfo, matched: set[int]) -> list[dict[str, Any]]:
    out = []
    for pid, p in data.people.items():
        joined = as_date(p.get("created_at"))
        taking_part = p.get("active", True) and p.get("forgotten_at") is None
        if pid in matched or (taking_part and (joined is None or joined <= cycle.end)):
            out.append(p)
    return out


def _breakdown(
    people: Sequence[dict[str, Any]],
    key: str,
    matched: set[int],
    min_size: int,
    order: Sequence[str] = (),
) -> list[GroupRow]:
    enrolled: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for p in people:
        group = str(p.get(key) or NO_DEPARTMENT).strip() or NO_DEPARTMENT
        enrolled[group] += 1
        hits[group] += p["id"] in matched
    hidden = suppress_cells(enrolled, min_size)
    groups = [g for g in order if g in enrolled] + sorted(
        (g for g in enrolled if g not in order), key=str.casefold
    )
    rows = []
    for g in groups:
        if g in hidden:
            rows.append(GroupRow(g, None, None, None, suppressed=True))
        else:
            rows.append(GroupRow(g, enrolled[g], hits[g], share(hits[g], enrolled[g])))
    return rows


def participation(data: _Data, cycle: CycleInfo, min_size: int) -> Participation:
    mentoring = {m.mentor_id for m in data.matches if m.mentor_id is not None}
    mentored = {m.mentee_id for m in data.matches if m.mentee_id is not None}
    matched = mentoring | mentored
    people = _enrolled(data, cycle, matched)
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    n_matched = sum(p["id"] in matched for p in people)
    mentees_matched = sum(p["id"] in mentored for p in mentees)
    return Participation(
        enrolled=len(people),
        matched=n_matched,
        match_rate=share(n_matched, len(people)),
        mentors_enrolled=len(mentors),
        mentors_matched=sum(p["id"] in mentoring for p in mentors),
        mentees_enrolled=len(mentees),
        mentees_matched=mentees_matched,
        mentee_match_rate=share(mentees_matched, len(mentees)),
        by_role=_breakdown(people, "role", matched, min_size, ("mentor", "mentee", "both")),
        by_department=_breakdown(people, "department", matched, min_size),
    )


def _preference_question(program: Program) -> str | None:
    """The mentees' preferred-mentors question: the `preference` criterion's, else the
    first email_list or ranked_choice question asked of mentees only."""
    for c in program.matching.criteria:
        if isinstance(c, PreferenceCriterion):
            return c.mentee
    for q in program.survey.questions:
        if q.asked_of.value == "mentees" and q.type in (
            QuestionType.EMAIL_LIST,
            QuestionType.RANKED_CHOICE,
        ):
            return q.id
    return None


def preferred_mentors(program: Program, data: _Data) -> PreferredMentors:
    qid = _preference_question(program)
    if qid is None:
        return PreferredMentors(None, 0, 0, None)
    mentors_of: dict[int, set[int]] = defaultdict(set)
    for m in data.matches:
        if m.mentee_id is not None and m.mentor_id is not None:
            mentors_of[m.mentee_id].add(m.mentor_id)
    with_prefs = got = 0
    for mentee_id, mentor_ids in sorted(mentors_of.items()):
        listed = data.people.get(mentee_id, {}).get("answers", {}) or {}
        wanted = {str(v).strip().casefold() for v in (listed.get(qid) or [])}
        if not wanted:
            continue
        with_prefs += 1
        keys = set()
        for mid in mentor_ids:
            mentor = data.people.get(mid, {})
            keys |= {
                str(mentor.get("email", "")).casefold(),
                str(mentor.get("name", "")).casefold(),
            }
        got += bool(wanted & keys)
    return PreferredMentors(qid, with_prefs, got, share(got, with_prefs))


def _people_dicts(people: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    from mentorctl.roster.records import ParticipantRecord

    fields = ParticipantRecord.__dataclass_fields__  # type: ignore[attr-defined]
    return [{k: p.get(k) if k != "languages" else p.get(k) or [] for k in fields} for p in people]


def greedy_baseline(
    program: Program,
    people: Sequence[dict[str, Any]],
    previous_pairs: frozenset[tuple[str, str]],
    rejected: frozenset[tuple[str, str]],
    actual_total: float,
    actual_matches: int,
    force: bool | None,
) -> tuple[GreedyComparison | None, str | None]:
    """Greedy matching of the same people, for the "gain over greedy" figures."""
    from mentorctl.errors import MatchingError
    from mentorctl.matching.engine import MatchInput, propose

    if program.format is Format.CIRCLES:
        return None, "not computed: circles are not matched pair by pair"
    if force is False:
        return None, "not computed (--no-greedy)"
    known = [p for p in people if p.get("forgotten_at") is None]
    n_mentors = sum(p["role"] in ("mentor", "both") for p in known)
    n_mentees = sum(p["role"] in ("mentee", "both") for p in known)
    pairs = n_mentors * n_mentees
    if force is None and pairs > GREEDY_MAX_PAIRS:
        return None, (
            f"not computed: {pairs:,} candidate pairs is above {GREEDY_MAX_PAIRS:,} "
            "(pass --greedy to compute it anyway)"
        )
    dicts = _people_dicts(known)
    forbid = frozenset((p.mentor, p.mentee) for p in program.matching.constraints.forbid)
    try:
        proposal = propose(
            MatchInput(
                program=program,
                people=dicts,
                mode=Mode.GREEDY,
                previous_pairs=previous_pairs,
                forbid=forbid | rejected,
            )
        )
    except MatchingError as exc:
        return None, f"not computed: {exc}"
    total = float(sum(m.score for m in proposal.matches))
    n = len(proposal.matches)
    gain = actual_total - total
    return (
        GreedyComparison(
            matches=n,
            total_score=_r(total) or 0.0,
            mean_score=_r(total / n) if n else None,
            gain_total=_r(gain) or 0.0,
            gain_share=_r(gain / total) if total else None,
            extra_matches=actual_matches - n,
        ),
        None,
    )


def match_quality(
    program: Program,
    data: _Data,
    enrolled: Sequence[dict[str, Any]],
    pairs_before: frozenset[tuple[str, str]],
    rejected: frozenset[tuple[str, str]],
    greedy: bool | None,
) -> MatchQuality:
    scores = [m.score for m in data.matches if m.score is not None]
    total = sum(scores) if scores else None
    comparison: GreedyComparison | None = None
    note: str | None = "not computed: no matches"
    if data.matches:
        comparison, note = greedy_baseline(
            program, enrolled, pairs_before, rejected, total or 0.0, len(data.matches), greedy
        )
    return MatchQuality(
        matches=len(data.matches),
        scored=len(scores),
        total_score=_r(total),
        mean_score=_r(statistics.fmean(scores)) if scores else None,
        median_score=_r(statistics.median(scores)) if scores else None,
        lowest_score=_r(min(scores)) if scores else None,
        greedy=comparison,
        greedy_note=note,
        preferred=preferred_mentors(program, data),
    )


def engagement(program: Program, session: Session, cycle: CycleInfo, as_of: dt.date) -> Engagement:
    """Meetings, hours and health of the cycle's matches on ``as_of``.

    Every number comes from :func:`mentorctl.tracking.health_rows`, so the report and
    ``mentorctl status`` can never disagree: meetings held are those logged on or before
    ``as_of``; expected meetings are tracking's (one per cadence from the match's start,
    inside the cycle, up to ``as_of``). Ended matches count for meetings but are not
    judged: health shares are over active matches only.
    """
    rows = health_rows(session, program, cycle, as_of)
    held = sum(r.meetings_held for r in rows)
    expected = sum(r.meetings_expected for r in rows)
    minutes = sum(r.minutes for r in rows)
    counts = _count_health(rows)
    n = len(rows)
    return Engagement(
        matches=n,
        meetings_held=held,
        meetings_expected=expected,
        meeting_ratio=share(held, expected),
        hours=_r(minutes / 60, 2) or 0.0,
        meetings_per_match=_r(held / n) if n else None,
        health=counts,
        health_shares={s: share(getattr(counts, s), counts.judged) for s in HEALTH_STATES},
    )


# ---- health: mentorctl.tracking defines it; the report only counts --------------------


def health_rows(
    session: Session, program: Program, cycle: CycleInfo, as_of: dt.date
) -> list[MatchHealth]:
    """The cycle's matches with their health on ``as_of`` (tracking's definition)."""
    from mentorctl import tracking

    if cycle.id < 0:  # not in the roster yet: no matches
        return []
    return tracking.health_rows(session, program, cycle.id, as_of)


def _count_health(rows: Iterable[MatchHealth]) -> HealthCounts:
    counts = HealthCounts()
    for row in rows:
        key = _health_key(row)
        if hasattr(counts, key):
            setattr(counts, key, getattr(counts, key) + 1)
    return counts


def _health_key(row: MatchHealth) -> str:
    return row.health.replace("-", "_")  # "on-track" -> the field name "on_track"


def health_timeline(
    session: Session, program: Program, cycle: CycleInfo, as_of: dt.date
) -> list[HealthPoint]:
    """Health counts at each cadence step from the cycle's start to the report date."""
    step = program.cycle.cadence.days
    end = min(cycle.end, as_of)
    out = []
    day = cycle.start + dt.timedelta(days=step)
    dates = []
    while day < end:
        dates.append(day)
        day += dt.timedelta(days=step)
    dates.append(end)
    for d in dates:
        counts = _count_health(health_rows(session, program, cycle, d))
        out.append(HealthPoint(d, counts.on_track, counts.at_risk, counts.stalled, counts.ended))
    return out


# ---- goals, satisfaction, gaps --------------------------------------------------------


def goals(data: _Data) -> Goals:
    by_status = Counter(status for status, _ in data.goals)
    n = len(data.goals)
    return Goals(
        set=n,
        by_status={s: by_status.get(s, 0) for s in (*GOAL_STATES, *sorted(by_status))},
        in_progress=by_status.get("in-progress", 0),
        achieved=by_status.get("achieved", 0),
        achieved_share=share(by_status.get("achieved", 0), n),
        mean_progress=_r(statistics.fmean(p for _, p in data.goals), 2) if n else None,
    )


def satisfaction(data: _Data, min_size: int) -> Satisfaction:
    latest_sat: dict[Any, tuple[dt.date, int, int]] = {}
    latest_rec: dict[Any, tuple[dt.date, int, int]] = {}
    for who, day, cid, sat, rec in data.checkins:
        if sat is not None and (who not in latest_sat or (day, cid) > latest_sat[who][:2]):
            latest_sat[who] = (day, cid, sat)
        if rec is not None and (who not in latest_rec or (day, cid) > latest_rec[who][:2]):
            latest_rec[who] = (day, cid, rec)
    sats = [v[2] for v in latest_sat.values()]
    recs = [v[2] for v in latest_rec.values()]
    dist = Counter(sats)
    bins = {str(s): dist.get(s, 0) for s in sorted({*SATISFACTION_SCALE, *dist})}
    hidden = suppress_cells(bins, min_size)
    groups = {
        "promoters": sum(r >= 9 for r in recs),
        "passives": sum(7 <= r <= 8 for r in recs),
        "detractors": sum(r <= 6 for r in recs),
    }
    hidden_nps = suppress_cells(groups, min_size)
    nps = _r(100 * (groups["promoters"] - groups["detractors"]) / len(recs), 2) if recs else None
    return Satisfaction(
        respondents=len(sats),
        mean=_r(statistics.fmean(sats), 2) if sats else None,
        distribution=[
            ScoreCell(int(s), None, True) if s in hidden else ScoreCell(int(s), n)
            for s, n in bins.items()
        ],
        recommend_respondents=len(recs),
        promoters=None if "promoters" in hidden_nps else groups["promoters"],
        passives=None if "passives" in hidden_nps else groups["passives"],
        detractors=None if "detractors" in hidden_nps else groups["detractors"],
        nps=nps,
        suppressed=[g for g in groups if g in hidden_nps],
    )


def supply_gaps(program: Program, people: Sequence[dict[str, Any]]) -> list[Gap]:
    """Skills (any ``overlap`` criterion's items) mentees want more than eligible mentors
    offer: :func:`mentorctl.matching.engine.supply_gaps` on the cycle's enrolled people."""
    import numpy as np

    from mentorctl.matching import constraints
    from mentorctl.matching.engine import Scored, is_mentee, is_mentor
    from mentorctl.matching.engine import supply_gaps as engine_gaps

    dicts = sorted(
        _people_dicts(p for p in people if p.get("forgotten_at") is None),
        key=lambda p: p["email"],
    )
    mentors = [p for p in dicts if is_mentor(p)]
    mentees = [p for p in dicts if is_mentee(p)]
    ineligible = {}
    for m in mentors:
        why = constraints.mentor_ineligibility(program, m)
        if why is not None:
            ineligible[m["email"]] = why
    # supply_gaps reads only the people and who is ineligible: no score matrix needed.
    empty = np.zeros((0, 0))
    scored = Scored(mentors, mentees, np.zeros(0), empty, empty.astype(bool), ineligible)
    return [
        Gap(g.criterion, g.item, g.wanted, g.offered, g.wanted - g.offered)
        for g in engine_gaps(program, scored)
    ]


# ---- outcomes -------------------------------------------------------------------------


def _hr_records(session: Session, program_id: int) -> dict[str, tuple[bool, Any, Any]]:
    from sqlalchemy import select

    from mentorctl.roster.models import HrRecord

    rows = session.execute(
        select(
            HrRecord.email, HrRecord.employed, HrRecord.left_date, HrRecord.promotion_date
        ).where(HrRecord.program_id == program_id)
    ).all()
    return {e: (bool(emp), as_date(left), as_date(promo)) for e, emp, left, promo in rows}


def outcomes(
    session: Session,
    program_id: int,
    cycle: CycleInfo,
    data: _Data,
    as_of: dt.date,
    min_size: int,
    min_conclusive: int = MIN_CONCLUSIVE_GROUP,
) -> Outcomes | None:
    """Retention and promotion since the cycle began, mentored against not mentored.

    People in the HR extract who had left before the cycle started are left out. Groups:
    ``mentored`` (mentee in one of the cycle's matches), ``mentors`` (mentor in one, not
    mentored), ``not_mentored`` (everyone else in the extract).
    """
    hr = _hr_records(session, program_id)
    if not hr:
        return None
    emails = {pid: str(p["email"]).lower() for pid, p in data.people.items()}
    mentored = {emails[m.mentee_id] for m in data.matches if m.mentee_id in emails}
    mentoring = {emails[m.mentor_id] for m in data.matches if m.mentor_id in emails} - mentored
    window_end = as_of
    groups: dict[str, list[tuple[bool, bool]]] = {"mentored": [], "mentors": [], "not_mentored": []}
    for email, (employed, left, promo) in sorted(hr.items()):
        if left is not None and left < cycle.start:
            continue
        retained = left > window_end if left is not None else employed
        promoted = promo is not None and cycle.start <= promo <= window_end
        key = (
            "mentored" if email in mentored else "mentors" if email in mentoring else "not_mentored"
        )
        groups[key].append((retained, promoted))
    hidden = suppress_cells({k: len(v) for k, v in groups.items()}, min_size)
    rows = []
    for key, members in groups.items():
        n = len(members)
        kept = sum(r for r, _ in members)
        up = sum(p for _, p in members)
        if key in hidden:
            rows.append(OutcomeGroup(key, None, None, None, None, None, None, None, True))
            continue
        rows.append(
            OutcomeGroup(
                key,
                n,
                kept,
                share(kept, n),
                _ci(wilson(kept, n)),
                up,
                share(up, n),
                _ci(wilson(up, n)),
            )
        )
    a, b = groups["mentored"], groups["not_mentored"]
    enough = len(a) >= min_conclusive and len(b) >= min_conclusive
    comparisons = []
    for measure, idx, verb in (("retention", 0, "stayed"), ("promotion", 1, "were promoted")):
        if not enough:
            comparisons.append(
                OutcomeComparison(
                    measure,
                    None,
                    None,
                    f"too small to conclude anything: each group needs at least "
                    f"{min_conclusive} people (mentored: {len(a)}, not mentored: {len(b)})",
                )
            )
            continue
        k1, k2 = sum(m[idx] for m in a), sum(m[idx] for m in b)
        diff = k1 / len(a) - k2 / len(b)
        ci = newcombe(k1, len(a), k2, len(b))
        assert ci is not None
        comparisons.append(OutcomeComparison(measure, _r(diff), _ci(ci), _conclude(verb, diff, ci)))
    return Outcomes(
        hr_records=sum(len(v) for v in groups.values()),
        window_start=cycle.start,
        window_end=window_end,
        groups=rows,
        comparisons=comparisons,
        enough_data=enough,
    )


def _ci(ci: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if ci is None else (_r(ci[0]) or 0.0, _r(ci[1]) or 0.0)


def _points(x: float) -> str:
    return f"{100 * x:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")


def _conclude(verb: str, diff: float, ci: tuple[float, float]) -> str:
    span = f"{_points(diff)} points, 95% CI {_points(ci[0])} to {_points(ci[1])}"
    if ci[0] > 0:
        return f"mentored people {verb} more often ({span})"
    if ci[1] < 0:
        return f"mentored people {verb} less often ({span})"
    return f"no clear difference ({span}: the interval includes zero)"


# --------------------------------------------------------------------------- assembly


def _pairs_by_email(
    session: Session, cycle_ids: Sequence[int], statuses: Sequence[str], people: dict[int, dict]
) -> frozenset[tuple[str, str]]:
    from sqlalchemy import select

    from mentorctl.roster.models import MatchRow

    if not cycle_ids:
        return frozenset()
    rows = session.execute(
        select(MatchRow.mentor_id, MatchRow.mentee_id).where(
            MatchRow.cycle_id.in_(cycle_ids),  # type: ignore[attr-defined]
            MatchRow.status.in_(statuses),  # type: ignore[attr-defined]
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


def _cycle_report(
    session: Session,
    program: Program,
    program_id: int,
    cycles: Sequence[CycleInfo],
    cycle: CycleInfo,
    people: dict[int, dict[str, Any]],
    as_of: dt.date,
    *,
    greedy: bool | None,
    full: bool,
    timeline: bool = False,
) -> Report:
    """One cycle's figures. ``full`` adds the costly extras (greedy, outcomes, timeline)."""
    min_size = program.report.min_group_size
    when = min(as_of, cycle.end) if as_of >= cycle.start else as_of
    data = _load_cycle(session, cycle, when, people)
    part = participation(data, cycle, min_size)
    matched = {i for m in data.matches for i in (m.mentor_id, m.mentee_id) if i is not None}
    enrolled = _enrolled(data, cycle, matched)
    earlier = [c.id for c in cycles if c.start < cycle.start]
    quality = match_quality(
        program,
        data,
        enrolled,
        _pairs_by_email(session, earlier, MATCH_STATUSES, people) if full else frozenset(),
        _pairs_by_email(session, [cycle.id], ("rejected",), people) if full else frozenset(),
        greedy if full else False,
    )
    return Report(
        program=program.name,
        cycle=cycle.name,
        cycle_start=cycle.start,
        cycle_end=cycle.end,
        as_of=as_of,
        in_progress=cycle.status != "closed" and as_of < cycle.end,
        min_group_size=min_size,
        participation=part,
        match_quality=quality,
        engagement=engagement(program, session, cycle, when),
        goals=goals(data),
        satisfaction=satisfaction(data, min_size),
        supply_gaps=supply_gaps(program, enrolled) if full else [],
        comparison=Comparison(None, []),
        outcomes=outcomes(session, program_id, cycle, data, as_of, min_size) if full else None,
        health_timeline=health_timeline(session, program, cycle, when)
        if timeline and data.matches
        else [],
    )


def compare(current: Report, previous: Report | None) -> Comparison:
    if previous is None:
        return Comparison(None, [])
    now, before = headline(current), headline(previous)
    changes = []
    for name in HEADLINE_FIGURES:
        a, b = now[name], before[name]
        delta: float | int | None = None
        if a is not None and b is not None:
            delta = a - b if isinstance(a, int) and isinstance(b, int) else _r(a - b)
        changes.append(Change(name, a, b, delta))
    return Comparison(previous.cycle, changes)


def build_report(
    session: Session,
    program: Program,
    *,
    cycle: str | None = None,
    as_of: dt.date | None = None,
    all_cycles: bool = False,
    greedy: bool | None = None,
    timeline: bool = False,
) -> Report:
    """The report for ``cycle`` (default: program.yaml's current cycle) on ``as_of``.

    ``greedy``: None recomputes the greedy baseline when small enough
    (:data:`GREEDY_MAX_PAIRS`), True always, False never. ``all_cycles`` adds
    :attr:`Report.trends`, one :func:`headline` per cycle up to this one.
    Raises NotFoundError if the program or the cycle has nothing in the roster yet.
    """
    from mentorctl.roster.participants import find_program_id

    as_of = as_of or dt.date.today()
    program_id = find_program_id(session, program)
    if program_id is None:
        raise NotFoundError(
            f"program {program.slug!r} has nothing in the roster yet; "
            "run `mentorctl participants import FILE` first"
        )
    cycles = list_cycles(session, program_id)
    name = cycle or program.cycle.name
    if name == program.cycle.name and all(c.name != name for c in cycles):
        # The current cycle before anyone was matched: enrolment figures, nothing else yet.
        c = program.cycle
        cycles.append(CycleInfo(-1, c.name, c.start, c.end, "open"))
        cycles.sort(key=lambda x: x.start)
    chosen = find_cycle(cycles, name)
    people = _load_people(session, program_id)
    report = _cycle_report(
        session,
        program,
        program_id,
        cycles,
        chosen,
        people,
        as_of,
        greedy=greedy,
        full=True,
        timeline=timeline,
    )
    before = [c for c in cycles if c.start < chosen.start]
    summaries: dict[int, Report] = {}

    def light(c: CycleInfo) -> Report:
        if c.id not in summaries:
            summaries[c.id] = _cycle_report(
                session, program, program_id, cycles, c, people, as_of, greedy=False, full=False
            )
        return summaries[c.id]

    report.comparison = compare(report, light(before[-1]) if before else None)
    if all_cycles:
        upto = [*before, chosen]
        report.trends = [headline(report if c.id == chosen.id else light(c)) for c in upto]
    return report


# --------------------------------------------------------------------------- sections
# The same tables feed every format (Rich, CSV, Markdown, HTML), so they cannot disagree.


@dataclass
class Col:
    key: str
    header: str
    kind: str = "text"  # text | int | num | share | signed | points | ci


@dataclass
class Section:
    id: str
    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


SUPPRESSED = "suppressed"


def display(value: Any, kind: str = "text") -> str:
    """A cell as people read it: shares as percentages, intervals as ``a–b%``."""
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "ci":
        return f"{100 * value[0]:.1f}–{100 * value[1]:.1f}%"
    if kind == "num":
        return f"{value:.2f}"
    if kind == "signed":
        return f"{value:+.2f}" if isinstance(value, float) else f"{value:+d}"
    if kind == "points":
        return f"{100 * value:+.1f} pts"
    return str(value)


def _kv(rows: Iterable[tuple[str, Any, str]]) -> list[dict[str, Any]]:
    return [{"figure": f, "value": v, "kind": k} for f, v, k in rows]


_KV = [Col("figure", "Figure"), Col("value", "Value", "auto")]


def _group_rows(rows: Sequence[GroupRow]) -> list[dict[str, Any]]:
    return [
        {
            "group": r.group,
            "enrolled": SUPPRESSED if r.suppressed else r.enrolled,
            "matched": SUPPRESSED if r.suppressed else r.matched,
            "match_rate": SUPPRESSED if r.suppressed else r.match_rate,
        }
        for r in rows
    ]


_FIGURE_KINDS = {
    "match_rate": "share",
    "mean_score": "num",
    "meeting_ratio": "share",
    "hours": "num",
    "on_track_share": "share",
    "satisfaction_mean": "num",
    "nps": "num",
}
_FIGURE_LABELS = {
    "enrolled": "Enrolled",
    "matched": "Matched",
    "match_rate": "Match rate",
    "mean_score": "Mean score",
    "meetings_held": "Meetings held",
    "meetings_expected": "Meetings expected",
    "meeting_ratio": "Held / expected",
    "hours": "Hours",
    "on_track_share": "On track",
    "goals_set": "Goals set",
    "goals_achieved": "Goals achieved",
    "satisfaction_mean": "Mean satisfaction",
    "nps": "NPS",
}


def sections(r: Report) -> list[Section]:
    """The report as titled tables, in reading order."""
    p, q, e, g, s = r.participation, r.match_quality, r.engagement, r.goals, r.satisfaction
    small = f"groups under {r.min_group_size} people are suppressed"
    out = [
        Section(
            "participation",
            "Participation",
            _KV,
            _kv(
                [
                    ("Enrolled", p.enrolled, "int"),
                    ("Matched", p.matched, "int"),
                    ("Match rate", p.match_rate, "share"),
                    ("Mentors enrolled", p.mentors_enrolled, "int"),
                    ("Mentors matched", p.mentors_matched, "int"),
                    ("Mentees enrolled", p.mentees_enrolled, "int"),
                    ("Mentees matched", p.mentees_matched, "int"),
                    ("Mentee match rate", p.mentee_match_rate, "share"),
                ]
            ),
        )
    ]
    group_cols = [
        Col("group", "Group"),
        Col("enrolled", "Enrolled", "int"),
        Col("matched", "Matched", "int"),
        Col("match_rate", "Match rate", "share"),
    ]
    out.append(
        Section("by_role", "Participation by role", group_cols, _group_rows(p.by_role), [small])
    )
    out.append(
        Section(
            "by_department",
            "Participation by department",
            group_cols,
            _group_rows(p.by_department),
            [small],
        )
    )
    quality = [
        ("Matches", q.matches, "int"),
        ("Mean score", q.mean_score, "num"),
        ("Median score", q.median_score, "num"),
        ("Lowest score", q.lowest_score, "num"),
        ("Total score", q.total_score, "num"),
    ]
    notes = []
    if q.greedy is not None:
        quality += [
            ("Greedy baseline: matches", q.greedy.matches, "int"),
            ("Greedy baseline: total score", q.greedy.total_score, "num"),
            ("Gain over greedy (total score)", q.greedy.gain_total, "signed"),
            ("Gain over greedy (share)", q.greedy.gain_share, "share"),
            ("Matches beyond greedy", q.greedy.extra_matches, "signed"),
        ]
    elif q.greedy_note:
        notes.append(f"Gain over greedy {q.greedy_note}.")
    pref = q.preferred
    quality += [
        ("Mentees who named preferred mentors", pref.mentees_with_preferences, "int"),
        ("… and got one of them", pref.got_preferred, "int"),
        ("Preferred-mentor share", pref.share, "share"),
    ]
    out.append(Section("match_quality", "Match quality", _KV, _kv(quality), notes))
    h = e.health
    out.append(
        Section(
            "engagement",
            "Engagement",
            _KV,
            _kv(
                [
                    ("Meetings held", e.meetings_held, "int"),
                    ("Meetings expected so far", e.meetings_expected, "int"),
                    ("Held / expected", e.meeting_ratio, "share"),
                    ("Hours", e.hours, "num"),
                    ("Meetings per match", e.meetings_per_match, "num"),
                    ("On track", h.on_track, "int"),
                    ("At risk", h.at_risk, "int"),
                    ("Stalled", h.stalled, "int"),
                    ("Ended", h.ended, "int"),
                    ("On track (share of active)", e.health_shares["on_track"], "share"),
                    ("At risk (share of active)", e.health_shares["at_risk"], "share"),
                    ("Stalled (share of active)", e.health_shares["stalled"], "share"),
                ]
            ),
        )
    )
    out.append(
        Section(
            "goals",
            "Goals",
            _KV,
            _kv(
                [
                    ("Goals set", g.set, "int"),
                    *((k.replace("-", " ").capitalize(), v, "int") for k, v in g.by_status.items()),
                    ("Achieved (share)", g.achieved_share, "share"),
                    ("Mean progress (%)", g.mean_progress, "num"),
                ]
            ),
        )
    )
    sat = [
        ("Respondents", s.respondents, "int"),
        ("Mean satisfaction (1–5)", s.mean, "num"),
        *(
            (f"Answered {c.score}", SUPPRESSED if c.suppressed else c.count, "int")
            for c in s.distribution
        ),
        ("Would-recommend respondents", s.recommend_respondents, "int"),
        (
            "Promoters (9–10)",
            SUPPRESSED if s.promoters is None and s.suppressed else s.promoters,
            "int",
        ),
        (
            "Passives (7–8)",
            SUPPRESSED if s.passives is None and s.suppressed else s.passives,
            "int",
        ),
        (
            "Detractors (0–6)",
            SUPPRESSED if s.detractors is None and s.suppressed else s.detractors,
            "int",
        ),
        ("NPS", s.nps, "num"),
    ]
    out.append(Section("satisfaction", "Satisfaction and NPS", _KV, _kv(sat), [small]))
    out.append(
        Section(
            "supply_gaps",
            "Supply gaps (skills wanted against offered)",
            [
                Col("criterion", "Criterion"),
                Col("item", "Item"),
                Col("wanted", "Mentees wanting", "int"),
                Col("offered", "Mentors offering", "int"),
                Col("shortfall", "Shortfall", "int"),
            ],
            [asdict(gap) for gap in r.supply_gaps],
            [] if r.supply_gaps else ["No gaps: every wanted item has enough mentors."],
        )
    )
    if r.comparison.previous_cycle is not None:
        out.append(
            Section(
                "comparison",
                f"Compared with {r.comparison.previous_cycle}",
                [
                    Col("label", "Figure"),
                    Col("current", r.cycle, "auto"),
                    Col("previous", r.comparison.previous_cycle, "auto"),
                    Col("change", "Change", "auto"),
                ],
                [
                    {
                        "figure": c.figure,
                        "label": _FIGURE_LABELS[c.figure],
                        "current": c.current,
                        "previous": c.previous,
                        "change": c.change,
                        "kind": _FIGURE_KINDS.get(c.figure, "int"),
                    }
                    for c in r.comparison.changes
                ],
            )
        )
    if r.outcomes is not None:
        o = r.outcomes
        out.append(
            Section(
                "outcomes",
                f"Outcomes from HR data ({o.window_start} to {o.window_end})",
                [
                    Col("group", "Group"),
                    Col("people", "People", "int"),
                    Col("retained", "Retained", "int"),
                    Col("retention", "Retention", "share"),
                    Col("retention_ci", "95% CI", "ci"),
                    Col("promoted", "Promoted", "int"),
                    Col("promotion", "Promotion", "share"),
                    Col("promotion_ci", "95% CI", "ci"),
                ],
                [
                    {
                        k: (SUPPRESSED if og.suppressed and k != "group" else v)
                        for k, v in asdict(og).items()
                        if k != "suppressed"
                    }
                    for og in o.groups
                ],
                [f"{c.measure.capitalize()}: {c.conclusion}." for c in o.comparisons],
            )
        )
    if r.trends:
        out.append(
            Section(
                "trends",
                "Trends across cycles",
                [Col("cycle", "Cycle")]
                + [
                    Col(k, _FIGURE_LABELS[k], _FIGURE_KINDS.get(k, "int")) for k in HEADLINE_FIGURES
                ],
                [dict(t) for t in r.trends],
            )
        )
    return out


def cell_kind(col: Col, row: Mapping[str, Any]) -> str:
    return str(row.get("kind", "text")) if col.kind == "auto" else col.kind


def flat_rows(r: Report) -> list[dict[str, Any]]:
    """Every figure as one row (section, group, figure, value): the ``--csv`` layout.

    Values are raw numbers (shares as fractions 0–1), ``suppressed``, or empty.
    """
    out = []
    for sec in sections(r):
        label_col = sec.columns[0]
        for row in sec.rows:
            group = "" if label_col.key == "figure" else str(row.get(label_col.key, ""))
            for col in sec.columns[1:]:
                figure = row["figure"] if label_col.key == "figure" else col.key
                if sec.id == "comparison":
                    figure, group = f"{row['figure']}", col.key
                value = row.get(col.key)
                if isinstance(value, tuple | list):
                    for bound, v in zip(("low", "high"), value, strict=True):
                        out.append(_flat(sec.id, group, f"{figure}_{bound}", v))
                    continue
                out.append(_flat(sec.id, group, figure, value))
    return out


def _flat(section: str, group: str, figure: str, value: Any) -> dict[str, Any]:
    return {"section": section, "group": group, "figure": figure, "value": value}
