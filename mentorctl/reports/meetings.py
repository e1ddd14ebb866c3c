"""Engagement: meetings held against expected, hours, and match health over the cycle.

Health is :mod:`mentorctl.tracking`'s definition; the report only counts it, so
``report`` and ``status`` agree while a cycle runs. One difference, on purpose: a match
that ended because its cycle closed is judged as it stood on the day it closed (``status``
shows it ``ended``), so the report after ``cycle close`` is the report before it, plus
the outcomes the close recorded. A match ended early stays ``ended``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from mentorctl.program import Program
from mentorctl.reports.data import CycleInfo
from mentorctl.reports.model import Engagement, HealthCounts, HealthPoint, _r, share

if TYPE_CHECKING:
    from mentorctl.reports.data import ReadSource
    from mentorctl.tracking import MatchHealth
    from mentorctl.tracking.health import MatchFacts


HEALTH_STATES = ("on_track", "at_risk", "stalled")  # tracking's on-track, at-risk, stalled


#: Keys of :attr:`Engagement.outcomes`: still running, then the outcomes stored on a match.
OUTCOME_KEYS = ("active", "completed", "incomplete", "no_meetings", "ended_early")

#: The outcomes only `cycle close` sets (:data:`mentorctl.tracking.cycles.CLOSE_OUTCOMES`,
#: whose module imports the ORM; a test keeps the two equal).
CLOSE_OUTCOMES = ("completed", "incomplete", "no-meetings")


def engagement(
    program: Program,
    source: ReadSource,
    cycle: CycleInfo,
    as_of: dt.date,
    replaced: Collection[int] = (),
) -> Engagement:
    """Meetings, hours, health and outcomes of the cycle's matches on ``as_of``.

    Every number comes from tracking's health rules (:func:`health_rows`): meetings held
    are those logged on or before ``as_of``; expected meetings are tracking's (one per
    cadence from the match's start, inside the cycle, up to ``as_of`` or the match's end).
    Matches ended early count for meetings but are not judged: health shares are over the
    other matches. ``replaced`` matches (ended early, the mentee matched again, see
    :func:`~mentorctl.reports.data.replaced_matches`) add their meetings but are not
    counted as matches a second time.
    """
    all_rows = _assessed(source, program, cycle, as_of)  # only counted: no need to sort
    rows = [r for r in all_rows if r.match_id not in replaced]
    held = sum(r.meetings_held for r in all_rows)
    expected = sum(r.meetings_expected for r in all_rows)
    minutes = sum(r.minutes for r in all_rows)
    counts = _count_health(rows)
    n = len(rows)
    outcomes = dict.fromkeys(OUTCOME_KEYS, 0)
    for r in rows:
        if r.outcome:
            key = r.outcome.replace("-", "_")
        else:  # no outcome stored: still running, or ended before outcomes were recorded
            key = "active" if r.status == "active" else "ended_early"
        outcomes[key] = outcomes.get(key, 0) + 1
    return Engagement(
        matches=n,
        meetings_held=held,
        meetings_expected=expected,
        meeting_ratio=share(held, expected),
        hours=_r(minutes / 60, 2) or 0.0,
        meetings_per_match=_r(held / n) if n else None,
        health=counts,
        health_shares={s: share(getattr(counts, s), counts.judged) for s in HEALTH_STATES},
        outcomes=outcomes,
        replaced=len(all_rows) - n,
    )


# ---- health: mentorctl.tracking defines it; the report only counts --------------------


def health_rows(
    source: ReadSource, program: Program, cycle: CycleInfo, as_of: dt.date
) -> list[MatchHealth]:
    """The cycle's matches with their health on ``as_of`` (tracking's rules), by pair.

    A match that had not ended yet on ``as_of`` is judged as active on that day (a
    report "as of" an earlier day sees the cycle as it was). A match the cycle's close
    ended is judged as it stood on the day it closed, with its outcome kept.
    """
    rows = _assessed(source, program, cycle, as_of)
    rows.sort(key=lambda r: (r.circle or "", r.mentor or "", r.mentee or "", r.match_id))
    return rows


def _assessed(
    source: ReadSource, program: Program, cycle: CycleInfo, as_of: dt.date
) -> list[MatchHealth]:
    """:func:`health_rows` in the order the roster gives them."""
    from mentorctl.tracking.health import match_facts

    if cycle.id < 0:  # not in the roster yet: no matches
        return []
    return _judged(program, cycle, as_of, match_facts(source, cycle.id, as_of))


def _judged(
    program: Program, cycle: CycleInfo, as_of: dt.date, facts: Iterable[MatchFacts]
) -> list[MatchHealth]:
    """Each match's health on ``as_of`` as the report judges it (see :func:`health_rows`)."""
    from mentorctl.tracking.health import Thresholds, assess

    thresholds = Thresholds.of(program.health, program.cycle.cadence.days)
    rows = []
    for f in facts:
        day, ended = as_of, f.ended
        if f.status == "ended" and ended is not None:
            if as_of < ended:
                f = replace(f, status="active", ended=None, end_reason=None, outcome=None)
            elif f.outcome in CLOSE_OUTCOMES:
                day = ended
                f = replace(f, status="active")
        row = assess(
            f, cycle_start=cycle.start, cycle_end=cycle.end, thresholds=thresholds, today=day
        )
        rows.append(row)
    return rows


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
    source: ReadSource, program: Program, cycle: CycleInfo, as_of: dt.date
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
    from mentorctl.tracking.health import match_facts_by_day

    # One read of the matches for every step; only the dated aggregates run per step.
    facts = match_facts_by_day(source, cycle.id, dates) if cycle.id >= 0 else {}
    for d in dates:
        counts = _count_health(_judged(program, cycle, d, facts.get(d, ())))
        out.append(HealthPoint(d, counts.on_track, counts.at_risk, counts.stalled, counts.ended))
    return out
