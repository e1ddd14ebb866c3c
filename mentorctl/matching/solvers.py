"""Pure matching solvers: who mentors whom, given eligible pairs and their scores.

Everything here works on plain data (:class:`Instance` in, :class:`Assignment` out)
and has no I/O. Three solvers are offered:

* :func:`solve_optimal` - exact optimum via min-cost flow (OR-tools). By default it
  matches as many mentees as possible and, among those matchings, maximises the
  total score; optionally it maximises the total score alone.
* :func:`solve_stable` - mentee-proposing deferred acceptance with mentor
  capacities (hospitals/residents): the mentee-optimal stable matching.
* :func:`solve_greedy` - take the best remaining pair while capacity lasts.

Conventions shared by all solvers:

* Ids are compared as strings; mentors and mentees are sorted before any work is
  done, so results never depend on the order of the input tuples or on dict
  insertion order. Ties are always broken by id, ascending.
* Only pairs present in :attr:`Instance.scores` are eligible; every returned pair
  is eligible, no mentor exceeds their capacity, no mentee appears twice.
* :attr:`Assignment.pairs` is sorted by ``(mentor, mentee)`` and
  :attr:`Assignment.total_score` is the float sum of the pairs' scores, summed in
  that order (so it is reproducible bit for bit).

The ``*_dense`` variants take NumPy arrays (scores as an ``n_mentors x n_mentees``
matrix, NaN = ineligible) and return index pairs; they are what the
:class:`Instance`-based functions use underneath and are the entry points for
large benchmarks.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mentorctl.errors import MatchingError, Problem

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "SCALE",
    "Assignment",
    "Instance",
    "blocking_pairs",
    "check_instance",
    "solve_greedy",
    "solve_greedy_dense",
    "solve_optimal",
    "solve_optimal_dense",
    "solve_stable",
    "solve_stable_dense",
]

#: Scores are turned into integers as ``round(score * SCALE)`` for the flow solver,
#: so :func:`solve_optimal` is exact for scores given to 6 decimal places.
SCALE = 1_000_000

# Flow costs (and OR-tools' internal scaling of them by the node count) must stay
# well inside int64.
_COST_LIMIT = 2**62

# Rank given to a pair that is not on an explicit preference list.
_UNRANKED = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Instance:
    """One matching problem.

    ``scores`` holds exactly the eligible pairs: a ``(mentor, mentee)`` key that is
    absent is forbidden (a hard constraint failed). Scores lie in ``[0, 1]``.
    ``mentee_prefs`` / ``mentor_prefs`` are optional ranked lists, best first; ids on
    them that are not eligible for that person are ignored, and only the first
    occurrence of a repeated id counts. They are used by :func:`solve_stable` (and
    :func:`blocking_pairs`) only.
    """

    mentors: tuple[str, ...]
    mentees: tuple[str, ...]
    capacity: Mapping[str, int]
    scores: Mapping[tuple[str, str], float]
    mentee_prefs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    mentor_prefs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """A matching: ``(mentor, mentee)`` pairs sorted by ``(mentor, mentee)``."""

    pairs: tuple[tuple[str, str], ...]
    total_score: float

    @property
    def n_matched(self) -> int:
        """Number of matched mentees (= number of pairs)."""
        return len(self.pairs)


# --------------------------------------------------------------------------- input


def check_instance(instance: Instance) -> None:
    """Raise :class:`MatchingError` if ``instance`` is not valid solver input.

    Checks: no duplicate ids among mentors or among mentees; every mentor has an
    integer capacity ``>= 0``; every score key names a known mentor and a known
    mentee; every score is a number in ``[0, 1]`` (NaN is rejected). All problems
    found are listed in :attr:`MatchingError.problems`. The solvers assume input
    that passes this check.
    """
    problems: list[Problem] = []
    for role, ids in (("mentors", instance.mentors), ("mentees", instance.mentees)):
        seen: set[str] = set()
        for pid in ids:
            if pid in seen:
                problems.append(Problem(f"duplicate id {pid!r}", path=role))
            seen.add(pid)
    mentors = set(instance.mentors)
    mentees = set(instance.mentees)
    for m in instance.mentors:
        cap = instance.capacity.get(m)
        if cap is None:
            problems.append(Problem(f"no capacity for mentor {m!r}", path="capacity"))
        elif isinstance(cap, bool) or not isinstance(cap, (int, np.integer)):
            problems.append(
                Problem(f"capacity of {m!r} is not an integer: {cap!r}", path="capacity")
            )
        elif cap < 0:
            problems.append(Problem(f"capacity of {m!r} is negative: {cap}", path="capacity"))
    for key, score in instance.scores.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            problems.append(Problem(f"score key is not a (mentor, mentee) pair: {key!r}", "scores"))
            continue
        m, e = key
        if m not in mentors:
            problems.append(Problem(f"unknown mentor {m!r} in scores", path="scores"))
        if e not in mentees:
            problems.append(Problem(f"unknown mentee {e!r} in scores", path="scores"))
        if isinstance(score, bool) or not isinstance(score, (int, float, np.integer, np.floating)):
            problems.append(Problem(f"score of {key!r} is not a number: {score!r}", path="scores"))
        elif math.isnan(score) or not 0.0 <= score <= 1.0:
            problems.append(Problem(f"score of {key!r} is outside [0, 1]: {score!r}", "scores"))
    if problems:
        head = str(problems[0]) if len(problems) == 1 else f"{len(problems)} problems"
        raise MatchingError(f"invalid matching input: {head}", problems)


@dataclass(frozen=True)
class _Coo:
    """An instance in index form; ids sorted, pairs ordered by (mentee, mentor)."""

    mentors: list[str]
    mentees: list[str]
    capacity: NDArray[np.int64]
    mentor_idx: NDArray[np.int32]
    mentee_idx: NDArray[np.int32]
    score: NDArray[np.float64]


def _to_coo(instance: Instance) -> _Coo:
    """Index form of ``instance``; independent of tuple and dict order."""
    mentors = sorted(instance.mentors)
    mentees = sorted(instance.mentees)
    mpos = {m: i for i, m in enumerate(mentors)}
    epos = {e: j for j, e in enumerate(mentees)}
    n_pairs = len(instance.scores)
    keys = instance.scores.keys()
    mi = np.fromiter((mpos[m] for m, _ in keys), dtype=np.int32, count=n_pairs)
    ei = np.fromiter((epos[e] for _, e in keys), dtype=np.int32, count=n_pairs)
    sc = np.fromiter(instance.scores.values(), dtype=np.float64, count=n_pairs)
    order = np.lexsort((mi, ei))
    capacity = np.array([int(instance.capacity[m]) for m in mentors], dtype=np.int64)
    return _Coo(mentors, mentees, capacity, mi[order], ei[order], sc[order])


def _make_assignment(instance: Instance, coo: _Coo, pairs: Sequence[tuple[int, int]]) -> Assignment:
    """Index pairs -> sorted id pairs; indices refer to sorted ids, so order carries over."""
    id_pairs = tuple(sorted((coo.mentors[i], coo.mentees[j]) for i, j in pairs))
    total = 0.0
    for p in id_pairs:
        total += float(instance.scores[p])
    return Assignment(id_pairs, total)


def _dense_to_coo(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    cap = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    if sc.shape != (n_mentors, n_mentees):
        raise MatchingError(f"score matrix has shape {sc.shape}, expected {(n_mentors, n_mentees)}")
    if cap.shape != (n_mentors,):
        raise MatchingError(f"capacity has shape {cap.shape}, expected {(n_mentors,)}")
    # Mentee-major order (the transpose) so arcs come grouped per mentee.
    eligible = ~np.isnan(sc.T)
    ei, mi = np.nonzero(eligible)
    del eligible
    vals = sc.T[ei, mi]
    return cap, mi.astype(np.int32), ei.astype(np.int32), vals


# ------------------------------------------------------------------------- optimal


def _optimal_core(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    score: NDArray[np.float64],
    maximize_matches: bool,
) -> list[tuple[int, int]]:
    """Min-cost flow over index arrays; returns sorted ``(mentor, mentee)`` index pairs.

    Network: source -> mentee (cap 1) -> mentor (cap 1 per eligible pair) -> sink
    (cap = capacity). With ``s = round(score * scale)`` (``scale`` = :data:`SCALE`
    unless that could overflow int64):

    * ``maximize_matches``: pair arcs cost ``-s`` and OR-tools'
      ``solve_max_flow_with_min_cost`` finds a maximum flow (= most matches) of
      minimum cost among maximum flows (= highest total score). This is the
      lexicographic objective without a big-M bonus, so costs stay small.
    * otherwise: pair arcs cost ``-(s * K + 1)`` with ``K = n_mentees + 1``, and a
      source -> sink bypass of cost 0 lets any mentee stay unmatched; the minimum
      cost flow has the highest total ``s``, then the most matches among those
      (the ``+ 1`` can never outweigh one unit of ``s``).
    """
    from ortools.graph.python import min_cost_flow

    if n_mentees == 0 or n_mentors == 0 or len(mentor_idx) == 0:
        return []

    usable = capacity[mentor_idx] > 0
    if not usable.all():
        mentor_idx, mentee_idx, score = mentor_idx[usable], mentee_idx[usable], score[usable]
    del usable
    n_pairs = len(mentor_idx)
    if n_pairs == 0:
        return []

    n_nodes = n_mentees + n_mentors + 2
    mult = 1 if maximize_matches else n_mentees + 1
    scale = SCALE
    while (scale * mult + 1) * (n_nodes + 1) >= _COST_LIMIT:  # pragma: no cover - huge input
        if scale == 1:
            raise MatchingError("matching problem too large for exact integer costs")
        scale //= 10

    source, sink = 0, n_nodes - 1
    mentee_node0, mentor_node0 = 1, 1 + n_mentees

    # Pair arcs (mentee -> mentor), in the given (canonical) order, come first.
    cost = np.rint(score * scale).astype(np.int64)
    if not maximize_matches:
        cost *= mult
        cost += 1
    np.negative(cost, out=cost)
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        mentee_idx + np.int32(mentee_node0),
        mentor_idx + np.int32(mentor_node0),
        np.ones(n_pairs, dtype=np.int64),
        cost,
    )
    del cost
    first_pair_arc = int(arcs[0])
    del arcs
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(n_mentees, source, dtype=np.int32),
        np.arange(mentee_node0, mentee_node0 + n_mentees, dtype=np.int32),
        np.ones(n_mentees, dtype=np.int64),
        np.zeros(n_mentees, dtype=np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(mentor_node0, mentor_node0 + n_mentors, dtype=np.int32),
        np.full(n_mentors, sink, dtype=np.int32),
        np.minimum(capacity, n_mentees).astype(np.int64),
        np.zeros(n_mentors, dtype=np.int64),
    )
    smcf.set_node_supply(source, n_mentees)
    smcf.set_node_supply(sink, -n_mentees)
    if maximize_matches:
        status = smcf.solve_max_flow_with_min_cost()
    else:
        smcf.add_arc_with_capacity_and_unit_cost(source, sink, n_mentees, 0)
        status = smcf.solve()
    if status != smcf.OPTIMAL:  # pragma: no cover - the network is always feasible
        raise MatchingError(f"min-cost flow failed with status {status}")

    flows = smcf.flows(np.arange(first_pair_arc, first_pair_arc + n_pairs, dtype=np.int32))
    chosen = np.flatnonzero(flows)
    del flows, smcf
    pairs = list(zip(mentor_idx[chosen].tolist(), mentee_idx[chosen].tolist(), strict=True))
    pairs.sort()
    return pairs


def solve_optimal_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    maximize_matches: bool = True,
) -> list[tuple[int, int]]:
    """Exact optimum on dense arrays; returns ``(mentor_index, mentee_index)`` pairs.

    ``score`` is an ``len(mentors) x len(mentees)`` float matrix in ``[0, 1]`` with
    NaN marking ineligible pairs; ``capacity[i]`` is mentor ``i``'s capacity. The
    ids themselves are only used for their count. Objectives are as in
    :func:`solve_optimal`; the result is sorted and is a deterministic function of
    the arrays (the flow network is built in a fixed order), but ties between
    equally good matchings are resolved by the solver, not by a stated rule.
    """
    cap, mi, ei, vals = _dense_to_coo(len(mentors), len(mentees), capacity, score)
    return _optimal_core(len(mentors), len(mentees), cap, mi, ei, vals, maximize_matches)


def solve_optimal(instance: Instance, *, maximize_matches: bool = True) -> Assignment:
    """Exact optimal assignment via min-cost flow.

    With ``maximize_matches=True`` (default) the objective is lexicographic: the
    largest possible number of matched mentees, then the largest total score among
    matchings of that size. With ``False`` only the total score is maximised; among
    equally scoring matchings the one with most pairs is returned (so pairs with
    score 0 are included when they fit without displacing anything).

    Guarantees: optimal with respect to scores rounded to 1/:data:`SCALE`
    (exact for scores with at most 6 decimals; otherwise the total is within
    ``n_mentees / (2 * SCALE)`` of the true optimum). Deterministic: ids are
    sorted before the network is built, so the same instance - whatever the order
    of its tuples and dicts - always yields the same pairs, even when several
    optimal matchings exist (which of those is chosen is not otherwise specified).
    """
    coo = _to_coo(instance)
    pairs = _optimal_core(
        len(coo.mentors),
        len(coo.mentees),
        coo.capacity,
        coo.mentor_idx,
        coo.mentee_idx,
        coo.score,
        maximize_matches,
    )
    return _make_assignment(instance, coo, pairs)


# -------------------------------------------------------------------------- stable


def _stable_core(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    score: NDArray[np.float64],
    mentee_rank: NDArray[np.int64] | None = None,
    mentor_rank: NDArray[np.int64] | None = None,
) -> list[tuple[int, int]]:
    """Mentee-proposing deferred acceptance over index arrays.

    Pairs must be ordered by ``(mentee, mentor)`` index. ``mentee_rank[k]`` /
    ``mentor_rank[k]`` is the position of pair ``k`` on the mentee's / mentor's
    explicit list (``_UNRANKED`` if absent). Preference order: explicit position,
    then descending score, then the other side's index. Each mentee's list is
    sorted once (O(P log P) overall, in NumPy); each mentor keeps a heap of held
    proposals keyed by its own preference, so a proposal costs O(log capacity) and
    there are at most P proposals.
    """
    usable = capacity[mentor_idx] > 0
    if not usable.all():
        mentor_idx, mentee_idx, score = mentor_idx[usable], mentee_idx[usable], score[usable]
        if mentee_rank is not None:
            mentee_rank = mentee_rank[usable]
        if mentor_rank is not None:
            mentor_rank = mentor_rank[usable]
    del usable
    n_pairs = len(mentor_idx)
    if n_pairs == 0:
        return []

    # Sort each mentee's segment by (explicit rank, -score); stability keeps the
    # mentor index as the last tie-breaker.
    starts = np.zeros(n_mentees + 1, dtype=np.int64)
    np.cumsum(np.bincount(mentee_idx, minlength=n_mentees), out=starts[1:])
    neg = -score
    order = np.arange(n_pairs, dtype=np.int64)
    bounds = starts.tolist()
    for e in range(n_mentees):
        s, t = bounds[e], bounds[e + 1]
        if t - s > 1:
            if mentee_rank is None:
                seg = np.argsort(neg[s:t], kind="stable")
            else:
                seg = np.lexsort((neg[s:t], mentee_rank[s:t]))
            order[s:t] = seg + s
    del neg
    prop_mentor = mentor_idx[order]
    prop_score = score[order]
    prop_mrank = None if mentor_rank is None else mentor_rank[order]
    del order

    # held[m] is a min-heap of (-mentor_rank, score, -mentee): its top is the mentee
    # the mentor likes least; a newcomer is preferred iff its item is larger.
    next_k: list[int] = bounds[:-1]
    end_k: list[int] = bounds[1:]
    cap: list[int] = capacity.tolist()
    held: list[list[tuple[int, float, int]]] = [[] for _ in range(n_mentors)]
    free = list(range(n_mentees - 1, -1, -1))
    m_item, s_item = prop_mentor.item, prop_score.item
    r_item = None if prop_mrank is None else prop_mrank.item
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while free:
        e = free.pop()
        k, end = next_k[e], end_k[e]
        while k < end:
            m = m_item(k)
            item = (0 if r_item is None else -r_item(k), s_item(k), -e)
            k += 1
            h = held[m]
            if len(h) < cap[m]:
                heappush(h, item)
                break
            if item > h[0]:
                free.append(-heapreplace(h, item)[2])
                break
        next_k[e] = k
    pairs = [(m, -item[2]) for m, h in enumerate(held) for item in h]
    pairs.sort()
    return pairs


def _pref_positions(
    prefs: Mapping[str, tuple[str, ...]],
    scores: Mapping[tuple[str, str], float],
    owner_is_mentee: bool,
) -> dict[tuple[str, str], int]:
    """``(mentor, mentee) -> position`` for eligible entries of explicit lists."""
    out: dict[tuple[str, str], int] = {}
    for owner, ranked in prefs.items():
        pos = 0
        for other in ranked:
            key = (other, owner) if owner_is_mentee else (owner, other)
            if key in scores and key not in out:
                out[key] = pos
                pos += 1
    return out


def solve_stable(instance: Instance) -> Assignment:
    """Mentee-optimal stable matching (deferred acceptance, mentees propose).

    Preferences: a mentee ranks eligible mentors by their ``mentee_prefs`` list
    first (in that order, ineligible ids ignored), then the rest by descending
    score, ties by mentor id ascending. A mentor ranks eligible mentees by
    ``mentor_prefs`` first, then descending score, ties by mentee id ascending.

    Guarantees: the result has no blocking pair (see :func:`blocking_pairs`) and is
    the stable matching every mentee likes at least as well as any other stable
    matching; it does not depend on proposal order or input order. With no ranked
    lists on either side both sides rank by the same pair order
    (score desc, mentor id, mentee id), the stable matching is unique and equals
    :func:`solve_greedy`'s result.
    """
    coo = _to_coo(instance)
    e_pos = _pref_positions(instance.mentee_prefs, instance.scores, owner_is_mentee=True)
    m_pos = _pref_positions(instance.mentor_prefs, instance.scores, owner_is_mentee=False)
    mentee_rank = mentor_rank = None
    if e_pos or m_pos:
        mentee_rank = np.full(len(coo.score), _UNRANKED, dtype=np.int64)
        mentor_rank = np.full(len(coo.score), _UNRANKED, dtype=np.int64)
        mpos = {m: i for i, m in enumerate(coo.mentors)}
        epos = {e: j for j, e in enumerate(coo.mentees)}
        # Pairs are ordered by (mentee, mentor) index, so a pair's row is found by search.
        keys = coo.mentee_idx.astype(np.int64) * max(len(coo.mentors), 1) + coo.mentor_idx
        for target, positions in ((mentee_rank, e_pos), (mentor_rank, m_pos)):
            for (m, e), p in positions.items():
                k = int(np.searchsorted(keys, epos[e] * max(len(coo.mentors), 1) + mpos[m]))
                target[k] = p
    pairs = _stable_core(
        len(coo.mentors),
        len(coo.mentees),
        coo.capacity,
        coo.mentor_idx,
        coo.mentee_idx,
        coo.score,
        mentee_rank,
        mentor_rank,
    )
    return _make_assignment(instance, coo, pairs)


def solve_stable_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
) -> list[tuple[int, int]]:
    """Mentee-optimal stable matching on dense arrays (no explicit lists).

    Both sides rank by descending score, ties by index; see :func:`solve_stable`.
    Returns sorted ``(mentor_index, mentee_index)`` pairs.
    """
    cap, mi, ei, vals = _dense_to_coo(len(mentors), len(mentees), capacity, score)
    return _stable_core(len(mentors), len(mentees), cap, mi, ei, vals)


# -------------------------------------------------------------------------- greedy


def _greedy_core(
    capacity: NDArray[np.int64],
    n_mentees: int,
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    score: NDArray[np.float64],
) -> list[tuple[int, int]]:
    """Best pairs first: descending score, ties by (mentor index, mentee index)."""
    cap = capacity.tolist()
    remaining_slots = sum(min(c, n_mentees) for c in cap)
    matched = [False] * n_mentees
    n_left = n_mentees
    order = np.lexsort((mentee_idx, mentor_idx, -score))
    pairs: list[tuple[int, int]] = []
    chunk = 1 << 16
    for start in range(0, len(order), chunk):
        if remaining_slots == 0 or n_left == 0:
            break
        sel = order[start : start + chunk]
        for m, e in zip(mentor_idx[sel].tolist(), mentee_idx[sel].tolist(), strict=True):
            if cap[m] > 0 and not matched[e]:
                cap[m] -= 1
                matched[e] = True
                pairs.append((m, e))
                remaining_slots -= 1
                n_left -= 1
                if remaining_slots == 0 or n_left == 0:
                    break
    pairs.sort()
    return pairs


def solve_greedy(instance: Instance) -> Assignment:
    """Greedy assignment: best pairs first.

    Pairs are taken in order of descending score, ties by ``(mentor, mentee)``
    ascending; a pair is kept if the mentee is still unmatched and the mentor has
    capacity left. Deterministic and independent of input order. Not optimal in
    general (neither in matches nor in total score).
    """
    coo = _to_coo(instance)
    pairs = _greedy_core(coo.capacity, len(coo.mentees), coo.mentor_idx, coo.mentee_idx, coo.score)
    return _make_assignment(instance, coo, pairs)


def solve_greedy_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
) -> list[tuple[int, int]]:
    """Greedy on dense arrays (NaN = ineligible); ties by (mentor index, mentee index),
    as :func:`solve_greedy` breaks them by id when the ids are given sorted.

    Only the best pairs are ever sorted: pairs are taken in bands of descending score
    (``argpartition``), so a large roster does not pay for sorting every eligible pair.
    Returns sorted index pairs.
    """
    cap_arr = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    if sc.shape != (len(mentors), len(mentees)):
        raise MatchingError(
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


# ----------------------------------------------------------------------- stability


def blocking_pairs(instance: Instance, assignment: Assignment) -> list[tuple[str, str]]:
    """Eligible ``(mentor, mentee)`` pairs that would rather be together, sorted.

    A pair blocks when the mentee is unmatched or prefers the mentor to their
    current one, and the mentor has a free slot or prefers the mentee to their
    worst assigned mentee. Preferences are those of :func:`solve_stable`. The
    assignment is assumed to be valid for ``instance``.
    """
    scores = instance.scores
    e_pos = _pref_positions(instance.mentee_prefs, scores, owner_is_mentee=True)
    m_pos = _pref_positions(instance.mentor_prefs, scores, owner_is_mentee=False)

    def mentee_key(m: str, e: str) -> tuple[int, float, str]:
        p = e_pos.get((m, e))
        return (0, float(p), "") if p is not None else (1, -float(scores[(m, e)]), m)

    def mentor_key(m: str, e: str) -> tuple[int, float, str]:
        p = m_pos.get((m, e))
        return (0, float(p), "") if p is not None else (1, -float(scores[(m, e)]), e)

    mentor_of: dict[str, str] = {}
    assigned: dict[str, list[str]] = {}
    for m, e in assignment.pairs:
        mentor_of[e] = m
        assigned.setdefault(m, []).append(e)
    worst: dict[str, tuple[int, float, str]] = {
        m: max(mentor_key(m, e) for e in es) for m, es in assigned.items()
    }
    out: list[tuple[str, str]] = []
    for m, e in scores:
        current = mentor_of.get(e)
        if current == m:
            continue
        if current is not None and mentee_key(current, e) <= mentee_key(m, e):
            continue
        cap = instance.capacity.get(m, 0)
        if len(assigned.get(m, ())) < cap or (m in worst and mentor_key(m, e) < worst[m]):
            out.append((m, e))
    out.sort()
    return out
