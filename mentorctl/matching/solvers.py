"""Pure matching solvers: who mentors whom, given eligible pairs and their scores.

Everything here works on plain data (:class:`Instance` in, :class:`Assignment` out)
and has no I/O. Three solvers are offered:

* :func:`solve_optimal` - exact optimum via min-cost flow (OR-tools) on a restricted
  set of pairs, proven optimal over all of them. By default it matches as many
  mentees as possible and, among those matchings, maximises the total score;
  optionally it maximises the total score alone.
* :func:`solve_stable` - mentee-proposing deferred acceptance with mentor
  capacities (hospitals/residents): the mentee-optimal stable matching.
* :func:`solve_greedy` - take the best remaining pair while capacity lasts.

Mentees may take several mentors (:attr:`Instance.mentee_capacity`, ``mentee_capacity=``
on the dense entry points), at most one per mentor track (:attr:`Instance.tracks`,
``track=``): the optimal solver stays exact (the flow gains a (mentee, track) node per
pair of them and its proof reads the whole network's potentials), the stable one becomes
many-to-many deferred acceptance, the greedy one respects both limits. Input where every
mentee takes one mentor runs the one-mentor code unchanged (same pairs as before).

Conventions shared by all solvers:

* Ids are compared as strings; mentors and mentees are sorted before any work is
  done, so results never depend on the order of the input tuples or on dict
  insertion order. Ties are always broken by id, ascending.
* Only pairs present in :attr:`Instance.scores` are eligible; every returned pair
  is eligible, no mentor exceeds their capacity, no mentee appears twice (or more
  often than their capacity, or twice in one track).
* :attr:`Assignment.pairs` is sorted by ``(mentor, mentee)`` and
  :attr:`Assignment.total_score` is the float sum of the pairs' scores, summed in
  that order (so it is reproducible bit for bit).

The ``*_dense`` variants take NumPy arrays (scores as an ``n_mentors x n_mentees``
matrix, NaN = ineligible) and return index pairs; they are what the
:class:`Instance`-based functions use underneath and are the entry points for
large benchmarks. :func:`solve_optimal_dense` never builds a flow arc for every
eligible pair: it solves on each mentee's best mentors and proves the answer optimal
against all pairs with dual prices (see its docstring); :func:`solve_optimal_full`
is the one-flow-on-every-pair solver it replaced, kept as the reference.

This module is longer than the ~500 lines the style guide asks for: the three
solvers share the input checks, the index conventions and the flow network (the
optimal solver's proof reads the network's exact costs), and splitting them would
spread one set of conventions over several files.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mentorctl.errors import MatchingError, Problem

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "CANDIDATES",
    "SCALE",
    "Assignment",
    "Instance",
    "OptimalStats",
    "blocking_pairs",
    "check_instance",
    "solve_greedy",
    "solve_greedy_dense",
    "solve_optimal",
    "solve_optimal_any",
    "solve_optimal_dense",
    "solve_optimal_full",
    "solve_stable",
    "solve_stable_dense",
    "unique_sorted",
]

#: Scores are turned into integers as ``round(score * SCALE)`` for the flow solver,
#: so :func:`solve_optimal` is exact for scores given to 6 decimal places.
SCALE = 1_000_000

# Flow costs (and OR-tools' internal scaling of them by the node count) must stay
# well inside int64.
_COST_LIMIT = 2**62

# Rank given to a pair that is not on an explicit preference list.
_UNRANKED = np.iinfo(np.int64).max


def unique_sorted(values: NDArray[Any]) -> NDArray[Any]:
    """``np.unique(values)`` for a 1-d array: its distinct values, ascending.

    NumPy's own ``unique`` imports ``numpy.ma`` on its first plain call (about 40 ms
    of a ``match`` process's start-up); a sort and a comparison give the same array.
    """
    out = np.sort(np.ravel(values))
    if len(out) > 1:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out


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
    #: Mentors each mentee takes (absent: 1).
    mentee_capacity: Mapping[str, int] = field(default_factory=dict)
    #: Each mentor's track (absent: none); a mentee gets at most one mentor per track.
    tracks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """A matching: ``(mentor, mentee)`` pairs sorted by ``(mentor, mentee)``."""

    pairs: tuple[tuple[str, str], ...]
    total_score: float

    @property
    def n_matched(self) -> int:
        """Number of pairs (= matched mentees when each mentee takes one mentor)."""
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
    for e, cap in instance.mentee_capacity.items():
        if e not in mentees:
            problems.append(Problem(f"unknown mentee {e!r} in mentee_capacity", "mentee_capacity"))
        elif isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 0:
            problems.append(
                Problem(f"capacity of {e!r} is not an integer >= 0: {cap!r}", "mentee_capacity")
            )
    for m in instance.tracks:
        if m not in mentors:
            problems.append(Problem(f"unknown mentor {m!r} in tracks", path="tracks"))
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
    #: Mentors each mentee takes and each mentor's track index (-1: none); None when
    #: every mentee takes one mentor and there are no tracks (the one-mentor solvers).
    mentee_capacity: NDArray[np.int64] | None = None
    track: NDArray[np.int64] | None = None


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
    mentee_cap, track = _multi(
        [int(instance.mentee_capacity.get(e, 1)) for e in mentees],
        [instance.tracks.get(m) for m in mentors],
    )
    return _Coo(mentors, mentees, capacity, mi[order], ei[order], sc[order], mentee_cap, track)


def _multi(
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None,
) -> tuple[NDArray[np.int64] | None, NDArray[np.int64] | None]:
    """Mentee capacities and track indices (-1: none), or None where they change nothing.

    Tracks may be given as names (``None``: no track): they become indices in sorted
    name order. When every mentee takes exactly one mentor, tracks change nothing
    either, and both come back None: the solvers then run their one-mentor paths, so
    such input gives exactly the pairs it gave before mentee capacities existed.
    """
    cap = None if mentee_capacity is None else np.asarray(mentee_capacity, dtype=np.int64)
    if cap is not None and (cap == 1).all():
        cap = None
    if cap is None:
        return None, None
    idx: NDArray[np.int64] | None = None
    if track is not None:
        values = list(track)
        if any(isinstance(t, str) for t in values):
            names = sorted({t for t in values if isinstance(t, str)})
            pos = {n: i for i, n in enumerate(names)}
            values = [pos[t] if isinstance(t, str) else -1 for t in values]
        idx = np.asarray([-1 if t is None else int(t) for t in values], dtype=np.int64)
        if not (idx >= 0).any():
            idx = None
    return cap, idx


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

#: Mentors each mentee starts with in :func:`solve_optimal_dense` (its best ones).
CANDIDATES = 32

#: Mentees each mentor adds to that first restriction (its best ones): without them, the
#: mentors few mentees rank highly start with no pairs at all, and the first proof adds
#: many (measured at 10,000 x 2,000: ~150,000 pairs added with 0, ~40,000 with 10).
MENTOR_CANDIDATES = 10

# Work on the score matrix in blocks of about this many cells (temporaries stay small).
_BLOCK_CELLS = 1 << 20

# Dual potentials are float64 sums of integer weights: exact below 2**53.
_EXACT_FLOAT = 2**52


@dataclass
class OptimalStats:
    """What one call of :func:`solve_optimal_dense` did (for benchmarks and tests)."""

    rounds: int = 0  # restricted solves, the last one proven optimal
    pairs_eligible: int = 0  # eligible pairs with a mentor who has capacity
    pairs_solved: int = 0  # pairs in the last restricted solve
    added: list[int] = field(default_factory=list)  # pairs added after each round
    proven: bool = False  # False: solved on every pair at once (no proof needed)
    seconds: dict[str, float] = field(default_factory=dict)  # time per step

    def timed(self, step: str, start: float) -> float:
        """Add the time since ``start`` to ``step``; returns now."""
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - start
        return now


@dataclass(frozen=True)
class _Multi:
    """Mentees who take several mentors, and tracks: what the flow network adds for them.

    ``cap[j]`` is mentee ``j``'s capacity; ``track[i]`` mentor ``i``'s track index (-1:
    none), or None without tracks. With tracks, each (mentee, track) pair is a node
    between the mentee and that track's mentors, with capacity 1.
    """

    cap: NDArray[np.int64]
    track: NDArray[np.int64] | None
    #: Mentees who already have a mentor outside this solve (kept or locked pairs): their
    #: next one earns no ``cover`` (see :class:`_Weights`); None: nobody.
    held: NDArray[np.bool_] | None = None

    def first_units(self) -> NDArray[np.int64]:
        """Each mentee's unit that earns ``cover``: 1, or 0 if held or of capacity 0."""
        first = np.minimum(self.cap, 1)
        if self.held is not None:
            first[self.held] = 0
        return first

    @property
    def slots(self) -> int:
        return int(self.cap.sum())

    @property
    def n_tracks(self) -> int:
        return 0 if self.track is None else int(self.track.max()) + 1

    def tail(self, n_mentees: int, n_mentors: int, mi: NDArray[Any], ei: NDArray[Any]) -> Any:
        """Node each pair arc leaves from: the mentee's, or its (mentee, track) node."""
        node = ei.astype(np.int64) + 1
        if self.track is not None:
            t = self.track[mi]
            on = t >= 0
            node[on] = n_mentees + n_mentors + 2 + ei[on].astype(np.int64) * self.n_tracks + t[on]
        return node


