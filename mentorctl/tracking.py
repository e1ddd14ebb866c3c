"""Meetings, check-ins and each match's health.

Recording: :func:`log_meetings` and :func:`import_checkins` write rows that the CLI (or a
script) has already read and checked: :func:`read_meeting_log` and :func:`read_checkins`
turn a CSV/XLSX export into plain records, listing every bad row (file, row, column) so
that an import is all-or-nothing.

Health: :func:`assess` is a pure function over plain data (:class:`MatchFacts`); it gives
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ImportProblemError, NotFoundError, Problem, UsageError

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.program import Health, Program

#: Health states from best to worst; ``ended`` is outside the scale.
HEALTH_ORDER: tuple[str, ...] = ("on-track", "at-risk", "stalled")
HEALTH_STATES: tuple[str, ...] = (*HEALTH_ORDER, "ended")


def health_rank(health: str) -> int:
    """0 on track, 1 at risk, 2 stalled; -1 for ended (never "at or below" anything)."""
    return HEALTH_ORDER.index(health) if health in HEALTH_ORDER else -1


# --------------------------------------------------------------------------- health


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
    * ``days_since``: days from ``last_met`` (or ``started`` if none) to ``today``; >= 0.
    * ``goal_progress``: the mentee's mean goal progress this cycle (0-100), else the latest
      check-in's progress answer, else None.
    * ``satisfaction``: mean check-in satisfaction (1-5) or None; ``recommend``: mean
      would-recommend (0-10) or None; ``checkins``: how many; ``last_checkin``: latest date.
    * ``health``: ``on-track`` | ``at-risk`` | ``stalled`` | ``ended``.
    * ``reasons``: why, in words (empty when on track).
    * ``today``: the day the health was assessed on.
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
        }


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
    def of(cls, health: Health, cadence_days: int) -> Thresholds:
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
    since_from = max(last_met, start) if last_met else start
    days_since = max(0, (today - since_from).days)

    reasons: list[str] = []
    if facts.status == "ended":
        health = "ended"
        if facts.end_reason:
            reasons.append(facts.end_reason)
    else:
        never = "" if last_met else " (never met)"
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
    return MatchHealth(
        match_id=facts.match_id,
        cycle_id=facts.cycle_id,
        mentor=facts.mentor,
        mentee=facts.mentee,
        mentor_name=facts.mentor_name,
        mentee_name=facts.mentee_name,
        circle=facts.circle,
        status=facts.status,
        started=start,
        ended=facts.ended,
        end_reason=facts.end_reason,
        outcome=facts.outcome,
        meetings_held=held,
        meetings_expected=expected,
        meetings_expected_total=total,
        minutes=facts.minutes,
        last_met=last_met,
        days_since=days_since,
        goal_progress=facts.goal_progress,
        satisfaction=facts.satisfaction,
        recommend=facts.recommend,
        checkins=facts.checkins,
        last_checkin=facts.last_checkin,
        health=health,
        reasons=tuple(reasons),
        today=today,
    )


def as_date(value: Any) -> dt.date | None:
    """A date from what a database driver returns (date, datetime or ISO text)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def match_facts(session: Session, cycle_id: int, today: dt.date) -> list[MatchFacts]:
    """Facts of the cycle's active and ended matches, from five aggregate queries."""
    from sqlalchemy import and_, func, or_, select

    from mentorctl.roster.models import Checkin, Goal, MatchRow, Meeting, Participant

    m = MatchRow.__table__  # type: ignore[attr-defined]
    p = Participant.__table__  # type: ignore[attr-defined]
    mt = Meeting.__table__  # type: ignore[attr-defined]
    ck = Checkin.__table__  # type: ignore[attr-defined]
    g = Goal.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    in_cycle = and_(m.c.cycle_id == cycle_id, m.c.status.in_(("active", "ended")))
    matches = session.execute(
        select(
            m.c.id,
            m.c.mentor_id,
            m.c.mentee_id,
            m.c.circle,
            m.c.status,
            m.c.started_at,
            m.c.ended_at,
            m.c.end_reason,
            m.c.outcome,
            mentor.c.email,
            mentor.c.name,
            mentee.c.email,
            mentee.c.name,
        )
        .select_from(m)
        .outerjoin(mentor, mentor.c.id == m.c.mentor_id)
        .outerjoin(mentee, mentee.c.id == m.c.mentee_id)
        .where(in_cycle)
    ).all()
    ids = select(m.c.id).where(in_cycle).scalar_subquery()
    meetings = {
        r[0]: r[1:]
        for r in session.execute(
            select(mt.c.match_id, func.count(), func.max(mt.c.date), func.sum(mt.c.minutes))
            .where(mt.c.match_id.in_(ids), mt.c.date <= today)
            .group_by(mt.c.match_id)
        ).all()
    }
    checkins = {
        r[0]: r[1:]
        for r in session.execute(
            select(
                ck.c.match_id,
                func.avg(ck.c.satisfaction),
                func.avg(ck.c.recommend),
                func.count(),
                func.max(ck.c.date),
            )
            .where(ck.c.match_id.in_(ids), ck.c.date <= today)
            .group_by(ck.c.match_id)
        ).all()
    }
    checkin_progress: dict[int, int] = {}
    for match_id, _, progress in session.execute(
        select(ck.c.match_id, ck.c.date, ck.c.progress)
        .where(ck.c.match_id.in_(ids), ck.c.date <= today, ck.c.progress.is_not(None))
        .order_by(ck.c.date, ck.c.id)
    ):
        checkin_progress[match_id] = progress
    mentees = select(m.c.mentee_id).where(in_cycle).scalar_subquery()
    goals = dict(
        session.execute(
            select(g.c.participant_id, func.avg(g.c.progress))
            .where(
                g.c.participant_id.in_(mentees),
                or_(g.c.cycle_id == cycle_id, g.c.cycle_id.is_(None)),
                g.c.status != "dropped",
            )
            .group_by(g.c.participant_id)
        ).all()
    )
    out = []
    for row in matches:
        mid = row[0]
        count, last, minutes = meetings.get(mid, (0, None, None))
        sat, rec, n_check, last_check = checkins.get(mid, (None, None, 0, None))
        progress = goals.get(row[2])
        if progress is None:
            progress = checkin_progress.get(mid)
        out.append(
            MatchFacts(
                match_id=mid,
                cycle_id=cycle_id,
                mentor=row[9],
                mentee=row[11],
                mentor_name=row[10],
                mentee_name=row[12],
                circle=row[3],
                status=row[4],
                started=as_date(row[5]),
                ended=as_date(row[6]),
                end_reason=row[7],
                outcome=row[8],
                meetings_held=int(count),
                last_met=as_date(last),
                minutes=int(minutes or 0),
                goal_progress=None if progress is None else float(progress),
                satisfaction=None if sat is None else float(sat),
                recommend=None if rec is None else float(rec),
                checkins=int(n_check),
                last_checkin=as_date(last_check),
            )
        )
    return out


