"""Peer mentoring (``format: peer``): pairs, or one trio, inside one pool of people.

Everyone enrolled is in the pool, whatever their role. Two people may pair when every
hard constraint holds in *both* directions (each mentors the other: eligibility, the
management chain both ways, ``exclude_same_manager``, ``require_same``/``different``,
earlier pairs, forbidden pairs either way round); their score is the mean of the two
directions' scores (so it is symmetric), and ``min_score`` applies to that mean.

Guarantee (``mode: optimal``, the default): the pairs are an exact maximum-weight
matching of the pool's compatibility graph. With ``objective: max-matches`` it pairs the
most people first, then has the best total score; with ``max-score`` it has the best
total score. Priority people (left unmatched last cycle) are paired first: their pairs
weigh more than any set of other pairs, as in one-to-one matching. ``prefer_previous``
adds its bonus to an earlier cycle's pair in the objective only.

The matching is solved with HiGHS through :func:`scipy.optimize.milp` on integer
weights (scores in millionths): the linear relaxation first, tightened by the blossom
(odd-set) inequalities its fractional parts violate for a few rounds, then, if still
fractional, the 0/1 program by branch and bound to a zero gap. The optimum is exact,
not approximate; the most pairs are found first and then fixed while the weight is
maximised. The graph is not bipartite, so an assignment solver does not apply, and a
pure-Python blossom algorithm (networkx) was slower here (200 people: 12 s).
``benchmarks/bench_peer.py`` measures how far it scales (``docs/matching.md`` states
the limit).

When the pool's count is odd and someone is left over who may pair with both members of
a chosen pair, the one who adds the most (their two scores) joins that pair as the
program's single trio: a step after the exact matching, not part of its optimum. A trio
is stored as two links (first -> second, second -> third, by email) so that everyone
still has at most one partner on each side of a stored match.

``mode: stable`` is refused: a stable pairing inside one pool need not exist (the stable
roommates problem). ``greedy`` (and the summary's baseline) takes the best remaining
allowed pair first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from mentorctl.enums import Mode, Objective
from mentorctl.errors import MatchingError
from mentorctl.matching.scored import Scored, reason_kind, supply_gaps
from mentorctl.matching.types import (
    MatchInput,
    Pair,
    Person,
    Proposal,
    ProposedMatch,
    Unmatched,
    rounded,
)
from mentorctl.program import Program

__all__ = ["PeerPool", "max_weight_pairs", "peer_pool", "propose_peers"]

#: Scores become integer weights in these units, so the solver compares exactly.
UNITS = 1_000_000


class PeerPool:
    """The free people of a peer program, with symmetric scores and the allowed pairs."""

    def __init__(
        self,
        people: list[Person],
        score: np.ndarray,
        allowed: np.ndarray,
        eligible: np.ndarray,
    ) -> None:
        self.people = people
        self.score = score  # symmetric mean of both directions
        self.allowed = allowed  # symmetric: every hard rule holds both ways, min_score too
        self.eligible = eligible  # as allowed, before min_score


def peer_pool(inp: MatchInput, people: Sequence[Person]) -> PeerPool:
    """Score and check every pair of ``people`` both ways (see the module docstring)."""
    from mentorctl.matching import constraints, matrix

    program = inp.program
    pool = list(people)
    raw, _ = matrix.score_matrix(program, pool, pool, with_values=False)
    raw = np.asarray(raw, dtype=np.float64)
    score = (raw + raw.T) / 2.0
    ok = constraints.allowed_matrix(
        program,
        pool,
        pool,
        people=inp.people,
        previous_pairs=_both_ways(inp.avoided_pairs),
        forbid=_both_ways(inp.forbid),
    )
    ok &= ok.T
    np.fill_diagonal(ok, False)
    eligible = ok.copy()
    floor = program.matching.constraints.min_score
    if floor is not None:
        ok &= score >= floor - constraints.MIN_SCORE_TOLERANCE
    return PeerPool(pool, score, ok, eligible)


def _both_ways(pairs: frozenset[Pair]) -> frozenset[Pair]:
    return pairs | frozenset((b, a) for a, b in pairs)


# --------------------------------------------------------------------------- solving


def max_weight_pairs(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    *,
    max_cardinality: bool = True,
) -> list[tuple[int, int]]:
    """An exact maximum-weight matching of the graph on ``n`` nodes with the given edges.

    ``weights`` are non-negative integers. With ``max_cardinality`` the matching has the
    most edges first, then the largest total weight among those. Edges ``(rows[k],
    cols[k])`` are undirected; the result lists them as ``(low, high)``, sorted.

    Each stage solves the linear relaxation and adds the blossom (odd-set) inequality of
    every odd component of the fractional edges until the solution is integral; an
    integral optimum of a relaxation is an optimum of the matching problem. Should that
    not settle in :data:`CUT_ROUNDS` rounds, the 0/1 program is solved with the cuts
    found so far, by branch and bound to a zero gap (exact either way).
    """
    from scipy.sparse import csr_array

    n_edges = len(rows)
    if n_edges == 0:
        return []
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    incidence = csr_array(
        (
            np.ones(2 * n_edges),
            (np.concatenate([rows, cols]), np.concatenate([np.arange(n_edges)] * 2)),
        ),
        shape=(n, n_edges),
    )
    cuts: list[tuple[np.ndarray, int]] = []  # (edge mask, right-hand side)
    fixed: tuple[np.ndarray, int] | None = None  # (all ones, k): exactly k pairs
    if max_cardinality:
        x = _matching_lp(incidence, rows, cols, -np.ones(n_edges), cuts, None)
        most = round(float(x.sum()))
        fixed = (np.ones(n_edges, dtype=bool), most)
        weights = np.asarray(weights, dtype=np.float64)
        if not weights.any():
            return _as_pairs(x, rows, cols)
    x = _matching_lp(incidence, rows, cols, -np.asarray(weights, dtype=np.float64), cuts, fixed)
    return _as_pairs(x, rows, cols)


#: Rounds of odd-set cuts before falling back to branch and bound.
CUT_ROUNDS = 3
_EPS = 1e-6


def _as_pairs(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> list[tuple[int, int]]:
    picked = np.nonzero(x > 0.5)[0]
    return sorted((int(min(rows[k], cols[k])), int(max(rows[k], cols[k]))) for k in picked.tolist())


def _matching_lp(
    incidence: Any,
    rows: np.ndarray,
    cols: np.ndarray,
    cost: np.ndarray,
    cuts: list[tuple[np.ndarray, int]],
    fixed: tuple[np.ndarray, int] | None,
) -> np.ndarray:
    """A 0/1 optimum of ``min cost.x`` over matchings (see :func:`max_weight_pairs`).

    ``cuts`` grows with the odd-set inequalities found (valid for every matching, so the
    caller may reuse them in a later stage).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csgraph, csr_array

    n = incidence.shape[0]

    def constraints() -> list[LinearConstraint]:
        out = [LinearConstraint(incidence, 0, 1)]
        if cuts:
            mat = np.vstack([mask for mask, _ in cuts]).astype(np.float64)
            out.append(LinearConstraint(mat, -np.inf, [rhs for _, rhs in cuts]))
        if fixed is not None:
            out.append(
                LinearConstraint(fixed[0].astype(np.float64)[np.newaxis, :], fixed[1], fixed[1])
            )
        return out

    for _ in range(CUT_ROUNDS):
        result = milp(cost, constraints=constraints(), bounds=Bounds(0, 1))
        _check(result)
        x = np.asarray(result.x)
        frac = (x > _EPS) & (x < 1 - _EPS)
        if not frac.any():
            return np.rint(x)
        graph = csr_array((np.ones(int(frac.sum())), (rows[frac], cols[frac])), shape=(n, n))
        _, label = csgraph.connected_components(graph, directed=False)
        touched = np.zeros(n, dtype=bool)
        touched[rows[frac]] = True
        touched[cols[frac]] = True
        added = 0
        for comp in np.unique(label[touched]).tolist():
            inside = label == comp
            size = int(inside.sum())
            if size % 2 == 1 and size >= 3:
                mask = inside[rows] & inside[cols]
                if float(x[mask].sum()) > (size - 1) / 2 + _EPS:  # violated: cut it off
                    cuts.append((mask, (size - 1) // 2))
                    added += 1
        if not added:
            break
    # Branch and bound, with every cut found: exact to a zero gap on integer weights.
    result = milp(
        cost,
        constraints=constraints(),
        integrality=np.ones(len(cost)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    _check(result)
    return np.rint(np.asarray(result.x))


def _check(result: object) -> None:
    if getattr(result, "status", 1) != 0 or getattr(result, "x", None) is None:
        message = getattr(result, "message", "no solution")
        raise MatchingError(f"the peer matching solver stopped: {message}")


def _greedy_pairs(weight: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int]]:
    rows, cols = np.nonzero(np.triu(allowed, 1))
    order = sorted(
        range(len(rows)), key=lambda k: (-weight[rows[k], cols[k]], int(rows[k]), int(cols[k]))
    )
    used: set[int] = set()
    out = []
    for k in order:
        a, b = int(rows[k]), int(cols[k])
        if a not in used and b not in used:
            used |= {a, b}
            out.append((a, b))
    return sorted(out)


def objective_weights(inp: MatchInput, pool: PeerPool) -> np.ndarray:
    """Integer pair weights: the score, plus the priority and ``prefer_previous`` bonuses."""
    people = [p["email"] for p in pool.people]
    weight = pool.score.copy()
    bonus = inp.program.matching.prefer_previous
    if bonus is not None and inp.previous_pairs:
        at = {e: i for i, e in enumerate(people)}
        for a, b in inp.previous_pairs:
            if a in at and b in at:
                weight[at[a], at[b]] += bonus
                weight[at[b], at[a]] += bonus
    if inp.priority:
        # One pair per person: a bound on any other set of pairs' weight makes it first.
        top = float(weight.max(initial=0.0)) * len(people) / 2 + 1.0
        flag = np.array([1.0 if e in inp.priority else 0.0 for e in people])
        weight = weight + top * (flag[:, np.newaxis] + flag[np.newaxis, :])
    return np.rint(weight * UNITS).astype(np.int64)


def solve_peers(inp: MatchInput, pool: PeerPool, mode: Mode) -> list[tuple[int, int]]:
    """Pairs of pool indices chosen by ``mode`` (see the module docstring)."""
    weight = objective_weights(inp, pool)
    if mode is Mode.GREEDY:
        return _greedy_pairs(weight, pool.allowed)
    if mode is Mode.STABLE:
        raise MatchingError(
            "peer programs match with mode optimal or greedy: a stable pairing inside one "
            "pool need not exist (the stable roommates problem)"
        )
    rows, cols = np.nonzero(np.triu(pool.allowed, 1))
    maximize = inp.program.matching.objective is Objective.MAX_MATCHES
    return max_weight_pairs(
        len(pool.people), rows, cols, weight[rows, cols], max_cardinality=maximize
    )


def add_trio(pool: PeerPool, pairs: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    """The pool's one trio: a left-over person joining the pair they add most to."""
    if len(pool.people) % 2 == 0:
        return None
    placed = {i for pair in pairs for i in pair}
    best: tuple[float, int, int, int] | None = None
    for c in range(len(pool.people)):
        if c in placed:
            continue
        for a, b in pairs:
            if pool.allowed[c, a] and pool.allowed[c, b]:
                gain = float(pool.score[c, a] + pool.score[c, b])
                key = (-gain, c, a, b)
                if best is None or key < best:
                    best = key
    if best is None:
        return None
    _, c, a, b = best
    first, second, third = sorted((a, b, c))
    return first, second, third


# --------------------------------------------------------------------------- propose


def propose_peers(inp: MatchInput, mode: Mode) -> Proposal:
    """Pair the pool of a ``format: peer`` program (see the module docstring)."""
    program = inp.program
    people = sorted(inp.people, key=lambda p: p["email"])
    dupes = sorted(e for e, n in Counter(p["email"] for p in people).items() if n > 1)
    if dupes:
        raise MatchingError(f"the roster lists {dupes[0]} twice")
    if len(people) < 2:
        raise MatchingError(f"{len(people)} people enrolled; peer matching needs at least two")
    by_email = {p["email"]: p for p in people}

    fixed: list[tuple[Pair, bool]] = []  # (pair, kept)
    broken: dict[Pair, tuple[str, ...]] = {}
    busy: Counter[str] = Counter()
    for pairs, kept in ((inp.kept, True), (inp.locks, False)):
        for a, b in sorted(set(pairs)):
            what = "match" if kept else "lock"
            for email in (a, b):
                if email not in by_email:
                    raise MatchingError(f"{what} {a} -> {b}: {email} is not enrolled")
            if a == b:
                raise MatchingError(f"{what} {a} -> {b}: nobody can pair with themself")
            if not kept and (busy[a] or busy[b]):
                raise MatchingError(f"lock {a} -> {b}: one of them is already paired")
            if not kept:
                reasons = _both_reasons(inp, by_email[a], by_email[b], by_email)
                override = inp.overrides.get((a, b))
                if reasons and override is None:
                    raise MatchingError(
                        f"lock {a} -> {b} breaks a hard constraint: {'; '.join(reasons)}; "
                        "remove the lock, or keep it with a reason (override:)"
                    )
                if reasons:
                    broken[(a, b)] = tuple(reasons)
            busy.update((a, b))
            fixed.append(((a, b), kept))
    free = [p for p in people if not busy[p["email"]]]
    pool = peer_pool(inp, free)
    chosen = solve_peers(inp, pool, mode)
    greedy = (
        chosen if mode is Mode.GREEDY else _greedy_pairs(objective_weights(inp, pool), pool.allowed)
    )
    trio = add_trio(pool, chosen)
    greedy_trio = add_trio(pool, greedy)

    matches: list[ProposedMatch] = []
    for (a, b), kept in fixed:
        m = _peer_match(program, by_email[a], by_email[b], kept=kept, locked=not kept, inp=inp)
        if (a, b) in broken:
            m = replace(m, override=inp.overrides[(a, b)], overridden=broken[(a, b)])
        matches.append(m)
    chosen_links = _links(chosen, trio)
    for x, y in chosen_links:
        matches.append(_peer_match(program, pool.people[x], pool.people[y], inp=inp))
    matches.sort(key=lambda m: (m.mentor, m.mentee))

    fixed_people = {e for (a, b), _ in fixed for e in (a, b)}
    fixed_total = sum(m.score for m in matches if m.kept or m.locked)
    greedy_links = _links(greedy, greedy_trio)
    scores = [m.score for m in matches]
    summary: dict[str, Any] = {
        "matched": len({i for link in chosen_links for i in link}) + len(fixed_people),
        "mentees": len(people),
        "mentors": len(people),
        "groups": len(chosen) + len(fixed),
        "total_score": rounded(sum(scores)),
        "mean_score": rounded(float(np.mean(scores))) if scores else 0.0,
        "lowest_score": rounded(min(scores)) if scores else 0.0,
        "greedy_matched": len({i for link in greedy_links for i in link}) + len(fixed_people),
        "greedy_total_score": rounded(
            sum(rounded(pool.score[x, y]) for x, y in greedy_links) + fixed_total
        ),
        "unmatched": 0,
    }
    if trio is not None:
        summary["trio"] = [pool.people[i]["email"] for i in trio]
    placed_now = {i for link in chosen_links for i in link}
    unmatched = [
        Unmatched(p["email"], "peer", _why_unpaired(inp, pool, i))
        for i, p in enumerate(pool.people)
        if i not in placed_now
    ]
    summary["unmatched"] = len(unmatched)
    scored = Scored(free, free, np.ones(len(free), dtype=np.int64), pool.score, pool.allowed, {})
    return Proposal(
        mode=mode,
        cycle=inp.cycle,
        matches=matches,
        unmatched=unmatched,
        summary=summary,
        supply_gaps=supply_gaps(program, scored),
    )


def _both_reasons(
    inp: MatchInput, a: Person, b: Person, by_email: Mapping[str, Person]
) -> list[str]:
    """Every hard rule the pair breaks either way round (each reason once)."""
    from mentorctl.matching import constraints

    out: list[str] = []
    for x, y in ((a, b), (b, a)):
        for r in constraints.exclusion_reasons(
            inp.program,
            x,
            y,
            people_by_email=by_email,
            previous_pairs=_both_ways(inp.avoided_pairs),
            forbid=_both_ways(inp.forbid),
        ):
            if r not in out:
                out.append(r)
    return out


def _links(
    pairs: Sequence[tuple[int, int]], trio: tuple[int, int, int] | None
) -> list[tuple[int, int]]:
    """The stored links: each pair, and a trio as first -> second -> third."""
    if trio is None:
        return list(pairs)
    first, second, third = trio
    return [p for p in pairs if not set(p) & set(trio)] + [(first, second), (second, third)]


def _why_unpaired(inp: MatchInput, pool: PeerPool, i: int) -> str:
    row = pool.allowed[i]
    if row.any():
        return f"all {int(row.sum())} eligible peer(s) are paired"
    floor = inp.program.matching.constraints.min_score
    if pool.eligible[i].any():
        return f"every eligible peer scores below min_score {floor or 0:g}"
    by_email = {p["email"]: p for p in inp.people}
    counts: Counter[str] = Counter()
    me = pool.people[i]
    for j, other in enumerate(pool.people):
        if j != i:
            for r in _both_reasons(inp, me, other, by_email)[:1]:
                counts[reason_kind(r)] += 1
    parts = [f"{k} ({n})" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "no eligible peer: " + ("; ".join(parts[:3]) or "nobody else is free")


def _peer_match(
    program: Program,
    a: Person,
    b: Person,
    *,
    kept: bool = False,
    locked: bool = False,
    inp: MatchInput | None = None,
) -> ProposedMatch:
    """A pair's match record: the mean of both directions' scores and criteria."""
    from mentorctl.matching.scoring import explain_pair

    there = explain_pair(program, a, b)
    back = explain_pair(program, b, a)
    criteria: dict[str, float | None] = {}
    for x, y in zip(there.criteria, back.criteria, strict=True):
        known = [v for v in (x.value, y.value) if v is not None]
        criteria[x.name] = rounded(sum(known) / len(known)) if known else None
    reasons = list(dict.fromkeys(there.top_reasons(1) + back.top_reasons(1)))
    if inp is not None:
        from mentorctl.matching.continuity import previous_reason

        line = previous_reason(inp, a["email"], b["email"], either_way=True)
        if line is not None:
            reasons.append(line)
    return ProposedMatch(
        mentor=a["email"],
        mentee=b["email"],
        score=rounded((there.score + back.score) / 2),
        criteria=criteria,
        reasons=reasons,
        kept=kept,
        locked=locked,
    )