def _multi_of(
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None,
    n_mentees: int,
    n_mentors: int,
    held: NDArray[np.bool_] | Sequence[bool] | None = None,
) -> _Multi | None:
    if mentee_capacity is not None and len(mentee_capacity) != n_mentees:
        raise MatchingError(f"mentee_capacity has {len(mentee_capacity)} entries, not {n_mentees}")
    if track is not None and len(track) != n_mentors:
        raise MatchingError(f"track has {len(track)} entries, not {n_mentors}")
    cap, idx = _multi(mentee_capacity, track)
    held_arr = None if held is None else np.asarray(held, dtype=bool)
    if held_arr is not None and len(held_arr) != n_mentees:
        raise MatchingError(f"mentee_held has {len(held_arr)} entries, not {n_mentees}")
    if held_arr is not None and not held_arr.any():
        held_arr = None
    if cap is None and held_arr is not None:  # one place each, but some mentees covered
        ones = np.ones(n_mentees, dtype=np.int64)
        cap = ones if mentee_capacity is None else np.asarray(mentee_capacity, dtype=np.int64)
    return None if cap is None else _Multi(cap, idx, held_arr)


def _scale(
    n_mentors: int, n_mentees: int, mult: int, top: float = 1.0, extra_nodes: int = 0
) -> int:
    """Largest power-of-ten scale (at most :data:`SCALE`) whose costs fit OR-tools' int64.

    ``top`` is the largest score (above 1 when the caller adds a priority weight).
    """
    n_nodes = n_mentees + n_mentors + 2 + extra_nodes
    top = max(1.0, float(top)) if math.isfinite(top) else 1.0
    scale = SCALE
    while (math.ceil(top * scale) * mult + 1) * (n_nodes + 1) >= _COST_LIMIT:
        if scale == 1:
            raise MatchingError("matching problem too large for exact integer costs")
        scale //= 10
    return scale


def _flow(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    s: NDArray[np.int64],
    maximize_matches: bool,
    multi: _Multi | None = None,
) -> NDArray[np.bool_]:
    """Min-cost flow on the given pairs (integer scores ``s``); which pairs are chosen.

    Network: source -> mentee (cap 1, or the mentee's capacity with ``multi``) ->
    mentor (cap 1 per pair) -> sink (cap = capacity). With tracks, a pair's arc leaves
    from its (mentee, track) node, reached from the mentee by an arc of capacity 1.

    * ``maximize_matches``: pair arcs cost ``-s`` and OR-tools'
      ``solve_max_flow_with_min_cost`` finds a maximum flow (= most matches) of
      minimum cost among maximum flows (= highest total score). This is the
      lexicographic objective without a big-M bonus, so costs stay small.
    * otherwise: pair arcs cost ``-(s * K + 1)`` with ``K = n_mentees + 1``, and a
      source -> sink bypass of cost 0 lets any mentee stay unmatched; the minimum
      cost flow has the highest total ``s``, then the most matches among those
      (the ``+ 1`` can never outweigh one unit of ``s``). With ``multi``, ``K`` is one
    more than the mentees' places (the most pairs there can be).
    """
    from ortools.graph.python import min_cost_flow

    n_pairs = len(mentor_idx)
    if n_pairs == 0:
        return np.zeros(0, dtype=bool)
    slots = n_mentees if multi is None else multi.slots
    source, sink = 0, n_mentees + n_mentors + 1
    mentee_node0, mentor_node0 = 1, 1 + n_mentees
    cost = s.astype(np.int64, copy=True)
    if not maximize_matches:
        cost *= slots + 1
        cost += 1
    np.negative(cost, out=cost)
    smcf = min_cost_flow.SimpleMinCostFlow()
    if multi is None:
        tails = mentee_idx.astype(np.int32) + np.int32(mentee_node0)
    else:
        tails = multi.tail(n_mentees, n_mentors, mentor_idx, mentee_idx).astype(np.int32)
    # Pair arcs (mentee -> mentor), in the given order, come first.
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails,
        mentor_idx.astype(np.int32) + np.int32(mentor_node0),
        np.ones(n_pairs, dtype=np.int64),
        cost,
    )
    del cost
    first_pair_arc = int(arcs[0])
    del arcs
    mentee_nodes = np.arange(mentee_node0, mentee_node0 + n_mentees, dtype=np.int32)
    if multi is not None and maximize_matches:
        # A mentee's first mentor earns more than any total score (and the solver takes
        # the most pairs first): the most pairs, then the most mentees with a mentor.
        cover = slots * max(int(s.max()), 0) + 1
        first = multi.first_units()
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.full(n_mentees, source, dtype=np.int32),
            mentee_nodes,
            first,
            np.full(n_mentees, -cover, dtype=np.int64),
        )
        rest = multi.cap - first
    else:
        rest = np.ones(n_mentees, dtype=np.int64) if multi is None else multi.cap
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(n_mentees, source, dtype=np.int32),
        mentee_nodes,
        rest,
        np.zeros(n_mentees, dtype=np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(mentor_node0, mentor_node0 + n_mentors, dtype=np.int32),
        np.full(n_mentors, sink, dtype=np.int32),
        np.minimum(capacity, slots).astype(np.int64),
        np.zeros(n_mentors, dtype=np.int64),
    )
    if multi is not None and multi.track is not None:
        # One arc of capacity 1 into each (mentee, track) node that some pair leaves from.
        track_nodes = unique_sorted(tails[tails > sink])
        n_t = multi.n_tracks
        owner = (track_nodes.astype(np.int64) - (sink + 1)) // n_t
        smcf.add_arcs_with_capacity_and_unit_cost(
            (owner + mentee_node0).astype(np.int32),
            track_nodes.astype(np.int32),
            np.ones(len(track_nodes), dtype=np.int64),
            np.zeros(len(track_nodes), dtype=np.int64),
        )
    smcf.set_node_supply(source, slots)
    smcf.set_node_supply(sink, -slots)
    if maximize_matches:
        status = smcf.solve_max_flow_with_min_cost()
    else:
        smcf.add_arc_with_capacity_and_unit_cost(source, sink, slots, 0)
        status = smcf.solve()
    if status != smcf.OPTIMAL:  # pragma: no cover - the network is always feasible
        raise MatchingError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(first_pair_arc, first_pair_arc + n_pairs, dtype=np.int32))
    return np.asarray(flows) != 0


