"""Engagement: meetings held against expected, hours, and match health over the cycle.

Health is :mod:`mentorctl.tracking`'s definition; the report only counts it, so
``report`` and ``status`` agree while a cycle runs. One difference, on purpose: a match
that ended because its cycle closed is judged as it stood on the day it closed (``status``
shows it ``ended``), so the report after ``cycle close`` is the report before it, plus
the outcomes the close recorded. A match ended early stays ``ended``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from mentorctl.program import Program
from mentorctl.reports.data import CycleInfo
from mentorctl.reports.model import Engagement, HealthCounts, HealthPoint, _r, share

if TYPE_CHECKING:
    from mentorctl.reports.data import ReadSource
    from mentorctl.tracking import MatchHealth


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
    *,
    facts: Sequence[tuple[Any, ...]] | None = None,
) -> Engagement:
    """Meetings, hours, health and outcomes of the cycle's matches on ``as_of``.

    Every number comes from tracking's health rules (:func:`health_rows`): meetings held
    are those logged on or before ``as_of``; expected meetings are tracking's (one per
    cadence from the match's start, inside the cycle, up to ``as_of`` or the match's end).
    Matches ended early count for meetings but are not judged: health shares are over the
    other matches. ``replaced`` matches (ended early, the mentee matched again, see
    :func:`~mentorctl.reports.data.replaced_matches`) add their meetings but are not
    counted as matches a second time. ``facts``: the cycle's
    :func:`~mentorctl.tracking.health.health_facts` on ``as_of`` when the caller has
    read them already (else they are read from ``source``).
    """
    if facts is None:
        facts = _health_facts(source, cycle, as_of)
    judged = list(_judge_all(program, cycle, as_of, facts))
    # Sums and counts as C-level maps over the columns (10,000 matches).
    held = sum(map(itemgetter(6), facts))
    minutes = sum(map(itemgetter(8), facts))
    expected = sum(map(itemgetter(0), judged))
    if replaced:
        judged = [j for row, j in zip(facts, judged, strict=True) if row[0] not in replaced]
    n = len(judged)
    health = Counter(map(itemgetter(1), judged))
    outcomes = dict.fromkeys(OUTCOME_KEYS, 0)
    for (status, outcome), k in Counter(map(itemgetter(2, 3), judged)).items():
        if outcome:
            key = outcome.replace("-", "_")
        else:  # no outcome stored: still running, or ended before outcomes were recorded
            key = "active" if status == "active" else "ended_early"
        outcomes[key] = outcomes.get(key, 0) + k
    counts = _counts(health)
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
        replaced=len(facts) - n,
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
    from mentorctl.tracking.health import Thresholds, assess, match_facts

    if cycle.id < 0:  # not in the roster yet: no matches
        return []
    thresholds = Thresholds.of(program.health, program.cycle.cadence.days)
    rows = []
    for f in match_facts(source, cycle.id, as_of):
        day, status, ended, reason, outcome = _as_judged(
            (f.match_id, f.status, f.started, f.ended, f.end_reason, f.outcome), as_of
        )
        if (status, ended, reason, outcome) != (f.status, f.ended, f.end_reason, f.outcome):
            f = f._replace(status=status, ended=ended, end_reason=reason, outcome=outcome)
        rows.append(
            assess(
                f, cycle_start=cycle.start, cycle_end=cycle.end, thresholds=thresholds, today=day
            )
        )
    rows.sort(key=lambda r: (r.circle or "", r.mentor or "", r.mentee or "", r.match_id))
    return rows


def _health_facts(
    source: ReadSource, cycle: CycleInfo, as_of: dt.date, extra: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """:func:`~mentorctl.tracking.health.health_facts` of the cycle on ``as_of``."""
    from mentorctl.tracking.health import health_facts

    if cycle.id < 0:  # not in the roster yet: no matches
        return []
    return health_facts(source, cycle.id, as_of, extra)


def _as_judged(
    row: Sequence[Any], as_of: dt.date
) -> tuple[dt.date, str, dt.date | None, str | None, str | None]:
    """(day, status, ended, end_reason, outcome) a match is judged with on ``as_of``, from
    a :func:`~mentorctl.tracking.health.health_facts` row: a match that had not ended
    yet on ``as_of`` as active, a match the cycle's close ended as it stood that day."""
    status, ended, reason, outcome = row[1], row[3], row[4], row[5]
    if status == "ended" and ended is not None:
        if as_of < ended:
            return as_of, "active", None, None, None
        if outcome in CLOSE_OUTCOMES:
            return ended, "active", ended, reason, outcome
    return as_of, status, ended, reason, outcome


def _judge_all(
    program: Program, cycle: CycleInfo, as_of: dt.date, facts: Iterable[Sequence[Any]]
) -> Iterator[tuple[int, str, str, str | None]]:
    """(meetings expected, health key, status, outcome) of each row of ``facts`` on
    ``as_of``, by tracking's :func:`~mentorctl.tracking.health.judge`: the health key as
    :class:`HealthCounts` names it (``on_track``), the status and outcome as judged
    (:func:`_as_judged`)."""
    from mentorctl.tracking.health import Thresholds, judge

    t = Thresholds.of(program.health, program.cycle.cadence.days)
    start, end = cycle.start, cycle.end
    key = {"on-track": "on_track", "at-risk": "at_risk", "stalled": "stalled", "ended": "ended"}
    for row in facts:
        if row[1] == "ended" and row[3] is not None:
            day, status, ended, reason, outcome = _as_judged(row, as_of)
        else:  # the common case, inline: judged as stored, on as_of
            day, status, ended, reason, outcome = as_of, row[1], row[3], row[4], row[5]
        # row: match_id, status, started, ended, end_reason, outcome, held, last_met,
        # minutes, satisfaction, said_met, said_not_yet (health_facts' columns)
        j = judge(
            t, start, end, day, status, reason, row[2], ended, row[6], row[7], row[9],
            row[10], row[11],
        )  # fmt: skip
        yield j[1], key.get(j[6], j[6]), status, outcome


def _counts(health: Mapping[str, int]) -> HealthCounts:
    counts = HealthCounts()
    for key, n in health.items():
        if hasattr(counts, key):
            setattr(counts, key, getattr(counts, key) + n)
    return counts


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
    for d in dates:
        facts = _health_facts(source, cycle, d)
        health: dict[str, int] = {}
        for _, state, _, _ in _judge_all(program, cycle, d, facts):
            health[state] = health.get(state, 0) + 1
        counts = _counts(health)
        out.append(HealthPoint(d, counts.on_track, counts.at_risk, counts.stalled, counts.ended))
    return out
