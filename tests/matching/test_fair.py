"""``objective: fair`` against exhaustive search, and the price every optimal run reports.

Fair is lexicographic: the most priority mentees and the most matches (always reached
together), then the highest lowest score, then the total. Brute force enumerates every feasible matching of small rosters
(through the engine, as a coordinator's run does) and of small score matrices (where
the flow's pricing rounds are forced by a candidate set of one pair per mentee).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Objective
from mentorctl.matching import fair
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.scored import Scored
from mentorctl.program import parse_program
from tests.matching.reference import feasible_matchings
from tests.matching.test_engine import PROGRAM, independent_instance, rosters
from tests.matching.test_many_mentors import dense, every_matching, feasible, multi_instances

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAIR = PROGRAM.replace("matching:\n", "matching:\n  objective: fair\n", 1)


def _key(scores: dict, pairs, priority=frozenset()) -> tuple:
    """(priority mentees placed, count, lowest score, total), exactly."""
    own = [Fraction(str(scores[p])) for p in pairs]
    return (
        sum(e in priority for _, e in pairs),
        len(own),
        min(own) if own else Fraction(2),
        sum(own, Fraction(0)),
    )


@SETTINGS
@given(rosters(), st.data())
def test_fair_equals_exhaustive_search_through_the_engine(roster, data) -> None:
    min_score, people = roster
    program = parse_program(FAIR.replace("MIN", min_score))
    assert program.matching.objective is Objective.FAIR
    mentees = sorted(p["email"] for p in people if p["role"] in ("mentee", "both"))
    priority = frozenset(
        data.draw(st.lists(st.sampled_from(mentees), unique=True)) if mentees else ()
    )
    try:
        result = propose(MatchInput(program=program, people=people, priority=priority))
    except Exception as exc:  # nobody to match: the engine says so, as for max-matches
        assert "nobody" in str(exc) or "no mentors" in str(exc) or "no mentees" in str(exc)
        return
    inst = independent_instance(program, people)
    pairs = tuple(sorted((m.mentor, m.mentee) for m in result.matches))
    # No hard rule broken, no capacity exceeded.
    assert all(p in inst.scores for p in pairs)
    for mentor, n in inst.capacity.items():
        assert sum(m == mentor for m, _ in pairs) <= n
    assert len({e for _, e in pairs}) == len(pairs)
    best = max(_key(inst.scores, p, priority) for p in feasible_matchings(inst))
    got = _key(inst.scores, pairs, priority)
    assert got[:3] == best[:3]
    assert abs(float(got[3] - best[3])) < 1e-5
    # Every optimal run reports the price: here fair's own figures and max-matches'.
    price = result.tradeoffs
    assert price is not None and price["objective"] == "fair"
    assert price["fairness"]["fair"]["matched"] == len(pairs)
    if pairs:
        assert price["fairness"]["fair"]["lowest_score"] == float(got[2])
        mm = price["fairness"]["max_matches"]
        best_mm = max(
            (sum(e in priority for _, e in p), len(p), _key(inst.scores, p)[3])
            for p in feasible_matchings(inst)
        )
        assert mm["matched"] == best_mm[1]
        assert mm["lowest_score"] <= price["fairness"]["fair"]["lowest_score"]


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_m, n_e = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    capacity = np.array([draw(st.integers(0, 2)) for _ in range(n_m)], dtype=np.int64)
    cells = st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.2, 0.35, 0.5, 0.8, 0.9, 1.0]))
    raw = np.array([[draw(cells) for _ in range(n_e)] for _ in range(n_m)], dtype=object)
    score = np.array([[np.nan if v is None else v for v in row] for row in raw], dtype=float)
    return score, capacity


def _exhaustive(score: np.ndarray, capacity: np.ndarray, waiting: frozenset[int]) -> tuple:
    n_m, n_e = score.shape
    best = None
    for choice in itertools.product(range(-1, n_m), repeat=n_e):
        pairs = [(i, j) for j, i in enumerate(choice) if i >= 0]
        if any(np.isnan(score[i, j]) for i, j in pairs):
            continue
        if any(sum(i == m for i, _ in pairs) > capacity[m] for m in range(n_m)):
            continue
        own = [Fraction(str(score[i, j])) for i, j in pairs]
        placed = sum(j in waiting for _, j in pairs)
        key = (placed, len(own), min(own) if own else Fraction(2), sum(own, Fraction(0)))
        best = key if best is None else max(best, key)
    return best


@SETTINGS
@given(matrices(), st.sampled_from([1, 8]), st.sets(st.integers(0, 4)))
def test_fair_on_score_matrices_equals_exhaustive_search(case, candidates, waiting) -> None:
    """With one pair per mentee in the flow's first set, the cut proof must add the rest;
    some mentees are priority mentees (their own flow, with its own cut)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fair, "_CANDIDATES", candidates)
        _check_matrix(*case, frozenset(waiting))