def health_rows(
    session: Session, program: Program, cycle_id: int, today: dt.date
) -> list[MatchHealth]:
    """Every active and ended match of the cycle with its health on ``today``.

    Sorted by pair (mentor, then mentee). The cycle's dates come from the roster; the
    cadence and thresholds from ``program``.
    """
    from mentorctl.roster.models import CycleRow

    cycle = session.get(CycleRow, cycle_id)
    if cycle is None:
        raise NotFoundError(f"no cycle with id {cycle_id} in the roster")
    thresholds = Thresholds.of(program.health, program.cycle.cadence.days)
    rows = [
        assess(f, cycle_start=cycle.start, cycle_end=cycle.end, thresholds=thresholds, today=today)
        for f in match_facts(session, cycle_id, today)
    ]
    rows.sort(key=lambda r: (r.circle or "", r.mentor or "", r.mentee or "", r.match_id))
    return rows


# --------------------------------------------------------------------------- the current cycle


def current_cycle(session: Session, program: Program, *, create: bool = True) -> tuple[int, Any]:
    """(program id, CycleRow) of program.yaml's current cycle; created on first use."""
    from mentorctl.roster.models import CycleRow
    from mentorctl.roster.participants import ensure_cycle, ensure_program, find_program_id

    if create:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        return row.id or 0, cycle
    from sqlmodel import select

    pid = find_program_id(session, program)
    cycle = None
    if pid is not None:
        cycle = session.exec(
            select(CycleRow).where(CycleRow.program_id == pid, CycleRow.name == program.cycle.name)
        ).first()
    if pid is None or cycle is None:
        raise NotFoundError(
            f"cycle {program.cycle.name}: nothing stored yet; "
            "enrol people and run `mentorctl match` first"
        )
    return pid, cycle