def _optimal_core(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    score: NDArray[np.float64],
    maximize_matches: bool,
    multi: _Multi | None = None,
) -> list[tuple[int, int]]:
    """Min-cost flow over every given pair at once; sorted ``(mentor, mentee)`` pairs.

    Scores become integers ``round(score * scale)`` (``scale`` = :data:`SCALE` unless
    that could overflow int64); see :func:`_flow` for the network.
    """
    if n_mentees == 0 or n_mentors == 0 or len(mentor_idx) == 0:
        return []
    usable = capacity[mentor_idx] > 0
    if not usable.all():
        mentor_idx, mentee_idx, score = mentor_idx[usable], mentee_idx[usable], score[usable]
    del usable
    if len(mentor_idx) == 0:
        return []
    slots = n_mentees if multi is None else multi.slots
    mult = 1 if maximize_matches and multi is None else slots + 1
    extra = 0 if multi is None else n_mentees * multi.n_tracks
    scale = _scale(n_mentors, n_mentees, mult, float(score.max()), extra)
    s = np.rint(score * scale).astype(np.int64)
    chosen = np.flatnonzero(_flow(n_mentors, n_mentees, capacity, mentor_idx, mentee_idx, s,
                                  maximize_matches, multi))  # fmt: skip
    del s
    pairs = list(zip(mentor_idx[chosen].tolist(), mentee_idx[chosen].tolist(), strict=True))
    pairs.sort()
    return pairs


