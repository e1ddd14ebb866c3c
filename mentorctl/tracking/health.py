"""Each match's health: the pure rules (:func:`assess`) and the roster query that feeds them.

:func:`judge` holds the rules, over plain values; :func:`assess` applies it to
:class:`MatchFacts` and gives one :class:`MatchHealth`. :func:`health_rows` gathers the
facts for a whole cycle with one query (:func:`match_facts`: no query per match, so
10,000 matches cost one pass) and assesses each match. A report, which only counts,
reads less (:func:`health_facts`) and calls :func:`judge` on each row directly.

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

The module is longer than most (about 580 lines) on purpose: the rules, the two records
they read and give, and the queries that gather their facts are one definition of health,
kept in one place so that ``status``, reminders, ``cycle close`` and the report cannot
drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

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


class MatchFacts(NamedTuple):
    """What the roster knows about one match, as plain data (the input of :func:`assess`).

    Named tuples, as :class:`MatchHealth`: a status of 10,000 matches builds 20,000 of
    them, and a frozen dataclass costs three times as much to make."""

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


class MatchHealth(NamedTuple):
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
    expected. The rules themselves are :func:`judge`'s; this packs its answer with the
    facts into a :class:`MatchHealth`.
    """
    if facts.meetings_held is None:
        held_dates = [d for d in facts.meeting_dates if d <= today]
        held = len(held_dates)
        last_met = max(held_dates, default=None)
    else:
        held, last_met = facts.meetings_held, facts.last_met
    start, expected, total, days_since, said_met, not_yet, health, reasons = judge(
        thresholds,
        cycle_start,
        cycle_end,
        today,
        facts.status,
        facts.end_reason,
        facts.started,
        facts.ended,
        held,
        last_met,
        facts.satisfaction,
        facts.said_met,
        facts.said_not_yet,
    )
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
        reasons,
        today,
        said_met,
        not_yet,
    )


#: What :func:`judge` answers: (started, meetings expected, meetings expected over the
#: cycle, days since the last contact, "we met" answer, "not yet" answer, health, reasons).
Judgement = tuple[dt.date, int, int, int, dt.date | None, dt.date | None, str, tuple[str, ...]]


