"""Engagement: meetings held against expected, hours, and match health over the cycle.

Health is :mod:`mentorctl.tracking`'s definition; the report only counts it, so
``report`` and ``status`` agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mentorctl.program import Program
from mentorctl.reports.data import CycleInfo
from mentorctl.reports.model import Engagement, HealthCounts, HealthPoint, _r, share

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.tracking import MatchHealth


HEALTH_STATES = ("on_track", "at_risk", "stalled")  # tracking's on-track, at-risk, stalled


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
