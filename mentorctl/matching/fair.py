"""The fair objective (``matching.objective: fair``) and what fairness costs.

**fair**, lexicographic, in this order:

1. place as many mentees as the default objective (``max-matches``) would: an unmatched
   mentee is the worst-off of all, so the count comes first (as many pairs, and with
   mentee capacities as many mentees with a mentor; and, as under every objective, the
   priority rule's mentees, left unmatched last cycle, are placed first: the most of
   them and the most pairs are always reached together);
2. among those matchings, maximise the lowest score of any matched pair (the
   bottleneck);
3. then the total score.

How: the ``max-matches`` solution gives the count ``N`` and a first feasible floor (its
own lowest score). A binary search over the sorted distinct scores of the allowed pairs
finds the largest threshold ``t`` such that a matching restricted to pairs scoring at
least ``t`` still places as many (pairs, mentees, priority mentees); the exact solver,
run on that restricted set (:func:`mentorctl.matching.scored.solve`, the engine's own
entry point, on the score matrix with the pairs below ``t`` masked as NaN), gives the
answer, so fair inherits whatever that solver handles (capacities, mentee capacities,
tracks).

The search's probes are maximum flows (:class:`_CountFlow`: OR-tools' max flow on a
restricted set of pairs, each answer proven against every pair by a minimum cut, as the
optimal solver proves its own with dual prices), so a probe costs a small fraction of a
solve. The flow counts pairs (and priority mentees' pairs) under mentor and mentee
capacities; it leaves out tracks (one mentor per track is not a flow) and the count of
distinct mentees, so the level it finds is an upper bound, exact without them. The exact
solver solves at that level and, only if it falls short there, searches below on its
own. Probes: about ``log2`` of the number of distinct scores between the floor and the
``N``-th largest allowed score.

Guarantee: the count and the priority mentees placed equal ``max-matches``'s, the lowest
matched score is the largest any such matching can have (exact on scores rounded to
:data:`~mentorctl.matching.types.DECIMALS` places), and the total is the largest among
those matchings. Kept and locked pairs stand as they are and are not part of the search.
The bottleneck is read on the pairs' own scores (``own``), never on the objective's
extras (the ``prefer_previous`` and priority bonuses).

**The price** (:func:`tradeoffs`): every ``optimal`` run in a pairing format reports the
lowest score and the total of the ``max-matches`` solution against the ``fair`` one, and,
when priority mentees are among those being placed, the count and total with and
without the priority rule. It reuses the run's score matrix and the run's own solution:
at most two more solves besides the run's own (the fair search's final solve, and the
run without the priority rule), plus the search's flows. A ``max-score`` run also needs
the ``max-matches`` answer: when one maximum flow shows that no matching has more pairs
than the run's own, the run's own is that answer (the most priority mentees and pairs,
and the best total among them); otherwise it is solved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mentorctl.enums import Mode, Objective
from mentorctl.errors import MatchingError
from mentorctl.matching.scored import Scored, solve
from mentorctl.matching.solvers import unique_sorted
from mentorctl.matching.types import DECIMALS, MatchInput, rounded

__all__ = ["PRICE_MAX_PAIRS", "FairSolution", "describe", "solve_fair", "tradeoffs"]

IndexPairs = list[tuple[int, int]]


@dataclass(frozen=True)
class FairSolution:
    """The fair matching (index pairs into ``Scored``) and how it was found."""

    pairs: IndexPairs
    #: The lowest own score among ``pairs`` (None when nobody can be placed).
    bottleneck: float | None
    #: How many restricted solves the search made (the baseline solve not counted).
    probes: int
    #: The ``max-matches`` solution the search started from.
    baseline: IndexPairs


def _as_max_matches(inp: MatchInput) -> MatchInput:
    """``inp`` with the objective set to ``max-matches`` (count, then total)."""
    matching = inp.program.matching.model_copy(update={"objective": Objective.MAX_MATCHES})
    return replace(inp, program=inp.program.model_copy(update={"matching": matching}))


def _restricted(s: Scored, at_least: np.ndarray) -> Scored:
    """``s`` with only the pairs in ``at_least`` allowed, and its matrix rebuilt."""
    return replace(s, allowed=s.allowed & at_least, objective=None)


#: Cells per block when the whole matrix is read (as the solvers do): bounded memory.
_BLOCK_CELLS = 1 << 22
#: Candidate pairs kept per mentee in the flow's pair set, and added per pricing round.
_CANDIDATES = 8
_UNIT = 10**DECIMALS  # scores as integers, as the solvers round them

#: Candidate pairs above which a run leaves out the price (each extra solve takes seconds
#: there: 10,000 x 2,000 has about 20 million), as the report leaves out its greedy
#: baseline on large rosters. A fair run still reports it: its search solved it anyway.
PRICE_MAX_PAIRS = 4_000_000


def _top(values: np.ndarray, k: int, axis: int) -> np.ndarray:
    """The ``k`` largest along ``axis``, largest first."""
    if k == 1:  # the common case (one place per mentee): a maximum, not a partition
        return np.max(values, axis=axis, keepdims=True)
    n = values.shape[axis]
    if n > k:  # the k largest are the last k after a partition at n - k
        values = np.partition(values, n - k, axis=axis)
        values = values[n - k :] if axis == 0 else values[:, n - k :]
    return np.flip(np.sort(values, axis=axis), axis=axis)


def _nth_largest(values: np.ndarray, n: int) -> int:
    """The ``n``-th largest of ``values`` (-1 when there are fewer)."""
    if len(values) < n:
        return -1
    return int(np.partition(values, len(values) - n)[len(values) - n])


class _CountFlow:
    """Whether ``n`` pairs can all score at least a threshold ``t`` (integer units).

    A maximum flow (OR-tools): source -> mentor (capacity), mentor -> mentee (one
    arc per allowed pair scoring >= ``t``), mentee -> sink (the mentee's capacity). It
    is a relaxation of the solver's problem (one mentor per track is left out), exact
    without tracks; :func:`solve_fair` lets the exact solver have the last word.

    As the optimal solver does, the flow runs on a restricted set of pairs (each
    mentee's best few, and the baseline's pairs) and its answer is proven against every
    pair: a flow of ``n`` on a subset is a flow on the whole; a smaller one comes with a
    minimum cut (mentors reachable from the source in the residual graph, mentees not),
    and when no allowed pair scoring >= ``t`` crosses that cut in the whole matrix the
    cut's capacity, below ``n``, bounds every flow. Crossing pairs are added (the best
    few per mentee) and the flow solved again.
    """

    def __init__(self, s: Scored, own: np.ndarray, base: Sequence[tuple[int, int]]) -> None:
        self.own, self.allowed = own, s.allowed
        self.n_m, self.n_e = own.shape
        cap_e = s.mentee_capacity  # places left per mentee (None: one each)
        self.cap_m = np.minimum(np.asarray(s.capacity, dtype=np.int64), self.n_e)
        self.cap_e = (
            np.ones(self.n_e, dtype=np.int64)
            if cap_e is None
            else np.minimum(np.asarray(cap_e, dtype=np.int64), self.n_m)
        )
        self.step = max(1, _BLOCK_CELLS // max(1, self.n_m))
        self.rounds = 0
        self._whole: np.ndarray | None = None  # blocks() of a one-block matrix
        parts_m, parts_e = (
            [np.array([i for i, _ in base], dtype=np.int64)],
            [np.array([j for _, j in base], dtype=np.int64)],
        )
        k = min(_CANDIDATES, self.n_m)
        for lo, hi, block in self.blocks():
            # Each mentee's row, contiguous (int32: scores are at most 10**6), for the
            # partition; which of equal pairs it keeps changes no answer of reaches().
            rows = np.negative(block.T, dtype=np.int32, order="C")
            top = np.argpartition(rows, k - 1, axis=1)[:, :k] if k < self.n_m else None
            if top is None:
                top = np.broadcast_to(np.arange(self.n_m)[None, :], rows.shape)
            keep = np.take_along_axis(rows, top, axis=1) <= 0
            cols = np.broadcast_to(np.arange(lo, hi)[:, None], top.shape)
            parts_m.append(top[keep].astype(np.int64))
            parts_e.append(cols[keep].astype(np.int64))
        keys = unique_sorted(np.concatenate(parts_m) * self.n_e + np.concatenate(parts_e))
        self.mi, self.ei = np.divmod(keys, self.n_e)
        self.sc = self.ints(self.mi, self.ei)

    def ints(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        return np.rint(self.own[mi, ei] * _UNIT).astype(np.int64)

    def blocks(self):  # type: ignore[no-untyped-def]
        """(first column, end column, integer scores with -1 where not usable): fresh
        arrays, which the caller may change. A matrix of one block is converted once."""
        if self.n_e <= self.step:
            if self._whole is None:
                self._whole = next(self._blocks())[2]
            yield 0, self.n_e, self._whole.copy()
            return
        yield from self._blocks()

    def _blocks(self):  # type: ignore[no-untyped-def]
        closed = self.cap_m <= 0
        for lo in range(0, self.n_e, self.step):
            hi = min(self.n_e, lo + self.step)
            block = np.rint(self.own[:, lo:hi] * _UNIT)
            block[~self.allowed[:, lo:hi]] = -1
            block[closed] = -1
            yield lo, hi, block.astype(np.int64)

    def ceiling(self, n: int) -> int:
        """A level no threshold with ``n`` pairs can pass (-1 when there are fewer).

        ``n`` pairs each scoring >= t need ``n`` such pairs among each mentee's best
        (as many as the mentee's places) and among each mentor's best (as many as the
        mentor's capacity): the ``n``-th largest score of each of those two collections
        bounds ``t`` from above. The ceiling is itself a usable score with ``n`` usable
        pairs at or above it, so it is the highest of :meth:`levels` whenever a
        matching of ``n`` pairs exists.
        """
        k_e = int(max(1, min(self.n_m, self.cap_e.max(initial=1))))
        k_m = int(max(1, min(self.n_e, self.cap_m.max(initial=1))))
        best_e: list[np.ndarray] = []
        best_m = np.full((self.n_m, 0), -1, dtype=np.int64)
        for lo, hi, block in self.blocks():
            top = _top(block, k_e, axis=0)
            ranks = np.arange(top.shape[0])[:, None]
            best_e.append(top[ranks < self.cap_e[None, lo:hi]])
            both = block if best_m.shape[1] == 0 else np.concatenate([best_m, block], axis=1)
            best_m = _top(both, k_m, axis=1)
        ranks = np.arange(best_m.shape[1])[None, :]
        return min(
            _nth_largest(np.concatenate(best_e), n),
            _nth_largest(best_m[ranks < self.cap_m[:, None]], n),
        )

    def levels(self, floor: int, n: int, ceiling: int) -> np.ndarray:
        """The distinct usable scores from ``floor`` up to ``ceiling`` (:meth:`ceiling`)
        with at least ``n`` usable pairs at or above them: the levels worth probing."""
        top = min(max(ceiling, floor), _UNIT)
        if top < floor:  # pragma: no cover - scores are at most 1
            return np.zeros(0, dtype=np.int64)
        # Counted from the floor to the ceiling only; the pairs above it in one number.
        counts = np.zeros(top - floor + 1, dtype=np.int64)
        higher = 0
        for _, _, block in self.blocks():
            vals = np.minimum(block[block >= floor], _UNIT)
            inside = vals <= top
            higher += len(vals) - int(np.count_nonzero(inside))
            counts += np.bincount(vals[inside] - floor, minlength=len(counts))
        above = np.cumsum(counts[::-1])[::-1] + higher  # usable pairs scoring >= each value
        return floor + np.flatnonzero((counts > 0) & (above >= n))

    def reaches(self, t: int, n: int, only: np.ndarray | None = None) -> bool:
        """Whether ``n`` pairs can all score at least ``t`` (``only``: counting only
        these mentees' pairs, a bool mask)."""
        # OR-tools' push-relabel, as the solvers use OR-tools already: `match` need not
        # import SciPy (a quarter of a second) for these probes.
        from ortools.graph.python import max_flow

        n_m, n_e = self.n_m, self.n_e
        cap_e = self.cap_e if only is None else np.where(only, self.cap_e, 0)
        sink = n_m + n_e + 1
        while True:
            self.rounds += 1
            keep = self.sc >= t
            mi, ei = self.mi[keep], self.ei[keep]
            rows = np.concatenate([np.zeros(n_m, dtype=np.int64), mi + 1, np.arange(n_e) + n_m + 1])
            cols = np.concatenate(
                [np.arange(n_m) + 1, ei + n_m + 1, np.full(n_e, sink, dtype=np.int64)]
            )
            caps = np.concatenate([self.cap_m, np.ones(len(mi), dtype=np.int64), cap_e])
            flow = max_flow.SimpleMaxFlow()
            flow.add_arcs_with_capacity(rows.astype(np.int32), cols.astype(np.int32), caps)
            flow.add_arc_with_capacity(0, sink, 0)  # every node exists, arcs or not
            if flow.solve(0, sink) != flow.OPTIMAL:  # pragma: no cover - capacities are small
                raise MatchingError("the fairness search's flow failed")
            if flow.optimal_flow() >= n:
                return True
            # The minimum cut: nodes still reachable from the source in the residual graph
            # (the same set whichever maximum flow was found).
            reached = np.zeros(sink + 1, dtype=bool)
            reached[np.asarray(flow.get_source_side_min_cut(), dtype=np.int64)] = True
            # A mentee who cannot reach the sink (no place counted) costs the cut nothing
            # on the source side: pairs into them never cross it.
            from_m, to_e = reached[1 : n_m + 1], ~reached[n_m + 1 : sink] & (cap_e > 0)
            add_m, add_e = [], []
            for lo, hi, block in self.blocks():
                block[~from_m] = -1
                block[:, ~to_e[lo:hi]] = -1
                block[block < t] = -1
                cols = np.flatnonzero((block >= 0).any(axis=0))
                if len(cols) == 0:
                    continue
                block = block[:, cols]  # only the mentees some crossing pair reaches
                k = min(_CANDIDATES, n_m)
                top = np.argpartition(-block, k - 1, axis=0)[:k] if k < n_m else None
                if top is None:
                    top = np.broadcast_to(np.arange(n_m)[:, None], block.shape)
                ok = np.take_along_axis(block, top, axis=0) >= 0
                add_m.append(top[ok].astype(np.int64))
                add_e.append(np.broadcast_to(cols[None, :] + lo, top.shape)[ok])
            if not add_m:  # the cut holds for every pair: fewer than n, proven
                return False
            new_m, new_e = np.concatenate(add_m), np.concatenate(add_e).astype(np.int64)
            self.mi = np.concatenate([self.mi, new_m])
            self.ei = np.concatenate([self.ei, new_e])
            self.sc = np.concatenate([self.sc, self.ints(new_m, new_e)])


def solve_fair(
    s: Scored,
    inp: MatchInput,
    own: np.ndarray | None = None,
    baseline: Sequence[tuple[int, int]] | None = None,
    flow: _CountFlow | None = None,
    *,
    figures_only: bool = False,
) -> FairSolution:
    """The fair matching of ``s`` (see the module docstring for its levels).

    ``own``: the pairs' own scores when ``s.raw`` carries an objective bonus
    (``prefer_previous``); default ``s.raw``. ``baseline``: the ``max-matches`` solution
    of the same ``s`` and ``inp`` when the caller has it (it is solved otherwise), or any
    matching with as many pairs and priority mentees: the search starts from its lowest
    score. ``flow``: the probe already built on ``s``, ``own`` and that baseline.
    ``figures_only``: the caller reads only the answer's count, lowest score and total
    (the price), never its pairs; the final solve may then return any of several
    equally good matchings (:func:`~mentorctl.matching.solvers.solve_optimal_any`).
    """
    mm = _as_max_matches(inp)
    if baseline is None:
        baseline = solve(Mode.OPTIMAL, s, mm)
    base = sorted(baseline)
    n = len(base)
    if n == 0:
        return FairSolution([], None, 0, [])
    # Priority mentees: the most of them are placed first (the rule holds for every
    # objective). Matchable sets of mentees form a matroid, so the most pairs and the
    # most priority mentees are reached together: a level is feasible when both are.
    # With mentee capacities, max-matches also places the most mentees (after the most
    # pairs): a level must keep that count too.
    waiting = np.array([e["email"] in inp.priority for e in s.mentees], dtype=bool)
    n_waiting = int(sum(waiting[j] for _, j in base))
    n_mentees = len({j for _, j in base})

    def placed(pairs: Sequence[tuple[int, int]]) -> bool:
        return (
            len(pairs) == n
            and sum(waiting[j] for _, j in pairs) == n_waiting
            and len({j for _, j in pairs}) == n_mentees
        )

    # Only the count and the total of the answer are read (the price): any optimum of
    # the final solve will do, when the total of the solver's objective is the total of
    # the pairs' own scores (no objective bonus, no priority weight).
    quick = figures_only and (own is None or own is s.raw) and not waiting.any()
    own = s.raw if own is None else own
    if flow is None:
        flow = _CountFlow(s, own, base)
    floor = int(min(flow.ints(np.array([i for i, _ in base]), np.array([j for _, j in base]))))
    found: dict[int, IndexPairs] = {floor: base}  # the baseline's floor is feasible
    probes = 0
    listed: list[np.ndarray] = []

    def levels() -> np.ndarray:
        """Every level worth probing, from the floor up (computed when first needed)."""
        if not listed:
            values = flow.levels(floor, n, ceiling)
            if len(values) == 0 or values[0] != floor:  # pragma: no cover - baseline usable
                values = unique_sorted(np.r_[floor, values])
            listed.append(values)
        return listed[0]

    def feasible(level: int) -> bool:
        nonlocal probes
        probes += 1
        at_least = np.rint(own * _UNIT) >= level
        pairs = solve(Mode.OPTIMAL, _restricted(s, at_least), mm, any_optimum=quick)
        if placed(pairs):
            found[level] = sorted(pairs)
        return placed(pairs)

    def flow_reaches(level: int) -> bool:
        return flow.reaches(level, n) and (not n_waiting or flow.reaches(level, n_waiting, waiting))

    # The flow finds the highest level it allows, cheaply: an upper bound, as it leaves
    # out tracks and the count of mentees placed, and exact without them. The exact
    # solver then solves at that level (the answer), and searches below on its own only
    # if that level fails. The ceiling is probed first: the worst-off mentee's best
    # options often set it exactly, and then the other levels are never listed.
    ceiling = flow.ceiling(n)
    level = floor
    if ceiling > floor and flow_reaches(ceiling):
        level = ceiling
    elif ceiling > floor:
        values = levels()
        lo, hi = 0, len(values) - 2  # values[-1], the ceiling, is out
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if flow_reaches(int(values[mid])):
                lo = mid
            else:
                hi = mid - 1
        level = int(values[lo])
    if level > floor and not feasible(level):  # only when the flow's relaxation was not tight
        values = levels()
        lo, top = 0, int(np.searchsorted(values, level)) - 1
        while lo < top:  # the solver's own search, only when the relaxation was not tight
            mid = (lo + top + 1) // 2
            if feasible(int(values[mid])):
                lo = mid
            else:
                top = mid - 1
        level = int(values[lo])
    return FairSolution(found[level], rounded(level / _UNIT), probes, base)


# --------------------------------------------------------------------------- the price


def _figures(scores: np.ndarray, pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    own = [rounded(scores[i, j]) for i, j in pairs]
    return {
        "matched": len(own),
        "lowest_score": min(own) if own else None,
        "total_score": rounded(sum(own)),
    }


def _change(before: float | None, after: float | None) -> float | None:
    """``after - before`` as a share of ``before`` (None when it cannot be said)."""
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before, 4)


def tradeoffs(
    s: Scored,
    inp: MatchInput,
    chosen: Sequence[tuple[int, int]],
    own: np.ndarray | None = None,
    baseline: Sequence[tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """What fairness costs, or would cost, and what the priority rule costs.

    ``s`` and ``inp`` are what the run solved (``s`` with any objective bonus in its
    ``raw``; ``own`` the pairs' own scores), ``chosen`` its answer under the program's
    objective; ``baseline``: the ``max-matches`` solution when the caller has it (a fair
    run starts from it). Figures are over the pairs this run places (kept and locked pairs stand in
    every variant and are left out), on the pairs' own scores. The shape is the
    ``tradeoffs`` object of ``match --json`` (README, "JSON").
    """
    objective = inp.program.matching.objective
    scores = s.raw if own is None else own
    n_pairs = int(np.count_nonzero(s.allowed))
    if n_pairs > PRICE_MAX_PAIRS and not (objective is Objective.FAIR and baseline is not None):
        return {
            "objective": objective.value,
            "fairness": None,
            "priority": None,
            "note": f"not computed: {n_pairs:,} candidate pairs is above {PRICE_MAX_PAIRS:,} "
            "(`match --dry-run --set matching.objective=fair` shows fair's figures)",
        }
    note = None
    flow = None
    if objective is Objective.MAX_MATCHES:
        baseline = chosen
    elif baseline is None:
        flow = _CountFlow(s, scores, sorted(chosen))
        if _most_pairs(flow, chosen):
            baseline = chosen
        else:
            baseline, flow = solve(Mode.OPTIMAL, s, _as_max_matches(inp)), None
    fair = list(chosen) if objective is Objective.FAIR else None
    if fair is None:
        fair = solve_fair(s, inp, own, baseline, flow, figures_only=True).pairs
    a, b = _figures(scores, baseline), _figures(scores, fair)
    fairness = {
        "max_matches": a,
        "fair": b,
        "lowest_score_change": None
        if a["lowest_score"] is None or b["lowest_score"] is None
        else rounded(b["lowest_score"] - a["lowest_score"]),
        "total_score_change": _change(a["total_score"], b["total_score"]),
    }
    priority = None
    if n_pairs <= PRICE_MAX_PAIRS:
        priority = _priority(s, inp, chosen, scores, own)
    elif any(e["email"] in inp.priority for e in s.mentees):
        note = (
            f"priority rule's price not computed: {n_pairs:,} candidate pairs is above "
            f"{PRICE_MAX_PAIRS:,}"
        )
    return {"objective": objective.value, "fairness": fairness, "priority": priority, "note": note}


def _most_pairs(flow: _CountFlow, chosen: Sequence[tuple[int, int]]) -> bool:
    """Whether no matching of the run's candidates has more pairs than ``chosen``.

    Then ``chosen`` (a ``max-score`` answer: the most priority mentees, then the best
    total of all matchings) is also a ``max-matches`` answer, as many pairs and priority
    mentees and no better total among them, and the price needs no solve of its own for
    that side: one maximum flow says so. The flow leaves out tracks, so it may count
    more pairs than can be made; then the solve is made, as before.
    """
    return bool(chosen) and not flow.reaches(0, len(chosen) + 1)


def _priority(
    s: Scored,
    inp: MatchInput,
    chosen: Sequence[tuple[int, int]],
    scores: np.ndarray,
    own: np.ndarray | None,
) -> dict[str, Any] | None:
    """The run's count and total with and without the priority bonus (None when no
    priority mentee is among those being placed)."""
    waiting = {j for j, e in enumerate(s.mentees) if e["email"] in inp.priority}
    if not waiting:
        return None
    plain = replace(inp, priority=frozenset())
    bare = replace(s, objective=None)
    if inp.program.matching.objective is Objective.FAIR and chosen:
        # Fair without the rule may reach a higher lowest score: search up from the
        # run's own matching (as many pairs; its lowest score is feasible without it).
        without = solve_fair(bare, plain, own, baseline=chosen, figures_only=True).pairs
    else:
        without = solve(Mode.OPTIMAL, bare, plain)

    def figures(pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
        return _figures(scores, pairs) | {"priority_matched": sum(j in waiting for _, j in pairs)}

    with_, without_ = figures(chosen), figures(without)
    return {
        "priority_mentees": len(waiting),
        "with_priority": with_,
        "without_priority": without_,
        "total_score_change": _change(without_["total_score"], with_["total_score"]),
    }


# --------------------------------------------------------------------------- in words


def _pct(change: float | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return "the total stays the same"
    word = "rises" if change > 0 else "falls"
    size = abs(change) * 100
    return f"the total {word} by {'less than 0.1' if size < 0.05 else f'{size:.1f}'}%"


def describe(price: dict[str, Any] | None) -> list[str]:
    """The coordinator's lines for ``match``'s summary (empty when there is no price)."""
    if price is None:
        return []
    lines = []
    f = price["fairness"]
    if f is None:
        return [f"fairness: {price.get('note')}"]
    a, b = f["max_matches"], f["fair"]
    if a["lowest_score"] is not None and b["lowest_score"] is not None:
        low_a, low_b = a["lowest_score"], b["lowest_score"]
        total = _pct(f["total_score_change"])
        if price["objective"] == "fair":
            if low_b > low_a:
                lines.append(
                    f"fairness: the lowest score rises from {low_a:.3f} to {low_b:.3f}"
                    f"{'; ' + total if total else ''} (against max-matches)"
                )
            else:
                lines.append(
                    f"fairness: max-matches has the same lowest score ({low_a:.3f}); "
                    "fair costs nothing here"
                )
        elif low_b > low_a:
            total = total.replace(" rises", " would rise").replace(" falls", " would fall")
            total = total.replace("stays", "would stay")
            lines.append(
                f"fairness: objective: fair would raise the lowest score from {low_a:.3f} "
                f"to {low_b:.3f}{'; ' + total if total else ''}"
            )
        else:
            lines.append(
                f"fairness: objective: fair would not raise the lowest score ({low_a:.3f})"
            )
    p = price["priority"]
    if p is not None:
        w, wo = p["with_priority"], p["without_priority"]
        text = (
            f"priority rule: {w['priority_matched']} of {p['priority_mentees']} mentee(s) "
            f"left unmatched last cycle placed ({wo['priority_matched']} without the rule)"
        )
        if w["matched"] != wo["matched"]:
            text += f"; {w['matched']} matched in all ({wo['matched']} without)"
        total = _pct(p["total_score_change"])
        lines.append(text + (f"; {total} for it" if total else ""))
    elif price.get("note"):
        lines.append(price["note"])
    return lines