def _duals(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    weight: NDArray[np.float64],
    chosen: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Optimal dual prices ``(u per mentee, v per mentor)`` of a restricted optimum.

    The linear program is: maximise ``sum w x`` over the given pairs, each mentee in at
    most one pair, mentor ``i`` in at most ``capacity[i]``, ``x >= 0``. Its dual: ``u,
    v >= 0`` with ``u[j] + v[i] >= w[i, j]`` for every pair; an optimal ``(u, v)`` is
    one that also meets complementary slackness with the chosen pairs: ``u[j] + v[i] =
    w`` on chosen pairs, ``u[j] = 0`` for unmatched mentees, ``v[i] = 0`` for mentors
    with a free slot. With ``p = u`` and ``q = -v`` these are difference constraints
    ``x[b] <= x[a] + c(a -> b)`` on a graph with a root (``x = 0``): root -> mentor (0),
    root -> unmatched mentee (0), mentee -> mentor (``-w``), mentor -> its chosen
    mentee (``+w``), and back to the root from every mentee and every mentor with a
    free slot (0). Shortest distances from the root satisfy all of them; they exist
    because the chosen pairs are optimal (no negative cycle).

    Bellman-Ford, vectorised: a matched mentee's only way in is from its mentor, so
    one round is ``q = min(0, min over pairs (p[j] - w))`` per mentor and ``p =
    q[mentor] + w`` per matched mentee (0 if unmatched), repeated until nothing
    changes (as many rounds as the longest alternating path). The arcs back to the
    root are then checked (``p >= 0``, ``q >= 0`` on free mentors); ``None`` if they
    fail, which would mean the restricted solve was not optimal. Weights are integers,
    so the float64 distances are exact (the caller keeps them below 2**52).
    """
    order = np.argsort(mentor_idx, kind="stable")
    mi, ei, w = mentor_idx[order], mentee_idx[order], weight[order]
    starts = np.flatnonzero(np.r_[True, mi[1:] != mi[:-1]])
    heads = mi[starts]
    matched = np.zeros(n_mentees, dtype=bool)
    mate = np.zeros(n_mentees, dtype=np.int64)
    mate_w = np.zeros(n_mentees, dtype=np.float64)
    matched[mentee_idx[chosen]] = True
    mate[mentee_idx[chosen]] = mentor_idx[chosen]
    mate_w[mentee_idx[chosen]] = weight[chosen]
    q = np.zeros(n_mentors, dtype=np.float64)
    p = np.where(matched, mate_w, 0.0)
    for _ in range(n_mentors + n_mentees + 1):
        best = np.minimum.reduceat(p[ei] - w, starts)
        q_new = np.zeros(n_mentors, dtype=np.float64)
        q_new[heads] = np.minimum(best, 0.0)
        if np.array_equal(q_new, q):
            break
        q = q_new
        p = np.where(matched, q[mate] + mate_w, 0.0)
    else:  # pragma: no cover - would need a negative cycle
        return None
    load = np.bincount(mentor_idx[chosen], minlength=n_mentors)
    free = load < np.minimum(capacity, n_mentees)
    if (p < 0).any() or (q[free] < 0).any():  # pragma: no cover - not optimal
        return None
    return p, -q


def _duals_multi(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    multi: _Multi,
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    weight: NDArray[np.float64],
    chosen: NDArray[np.bool_],
    cover: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Node potentials proving a restricted optimum, for mentee capacities and tracks.

    The maximum-weight problem is a min-cost circulation: one hub node ``R`` (source and
    sink merged, joined by a free bypass), ``R -> mentee`` (capacity = the mentee's),
    ``mentee -> (mentee, track)`` (capacity 1), ``mentee or (mentee, track) -> mentor``
    (cost ``-w``, capacity 1), ``mentor -> R`` (its capacity); with ``cover``, the first
    unit of ``R -> mentee`` costs ``-cover`` (see :class:`_Weights`). The chosen pairs are optimal
    over the given ones iff the residual network has no negative cycle; then shortest
    distances ``d`` from a virtual root (a free arc to every node) exist and every
    residual arc has reduced cost ``cost + d[tail] - d[head] >= 0``. Found by Bellman-Ford,
    vectorised (one pass over every residual arc per round). Returns ``(d of every
    node, -d of each mentor)``: a pair ``(i, j)`` may improve the answer iff ``w[i, j] >
    d[tail(i, j)] + (-d[mentor i])``, the same test as :func:`_duals`' prices. None if
    no fixed point is reached (a negative cycle: the solve was not optimal). Weights are
    integers and every distance lies between 0 and a simple path's cost, so float64 is
    exact below 2**52 (checked).
    """
    n_t = multi.n_tracks
    base = n_mentees + n_mentors + 2  # first (mentee, track) node; as in _flow
    n_nodes = base + n_mentees * n_t
    hub = 0
    mentor_node = np.arange(n_mentors, dtype=np.int64) + 1 + n_mentees
    mentee_node = np.arange(n_mentees, dtype=np.int64) + 1
    tails = multi.tail(n_mentees, n_mentors, mentor_idx, mentee_idx)
    heads = mentor_node[mentor_idx]
    load_e = np.bincount(mentee_idx[chosen], minlength=n_mentees)
    load_m = np.bincount(mentor_idx[chosen], minlength=n_mentors)
    arcs_t: list[NDArray[np.int64]] = []
    arcs_h: list[NDArray[np.int64]] = []
    arcs_c: list[NDArray[np.float64]] = []

    def add(t: NDArray[Any], h: NDArray[Any], c: NDArray[Any] | float) -> None:
        t = np.asarray(t, dtype=np.int64)
        arcs_t.append(t)
        arcs_h.append(np.asarray(h, dtype=np.int64))
        arcs_c.append(np.broadcast_to(np.asarray(c, dtype=np.float64), t.shape))

    if cover:
        # R -> mentee as two arcs: the first unit (cost -cover), the rest (cost 0).
        first = multi.first_units()
        empty = (load_e == 0) & (first > 0)
        add(np.full(int(empty.sum()), hub), mentee_node[empty], -cover)
        busy_e = load_e > 0
        add(mentee_node[busy_e], np.full(int(busy_e.sum()), hub), cover)
        rest_load = np.maximum(load_e - 1, 0)
        free_e = rest_load < multi.cap - first
        add(np.full(int(free_e.sum()), hub), mentee_node[free_e], 0.0)
        more = rest_load > 0
        add(mentee_node[more], np.full(int(more.sum()), hub), 0.0)
    else:
        free_e = load_e < multi.cap
        add(np.full(int(free_e.sum()), hub), mentee_node[free_e], 0.0)
        busy_e = load_e > 0
        add(mentee_node[busy_e], np.full(int(busy_e.sum()), hub), 0.0)
    if n_t:
        track_nodes = unique_sorted(tails[tails >= base])
        used = np.zeros(n_nodes, dtype=bool)
        used[tails[chosen]] = True
        owner = mentee_node[(track_nodes - base) // n_t]
        on = used[track_nodes]
        add(owner[~on], track_nodes[~on], 0.0)
        add(track_nodes[on], owner[on], 0.0)
    add(tails[~chosen], heads[~chosen], -weight[~chosen])
    add(heads[chosen], tails[chosen], weight[chosen])
    free_m = load_m < np.minimum(capacity, multi.slots)
    add(mentor_node[free_m], np.full(int(free_m.sum()), hub), 0.0)
    busy_m = load_m > 0
    add(np.full(int(busy_m.sum()), hub), mentor_node[busy_m], 0.0)
    at, ah = np.concatenate(arcs_t), np.concatenate(arcs_h)
    ac = np.concatenate(arcs_c)
    d = np.zeros(n_nodes, dtype=np.float64)
    for _ in range(n_nodes + 1):
        new = d.copy()
        np.minimum.at(new, ah, d[at] + ac)
        if np.array_equal(new, d):
            break
        d = new
    else:  # pragma: no cover - a negative cycle: the restricted solve was not optimal
        return None
    if d.size and float(-d.min()) >= _EXACT_FLOAT:  # pragma: no cover - astronomically large
        return None
    if n_t:
        # A (mentee, track) node no given pair leaves from: in the full network its only
        # way in is the free arc from its mentee, so the mentee's potential suits it.
        absent = np.ones(n_nodes, dtype=bool)
        absent[:base] = False
        absent[track_nodes] = False
        nodes = np.flatnonzero(absent)
        d[nodes] = d[mentee_node[(nodes - base) // n_t]]
    return d, -d[mentor_node]


class _Weights:
    """The linear objective for the dual proof, from integer scores ``s``.

    ``maximize_matches``: ``w = s + big`` with ``big`` larger than any matching's total
    ``s``, so more pairs always win and, among equally many, the higher total (the
    lexicographic objective the flow solver optimises). Otherwise ``w = s * (n + 1) +
    1``, exactly the flow solver's (negated) costs.
    """

    def __init__(
        self, maximize_matches: bool, n_mentees: int, s_max: int, covered: int = 0
    ) -> None:
        # ``n_mentees``: the most pairs there can be (the mentees' places, with capacities).
        # ``covered``: with mentee capacities, the mentees there are; each one's first
        # mentor earns ``cover`` (more than any total of ``s``), and ``add`` outweighs
        # every ``cover`` together: pairs first, then mentees with a mentor, then ``s``.
        self.maximize = maximize_matches
        self.mult = 1 if maximize_matches else n_mentees + 1
        self.cover = n_mentees * max(s_max, 0) + 1 if maximize_matches and covered else 0
        self.add = n_mentees * max(s_max, 0) + 1 if maximize_matches else 1
        self.add += covered * self.cover
        # Every dual price lies in [0, w_max] (u[j] + v[i] = w on chosen pairs, 0 on
        # unmatched mentees and free mentors) and so does every step of _duals, which
        # only lowers values towards them; reduced costs stay within 3 * w_max.
        self.top = 3 * (s_max * self.mult + self.add + self.cover)

    def __call__(self, s: NDArray[np.floating] | NDArray[np.integer]) -> NDArray[np.float64]:
        w = np.asarray(s, dtype=np.float64) * self.mult
        w += self.add
        return w


class _Inexact(Exception):
    """The proof's numbers would leave float64's exact integers: solve on every pair."""


def _restricted_solve(
    n_mentors: int,
    n_mentees: int,
    capacity: NDArray[np.int64],
    first: tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int64]],
    price: Callable[
        [NDArray[np.float64], NDArray[np.float64], tuple[NDArray[np.int32], NDArray[np.int32]]],
        tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int64]],
    ],
    weights: _Weights,
    stats: OptimalStats,
    multi: _Multi | None = None,
) -> list[tuple[int, int]]:
    """Solve on ``first``'s pairs, prove the result against every pair, repeat.

    ``price(u, v)`` returns the pairs (mentor, mentee, integer score) outside the
    current set whose reduced cost ``u[j] + v[i] - w`` is negative: with none, the
    restricted optimum is optimal for all pairs (see :func:`solve_optimal_dense`).
    With ``multi``, ``u`` holds a potential for every node of the network instead
    (see :func:`_duals_multi`), and the chosen pairs (passed to ``price`` too) are
    left out: a pair arc at its capacity of 1 may have a negative reduced cost.
    """
    mi, ei, s = first
    t = time.perf_counter()
    while True:
        stats.rounds += 1
        chosen = _flow(n_mentors, n_mentees, capacity, mi, ei, s, weights.maximize, multi)
        t = stats.timed("flow", t)
        if multi is None:
            duals = _duals(n_mentors, n_mentees, capacity, mi, ei, weights(s), chosen)
        else:
            duals = _duals_multi(
                n_mentors, n_mentees, capacity, multi, mi, ei, weights(s), chosen, weights.cover
            )
        if duals is None and multi is not None:  # pragma: no cover - beyond exact floats
            raise _Inexact
        if duals is None:  # pragma: no cover - the flow solver's answer was not optimal
            raise MatchingError("the optimal solver could not prove its answer")
        u, v = duals
        t = stats.timed("duals", t)
        add_m, add_e, add_s = price(u, v, (mi[chosen], ei[chosen]))
        t = stats.timed("pricing", t)
        stats.added.append(len(add_m))
        if len(add_m) == 0:
            break
        mi = np.concatenate([mi, add_m])
        ei = np.concatenate([ei, add_e])
        s = np.concatenate([s, add_s])
    stats.pairs_solved = len(mi)
    stats.proven = True
    pairs = list(zip(mi[chosen].tolist(), ei[chosen].tolist(), strict=True))
    pairs.sort()
    return pairs


