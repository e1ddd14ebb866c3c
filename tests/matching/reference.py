"""Independent reference implementations, used only by the tests.

Nothing here imports from :mod:`mentorctl.matching.solvers` except the plain
``Instance`` container, so a bug in a solver cannot hide in a shared helper.

* :func:`feasible_matchings` / :func:`exhaustive_optima` - brute force (exact
  rational arithmetic) for tiny instances.
* :func:`lsa_optimum` - a second exact optimiser: SciPy's ``linear_sum_assignment``
  on a matrix with one column per mentor capacity slot.
* :func:`textbook_deferred_acceptance` / :func:`textbook_blocking_pairs` - the
  plain-loop versions of mentee-proposing deferred acceptance and of stability.
* :func:`banded_greedy_dense` - the previous dense greedy solver (score bands and a
  Python loop over every band pair), the reference for the vectorised one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentorctl.matching.solvers import Instance

if TYPE_CHECKING:
    from numpy.typing import NDArray

Pairs = tuple[tuple[str, str], ...]


# ----------------------------------------------------------------- brute force


def feasible_matchings(inst: Instance) -> Iterator[Pairs]:
    """Every feasible matching (each mentee unmatched or with one eligible mentor)."""
    mentees = list(inst.mentees)
    left = {m: inst.capacity[m] for m in inst.mentors}

    def rec(i: int, chosen: list[tuple[str, str]]) -> Iterator[Pairs]:
        if i == len(mentees):
            yield tuple(sorted(chosen))
            return
        e = mentees[i]
        yield from rec(i + 1, chosen)
        for m in inst.mentors:
            if (m, e) in inst.scores and left[m] > 0:
                left[m] -= 1
                chosen.append((m, e))
                yield from rec(i + 1, chosen)
                chosen.pop()
                left[m] += 1

    yield from rec(0, [])


def exact_total(inst: Instance, pairs: Pairs) -> Fraction:
    return sum((Fraction(inst.scores[p]) for p in pairs), Fraction(0))


def exhaustive_optima(inst: Instance) -> tuple[tuple[int, Fraction], tuple[Fraction, int]]:
    """Best ``(matches, total)`` and best ``(total, matches)`` over all matchings.

    Same search as :func:`feasible_matchings`, memoised on (mentee, capacities
    left) so that 8 mentees x 6 mentors stays cheap.
    """
    mentees = list(inst.mentees)
    mentors = list(inst.mentors)
    zero: tuple[int, Fraction] = (0, Fraction(0))

    @cache
    def rec(i: int, left: tuple[int, ...]) -> tuple[tuple[int, Fraction], tuple[Fraction, int]]:
        if i == len(mentees):
            return zero, (Fraction(0), 0)
        best_cs, best_sc = rec(i + 1, left)
        e = mentees[i]
        for j, m in enumerate(mentors):
            if (m, e) in inst.scores and left[j] > 0:
                s = Fraction(inst.scores[(m, e)])
                cs, sc = rec(i + 1, (*left[:j], left[j] - 1, *left[j + 1 :]))
                best_cs = max(best_cs, (cs[0] + 1, cs[1] + s))
                best_sc = max(best_sc, (sc[0] + s, sc[1] + 1))
        return best_cs, best_sc

    return rec(0, tuple(inst.capacity[m] for m in mentors))


# ------------------------------------------------------------- assignment (LSA)


def lsa_optimum(inst: Instance, *, maximize_matches: bool = True) -> tuple[int, float]:
    """``(matches, total score)`` of an optimum found by ``linear_sum_assignment``.

    Scores must have at most 4 decimals. Rows are mentees, columns are capacity
    slots; an entry of 0 means "not matched". Weights are integers (in units of
    1e-4) so the big-M combinations are exact in float64.
    """
    mentees = list(inst.mentees)
    slots = [m for m in inst.mentors for _ in range(min(inst.capacity[m], len(mentees)))]
    if not slots or not mentees:
        return 0, 0.0
    n = len(mentees)
    weights = np.zeros((n, len(slots)))
    for r, e in enumerate(mentees):
        for c, m in enumerate(slots):
            if (m, e) in inst.scores:
                units = round(inst.scores[(m, e)] * 10_000)
                if maximize_matches:
                    weights[r, c] = (n + 1) * 10_000 + units
                else:
                    weights[r, c] = units * (n + 1) + 1
    rows, cols = linear_sum_assignment(weights, maximize=True)
    chosen = [(slots[c], mentees[r]) for r, c in zip(rows, cols, strict=True) if weights[r, c] > 0]
    return len(chosen), sum(inst.scores[p] for p in chosen)


# ----------------------------------------------------------------------- stable


def _mentee_list(inst: Instance, e: str) -> list[str]:
    eligible = [m for m in inst.mentors if (m, e) in inst.scores]
    ranked: list[str] = []
    for m in inst.mentee_prefs.get(e, ()):
        if m in eligible and m not in ranked:
            ranked.append(m)
    rest = [m for m in eligible if m not in ranked]
    rest.sort(key=lambda m: (-inst.scores[(m, e)], m))
    return ranked + rest


def _mentor_list(inst: Instance, m: str) -> list[str]:
    eligible = [e for e in inst.mentees if (m, e) in inst.scores]
    ranked: list[str] = []
    for e in inst.mentor_prefs.get(m, ()):
        if e in eligible and e not in ranked:
            ranked.append(e)
    rest = [e for e in eligible if e not in ranked]
    rest.sort(key=lambda e: (-inst.scores[(m, e)], e))
    return ranked + rest


def textbook_deferred_acceptance(inst: Instance) -> Pairs:
    """Mentee-proposing deferred acceptance, one proposal at a time."""
    lists = {e: _mentee_list(inst, e) for e in inst.mentees}
    order = {m: _mentor_list(inst, m) for m in inst.mentors}
    tried = {e: 0 for e in inst.mentees}
    held: dict[str, list[str]] = {m: [] for m in inst.mentors}
    free = list(inst.mentees)
    while free:
        e = free.pop(0)
        if tried[e] == len(lists[e]):
            continue  # stays unmatched
        m = lists[e][tried[e]]
        tried[e] += 1
        held[m].append(e)
        if len(held[m]) > inst.capacity[m]:
            held[m].sort(key=order[m].index)
            free.append(held[m].pop())
    return tuple(sorted((m, e) for m, es in held.items() for e in es))


def textbook_blocking_pairs(inst: Instance, pairs: Pairs) -> list[tuple[str, str]]:
    """Eligible pairs that both prefer each other to what ``pairs`` gives them."""
    mentor_of = {e: m for m, e in pairs}
    out = []
    for m in inst.mentors:
        mine = [e for mm, e in pairs if mm == m]
        ranking = _mentor_list(inst, m)
        for e in inst.mentees:
            if (m, e) not in inst.scores or mentor_of.get(e) == m:
                continue
            mentee_ranking = _mentee_list(inst, e)
            current = mentor_of.get(e)
            mentee_wants = current is None or mentee_ranking.index(m) < mentee_ranking.index(
                current
            )
            mentor_wants = len(mine) < inst.capacity[m] or any(
                ranking.index(e) < ranking.index(other) for other in mine
            )
            if mentee_wants and mentor_wants:
                out.append((m, e))
    return sorted(out)


# ----------------------------------------------------------------------- greedy


def banded_greedy_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
) -> list[tuple[int, int]]:
    """The dense greedy solver as it was before it was vectorised (kept verbatim).

    Greedy on dense arrays (NaN = ineligible); ties by (mentor index, mentee index).

    Only the best pairs are ever sorted: pairs are taken in bands of descending score
    (``argpartition``), so a large roster does not pay for sorting every eligible pair.
    Returns sorted index pairs.
    """
    cap_arr = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    if sc.shape != (len(mentors), len(mentees)):
        raise ValueError(
            f"score matrix has shape {sc.shape}, expected {(len(mentors), len(mentees))}"
        )
    flat = np.flatnonzero(~np.isnan(sc))  # mentor-major: ties come out in (mentor, mentee) order
    vals = sc.ravel()[flat]
    n_mentees = len(mentees)
    cap = cap_arr.tolist()
    slots = sum(min(c, n_mentees) for c in cap)
    matched = [False] * n_mentees
    left = n_mentees
    pairs: list[tuple[int, int]] = []
    band = max(4 * n_mentees, 1024)
    remaining = np.arange(len(flat))
    while len(remaining) and slots and left:
        if len(remaining) > band:
            kth = np.partition(-vals[remaining], band)[band]
            take = remaining[-vals[remaining] <= kth]  # every pair at least as good (ties too)
            remaining = remaining[-vals[remaining] > kth]
        else:
            take, remaining = remaining, remaining[:0]
        band *= 2  # popular mentors fill up: look further ahead each round
        take = take[np.argsort(-vals[take], kind="stable")]
        for m, e in zip(*np.divmod(flat[take], n_mentees), strict=True):
            m, e = int(m), int(e)
            if cap[m] > 0 and not matched[e]:
                cap[m] -= 1
                matched[e] = True
                pairs.append((m, e))
                slots -= 1
                left -= 1
                if not slots or not left:
                    break
    pairs.sort()
    return pairs