def _check_matrix(score: np.ndarray, capacity: np.ndarray, waiting: frozenset[int]) -> None:
    s, inp = _matrix_case(score, capacity, waiting, FAIR)
    n_m = score.shape[0]
    found = fair.solve_fair(s, inp)
    assert all(not np.isnan(score[i, j]) for i, j in found.pairs)
    for m in range(n_m):
        assert sum(i == m for i, _ in found.pairs) <= capacity[m]
    assert len({j for _, j in found.pairs}) == len(found.pairs)
    own = [Fraction(str(score[i, j])) for i, j in found.pairs]
    placed = sum(j in waiting for _, j in found.pairs)
    got = (placed, len(own), min(own) if own else Fraction(2), sum(own, Fraction(0)))
    best = _exhaustive(score, capacity, waiting)
    assert got[:3] == best[:3]
    assert abs(float(got[3] - best[3])) < 1e-9
    assert found.bottleneck == (float(got[2]) if own else None)


def test_priority_price_is_told_with_and_without_the_rule() -> None:
    """One free mentor, two mentees: the priority mentee (score 0) takes it from the one
    scoring 0.5; the price says what the rule costs."""
    from tests.matching.test_priority import person

    program = parse_program(PROGRAM.replace("MIN", "null").replace("weight: 2}", "weight: 1}"))
    mentor = person(
        "m@x.org", "mentor", department="x", level="L3", tenure_months=24,
        answers={"offers": ["a"]},
    )  # fmt: skip
    waited = person(
        "waited@x.org", "mentee", department="x", level="L4", timezone="Asia/Tokyo",
        tenure_months=200, answers={"wants": ["d"]},
    )  # fmt: skip
    rival = person("rival@x.org", "mentee", answers={"wants": ["a"]})
    result = propose(
        MatchInput(
            program=program,
            people=[mentor, waited, rival],
            priority=frozenset({"waited@x.org"}),
        )
    )
    p = result.tradeoffs["priority"]
    assert p["priority_mentees"] == 1
    assert p["with_priority"]["priority_matched"] == 1
    assert p["without_priority"]["priority_matched"] == 0
    assert p["with_priority"]["total_score"] == 0.0
    assert p["without_priority"]["total_score"] > 0
    assert p["total_score_change"] == -1.0
    lines = fair.describe(result.tradeoffs)
    assert lines[-1] == (
        "priority rule: 1 of 1 mentee(s) left unmatched last cycle placed (0 without the "
        "rule); the total falls by 100.0% for it"
    )
    # No priority mentee among those placed: no priority figures.
    plain = propose(MatchInput(program=program, people=[mentor, waited, rival]))
    assert plain.tradeoffs["priority"] is None


@SETTINGS
@given(multi_instances())
def test_fair_with_mentee_capacities_and_tracks_equals_brute_force(inst) -> None:
    """Several mentors per mentee, at most one per track: the flow is only a relaxation
    there, and the exact solver has the last word."""
    mentors, mentees, cap, score, mentee_cap, tracks = dense(inst)
    s = Scored(
        mentors=[{"email": m} for m in mentors],
        mentees=[{"email": e} for e in mentees],
        capacity=np.array(cap, dtype=np.int64),
        raw=np.nan_to_num(score, nan=0.0),
        allowed=~np.isnan(score),
        ineligible={},
        mentee_capacity=np.array(mentee_cap, dtype=np.int64),
        track=tracks if any(t is not None for t in tracks) else None,
    )
    program = parse_program(FAIR.replace("MIN", "null"))
    found = fair.solve_fair(s, MatchInput(program=program, people=[]))
    pairs = tuple(sorted((mentors[i], mentees[j]) for i, j in found.pairs))
    assert feasible(inst, pairs)

    def key(p) -> tuple:
        own = [Fraction(str(inst.scores[x])) for x in p]
        low = min(own) if own else Fraction(2)
        return (len(p), len({e for _, e in p}), low, sum(own, Fraction(0)))

    got, best = key(pairs), max(key(p) for p in every_matching(inst))
    assert got[:3] == best[:3]
    assert abs(float(got[3] - best[3])) < 1e-9