# --------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting to log: a pair (mentor, mentee emails) or a circle by its topic."""

    date: dt.date
    mentor: str | None = None
    mentee: str | None = None
    circle: str | None = None
    minutes: int | None = None
    note: str | None = None
    line: int | None = None  # row in the source file, for messages


@dataclass
class LogResult:
    """What logging did (or would do): meetings added and duplicates skipped."""

    added: list[tuple[int, dt.date]] = field(default_factory=list)  # (match id, date)
    duplicates: list[tuple[int, dt.date]] = field(default_factory=list)


def _match_index(session: Session, cycle_id: int) -> dict[str, Any]:
    """Pairs and circles of the cycle that can take a meeting (active or ended matches)."""
    from sqlalchemy import select

    from mentorctl.roster.models import MatchRow, Participant

    m = MatchRow.__table__  # type: ignore[attr-defined]
    p = Participant.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    pairs: dict[tuple[str, str], tuple[int, str, Any]] = {}
    circles: dict[str, list[tuple[int, str, Any]]] = {}
    for mid, status, started, circle, a, b in session.execute(
        select(m.c.id, m.c.status, m.c.started_at, m.c.circle, mentor.c.email, mentee.c.email)
        .select_from(m)
        .outerjoin(mentor, mentor.c.id == m.c.mentor_id)
        .outerjoin(mentee, mentee.c.id == m.c.mentee_id)
        .where(m.c.cycle_id == cycle_id, m.c.status.in_(("active", "ended")))
    ):
        entry = (mid, status, as_date(started))
        if a and b:
            pairs[(a, b)] = entry
        if circle:
            circles.setdefault(circle.strip().lower(), []).append(entry)
    emails = set(
        session.execute(select(p.c.email).where(p.c.id.in_(select(m.c.mentor_id)))).scalars()
    ) | set(session.execute(select(p.c.email).where(p.c.id.in_(select(m.c.mentee_id)))).scalars())
    return {"pairs": pairs, "circles": circles, "emails": emails}


def resolve_meetings(
    session: Session,
    cycle: Any,
    records: Iterable[MeetingRecord],
    today: dt.date,
    source: str | None = None,
) -> list[tuple[int, MeetingRecord]]:
    """(match id, record) for every record; raises ImportProblemError listing every bad one.

    A pair must have an active (or ended) match in the cycle; a circle name logs the
    meeting for each of its members. Dates must fall within the cycle and not after today.
    """
    index = _match_index(session, cycle.id)
    out: list[tuple[int, MeetingRecord]] = []
    problems: list[Problem] = []

    def bad(r: MeetingRecord, message: str, column: str | None = None) -> None:
        problems.append(Problem(message, file=source, line=r.line, path=column))

    for r in records:
        if r.date > today:
            bad(r, f"{r.date} is in the future (today is {today})", "date")
            continue
        if r.date < cycle.start:
            bad(r, f"{r.date} is before cycle {cycle.name} starts ({cycle.start})", "date")
            continue
        if r.circle:
            entries = index["circles"].get(r.circle.strip().lower())
            if not entries:
                known = ", ".join(sorted(index["circles"])) or "none"
                bad(
                    r,
                    f"no circle named {r.circle!r} in cycle {cycle.name} (circles: {known})",
                    "circle",
                )
                continue
            out += [(e[0], r) for e in entries]
            continue
        mentor, mentee = (r.mentor or "").strip().lower(), (r.mentee or "").strip().lower()
        entry = index["pairs"].get((mentor, mentee))
        if entry is None and (mentee, mentor) in index["pairs"]:
            entry = index["pairs"][(mentee, mentor)]  # names given the other way round
        if entry is None:
            unknown = [e for e in (mentor, mentee) if e not in index["emails"]]
            if unknown:
                bad(
                    r,
                    f"{unknown[0]}: not in any match of cycle {cycle.name}",
                    "mentor" if unknown[0] == mentor else "mentee",
                )
            else:
                bad(r, f"no match {mentor} -> {mentee} in cycle {cycle.name}")
            continue
        out.append((entry[0], r))
    if problems:
        raise ImportProblemError(_summary(problems, source, "logged"), problems)
    return out


def _summary(problems: list[Problem], source: str | None, verb: str) -> str:
    if len(problems) == 1:
        return str(problems[0])
    rows = {p.line for p in problems}
    where = f"{source}: " if source else ""
    return f"{where}{len(problems)} problems in {len(rows)} row(s); nothing was {verb}"


