"""Outcomes from HR data: retention and promotion of mentored people against the rest,
with Wilson intervals per group and Newcombe intervals for the difference, and the
rules for groups too small to show or to conclude anything from.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from mentorctl.reports.data import CycleInfo, _Data
from mentorctl.reports.model import OutcomeComparison, OutcomeGroup, Outcomes, _r, share
from mentorctl.reports.privacy import suppress_cells
from mentorctl.tables.dates import as_date

if TYPE_CHECKING:
    from mentorctl.reports.data import ReadSource


#: Outcome groups smaller than this are "too small to conclude anything".
MIN_CONCLUSIVE_GROUP = 10
#: z for 95% intervals.
Z95 = 1.959963984540054


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


# --------------------------------------------------------------------------- outcomes


def _hr_records(source: ReadSource, program_id: int) -> dict[str, tuple[bool, Any, Any]]:
    from mentorctl.reports.data import reader

    rows = reader(source).all(
        "SELECT email, employed, left_date, promotion_date FROM hr_record "
        "WHERE program_id = :program",
        program=program_id,
    )
    # Most people neither left nor were promoted: only dates that are there are parsed.
    return {
        e: (
            bool(emp),
            None if left is None else as_date(left),
            None if promo is None else as_date(promo),
        )
        for e, emp, left, promo in rows
    }


def outcomes(
    source: ReadSource,
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
    hr = _hr_records(source, program_id)
    if not hr:
        return None
    emails = {pid: str(p["email"]).lower() for pid, p in data.people.items()}
    mentored = {emails[m.mentee_id] for m in data.matches if m.mentee_id in emails}
    mentoring = {emails[m.mentor_id] for m in data.matches if m.mentor_id in emails} - mentored
    window_end = as_of
    groups: dict[str, list[tuple[bool, bool]]] = {"mentored": [], "mentors": [], "not_mentored": []}
    for email, (employed, left, promo) in hr.items():  # only counted: any order
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