def judge(
    t: Thresholds,
    cycle_start: dt.date,
    cycle_end: dt.date,
    today: dt.date,
    status: str,
    end_reason: str | None,
    started: dt.date | None,
    ended: dt.date | None,
    held: int,
    last_met: dt.date | None,
    satisfaction: float | None,
    said_met: dt.date | None,
    said_not_yet: dt.date | None,
) -> Judgement:
    """The health rules (see the module docstring) over plain values: the one definition
    that :func:`assess` packs into a :class:`MatchHealth`, and that a report, which only
    counts, calls directly on a query's rows (no object per match).

    ``held`` and ``last_met``: meetings on or before ``today`` and the latest of them;
    the other arguments as :class:`MatchFacts` has them. Answers a :data:`Judgement`.
    """
    start = match_start(started, cycle_start)
    stop = min(today, cycle_end)
    if ended is not None:
        stop = min(stop, ended)
    total = max(1, (cycle_end - cycle_start).days // t.cadence_days)
    expected = min(total, max(0, (stop - start).days) // t.cadence_days)
    said_met = said_met if said_met and said_met <= today else None
    said_not_yet = said_not_yet if said_not_yet and said_not_yet <= today else None
    # A "we met" answer is contact, as a logged meeting is: the pair said they met.
    contact = _latest(last_met, said_met)
    not_yet = said_not_yet if said_not_yet and (contact is None or said_not_yet > contact) else None
    since_from = max(contact, start) if contact else start
    days_since = max(0, (today - since_from).days)

    reasons: list[str] = []
    if status == "ended":
        health = "ended"
        if end_reason:
            reasons.append(end_reason)
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
            if satisfaction is not None and satisfaction <= t.low_satisfaction:
                reasons.append(f"low satisfaction ({satisfaction:.1f} of 5)")
            health = "at-risk" if reasons else "on-track"
    return start, expected, total, days_since, said_met, not_yet, health, tuple(reasons)


# The queries below read a cycle's active and ended matches, one row each, with what
# the roster knows of each on ``:today``. Meetings are counted, summed and dated by three
# correlated subqueries: each is a seek into the (match_id, date, minutes) index, and
# max(date) a single step (SQLite's min/max shortcut), cheaper than grouping 200,000
# meetings. Check-ins are grouped once (a few per match). One query, one row per match:
# no per-day dictionaries to join in Python.
_IN_CYCLE = "cycle_id = :cycle AND status IN ('active', 'ended')"
_MATCH_IDS = f"SELECT id FROM match WHERE {_IN_CYCLE}"
_MEETINGS = """
(SELECT count(*) FROM meeting WHERE match_id = m.id AND date <= :today),
(SELECT max(date) FROM meeting WHERE match_id = m.id AND date <= :today),
(SELECT sum(minutes) FROM meeting WHERE match_id = m.id AND date <= :today)"""
# Both "we met" and "not yet" answers (``met``), the latest of each.
_CHECKINS = f"""
SELECT match_id, avg(satisfaction) sat, avg(recommend) rec, count(*) n, max(date) last,
       max(CASE WHEN met THEN date END) said_met,
       max(CASE WHEN NOT met THEN date END) said_not_yet
FROM checkin WHERE match_id IN ({_MATCH_IDS}) AND date <= :today GROUP BY match_id
"""
_FACTS = f"""
SELECT m.id, m.circle, m.status, m.started_at, m.ended_at, m.end_reason, m.outcome,
       a.email, a.name, b.email, b.name, {_MEETINGS},
       k.sat, k.rec, k.n, k.last, k.said_met, k.said_not_yet,
       (SELECT avg(progress) FROM goal WHERE participant_id = m.mentee_id
          AND (cycle_id = :cycle OR cycle_id IS NULL) AND status <> 'dropped'),
       (SELECT progress FROM checkin WHERE match_id = m.id AND date <= :today
          AND progress IS NOT NULL ORDER BY date DESC, id DESC LIMIT 1)
FROM match m
LEFT JOIN participant a ON a.id = m.mentor_id
LEFT JOIN participant b ON b.id = m.mentee_id
LEFT JOIN ({_CHECKINS}) k ON k.match_id = m.id
WHERE m.cycle_id = :cycle AND m.status IN ('active', 'ended')
ORDER BY m.id
"""
# What :func:`judge` reads, and nothing else (no names, goals or other answers).
_HEALTH_FACTS = f"""
SELECT m.id, m.status, m.started_at, m.ended_at, m.end_reason, m.outcome, {_MEETINGS},
       (SELECT avg(satisfaction) FROM checkin WHERE match_id = m.id AND date <= :today),
       (SELECT max(date) FROM checkin WHERE match_id = m.id AND date <= :today AND met),
       (SELECT max(date) FROM checkin WHERE match_id = m.id AND date <= :today AND NOT met)
       {{extra}}
FROM match m
WHERE m.cycle_id = :cycle AND m.status IN ('active', 'ended')
ORDER BY m.id
"""

#: The columns of :func:`health_facts`' rows, in order (then the ``extra`` ones).
HEALTH_FACTS = (
    "match_id",
    "status",
    "started",
    "ended",
    "end_reason",
    "outcome",
    "meetings_held",
    "last_met",
    "minutes",
    "satisfaction",
    "said_met",
    "said_not_yet",
)


def match_facts(source: ReadSource, cycle_id: int, today: dt.date) -> list[MatchFacts]:
    """Facts of the cycle's active and ended matches on ``today``, from one query (by
    match id).

    ``source`` is a :class:`~mentorctl.roster.read.Reader` (read-only commands) or the ORM
    session of a command that also writes (``remind``, ``cycle close``): the query is
    the same SQL text either way.
    """
    from mentorctl.roster.read import as_reader

    db = as_reader(source)
    day_of = _DayParser()
    num = _float
    out = []
    for r in db.all(_FACTS, **_keys(db, cycle_id, today)):
        progress = r[20]  # the mentee's goals this cycle, else the latest check-in answer
        if progress is None:
            progress = r[21]
        # Positional, in field order: with 10,000 matches, keyword arguments alone cost a
        # tenth of a second (tests/tracking/test_health_fields.py pins the order).
        out.append(
            MatchFacts(
                r[0],
                cycle_id,
                r[7],  # mentor
                r[9],  # mentee
                r[8],  # mentor_name
                r[10],  # mentee_name
                r[1],  # circle
                r[2],  # status
                day_of(r[3]),  # started
                day_of(r[4]),  # ended
                r[5],  # end_reason
                r[6],  # outcome
                (),  # meeting_dates: the counts below are given
                int(r[11]),  # meetings_held
                day_of(r[12]),  # last_met
                int(r[13] or 0),  # minutes
                num(progress),  # goal_progress
                num(r[14]),  # satisfaction
                num(r[15]),  # recommend
                int(r[16] or 0),  # checkins
                day_of(r[17]),  # last_checkin
                day_of(r[18]),  # said_met
                day_of(r[19]),  # said_not_yet
            )
        )
    return out


def health_facts(
    source: ReadSource, cycle_id: int, today: dt.date, extra: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """What :func:`judge` reads of each of the cycle's active and ended matches on
    ``today``, as plain tuples by match id: the :data:`HEALTH_FACTS` columns (dates as
    dates, numbers as numbers), then the match's ``extra`` columns as stored.

    For figures that only count health (a report): no names, goals or other answers are
    read and no :class:`MatchFacts` is built. The values are :func:`match_facts`' own.
    """
    from mentorctl.roster.read import as_reader

    db = as_reader(source)
    sql = _HEALTH_FACTS.replace("{extra}", "".join(f", m.{c}" for c in extra))
    rows = db.all(sql, **_keys(db, cycle_id, today))
    if not rows:
        return []
    # Column by column: each conversion is one map over a column (C loops, dates parsed
    # once per distinct value), not a dozen Python calls per match.
    cols: list[Any] = list(zip(*rows, strict=True))
    day = _DayParser().__getitem__
    for i in (2, 3, 7, 10, 11):  # started, ended, last_met, said_met, said_not_yet
        cols[i] = map(day, cols[i])
    cols[6] = map(int, cols[6])  # meetings_held
    cols[8] = (int(m or 0) for m in cols[8])  # minutes: None when no meeting yet
    cols[9] = map(_float, cols[9])  # satisfaction
    return list(zip(*cols, strict=True))


def _keys(db: Reader, cycle_id: int, today: dt.date) -> dict[str, Any]:
    # SQLite stores dates as ISO text (and sqlite3's own date adapter is deprecated).
    return {"cycle": cycle_id, "today": today.isoformat() if db.dialect == "sqlite" else today}


def _float(value: Any) -> float | None:
    """A stored number (PostgreSQL's averages are Decimals) as a float."""
    return None if value is None else float(value)


class _DayParser(dict[Any, "dt.date | None"]):
    """:func:`as_date` remembered per stored value: 10,000 matches have a few hundred
    distinct dates between them."""

    def __missing__(self, value: Any) -> dt.date | None:
        self[value] = day = as_date(value)
        return day

    def __call__(self, value: Any) -> dt.date | None:
        return self[value]


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