def log_meetings(session: Session, resolved: Iterable[tuple[int, MeetingRecord]]) -> LogResult:
    """Add meetings; one already logged for the same match and day is skipped, not doubled.

    So re-importing the same calendar export, or logging a meeting twice, changes nothing.
    """
    from sqlalchemy import insert, select

    from mentorctl.roster.models import Meeting, utcnow

    items = list(resolved)
    mt = Meeting.__table__  # type: ignore[attr-defined]
    match_ids = sorted({mid for mid, _ in items})
    existing: set[tuple[int, dt.date]] = set()
    for chunk in range(0, len(match_ids), 500):
        ids = match_ids[chunk : chunk + 500]
        existing |= {
            (mid, as_date(d) or d)
            for mid, d in session.execute(
                select(mt.c.match_id, mt.c.date).where(mt.c.match_id.in_(ids))
            )
        }
    result = LogResult()
    now = utcnow()
    rows = []
    for mid, r in items:
        key = (mid, r.date)
        if key in existing:
            result.duplicates.append(key)
            continue
        existing.add(key)
        result.added.append(key)
        rows.append(
            {
                "match_id": mid,
                "date": r.date,
                "minutes": r.minutes,
                "note": r.note,
                "created_at": now,
            }
        )
    if rows:
        session.execute(insert(mt), rows)
    return result


# --------------------------------------------------------------------------- reading files

MEETING_COLUMNS: dict[str, tuple[str, ...]] = {
    "mentor": ("mentor", "mentor email", "mentor_email", "organizer", "organiser"),
    "mentee": ("mentee", "mentee email", "mentee_email", "attendee"),
    "circle": ("circle", "circle name", "group"),
    "date": ("date", "meeting date", "met on", "start", "start date", "start time"),
    "minutes": ("minutes", "duration", "duration (minutes)", "length", "length (minutes)"),
    "note": ("note", "notes", "comment", "summary"),
}
CHECKIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "e-mail", "your email", "respondent"),
    "partner": ("partner", "partner email", "mentor", "mentee", "with"),
    "date": ("date", "timestamp", "completion time", "submitted at", "submitted"),
    "satisfaction": ("satisfaction", "satisfaction (1-5)", "how satisfied are you?"),
    "recommend": (
        "recommend",
        "would recommend",
        "would_recommend",
        "would recommend (0-10)",
        "how likely are you to recommend the program?",
    ),
    "progress": ("progress", "goal progress", "goal_progress", "goal progress (%)"),
    "comment": ("comment", "comments", "anything else?"),
}


def _norm(text: str) -> str:
    return " ".join(text.strip().strip("\ufeff").lower().split())


def _columns(
    headers: list[str], wanted: dict[str, tuple[str, ...]], source: str
) -> tuple[dict[str, int], list[Problem]]:
    """Column index of each wanted field (the first of its aliases wins), and a problem for
    each header that repeats one already used: which of the two holds the data is a guess."""
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        key = _norm(h)
        for name, aliases in wanted.items():
            if key not in aliases:
                continue
            if name not in index:
                index[name] = i
            elif _norm(headers[index[name]]) == key:
                problems.append(Problem("the column appears twice in the header", source, 1, h))
            break
    return index, problems


