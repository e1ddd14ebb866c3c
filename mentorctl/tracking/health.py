"""Each match's health: the pure rules (:func:`assess`) and the roster query that feeds them.

:func:`assess` is a pure function over plain data (:class:`MatchFacts`); it gives
one :class:`MatchHealth`. :func:`health_rows` gathers the facts for a whole cycle with a
handful of aggregate queries (no per-match query, so 10,000 matches cost one pass) and
assesses each match.

The health of a match, in order of precedence (``program.health`` sets the thresholds):

* ``ended``: the match ended (early, or when its cycle closed);
* ``stalled``: no meeting for ``health.stalled_days`` days (default 3 x the cadence);
* ``at-risk``: no meeting for ``health.at_risk_days`` days (default 1.5 x the cadence),
  or fewer than ``health.min_meeting_ratio`` of the meetings expected so far (once at
  least two are expected), or a mean check-in satisfaction at or below
  ``health.low_satisfaction``;
* ``on-track`` otherwise.

"Days since the last meeting" counts from the match's start when the pair has not met yet,
so a pair that never meets slides from on track to at risk to stalled like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.enums import Health
from mentorctl.errors import NotFoundError
from mentorctl.tables.dates import as_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from mentorctl.program import Health as HealthSettings
    from mentorctl.program import Program
    from mentorctl.roster.read import Reader

    #: What the health queries run on: a plain reader, an ORM session or a Core connection.
    ReadSource = Reader | Session | Connection

#: Health states from best to worst; ``ended`` is outside the scale.
HEALTH_STATES: tuple[str, ...] = tuple(Health)
HEALTH_ORDER: tuple[str, ...] = tuple(h for h in Health if h is not Health.ENDED)


def health_rank(health: str) -> int:
    """0 on track, 1 at risk, 2 stalled; -1 for ended (never "at or below" anything)."""
    return HEALTH_ORDER.index(health) if health in HEALTH_ORDER else -1


@dataclass(frozen=True)
class MatchFacts:
    """What the roster knows about one match, as plain data (the input of :func:`assess`)."""

    match_id: int
    cycle_id: int
    mentor: str | None
    mentee: str | None
    mentor_name: str | None = None
    mentee_name: str | None = None
    circle: str | None = None
    status: str = "active"  # active | ended
    started: dt.date | None = None  # when the match was accepted (None: the cycle's start)
    ended: dt.date | None = None
    end_reason: str | None = None
    outcome: str | None = None
    meeting_dates: Sequence[dt.date] = ()  # only needed when the counts below are None
    meetings_held: int | None = None
    last_met: dt.date | None = None
    minutes: int = 0
    goal_progress: float | None = None
    satisfaction: float | None = None
    recommend: float | None = None
    checkins: int = 0
    last_checkin: dt.date | None = None
    said_met: dt.date | None = None  # latest "we met" answer (check-in form links)
    said_not_yet: dt.date | None = None  # latest "not yet" answer


@dataclass(frozen=True)
class MatchHealth:
    """One match's health on a given day: what ``status`` shows and reports build on.

    Fields:

    * ``match_id``, ``cycle_id``: roster ids.
    * ``mentor``, ``mentee``: emails (lower-case); ``mentor_name``, ``mentee_name``: names.
    * ``circle``: the circle's topic in a circles program, else None.
    * ``status``: the stored match status, ``active`` or ``ended``.
    * ``started``: the day the match counts from (its acceptance, not before the cycle start).
    * ``ended``: the day it ended, or None; ``end_reason`` and ``outcome`` as stored.
    * ``meetings_held``: meetings logged on or before ``today``.
    * ``meetings_expected``: meetings the cadence asks for from ``started`` to ``today``
      (or to the end of the match/cycle, whichever is first).
    * ``meetings_expected_total``: meetings the cadence asks for over the whole cycle.
    * ``minutes``: total logged minutes.
    * ``last_met``: date of the latest meeting, or None.
    * ``days_since``: days from the last contact (``last_met`` or a later "we met"
      answer, ``said_met``; ``started`` if neither) to ``today``; >= 0.
    * ``goal_progress``: the mentee's mean goal progress this cycle (0-100), else the latest
      check-in's progress answer, else None.
    * ``satisfaction``: mean check-in satisfaction (1-5) or None; ``recommend``: mean
      would-recommend (0-10) or None; ``checkins``: how many; ``last_checkin``: latest date.
    * ``health``: ``on-track`` | ``at-risk`` | ``stalled`` | ``ended``.
    * ``reasons``: why, in words (empty when on track).
    * ``today``: the day the health was assessed on.
    * ``said_met``: the latest "we met" answer of the check-in form (its one-click links),
      or None: it counts as contact, like a logged meeting, for ``days_since`` and the
      reminder ladder (not for ``meetings_held``).
    * ``not_yet``: the latest "not yet" answer when nothing newer (a meeting or a "we
      met") followed it, else None.
    """

    match_id: int
    cycle_id: int
    mentor: str | None
    mentee: str | None
    mentor_name: str | None
    mentee_name: str | None
    circle: str | None
    status: str
    started: dt.date
    ended: dt.date | None
    end_reason: str | None
    outcome: str | None
    meetings_held: int
    meetings_expected: int
    meetings_expected_total: int
    minutes: int
    last_met: dt.date | None
    days_since: int
    goal_progress: float | None
    satisfaction: float | None
    recommend: float | None
    checkins: int
    last_checkin: dt.date | None
    health: str
    reasons: tuple[str, ...]
    today: dt.date
    said_met: dt.date | None = None
    not_yet: dt.date | None = None

    @property
    def last_contact(self) -> dt.date | None:
        """The latest of ``last_met`` and ``said_met``: what the reminder ladder counts from."""
        return _latest(self.last_met, self.said_met)

    @property
    def pair(self) -> str:
        """A short label: ``mentor -> mentee`` (or ``circle: mentee`` in a circle)."""
        left = f"{self.circle} circle" if self.circle else (self.mentor or "?")
        return f"{left} -> {self.mentee or '?'}"

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of one row of ``mentorctl status --json`` (docs/tracking.md)."""
        return {
            "match_id": self.match_id,
            "mentor": self.mentor,
            "mentee": self.mentee,
            "mentor_name": self.mentor_name,
            "mentee_name": self.mentee_name,
            "circle": self.circle,
            "status": self.status,
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat() if self.ended else None,
            "end_reason": self.end_reason,
            "outcome": self.outcome,
            "meetings_held": self.meetings_held,
            "meetings_expected": self.meetings_expected,
            "meetings_expected_total": self.meetings_expected_total,
            "minutes": self.minutes,
            "last_met": self.last_met.isoformat() if self.last_met else None,
            "days_since": self.days_since,
            "goal_progress": _round(self.goal_progress),
            "satisfaction": _round(self.satisfaction),
            "recommend": _round(self.recommend),
            "checkins": self.checkins,
            "last_checkin": self.last_checkin.isoformat() if self.last_checkin else None,
            "health": self.health,
            "reasons": list(self.reasons),
            "said_met": self.said_met.isoformat() if self.said_met else None,
            "not_yet": self.not_yet.isoformat() if self.not_yet else None,
        }


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The later of two optional dates (None when both are)."""
    if a is None or (b is not None and b > a):
        return b
    return a


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


@dataclass(frozen=True)
class Thresholds:
    """``program.health`` resolved against the cadence (plain numbers for :func:`assess`)."""

    cadence_days: int
    at_risk_days: int
    stalled_days: int
    min_meeting_ratio: float = 0.5
    low_satisfaction: float = 2.5

    @classmethod
    def of(cls, health: HealthSettings, cadence_days: int) -> Thresholds:
        return cls(
            cadence_days=cadence_days,
            at_risk_days=health.at_risk_days or -(-3 * cadence_days // 2),
            stalled_days=health.stalled_days or 3 * cadence_days,
            min_meeting_ratio=health.min_meeting_ratio,
            low_satisfaction=health.low_satisfaction,
        )


def match_start(started: dt.date | None, cycle_start: dt.date) -> dt.date:
    """The day a match counts from: its acceptance, but never before its cycle starts."""
    return cycle_start if started is None or started < cycle_start else started


def assess(
    facts: MatchFacts,
    *,
    cycle_start: dt.date,
    cycle_end: dt.date,
    thresholds: Thresholds,
    today: dt.date,
) -> MatchHealth:
    """The health of one match on ``today``; a pure function of its arguments.

    Meetings dated after ``today`` are ignored (what-if runs with an earlier day); a
    match that has not started yet (``today`` before its start) is on track with nothing
    expected.
    """
    t = thresholds
    if facts.meetings_held is None:
        held_dates = [d for d in facts.meeting_dates if d <= today]
        held = len(held_dates)
        last_met = max(held_dates, default=None)
    else:
        held, last_met = facts.meetings_held, facts.last_met
    start = match_start(facts.started, cycle_start)
    stop = min(today, cycle_end)
    if facts.ended is not None:
        stop = min(stop, facts.ended)
    total = max(1, (cycle_end - cycle_start).days // t.cadence_days)
    expected = min(total, max(0, (stop - start).days) // t.cadence_days)
    said_met = facts.said_met if facts.said_met and facts.said_met <= today else None
    said_not_yet = (
        facts.said_not_yet if facts.said_not_yet and facts.said_not_yet <= today else None
    )
    # A "we met" answer is contact, as a logged meeting is: the pair said they met.
    contact = _latest(last_met, said_met)
    not_yet = said_not_yet if said_not_yet and (contact is None or said_not_yet > contact) else None
    since_from = max(contact, start) if contact else start
    days_since = max(0, (today - since_from).days)

    reasons: list[str] = []
    if facts.status == "ended":
        health = "ended"
        if facts.end_reason:
            reasons.append(facts.end_reason)
    else:
        never = "" if contact else " (never met)"
        if days_since >= t.stalled_days:
            health = "stalled"
            reasons.append(f"no meeting for {days_since} days{never}")
        else:
            if days_since >= t.at_risk_days:
                reasons.append(f"no meeting for {days_since} days{never}")
            if expected >= 2 and held / expected < t.min_meeting_ratio:
                reasons.append(f"{held} of {expected} expected meetings held")
            if facts.satisfaction is not None and facts.satisfaction <= t.low_satisfaction:
                reasons.append(f"low satisfaction ({facts.satisfaction:.1f} of 5)")
            health = "at-risk" if reasons else "on-track"
    # Positional, in field order (see match_facts).
    return MatchHealth(
        facts.match_id,
        facts.cycle_id,
        facts.mentor,
        facts.mentee,
        facts.mentor_name,
        facts.mentee_name,
        facts.circle,
        facts.status,
        start,  # started
        facts.ended,
        facts.end_reason,
        facts.outcome,
        held,  # meetings_held
        expected,  # meetings_expected
        total,  # meetings_expected_total
        facts.minutes,
        last_met,
        days_since,
        facts.goal_progress,
        facts.satisfaction,
        facts.recommend,
        facts.checkins,
        facts.last_checkin,
        health,
        tuple(reasons),
        today,
        said_met,
        not_yet,
    )


# The cycle's active and ended matches; the aggregates below join on the same set.
_IN_CYCLE = "cycle_id = :cycle AND status IN ('active', 'ended')"
_MATCHES = """
SELECT m.id, m.mentor_id, m.mentee_id, m.circle, m.status, m.started_at, m.ended_at,
       m.end_reason, m.outcome, a.email, a.name, b.email, b.name
FROM match m
LEFT JOIN participant a ON a.id = m.mentor_id
LEFT JOIN participant b ON b.id = m.mentee_id
WHERE m.cycle_id = :cycle AND m.status IN ('active', 'ended')
"""
_MATCH_IDS = f"SELECT id FROM match WHERE {_IN_CYCLE}"
_MEETINGS = f"""
SELECT match_id, count(*), max(date), sum(minutes) FROM meeting
WHERE match_id IN ({_MATCH_IDS}) AND date <= :today GROUP BY match_id
"""
_CHECKINS = f"""
SELECT match_id, avg(satisfaction), avg(recommend), count(*), max(date) FROM checkin
WHERE match_id IN ({_MATCH_IDS}) AND date <= :today GROUP BY match_id
"""
_SAID = f"""
SELECT match_id, met, max(date) FROM checkin
WHERE match_id IN ({_MATCH_IDS}) AND date <= :today AND met IS NOT NULL
GROUP BY match_id, met
"""
_CHECKIN_PROGRESS = f"""
SELECT match_id, progress FROM checkin
WHERE match_id IN ({_MATCH_IDS}) AND date <= :today AND progress IS NOT NULL
ORDER BY date, id
"""
_GOALS = f"""
SELECT participant_id, avg(progress) FROM goal
WHERE participant_id IN (SELECT mentee_id FROM match WHERE {_IN_CYCLE})
  AND (cycle_id = :cycle OR cycle_id IS NULL) AND status <> 'dropped'
GROUP BY participant_id
"""


def match_facts(source: ReadSource, cycle_id: int, today: dt.date) -> list[MatchFacts]:
    """Facts of the cycle's active and ended matches on ``today``, from six aggregate
    queries.

    ``source`` is a :class:`~mentorctl.roster.read.Reader` (read-only commands) or the ORM
    session of a command that also writes (``remind``, ``cycle close``): the queries are
    the same SQL text either way.
    """
    return match_facts_by_day(source, cycle_id, [today])[today]


def match_facts_by_day(
    source: ReadSource, cycle_id: int, days: Sequence[dt.date]
) -> dict[dt.date, list[MatchFacts]]:
    """:func:`match_facts` on each of ``days`` (a report's health timeline): the matches,
    names and goals are read once, the dated aggregates once per day."""
    from mentorctl.roster.read import as_reader

    db = as_reader(source)
    day_of = _DayParser()
    matches = [
        (*r[:5], day_of(r[5]), day_of(r[6]), *r[7:]) for r in db.all(_MATCHES, cycle=cycle_id)
    ]
    goals: dict[int, Any] = dict(db.all(_GOALS, cycle=cycle_id))  # type: ignore[arg-type]
    return {day: _facts_on(db, cycle_id, day, matches, goals, day_of) for day in days}


class _DayParser(dict[Any, "dt.date | None"]):
    """:func:`as_date` remembered per stored value: 10,000 matches have a few hundred
    distinct dates between them, and a timeline asks for each a dozen times."""

    def __missing__(self, value: Any) -> dt.date | None:
        self[value] = day = as_date(value)
        return day

    def __call__(self, value: Any) -> dt.date | None:
        return self[value]


def _facts_on(
    db: Reader,
    cycle_id: int,
    today: dt.date,
    matches: list[tuple[Any, ...]],
    goals: dict[int, Any],
    day_of: _DayParser,
) -> list[MatchFacts]:
    from mentorctl.roster.read import bool_of

    key = {"cycle": cycle_id, "today": today.isoformat() if db.dialect == "sqlite" else today}
    meetings = {r[0]: r[1:] for r in db.all(_MEETINGS, **key)}
    checkins = {r[0]: r[1:] for r in db.all(_CHECKINS, **key)}
    said: dict[tuple[int, bool | None], dt.date | None] = {
        (r[0], bool_of(r[1])): day_of(r[2]) for r in db.all(_SAID, **key)
    }
    # Ordered by date: the latest progress answer of each match wins.
    checkin_progress: dict[int, int] = dict(db.all(_CHECKIN_PROGRESS, **key))  # type: ignore[arg-type]
    out = []
    for row in matches:
        mid = row[0]
        count, last, minutes = meetings.get(mid, (0, None, None))
        sat, rec, n_check, last_check = checkins.get(mid, (None, None, 0, None))
        progress = goals.get(row[2])
        if progress is None:
            progress = checkin_progress.get(mid)
        # Positional, in field order: with 10,000 matches, keyword arguments alone cost a
        # tenth of a second (tests/tracking/test_health_fields.py pins the order).
        out.append(
            MatchFacts(
                mid,
                cycle_id,
                row[9],  # mentor
                row[11],  # mentee
                row[10],  # mentor_name
                row[12],  # mentee_name
                row[3],  # circle
                row[4],  # status
                row[5],  # started (a date already)
                row[6],  # ended
                row[7],  # end_reason
                row[8],  # outcome
                (),  # meeting_dates: the counts below are given
                int(count),  # meetings_held
                day_of(last),  # last_met
                int(minutes or 0),
                None if progress is None else float(progress),  # goal_progress
                None if sat is None else float(sat),  # satisfaction
                None if rec is None else float(rec),  # recommend
                int(n_check),  # checkins
                day_of(last_check),  # last_checkin
                said.get((mid, True)),  # said_met
                said.get((mid, False)),  # said_not_yet
            )
        )
    return out


def health_rows(
    source: ReadSource, program: Program, cycle_id: int, today: dt.date
) -> list[MatchHealth]:
    """Every active and ended match of the cycle with its health on ``today``.

    Sorted by pair (mentor, then mentee). The cycle's dates come from the roster; the
    cadence and thresholds from ``program``.
    """
    from mentorctl.roster.read import as_reader

    db = as_reader(source)
    cycle = db.first('SELECT start, "end" FROM cycle WHERE id = :id', id=cycle_id)
    if cycle is None:
        raise NotFoundError(f"no cycle with id {cycle_id} in the roster")
    start, end = (
        dt.date.fromisoformat(str(cycle[0])[:10]),
        dt.date.fromisoformat(str(cycle[1])[:10]),
    )
    thresholds = Thresholds.of(program.health, program.cycle.cadence.days)
    rows = [
        assess(f, cycle_start=start, cycle_end=end, thresholds=thresholds, today=today)
        for f in match_facts(db, cycle_id, today)
    ]
    rows.sort(key=lambda r: (r.circle or "", r.mentor or "", r.mentee or "", r.match_id))
    return rows


@dataclass(frozen=True)
class StoredCycle:
    """A cycle as the roster stores it."""

    id: int
    name: str
    start: dt.date | None
    end: dt.date | None


def stored_cycle(source: ReadSource, program: Program) -> StoredCycle:
    """program.yaml's current cycle as the roster stores it, read with one query;
    NotFoundError when nothing is stored for it yet (as
    :func:`mentorctl.tracking.current_cycle` with ``create=False``)."""
    from mentorctl.roster.read import as_reader

    row = as_reader(source).first(
        'SELECT c.id, c.name, c.start, c."end" FROM cycle c '
        "JOIN program p ON p.id = c.program_id WHERE p.slug = :slug AND c.name = :name",
        slug=program.slug,
        name=program.cycle.name,
    )
    if row is None:
        raise NotFoundError(
            f"cycle {program.cycle.name}: nothing stored yet; "
            "enrol people and run `mentorctl match` first"
        )
    return StoredCycle(row[0], row[1], as_date(row[2]), as_date(row[3]))