def _max_flow_everywhere(score: np.ndarray, capacity: np.ndarray, t: int) -> int:
    """The reference: SciPy's maximum flow over every allowed pair scoring >= t."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n_m, n_e = score.shape
    sink = n_m + n_e + 1
    rows, cols, caps = [], [], []
    for i in range(n_m):
        rows.append(0), cols.append(i + 1), caps.append(int(min(capacity[i], n_e)))
        for j in range(n_e):
            if not np.isnan(score[i, j]) and round(score[i, j] * 10**6) >= t:
                rows.append(i + 1), cols.append(n_m + 1 + j), caps.append(1)
    for j in range(n_e):
        rows.append(n_m + 1 + j), cols.append(sink), caps.append(1)
    graph = csr_matrix(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))),
        shape=(sink + 1, sink + 1),
    )
    return int(maximum_flow(graph, 0, sink).flow_value)


@SETTINGS
@given(matrices(), st.sampled_from([1, 8]), st.data())
def test_count_flow_probe_equals_a_full_maximum_flow(case, candidates, data) -> None:
    """The search's probe (OR-tools, on a restricted set of pairs proven by its minimum
    cut) answers as a maximum flow over every pair does."""
    score, capacity = case
    s, _ = _matrix_case(score, capacity, frozenset())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fair, "_CANDIDATES", candidates)
        flow = fair._CountFlow(s, s.raw, [])
        values = sorted({round(v * 10**6) for v in score[~np.isnan(score)].tolist()} | {0})
        t = data.draw(st.sampled_from(values))
        best = _max_flow_everywhere(score, capacity, t)
        for n in (max(best - 1, 0), best, best + 1):
            assert flow.reaches(t, n) == (n <= best), (t, n, best)


MAX_SCORE = PROGRAM.replace("matching:\n", "matching:\n  objective: max-score\n", 1)


@SETTINGS
@given(rosters(), st.data())
def test_max_score_price_needs_no_solve_when_no_matching_has_more_pairs(roster, data) -> None:
    """A max-score run whose answer already has the most pairs reports the very price
    that solving max-matches again gives (the flow only skips that solve)."""
    min_score, people = roster
    program = parse_program(MAX_SCORE.replace("MIN", min_score))
    mentees = sorted(p["email"] for p in people if p["role"] in ("mentee", "both"))
    priority = frozenset(
        data.draw(st.lists(st.sampled_from(mentees), unique=True)) if mentees else ()
    )
    inp = MatchInput(program=program, people=people, priority=priority)
    try:
        quick = propose(inp)
    except Exception as exc:  # nobody to match
        assert "nobody" in str(exc) or "no mentors" in str(exc) or "no mentees" in str(exc)
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fair, "_most_pairs", lambda flow, chosen: False)  # always solve
        solved = propose(inp)
    assert quick.tradeoffs == solved.tradeoffs


def _matrix_case(
    score: np.ndarray, capacity: np.ndarray, waiting: frozenset[int], text: str = MAX_SCORE
) -> tuple[Scored, MatchInput]:
    """A score matrix (NaN: not allowed) as the solvers' input, under program ``text``."""
    program = parse_program(text.replace("MIN", "null"))
    n_m, n_e = score.shape
    s = Scored(
        mentors=[{"email": f"m{i}@x.org"} for i in range(n_m)],
        mentees=[{"email": f"e{j}@x.org"} for j in range(n_e)],
        capacity=capacity,
        raw=np.nan_to_num(score, nan=0.0),
        allowed=~np.isnan(score),
        ineligible={},
    )
    priority = frozenset(f"e{j}@x.org" for j in waiting)
    return s, MatchInput(program=program, people=[], priority=priority)


@SETTINGS
@given(matrices(), st.sets(st.integers(0, 4)))
def test_max_score_price_with_and_without_the_flow_shortcut(case, waiting) -> None:
    from dataclasses import replace

    from mentorctl.enums import Mode
    from mentorctl.matching.scored import solve

    s, inp = _matrix_case(*case, frozenset(waiting))
    chosen = solve(Mode.OPTIMAL, s, inp)
    quick = fair.tradeoffs(replace(s), inp, chosen)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fair, "_most_pairs", lambda flow, chosen: False)
        solved = fair.tradeoffs(replace(s), inp, chosen)
    assert quick == solved


def test_max_score_with_fewer_pairs_still_solves_max_matches() -> None:
    """max-score keeps the one 1.0 pair; max-matches makes two pairs of 0.1."""
    from mentorctl.enums import Mode
    from mentorctl.matching.scored import solve

    nan = np.nan
    s, inp = _matrix_case(np.array([[1.0, 0.1], [0.1, nan]]), np.array([1, 1]), frozenset())
    chosen = solve(Mode.OPTIMAL, s, inp)
    assert len(chosen) == 1
    price = fair.tradeoffs(s, inp, chosen)
    assert price["fairness"]["max_matches"] == {
        "matched": 2,
        "lowest_score": 0.1,
        "total_score": 0.2,
    }