def parse_day(text: str) -> dt.date:
    """A date as forms and calendars export it: ``2027-01-25``, or an ISO date-time."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %I:%M:%S %p %Z"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 2027-01-25")


def _int_in(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(float(text.strip()))
        if float(text.strip()) != value:
            raise ValueError
    except (ValueError, OverflowError):  # "nan", "inf", "1e400"
        raise ValueError(f"{text.strip()!r} is not a whole number ({what})") from None
    if not low <= value <= high:
        shown = value if abs(value) < 10**9 else repr(text.strip())
        raise ValueError(f"{shown} is outside {low}-{high} ({what})")
    return value


def read_meeting_log(path: Path) -> list[MeetingRecord]:
    """Meetings from a CSV/XLSX export; raises ImportProblemError listing every bad row.

    Columns (header case and spacing do not matter): ``mentor`` and ``mentee`` emails, or
    ``circle``; ``date``; optional ``minutes`` and ``note``. Other columns are ignored.
    """
    from mentorctl.roster.importer import extra_cells, read_table, require_rows

    table = read_table(path)
    cols, twice = _columns(table.headers, MEETING_COLUMNS, table.source)
    header_problems = []
    if "date" not in cols:
        header_problems.append("no date column (expected 'date' or 'meeting date')")
    if "circle" not in cols and not ("mentor" in cols and "mentee" in cols):
        header_problems.append("needs 'mentor' and 'mentee' columns (emails), or 'circle'")
    if header_problems or twice:
        problems = twice + [Problem(m, file=table.source, line=1) for m in header_problems]
        raise ImportProblemError(str(problems[0]), problems)
    require_rows(table)
    records: list[MeetingRecord] = []
    problems: list[Problem] = []

    def cell(values: list[str], name: str) -> str:
        i = cols.get(name)
        return values[i].strip() if i is not None and i < len(values) else ""

    for line, values in table.rows:
        wide = extra_cells(table, line, values)
        row_problems: list[Problem] = [wide] if wide else []
        try:
            day = parse_day(cell(values, "date"))
        except ValueError as exc:
            row_problems.append(Problem(str(exc), table.source, line, table.headers[cols["date"]]))
            day = dt.date.min
        minutes = None
        if cell(values, "minutes"):
            try:
                minutes = _int_in(cell(values, "minutes"), 1, 24 * 60, "minutes")
            except ValueError as exc:
                row_problems.append(
                    Problem(str(exc), table.source, line, table.headers[cols["minutes"]])
                )
        circle = cell(values, "circle") or None
        mentor, mentee = cell(values, "mentor") or None, cell(values, "mentee") or None
        if circle is None and not (mentor and mentee):
            row_problems.append(
                Problem("needs both a mentor and a mentee email (or a circle)", table.source, line)
            )
        if row_problems:
            problems += row_problems
            continue
        records.append(
            MeetingRecord(
                date=day,
                mentor=mentor,
                mentee=mentee,
                circle=circle,
                minutes=minutes,
                note=cell(values, "note") or None,
                line=line,
            )
        )
    if problems:
        raise ImportProblemError(_summary(problems, table.source, "imported"), problems)
    return records


@dataclass(frozen=True)
class CheckinRecord:
    """One pulse-survey answer: who answered, about which match, and what they said."""

    email: str
    date: dt.date
    partner: str | None = None
    satisfaction: int | None = None
    recommend: int | None = None
    progress: int | None = None
    comment: str | None = None
    line: int | None = None


def read_checkins(path: Path) -> list[CheckinRecord]:
    """Check-ins from a form export; raises ImportProblemError listing every bad row.

    Columns: ``email`` (who answered), ``date`` (or the form's ``Timestamp``),
    ``satisfaction`` (1-5), ``recommend`` (0-10), ``progress`` (0-100), ``comment``, and
    ``partner`` (the other person's email) when someone has several matches.
    """
    from mentorctl.roster.importer import extra_cells, read_table, require_rows

    table = read_table(path)
    cols, twice = _columns(table.headers, CHECKIN_COLUMNS, table.source)
    missing = [n for n in ("email", "date") if n not in cols]
    answers = [n for n in ("satisfaction", "recommend", "progress", "comment") if n in cols]
    header_problems = twice + [
        Problem(
            f"no {n} column (expected one of: {', '.join(CHECKIN_COLUMNS[n][:3])})", table.source, 1
        )
        for n in missing
    ]
    if not answers:
        header_problems.append(
            Problem(
                "no answer columns (satisfaction, recommend, progress, comment)", table.source, 1
            )
        )
    if header_problems:
        raise ImportProblemError(str(header_problems[0]), header_problems)
    require_rows(table)
    ranges = {"satisfaction": (1, 5), "recommend": (0, 10), "progress": (0, 100)}
    records: list[CheckinRecord] = []
    problems: list[Problem] = []
    for line, values in table.rows:

        def cell(name: str, values: list[str] = values) -> str:
            i = cols.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        wide = extra_cells(table, line, values)
        row_problems: list[Problem] = [wide] if wide else []
        email = cell("email").lower()
        if "@" not in email:
            row_problems.append(
                Problem(
                    f"{email or '(empty)'!r} is not an email",
                    table.source,
                    line,
                    table.headers[cols["email"]],
                )
            )
        try:
            day = parse_day(cell("date"))
        except ValueError as exc:
            row_problems.append(Problem(str(exc), table.source, line, table.headers[cols["date"]]))
            day = dt.date.min
        numbers: dict[str, int | None] = {}
        for name, (low, high) in ranges.items():
            numbers[name] = None
            if cell(name):
                try:
                    numbers[name] = _int_in(cell(name), low, high, name)
                except ValueError as exc:
                    row_problems.append(
                        Problem(str(exc), table.source, line, table.headers[cols[name]])
                    )
        if row_problems:
            problems += row_problems
            continue
        records.append(
            CheckinRecord(
                email=email,
                date=day,
                partner=cell("partner").lower() or None,
                comment=cell("comment") or None,
                line=line,
                **numbers,
            )
        )
    if problems:
        raise ImportProblemError(_summary(problems, table.source, "imported"), problems)
    return records


@dataclass
class CheckinResult:
    added: int = 0
    duplicates: int = 0


def import_checkins(
    session: Session,
    cycle: Any,
    records: Iterable[CheckinRecord],
    today: dt.date,
    source: str | None = None,
) -> CheckinResult:
    """Store check-ins against each respondent's match; all-or-nothing.

    A respondent with one match in the cycle needs no ``partner``; with several, the
    partner's email picks the match. An answer already stored (same match, person, day)
    is skipped, so re-importing a form export changes nothing.
    """
    from sqlalchemy import insert, or_, select

    from mentorctl.roster.models import Checkin, MatchRow, Participant, utcnow

    m, p = MatchRow.__table__, Participant.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    by_person: dict[str, list[tuple[int, int, str]]] = {}  # email -> [(match, pid, partner)]
    for mid, a_id, a, b_id, b in session.execute(
        select(m.c.id, mentor.c.id, mentor.c.email, mentee.c.id, mentee.c.email)
        .select_from(m)
        .join(mentor, mentor.c.id == m.c.mentor_id)
        .join(mentee, mentee.c.id == m.c.mentee_id)
        .where(m.c.cycle_id == cycle.id, or_(m.c.status == "active", m.c.status == "ended"))
    ):
        by_person.setdefault(a, []).append((mid, a_id, b))
        by_person.setdefault(b, []).append((mid, b_id, a))
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for r in records:
        options = by_person.get(r.email, [])
        if r.partner:
            options = [o for o in options if o[2] == r.partner]
        if r.date > today:
            problems.append(
                Problem(f"{r.date} is in the future (today is {today})", source, r.line, "date")
            )
            continue
        if not options:
            what = f"{r.email} with {r.partner}" if r.partner else r.email
            problems.append(
                Problem(f"{what}: no match in cycle {cycle.name}", source, r.line, "email")
            )
            continue
        if len(options) > 1:
            partners = ", ".join(sorted(o[2] for o in options))
            problems.append(
                Problem(
                    f"{r.email} has {len(options)} matches ({partners}); "
                    "add a 'partner' column naming the other person",
                    source,
                    r.line,
                    "partner",
                )
            )
            continue
        mid, pid, _ = options[0]
        rows.append(
            {
                "match_id": mid,
                "participant_id": pid,
                "date": r.date,
                "satisfaction": r.satisfaction,
                "recommend": r.recommend,
                "progress": r.progress,
                "comment": r.comment,
            }
        )
    if problems:
        raise ImportProblemError(_summary(problems, source, "imported"), problems)
    ck = Checkin.__table__  # type: ignore[attr-defined]
    existing = {
        (a, b, as_date(c))
        for a, b, c in session.execute(
            select(ck.c.match_id, ck.c.participant_id, ck.c.date).where(
                ck.c.match_id.in_(sorted({r["match_id"] for r in rows}) or [0])
            )
        )
    }
    result = CheckinResult()
    fresh = []
    now = utcnow()
    for row in rows:
        key = (row["match_id"], row["participant_id"], row["date"])
        if key in existing:
            result.duplicates += 1
            continue
        existing.add(key)
        fresh.append({**row, "created_at": now})
    if fresh:
        session.execute(insert(ck), fresh)
    result.added = len(fresh)
    return result


def check_today(today: dt.date | None) -> dt.date:
    """``today`` or the real date (the CLI passes ``--today``/``MENTORCTL_TODAY``)."""
    return today or dt.date.today()


def parse_today(text: str | None) -> dt.date | None:
    """``--today`` / ``MENTORCTL_TODAY``: a YYYY-MM-DD date, or None for the real date."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--today {text!r}: expected a date like 2027-03-01") from None