def _most_negative_per_mentee(
    mi: NDArray[np.int32],
    ei: NDArray[np.int32],
    s: NDArray[np.int64],
    reduced: NDArray[np.float64],
    limit: int,
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int64]]:
    """At most ``limit`` violating pairs per mentee, the most violated first."""
    order = np.lexsort((mi, reduced, ei))
    ei_sorted = ei[order]
    starts = np.flatnonzero(np.r_[True, ei_sorted[1:] != ei_sorted[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep = order[rank < limit]
    return mi[keep], ei[keep], s[keep]


def solve_optimal_full(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    maximize_matches: bool = True,
    *,
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None = None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None = None,
    mentee_held: NDArray[np.bool_] | Sequence[bool] | None = None,
) -> list[tuple[int, int]]:
    """The exact optimum from one min-cost flow over every eligible pair.

    Same objective and result quality as :func:`solve_optimal_dense`, but it builds
    an arc for every eligible pair (slow and memory-hungry on large rosters); kept
    as the reference the restricted solver is tested and benchmarked against.
    """
    multi = _multi_of(mentee_capacity, track, len(mentees), len(mentors), mentee_held)
    cap, mi, ei, vals = _dense_to_coo(len(mentors), len(mentees), capacity, score)
    return _optimal_core(len(mentors), len(mentees), cap, mi, ei, vals, maximize_matches, multi)


def solve_optimal_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    maximize_matches: bool = True,
    *,
    candidates: int = CANDIDATES,
    stats: OptimalStats | None = None,
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None = None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None = None,
    mentee_held: NDArray[np.bool_] | Sequence[bool] | None = None,
) -> list[tuple[int, int]]:
    """Exact optimum on dense arrays; returns sorted ``(mentor_index, mentee_index)`` pairs.

    ``score`` is a ``len(mentors) x len(mentees)`` float matrix (scores in ``[0, 1]``,
    plus any bonus the caller adds) with NaN marking ineligible pairs; ``capacity[i]``
    is mentor ``i``'s capacity. The ids themselves are only used for their count.
    Objectives are as in :func:`solve_optimal`. ``mentee_capacity[j]`` (default 1) is
    how many mentors mentee ``j`` takes, and ``track[i]`` (a name or index; None or -1
    for none) mentor ``i``'s track: a mentee gets at most one mentor per track.

    With mentee capacities, the lexicographic objective is: the most pairs, then the
    most mentees with at least one mentor (a mentee's first mentor earns more than any
    score; some matching has both the most pairs and the most such mentees, since
    augmenting a flow never empties a mentee), then the highest total. ``mentee_held[j]``
    marks a mentee who already has a mentor outside this solve (the caller's kept pairs):
    a further one does not count as covering them. The proof reads
    potentials of the whole flow network (:func:`_duals_multi`) instead of the one-mentor
    closed form (:func:`_duals`); tracks add a (mentee, track) node per pair of them, and
    the same proof covers them. Input where every mentee takes one mentor runs the
    one-mentor path unchanged, so it gives the very same pairs.

    How: the min-cost flow is solved on a restricted set of pairs, each mentee's
    ``candidates`` best mentors; optimal dual prices of that solve (``u`` per mentee,
    ``v`` per mentor, see :func:`_duals`) are then checked against **every** eligible
    pair in one vectorised pass over the matrix. Pairs with ``u[j] + v[i] < w[i, j]``
    (negative reduced cost) are added, at most ``candidates`` per mentee per round,
    and the restricted problem is solved again, until no pair violates.

    Guarantee: the answer is an exact optimum over all eligible pairs, never a top-K
    approximation. When no pair has a negative reduced cost, the prices are feasible
    for the dual of the full problem and meet complementary slackness with the
    chosen pairs, so by LP duality the chosen pairs are optimal for the full
    problem (bipartite b-matching is totally unimodular, so the LP optimum is an
    integer matching). Every round adds at least one pair, so the loop ends; at worst
    it has added every pair. All arithmetic on the integer scores
    ``round(score * SCALE)`` is exact; when the numbers would not stay below 2**52
    in float64, the flow is solved on every pair at once instead
    (:func:`solve_optimal_full`). The result is a deterministic function of the arrays;
    ties between equally good matchings are resolved by the solver, not by a stated
    rule (so they may differ from :func:`solve_optimal_full`'s, with the same
    number of pairs and the same total).
    """
    n_m, n_e = len(mentors), len(mentees)
    cap = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    if sc.shape != (n_m, n_e):
        raise MatchingError(f"score matrix has shape {sc.shape}, expected {(n_m, n_e)}")
    if cap.shape != (n_m,):
        raise MatchingError(f"capacity has shape {cap.shape}, expected {(n_m,)}")
    stats = stats if stats is not None else OptimalStats()
    if n_m == 0 or n_e == 0:
        return []
    multi = _multi_of(mentee_capacity, track, n_e, n_m, mentee_held)
    slots = n_e if multi is None else multi.slots
    extra_nodes = 0 if multi is None else n_e * multi.n_tracks
    t0 = time.perf_counter()
    usable_rows = np.flatnonzero(cap > 0)
    top_score = float(np.fmax.reduce(sc, axis=None, initial=-np.inf)) if sc.size else 0.0
    mult = 1 if maximize_matches and multi is None else slots + 1
    scale = _scale(n_m, n_e, mult, top_score, extra_nodes)
    k = max(1, min(int(candidates), len(usable_rows)))
    step = max(1, _BLOCK_CELLS // max(1, n_m))

    # First restriction: each mentee's k best mentors with capacity, and each such
    # mentor's best mentees (so that less popular mentors have candidates too).
    n_u = len(usable_rows)
    l_mentor = min(n_e, MENTOR_CANDIDATES)
    parts: list[NDArray[np.int64]] = []
    n_eligible = 0
    s_max = -1
    for lo in range(0, n_e, step):
        hi = min(n_e, lo + step)
        src = sc[:, lo:hi] if n_u == n_m else sc[usable_rows, lo:hi]
        block = np.empty((hi - lo, n_u))  # mentee-major: each mentee's row is contiguous
        np.multiply(src.T, scale, out=block)
        np.rint(block, out=block)  # NaN stays NaN
        ok = ~np.isnan(block)
        n_ok = int(ok.sum())
        if n_ok == 0:
            continue
        n_eligible += n_ok
        s_max = max(s_max, int(np.max(block, where=ok, initial=-1)))
        block[~ok] = -1.0  # below every score: never chosen over an eligible pair
        if k < n_u:
            top = np.argpartition(block, n_u - k, axis=1)[:, n_u - k :]
        else:
            top = np.broadcast_to(np.arange(n_u)[None, :], block.shape)
        keep = np.take_along_axis(block, top, axis=1) >= 0
        rows = np.broadcast_to(np.arange(lo, hi, dtype=np.int64)[:, None], top.shape)
        parts.append(usable_rows[top[keep]] * n_e + rows[keep])
    if l_mentor > 0:
        rstep = max(1, _BLOCK_CELLS // max(1, n_e))
        for r0 in range(0, n_u, rstep):
            sel = usable_rows[r0 : r0 + rstep]
            block = sc[sel]
            block = np.where(np.isnan(block), -1.0, block)
            if l_mentor < n_e:
                top = np.argpartition(block, n_e - l_mentor, axis=1)[:, n_e - l_mentor :]
            else:
                top = np.broadcast_to(np.arange(n_e)[None, :], block.shape)
            keep = np.take_along_axis(block, top, axis=1) >= 0
            rows = np.broadcast_to(sel[:, None], top.shape)
            parts.append(rows[keep] * n_e + top[keep])
    keys = unique_sorted(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    first_mi, first_ei = np.divmod(keys, n_e)
    first = (first_mi.astype(np.int32), first_ei.astype(np.int32),
             np.rint(sc[first_mi, first_ei] * scale).astype(np.int64))  # fmt: skip
    del keys, parts
    stats.pairs_eligible = n_eligible
    stats.timed("first restriction", t0)
    if n_eligible == 0:
        return []
    weights = _Weights(maximize_matches, slots, s_max, 0 if multi is None else n_e)
    if weights.top >= _EXACT_FLOAT:  # pragma: no cover - astronomically large input
        stats.rounds, stats.pairs_solved = 1, n_eligible
        return solve_optimal_full(
            mentors, mentees, cap, sc, maximize_matches,
            mentee_capacity=mentee_capacity, track=track, mentee_held=mentee_held,
        )  # fmt: skip

    v_blocked = np.full(n_m, np.inf)
    track_rows = None if multi is None or multi.track is None else multi.track
    n_t = 0 if multi is None else multi.n_tracks

    def u_block(u: NDArray[np.float64], lo: int, hi: int) -> NDArray[np.float64]:
        """Each pair's ``u`` for mentees ``lo:hi``: a row, or a matrix with tracks."""
        if multi is None:
            return u[None, lo:hi]
        mentee_u = u[1 + lo : 1 + hi]  # node potentials: mentee j is node j + 1
        if track_rows is None:
            return mentee_u[None, :]
        base = n_e + n_m + 2
        per_track = u[base:].reshape(n_e, n_t)[lo:hi].T  # (track, mentee)
        return np.where(
            track_rows[:, None] >= 0, per_track[np.maximum(track_rows, 0)], mentee_u[None, :]
        )

    def price(
        u: NDArray[np.float64],
        v: NDArray[np.float64],
        taken: tuple[NDArray[np.int32], NDArray[np.int32]],
    ) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int64]]:
        v_all = v_blocked.copy()
        v_all[usable_rows] = v[usable_rows]  # mentors without capacity never price in
        found: list[tuple[NDArray[Any], ...]] = []
        for lo in range(0, n_e, step):
            hi = min(n_e, lo + step)
            # In place, one temporary: w = round(score * scale) * mult + add, then
            # w - u - v; every value is an integer below 2**52, so exact.
            block = np.multiply(sc[:, lo:hi], scale)
            np.rint(block, out=block)
            if weights.mult != 1:
                block *= weights.mult
            block += weights.add
            ub = u_block(u, lo, hi)
            block -= ub
            block -= v_all[:, None]
            if multi is not None:  # chosen pairs are in the network already
                here = (taken[1] >= lo) & (taken[1] < hi)
                block[taken[0][here], taken[1][here] - lo] = -np.inf
            violating = block > 0  # NaN (ineligible) compares False
            count = violating.sum(axis=0)
            heavy = np.flatnonzero(count > k)
            if len(heavy):
                # Only the k most violated pairs of a mentee can be added: select them
                # here, so that a round with many violations stays cheap.
                violating[:, heavy] = False
                sub = block[:, heavy]
                top = np.argpartition(np.nan_to_num(-sub, nan=np.inf), k - 1, axis=0)[:k]
                violating[top, heavy[None, :]] = True
            rows, cols = np.nonzero(violating)
            if len(rows):
                excess = block[rows, cols]
                w = excess + np.broadcast_to(ub, block.shape)[rows, cols] + v_all[rows]
                found.append((rows.astype(np.int32), (cols + lo).astype(np.int32),
                              np.rint((w - weights.add) / weights.mult).astype(np.int64),
                              -excess))  # fmt: skip
        if not found:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, np.zeros(0, dtype=np.int64)
        rows_, cols_, s_, red_ = (np.concatenate(parts) for parts in zip(*found, strict=True))
        return _most_negative_per_mentee(rows_, cols_, s_, red_, k)

    try:
        return _restricted_solve(n_m, n_e, cap, first, price, weights, stats, multi)
    except _Inexact:  # pragma: no cover - astronomically large input
        stats.rounds, stats.pairs_solved, stats.proven = 1, n_eligible, False
        return solve_optimal_full(
            mentors, mentees, cap, sc, maximize_matches,
            mentee_capacity=mentee_capacity, track=track, mentee_held=mentee_held,
        )  # fmt: skip


#: :func:`solve_optimal_any` solves on every pair at once up to this many times the
#: restricted solver's first set of pairs (``CANDIDATES`` per mentee and
#: ``MENTOR_CANDIDATES`` per mentor). Measured at 2,000 x 400 (max-matches and
#: max-score on one matrix cut at several thresholds): one flow on every pair took
#: 0.04 s against 0.18 s for the restricted solve at 88,000 pairs, 0.13 s against
#: 0.19 s at 286,000 (4.2 times that first set), about as long at 370,000, and 0.29 s
#: against 0.18 s at 565,000.
FULL_RATIO = 4


def solve_optimal_any(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    maximize_matches: bool = True,
    *,
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None = None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None = None,
    mentee_held: NDArray[np.bool_] | Sequence[bool] | None = None,
) -> list[tuple[int, int]]:
    """An optimum of :func:`solve_optimal_dense`'s problem, for callers that read only
    what every optimum shares: its counts (pairs, mentees with a mentor) and its total
    of ``round(score * SCALE)``.

    With few eligible pairs (at most :data:`FULL_RATIO` times the restricted solver's
    first set) it is one min-cost flow over all of them (:func:`solve_optimal_full`,
    exact with nothing to prove), measured faster there than the restricted solve and
    its proof; otherwise, or when the scores would be scaled below :data:`SCALE`, it
    is :func:`solve_optimal_dense` itself. Among equally good matchings it may choose
    other pairs than :func:`solve_optimal_dense`: never use it for pairs that are shown.
    """
    n_m, n_e = len(mentors), len(mentees)
    cap = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    args = (mentors, mentees, capacity, score, maximize_matches)
    kwargs: dict[str, Any] = {
        "mentee_capacity": mentee_capacity, "track": track, "mentee_held": mentee_held
    }  # fmt: skip
    if sc.shape == (n_m, n_e) and cap.shape == (n_m,) and n_m and n_e:
        open_rows = sc[cap > 0]
        n_pairs = int(np.count_nonzero(~np.isnan(open_rows)))
        first = CANDIDATES * n_e + MENTOR_CANDIDATES * n_m
        multi = _multi_of(mentee_capacity, track, n_e, n_m, mentee_held)
        slots = n_e if multi is None else multi.slots
        mult = 1 if maximize_matches and multi is None else slots + 1
        extra = 0 if multi is None else n_e * multi.n_tracks
        top = float(np.fmax.reduce(open_rows, axis=None, initial=-np.inf))
        if n_pairs <= FULL_RATIO * first and _scale(n_m, n_e, mult, top, extra) == SCALE:
            return solve_optimal_full(*args, **kwargs)
    return solve_optimal_dense(*args, **kwargs)


def solve_optimal(
    instance: Instance, *, maximize_matches: bool = True, candidates: int = CANDIDATES
) -> Assignment:
    """Exact optimal assignment via min-cost flow.

    With ``maximize_matches=True`` (default) the objective is lexicographic: the
    largest possible number of matched mentees, then the largest total score among
    matchings of that size. With ``False`` only the total score is maximised; among
    equally scoring matchings the one with most pairs is returned (so pairs with
    score 0 are included when they fit without displacing anything). With
    :attr:`Instance.mentee_capacity` and :attr:`Instance.tracks`, see
    :func:`solve_optimal_dense`: no mentee gets a second mentor while another who
    could have one has none.

    Guarantees: optimal with respect to scores rounded to 1/:data:`SCALE`
    (exact for scores with at most 6 decimals; otherwise the total is within
    ``n_mentees / (2 * SCALE)`` of the true optimum), proven against every eligible
    pair as :func:`solve_optimal_dense` does (``candidates`` is its restriction
    size; any value gives the same optimum). Deterministic: ids are sorted before
    the network is built, so the same instance - whatever the order of its tuples
    and dicts - always yields the same pairs, even when several optimal matchings
    exist (which of those is chosen is not otherwise specified).
    """
    coo = _to_coo(instance)
    score = np.full((len(coo.mentors), len(coo.mentees)), np.nan)
    score[coo.mentor_idx, coo.mentee_idx] = coo.score
    pairs = solve_optimal_dense(
        coo.mentors,
        coo.mentees,
        coo.capacity,
        score,
        maximize_matches,
        candidates=candidates,
        mentee_capacity=coo.mentee_capacity,
        track=coo.track,
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
    multi: _Multi | None = None,
) -> list[tuple[int, int]]:
    """Mentee-proposing deferred acceptance over index arrays.

    With ``multi``, many-to-many: see :func:`_stable_multi`.

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
    if multi is not None:
        return _stable_multi(
            multi, next_k, end_k, cap, held, prop_mentor.tolist(), prop_score.tolist(),
            None if prop_mrank is None else prop_mrank.tolist(),
        )  # fmt: skip
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


def _stable_multi(
    multi: _Multi,
    next_k: list[int],
    end_k: list[int],
    cap: list[int],
    held: list[list[tuple[int, float, int]]],
    prop_mentor: list[int],
    prop_score: list[float],
    prop_mrank: list[int] | None,
) -> list[tuple[int, int]]:
    """Many-to-many deferred acceptance: each mentee proposes until they hold as many
    mentors as their capacity, never two of one track.

    ``next_k[e]:end_k[e]`` is mentee ``e``'s list, best first. A mentee walks it once; a
    mentor whose track the mentee already holds is put aside in that track's queue
    (in list order) rather than proposed to. When a mentor lets the mentee go, the
    mentee's next choice is the head of a queue of a track they no longer hold (it
    comes before anything not yet walked), else the walk goes on. That is the mentee's
    most preferred set among mentors who have not refused them, under "at most
    ``cap`` mentors, one per track": a greedy choice on a matroid, so preferences are
    substitutable and the outcome is stable (Hatfield and Milgrom's cumulative offer
    process reduces to this when nobody is refused twice).
    """
    from collections import deque

    n_mentees = len(next_k)
    want: list[int] = multi.cap.tolist()
    track: list[int] = [-1] * len(cap) if multi.track is None else multi.track.tolist()
    count = [0] * n_mentees
    holding: list[set[int]] = [set() for _ in range(n_mentees)]  # tracks held
    aside: list[dict[int, deque[int]]] = [{} for _ in range(n_mentees)]
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    stack = list(range(n_mentees - 1, -1, -1))
    while stack:
        e = stack.pop()
        while count[e] < want[e]:
            k = -1
            queues = aside[e]
            if queues:
                best = None
                for t, q in queues.items():
                    if q and t not in holding[e] and (best is None or q[0] < queues[best][0]):
                        best = t
                if best is not None:
                    k = queues[best].popleft()
            if k < 0:
                while next_k[e] < end_k[e]:
                    c = next_k[e]
                    next_k[e] += 1
                    t = track[prop_mentor[c]]
                    if t >= 0 and t in holding[e]:
                        queues.setdefault(t, deque()).append(c)
                        continue
                    k = c
                    break
            if k < 0:
                break  # nobody left to ask
            m = prop_mentor[k]
            item = (0 if prop_mrank is None else -prop_mrank[k], prop_score[k], -e)
            h = held[m]
            if len(h) < cap[m]:
                heappush(h, item)
            elif item > h[0]:
                out = -heapreplace(h, item)[2]
                count[out] -= 1
                if track[m] >= 0:
                    holding[out].discard(track[m])
                stack.append(out)
            else:
                continue  # refused: ask the next
            count[e] += 1
            if track[m] >= 0:
                holding[e].add(track[m])
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

    Mentees with a capacity above 1 (:attr:`Instance.mentee_capacity`) propose until
    they hold that many mentors, at most one per track (:attr:`Instance.tracks`): a
    many-to-many deferred acceptance. Each mentee ranks sets of mentors responsively
    (a set is better if it is better mentor by mentor, limited to their capacity and
    to one mentor per track), each mentor ranks mentees as above. Guarantee: no
    blocking pair in the many-to-many sense - no mentor and mentee, not paired, where
    the mentee would take the mentor (into a free place, or instead of a mentor they
    like less: the one of the same track if they have one) and the mentor would take
    the mentee (a free place, or instead of their least preferred mentee); see
    :func:`blocking_pairs`. The result is the mentee-optimal stable matching and
    does not depend on input order.
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
        None if coo.mentee_capacity is None else _Multi(coo.mentee_capacity, coo.track),
    )
    return _make_assignment(instance, coo, pairs)


def solve_stable_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    *,
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None = None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None = None,
) -> list[tuple[int, int]]:
    """Mentee-optimal stable matching on dense arrays (no explicit lists).

    Both sides rank by descending score, ties by index; see :func:`solve_stable`
    (also for ``mentee_capacity`` and ``track``). Returns sorted ``(mentor_index,
    mentee_index)`` pairs.
    """
    multi = _multi_of(mentee_capacity, track, len(mentees), len(mentors))
    cap, mi, ei, vals = _dense_to_coo(len(mentors), len(mentees), capacity, score)
    return _stable_core(len(mentors), len(mentees), cap, mi, ei, vals, multi=multi)


# -------------------------------------------------------------------------- greedy


def _greedy_core(
    capacity: NDArray[np.int64],
    n_mentees: int,
    mentor_idx: NDArray[np.int32],
    mentee_idx: NDArray[np.int32],
    score: NDArray[np.float64],
    multi: _Multi | None = None,
) -> list[tuple[int, int]]:
    """Best pairs first: descending score, ties by (mentor index, mentee index)."""
    cap = capacity.tolist()
    want: list[int] = [1] * n_mentees if multi is None else multi.cap.tolist()
    track: list[int] | None = None if multi is None or multi.track is None else multi.track.tolist()
    used: set[tuple[int, int]] = set()  # (mentee, track) pairs taken
    remaining_slots = sum(min(c, n_mentees) for c in cap)
    n_left = sum(want)
    order = np.lexsort((mentee_idx, mentor_idx, -score))
    pairs: list[tuple[int, int]] = []
    chunk = 1 << 16
    for start in range(0, len(order), chunk):
        if remaining_slots == 0 or n_left == 0:
            break
        sel = order[start : start + chunk]
        for m, e in zip(mentor_idx[sel].tolist(), mentee_idx[sel].tolist(), strict=True):
            if cap[m] > 0 and want[e] > 0:
                if track is not None and track[m] >= 0:
                    if (e, track[m]) in used:
                        continue
                    used.add((e, track[m]))
                cap[m] -= 1
                want[e] -= 1
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
    ascending; a pair is kept if the mentee still has a place (one, or their
    :attr:`Instance.mentee_capacity`; never two mentors of one track) and the mentor has
    capacity left. Deterministic and independent of input order. Not optimal in
    general (neither in matches nor in total score).
    """
    coo = _to_coo(instance)
    multi = None if coo.mentee_capacity is None else _Multi(coo.mentee_capacity, coo.track)
    pairs = _greedy_core(
        coo.capacity, len(coo.mentees), coo.mentor_idx, coo.mentee_idx, coo.score, multi
    )
    return _make_assignment(instance, coo, pairs)


def solve_greedy_dense(
    mentors: Sequence[str],
    mentees: Sequence[str],
    capacity: NDArray[np.integer] | Sequence[int],
    score: NDArray[np.floating],
    *,
    mentee_capacity: NDArray[np.integer] | Sequence[int] | None = None,
    track: NDArray[np.integer] | Sequence[int | str | None] | None = None,
) -> list[tuple[int, int]]:
    """Greedy on dense arrays (NaN = ineligible); ties by (mentor index, mentee index),
    as :func:`solve_greedy` breaks them by id when the ids are given sorted (also for
    ``mentee_capacity`` and ``track``).

    The same pairs as taking every eligible pair in order of descending score, but
    only the pairs that can still matter are ever looked at: pairs come in bands of
    descending score (``upper > score >= lower``, with ``lower`` read off a fixed,
    strided sample of the matrix so that a band holds a few times as many pairs as
    there are mentees), each band is gathered in one vectorised pass over the rows of
    mentors who still have capacity and the columns of mentees still unmatched, and
    sorted; a plain loop then takes its pairs in order. It stops as soon as no
    mentor has capacity, every mentee is matched, or no band is left. Returns sorted
    index pairs.
    """
    cap_arr = np.asarray(capacity, dtype=np.int64)
    sc = np.asarray(score, dtype=np.float64)
    n_m, n_e = len(mentors), len(mentees)
    if sc.shape != (n_m, n_e):
        raise MatchingError(f"score matrix has shape {sc.shape}, expected {(n_m, n_e)}")
    if cap_arr.shape != (n_m,):
        raise MatchingError(f"capacity has shape {cap_arr.shape}, expected {(n_m,)}")
    if n_m == 0 or n_e == 0:
        return []
    multi = _multi_of(mentee_capacity, track, n_e, n_m)
    want: list[int] = [1] * n_e if multi is None else multi.cap.tolist()
    tracks: list[int] | None = (
        None if multi is None or multi.track is None else multi.track.tolist()
    )
    used: set[tuple[int, int]] = set()  # (mentee, track) pairs taken
    slots_each = 1 if multi is None else int(multi.cap.max(initial=0))
    cap: list[int] = np.clip(cap_arr, 0, n_e * slots_each).tolist()
    slots, left = sum(cap), sum(want)
    mentor_open = np.asarray(cap, dtype=np.int64) > 0
    mentee_open = np.asarray(want, dtype=np.int64) > 0
    # A strided sample of the cells estimates how far down each band must reach.
    stride = max(1, (n_m * n_e) // 65_536)
    cells = np.arange(0, n_m * n_e, stride, dtype=np.int64)
    sample = sc.reshape(-1)[cells]
    ok = ~np.isnan(sample)
    sample, sample_m, sample_e = sample[ok], *np.divmod(cells[ok], n_e)
    del cells, ok
    rows_per_block = max(1, (1 << 20) // n_e)
    band = max(4 * n_e, 1024)
    upper = np.inf
    pairs: list[tuple[int, int]] = []
    while slots and left:
        live = (sample < upper) & mentor_open[sample_m] & mentee_open[sample_e]
        below = sample[live]
        q = -(-band // stride)  # sampled cells that stand for about `band` cells
        lower = -np.inf if q >= len(below) else float(-np.partition(-below, q - 1)[q - 1])
        band *= 2  # popular mentors fill up: look further ahead each round
        found_m: list[NDArray[np.int64]] = []
        found_e: list[NDArray[np.int64]] = []
        found_v: list[NDArray[np.float64]] = []
        for r0 in range(0, n_m, rows_per_block):
            r1 = min(n_m, r0 + rows_per_block)
            open_rows = mentor_open[r0:r1]
            if not open_rows.any():
                continue
            block = sc[r0:r1]
            take = block >= lower
            take &= block < upper
            take &= mentee_open[None, :]
            take[~open_rows] = False
            r, c = np.nonzero(take)
            if len(r):
                found_m.append(r + r0)
                found_e.append(c)
                found_v.append(block[r, c])
        if found_m:
            ms, es, vs = (np.concatenate(x) for x in (found_m, found_e, found_v))
            order = np.lexsort((es, ms, -vs))
            for m, e in zip(ms[order].tolist(), es[order].tolist(), strict=True):
                if cap[m] > 0 and want[e] > 0:
                    if tracks is not None and tracks[m] >= 0:
                        if (e, tracks[m]) in used:
                            continue
                        used.add((e, tracks[m]))
                    cap[m] -= 1
                    want[e] -= 1
                    pairs.append((m, e))
                    slots -= 1
                    left -= 1
                    if not slots or not left:
                        break
            mentor_open = np.asarray(cap, dtype=np.int64) > 0
            mentee_open = np.asarray(want, dtype=np.int64) > 0
        if lower == -np.inf:
            break
        upper = lower
    pairs.sort()
    return pairs


# ----------------------------------------------------------------------- stability


def blocking_pairs(instance: Instance, assignment: Assignment) -> list[tuple[str, str]]:
    """Eligible ``(mentor, mentee)`` pairs that would rather be together, sorted.

    A pair blocks when the mentee is unmatched or prefers the mentor to their
    current one, and the mentor has a free slot or prefers the mentee to their
    worst assigned mentee. Preferences are those of :func:`solve_stable`. The
    assignment is assumed to be valid for ``instance``.

    Many-to-many (mentee capacities, tracks): the mentee side holds when the mentor is
    among the mentee's best choice from their mentors plus this one, at most their
    capacity and one per track (into a free place, or replacing one they like less).
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

    mentors_of: dict[str, list[str]] = {}
    assigned: dict[str, list[str]] = {}
    for m, e in assignment.pairs:
        mentors_of.setdefault(e, []).append(m)
        assigned.setdefault(m, []).append(e)
    worst: dict[str, tuple[int, float, str]] = {
        m: max(mentor_key(m, e) for e in es) for m, es in assigned.items()
    }

    def mentee_takes(m: str, e: str) -> bool:
        """Whether ``m`` is in ``e``'s best set from their mentors and ``m``."""
        room = instance.mentee_capacity.get(e, 1)
        held: set[str] = set()
        for other in sorted([*mentors_of.get(e, []), m], key=lambda x: mentee_key(x, e)):
            t = instance.tracks.get(other)
            if room == 0 or (t is not None and t in held):
                if other == m:
                    return False
                continue
            if other == m:
                return True
            room -= 1
            if t is not None:
                held.add(t)
        return False  # pragma: no cover - m is always in the list

    out: list[tuple[str, str]] = []
    for m, e in scores:
        if m in mentors_of.get(e, ()):
            continue
        if not mentee_takes(m, e):
            continue
        cap = instance.capacity.get(m, 0)
        if len(assigned.get(m, ())) < cap or (m in worst and mentor_key(m, e) < worst[m]):
            out.append((m, e))
    out.sort()
    return out
