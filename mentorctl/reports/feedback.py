"""Goals and satisfaction: goal progress, satisfaction scores and NPS from the cycle's
goals and check-ins (small groups suppressed).
"""

from __future__ import annotations

import statistics
from collections import Counter

from mentorctl.reports.data import _Data
from mentorctl.reports.model import Goals, Satisfaction, ScoreCell, _r, share
from mentorctl.reports.privacy import suppress_cells

#: Satisfaction is asked on this scale; other stored values get their own bins.
SATISFACTION_SCALE = (1, 2, 3, 4, 5)


GOAL_STATES = ("not-started", "in-progress", "achieved", "dropped")


def goals(data: _Data) -> Goals:
    """Goals set this cycle, by state; the mean progress over all of them (the database
    counts and sums them: ``data.goals`` holds one row per state)."""
    by_status: Counter[str] = Counter()
    progress = 0
    for status, n, summed in data.goals:
        by_status[status] += n
        progress += summed
    n = sum(by_status.values())
    return Goals(
        set=n,
        by_status={s: by_status.get(s, 0) for s in (*GOAL_STATES, *sorted(by_status))},
        in_progress=by_status.get("in-progress", 0),
        achieved=by_status.get("achieved", 0),
        achieved_share=share(by_status.get("achieved", 0), n),
        # The mean of whole numbers: their exact sum over the count, as fmean gives it.
        mean_progress=_r(progress / n, 2) if n else None,
    )


def satisfaction(data: _Data, min_size: int) -> Satisfaction:
    # Each respondent's latest answer: the check-ins come oldest first, so the last one
    # kept per respondent wins. A respondent is a participant, or a match when the
    # check-in names nobody ((participant, None) and (None, match) never meet).
    rows = data.checkins
    latest_sat = {(p, m if p is None else None): s for p, m, s, _ in rows if s is not None}
    latest_rec = {(p, m if p is None else None): r for p, m, _, r in rows if r is not None}
    sats, recs = list(latest_sat.values()), list(latest_rec.values())
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
