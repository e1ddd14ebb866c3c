"""Tests for :mod:`mentorctl.matching.solvers`: properties, references, worked examples."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.errors import MatchingError
from mentorctl.matching.solvers import (
    Assignment,
    Instance,
    OptimalStats,
    blocking_pairs,
    check_instance,
    solve_greedy,
    solve_greedy_dense,
    solve_optimal,
    solve_optimal_dense,
    solve_optimal_full,
    solve_stable,
    solve_stable_dense,
)

from .reference import (
    banded_greedy_dense,
    exact_total,
    exhaustive_optima,
    feasible_matchings,
    lsa_optimum,
    textbook_blocking_pairs,
    textbook_deferred_acceptance,
)
from .strategies import dense_instances, instances, shuffled

PROPS = settings(max_examples=200, deadline=None)

SOLVERS = {
    "optimal": solve_optimal,
    "optimal-score": lambda inst: solve_optimal(inst, maximize_matches=False),
    "stable": solve_stable,
    "greedy": solve_greedy,
}


def assert_valid(inst: Instance, result: Assignment) -> None:
    """Eligible pairs only, capacities respected, mentees once, sorted, exact total."""
    assert list(result.pairs) == sorted(set(result.pairs))
    mentees = [e for _, e in result.pairs]
    assert len(mentees) == len(set(mentees))
    for pair in result.pairs:
        assert pair in inst.scores
    for m in inst.mentors:
        assert sum(1 for mm, _ in result.pairs if mm == m) <= inst.capacity[m]
    total = 0.0
    for pair in result.pairs:
        total += inst.scores[pair]
    assert result.total_score == total
    assert result.n_matched == len(result.pairs)


def make(
    capacity: dict[str, int],
    mentees: str | list[str],
    scores: dict[str, float],
    **prefs: dict[str, tuple[str, ...]],
) -> Instance:
    """Instance from ``{"a-x": 0.5}``-style scores (mentor "a", mentee "x")."""
    return Instance(
        mentors=tuple(capacity),
        mentees=tuple(mentees),
        capacity=capacity,
        scores={tuple(k.split("-")): v for k, v in scores.items()},  # type: ignore[misc]
        **prefs,
    )


# ----------------------------------------------------------------- properties


@PROPS
@given(instances())
def test_every_solver_returns_a_valid_assignment(inst: Instance) -> None:
    check_instance(inst)
    for solve in SOLVERS.values():
        assert_valid(inst, solve(inst))


@PROPS
@given(instances(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(inst: Instance, rng: random.Random) -> None:
    other = shuffled(inst, rng)
    for name, solve in SOLVERS.items():
        first = solve(inst)
        assert solve(inst) == first, name
        assert solve(other) == first, name


@PROPS
@given(instances())
def test_optimal_matches_exhaustive_search(inst: Instance) -> None:
    (best_matches, best_total_at_max), (best_total, matches_at_best) = exhaustive_optima(inst)

    lex = solve_optimal(inst)
    assert lex.n_matched == best_matches
    assert exact_total(inst, lex.pairs) == best_total_at_max
    assert math.isclose(lex.total_score, float(best_total_at_max), abs_tol=1e-9)

    by_score = solve_optimal(inst, maximize_matches=False)
    assert exact_total(inst, by_score.pairs) == best_total
    assert by_score.n_matched == matches_at_best


@settings(max_examples=60, deadline=None)
@given(instances(max_mentors=4, max_mentees=5, max_capacity=2, with_prefs=False))
def test_exhaustive_search_agrees_with_plain_enumeration(inst: Instance) -> None:
    # Keeps the memoised reference honest against literal enumeration.
    everything = list(feasible_matchings(inst))
    assert () in everything
    by_matches = max((len(p), exact_total(inst, p)) for p in everything)
    by_score = max((exact_total(inst, p), len(p)) for p in everything)
    assert exhaustive_optima(inst) == (by_matches, by_score)


@PROPS
@given(instances())
def test_optimal_beats_greedy_and_stable(inst: Instance) -> None:
    lex = solve_optimal(inst)
    by_score = solve_optimal(inst, maximize_matches=False)
    for other in (solve_greedy(inst), solve_stable(inst)):
        assert lex.n_matched >= other.n_matched
        if lex.n_matched == other.n_matched:
            assert lex.total_score >= other.total_score - 1e-9
        assert by_score.total_score >= other.total_score - 1e-9
    assert lex.n_matched >= by_score.n_matched
    assert by_score.total_score >= lex.total_score - 1e-9


@PROPS
@given(instances())
def test_stable_equals_textbook_deferred_acceptance(inst: Instance) -> None:
    result = solve_stable(inst)
    assert result.pairs == textbook_deferred_acceptance(inst)
    assert blocking_pairs(inst, result) == []
    assert textbook_blocking_pairs(inst, result.pairs) == []


@PROPS
@given(instances(with_prefs=False))
def test_without_lists_stable_equals_greedy(inst: Instance) -> None:
    greedy = solve_greedy(inst)
    assert solve_stable(inst) == greedy
    assert blocking_pairs(inst, greedy) == []


@PROPS
@given(instances())
def test_blocking_pairs_agrees_with_textbook_definition(inst: Instance) -> None:
    for solve in (solve_greedy, solve_optimal):
        pairs = solve(inst).pairs
        assert blocking_pairs(inst, Assignment(pairs, 0.0)) == textbook_blocking_pairs(inst, pairs)


@PROPS
@given(instances(with_prefs=False))
def test_dense_entry_points_agree_with_instance_ones(inst: Instance) -> None:
    mentors, mentees = sorted(inst.mentors), sorted(inst.mentees)
    score = np.full((len(mentors), len(mentees)), np.nan)
    for (m, e), s in inst.scores.items():
        score[mentors.index(m), mentees.index(e)] = s
    cap = np.array([inst.capacity[m] for m in mentors])

    def ids(index_pairs: list[tuple[int, int]]) -> tuple[tuple[str, str], ...]:
        return tuple((mentors[i], mentees[j]) for i, j in index_pairs)

    assert ids(solve_optimal_dense(mentors, mentees, cap, score)) == solve_optimal(inst).pairs
    assert (
        ids(solve_optimal_dense(mentors, mentees, cap, score, maximize_matches=False))
        == solve_optimal(inst, maximize_matches=False).pairs
    )
    assert ids(solve_stable_dense(mentors, mentees, cap, score)) == solve_stable(inst).pairs


# ------------------------------------------------------ medium, against SciPy


def random_instance(seed: int, n_mentors: int = 10, n_mentees: int = 30) -> Instance:
    rng = np.random.default_rng(seed)
    mentors = [f"m{i:02d}@x.org" for i in range(n_mentors)]
    mentees = [f"e{j:02d}@x.org" for j in range(n_mentees)]
    popularity = rng.uniform(0.1, 0.9, n_mentors)
    scores = {}
    for i, m in enumerate(mentors):
        for e in mentees:
            if rng.random() < 0.6:
                raw = 0.6 * popularity[i] + 0.4 * rng.random()
                scores[(m, e)] = round(float(raw), 4)
    capacity = {m: int(rng.integers(0, 5)) for m in mentors}
    return Instance(tuple(mentors), tuple(mentees), capacity, scores)


@pytest.mark.parametrize("seed", range(40))
def test_optimal_agrees_with_linear_sum_assignment(seed: int) -> None:
    inst = random_instance(seed)
    for maximize_matches in (True, False):
        result = solve_optimal(inst, maximize_matches=maximize_matches)
        assert_valid(inst, result)
        matches, total = lsa_optimum(inst, maximize_matches=maximize_matches)
        assert result.n_matched == matches
        assert math.isclose(result.total_score, total, abs_tol=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_stable_medium_instances(seed: int) -> None:
    base = random_instance(seed, n_mentors=12, n_mentees=40)
    rng = random.Random(seed)
    inst = Instance(
        base.mentors,
        base.mentees,
        base.capacity,
        base.scores,
        mentee_prefs={e: tuple(rng.sample(base.mentors, 3)) for e in base.mentees[::2]},
        mentor_prefs={m: tuple(rng.sample(base.mentees, 5)) for m in base.mentors[::3]},
    )
    result = solve_stable(inst)
    assert result.pairs == textbook_deferred_acceptance(inst)
    assert textbook_blocking_pairs(inst, result.pairs) == []


# ------------------------------------------------------------ worked examples


def test_greedy_two_matches_where_three_are_possible() -> None:
    # Greedy grabs a-x (1.0) and then x's only alternative and y's only mentor are gone.
    inst = make({"a": 1, "b": 1, "c": 1}, "xyz", {"a-x": 1.0, "a-y": 0.9, "b-x": 0.8, "c-z": 0.5})
    assert solve_greedy(inst) == Assignment((("a", "x"), ("c", "z")), 1.5)
    best = solve_optimal(inst)
    assert best.pairs == (("a", "y"), ("b", "x"), ("c", "z"))
    assert best.total_score == pytest.approx(2.2)
    assert solve_optimal(inst, maximize_matches=False).pairs == best.pairs


def test_more_matches_versus_more_score() -> None:
    inst = make({"a": 1, "b": 1}, "xy", {"a-x": 1.0, "a-y": 0.1, "b-x": 0.1})
    assert solve_optimal(inst).pairs == (("a", "y"), ("b", "x"))
    assert solve_optimal(inst).total_score == pytest.approx(0.2)
    assert solve_optimal(inst, maximize_matches=False) == Assignment((("a", "x"),), 1.0)


def test_score_mode_still_uses_free_zero_score_pairs() -> None:
    inst = make({"a": 1, "b": 1}, "xy", {"a-x": 0.5, "b-y": 0.0})
    assert solve_optimal(inst, maximize_matches=False).pairs == (("a", "x"), ("b", "y"))


def test_capacity_is_shared_across_mentees() -> None:
    inst = make({"a": 2, "b": 0}, "xyz", {"a-x": 0.2, "a-y": 0.9, "a-z": 0.5, "b-x": 1.0})
    for solve in SOLVERS.values():
        assert solve(inst).pairs == (("a", "y"), ("a", "z"))


def test_stable_with_lists_known_answer() -> None:
    # x lists b first; mentor a lists z first. By hand: x->b, y->a, z->b (b swaps x for
    # z), x->a (a swaps y for x), y->b (refused): a-x, b-z, y unmatched.
    inst = make(
        {"a": 1, "b": 1},
        "xyz",
        {"a-x": 0.9, "a-y": 0.8, "a-z": 0.1, "b-x": 0.5, "b-y": 0.6, "b-z": 0.7},
        mentee_prefs={"x": ("b",)},
        mentor_prefs={"a": ("z",)},
    )
    assert solve_stable(inst) == Assignment((("a", "x"), ("b", "z")), 0.9 + 0.7)


def test_mentee_lists_override_scores() -> None:
    inst = make(
        {"a": 1, "b": 1},
        "xy",
        {"a-x": 1.0, "a-y": 0.5, "b-x": 0.5, "b-y": 0.2},
        mentee_prefs={"x": ("nobody", "b", "b"), "y": ("a",)},
    )
    assert solve_greedy(inst).pairs == (("a", "x"), ("b", "y"))
    assert solve_stable(inst).pairs == (("a", "y"), ("b", "x"))
    # Greedy's answer is unstable under these lists: x and b would rather pair up.
    assert blocking_pairs(inst, solve_greedy(inst)) == [("b", "x")]
    assert blocking_pairs(inst, solve_stable(inst)) == []


def test_mentor_list_decides_between_equal_scores() -> None:
    tie = {"a-x": 0.5, "a-y": 0.5}
    assert solve_stable(make({"a": 1}, "xy", tie)).pairs == (("a", "x"),)
    listed = make({"a": 1}, "xy", tie, mentor_prefs={"a": ("y",)})
    assert solve_stable(listed).pairs == (("a", "y"),)


def test_ties_are_broken_by_id() -> None:
    inst = make({"b": 1, "a": 1}, "yx", {"a-x": 0.5, "a-y": 0.5, "b-x": 0.5, "b-y": 0.5})
    assert solve_greedy(inst).pairs == (("a", "x"), ("b", "y"))
    assert solve_stable(inst).pairs == (("a", "x"), ("b", "y"))


def test_empty_and_degenerate_instances() -> None:
    nobody = Instance(("a",), ("x",), {"a": 1}, {})
    full = Instance(("a",), ("x",), {"a": 0}, {("a", "x"): 1.0})
    for inst in (nobody, full):
        for solve in SOLVERS.values():
            assert solve(inst) == Assignment((), 0.0)
    assert solve_optimal_dense([], [], np.zeros(0, dtype=int), np.zeros((0, 0))) == []


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scores": {("a", "x"): 1.5}}, "outside [0, 1]"),
        ({"scores": {("a", "x"): -0.1}}, "outside [0, 1]"),
        ({"scores": {("a", "x"): float("nan")}}, "outside [0, 1]"),
        ({"scores": {("a", "x"): "high"}}, "not a number"),
        ({"scores": {("zed", "x"): 0.5}}, "unknown mentor 'zed'"),
        ({"scores": {("a", "zed"): 0.5}}, "unknown mentee 'zed'"),
        ({"capacity": {"a": -1}}, "negative"),
        ({"capacity": {}}, "no capacity"),
        ({"capacity": {"a": 1.5}}, "not an integer"),
        ({"mentors": ("a", "a")}, "duplicate id 'a'"),
    ],
)
def test_check_instance_rejects(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "mentors": ("a",),
        "mentees": ("x",),
        "capacity": {"a": 1},
        "scores": {("a", "x"): 0.5},
    }
    fields.update(change)
    with pytest.raises(MatchingError) as caught:
        check_instance(Instance(**fields))  # type: ignore[arg-type]
    assert any(message in p.message for p in caught.value.problems)
    assert message in str(caught.value) or "problems" in str(caught.value)


def test_check_instance_reports_every_problem() -> None:
    inst = Instance(("a",), ("x",), {"a": -2}, {("a", "x"): 2.0, ("b", "x"): 0.5})
    with pytest.raises(MatchingError, match="3 problems") as caught:
        check_instance(inst)
    assert len(caught.value.problems) == 3


def test_check_instance_accepts_valid_input() -> None:
    check_instance(make({"a": 0, "b": 3}, "xy", {"a-x": 0.0, "b-y": 1.0}, mentee_prefs={"q": ()}))


@settings(max_examples=200, deadline=None)
@given(instances(with_prefs=False))
def test_dense_greedy_equals_greedy(inst: Instance) -> None:
    import numpy as np

    from mentorctl.matching.solvers import solve_greedy, solve_greedy_dense

    mentors, mentees = sorted(inst.mentors), sorted(inst.mentees)
    score = np.full((len(mentors), len(mentees)), np.nan)
    for (m, e), v in inst.scores.items():
        score[mentors.index(m), mentees.index(e)] = v
    cap = [inst.capacity[m] for m in mentors]
    dense = solve_greedy_dense(mentors, mentees, cap, score)
    assert tuple(sorted((mentors[i], mentees[j]) for i, j in dense)) == solve_greedy(inst).pairs


def test_dense_greedy_bands_agree_with_full_sort_on_a_large_instance() -> None:
    """Large enough that greedy works in several score bands, with many ties."""
    import numpy as np

    from mentorctl.matching.solvers import solve_greedy, solve_greedy_dense

    rng = np.random.default_rng(7)
    n_m, n_e = 120, 400
    score = rng.choice([0.1, 0.25, 0.5, 0.75, 1.0], size=(n_m, n_e))
    score[rng.random((n_m, n_e)) < 0.2] = np.nan
    cap = rng.integers(0, 4, size=n_m)
    mentors = [f"m{i:04d}" for i in range(n_m)]
    mentees = [f"e{j:04d}" for j in range(n_e)]
    inst = Instance(
        mentors=tuple(mentors),
        mentees=tuple(mentees),
        capacity={m: int(c) for m, c in zip(mentors, cap, strict=True)},
        scores={
            (mentors[i], mentees[j]): float(score[i, j])
            for i, j in zip(*np.nonzero(~np.isnan(score)), strict=True)
        },
    )
    dense = solve_greedy_dense(mentors, mentees, cap, score)
    assert tuple((mentors[i], mentees[j]) for i, j in dense) == solve_greedy(inst).pairs
    assert len(dense) > 150


# ------------------------------------- the restricted optimal solver and its proof


def _value(score: np.ndarray, pairs: list[tuple[int, int]]) -> tuple[int, float]:
    return len(pairs), round(float(sum(score[i, j] for i, j in pairs)), 6)


def _assert_valid_dense(score: np.ndarray, cap: list[int], pairs: list[tuple[int, int]]) -> None:
    assert pairs == sorted(set(pairs))
    assert len({j for _, j in pairs}) == len(pairs)
    for i, j in pairs:
        assert not np.isnan(score[i, j])
    loads = np.bincount([i for i, _ in pairs], minlength=len(cap))
    assert (loads <= np.asarray(cap)).all()


@settings(max_examples=300, deadline=None)
@given(dense_instances(), st.sampled_from((1, 2, 3, 32)), st.booleans())
def test_restricted_optimum_equals_the_full_solve(
    data: tuple[list[str], list[str], list[int], np.ndarray], k: int, maximize: bool
) -> None:
    """Whatever the first restriction (k = 1 is wrong on most instances), the proof
    loop ends at the optimum over every pair: same count and total as one flow on all."""
    mentors, mentees, cap, score = data
    stats = OptimalStats()
    got = solve_optimal_dense(mentors, mentees, cap, score, maximize, candidates=k, stats=stats)
    _assert_valid_dense(score, cap, got)
    full = solve_optimal_full(mentors, mentees, cap, score, maximize)
    assert _value(score, got) == _value(score, full)
    assert stats.proven or not got
    assert stats.added[-1:] in ([0], [])


@settings(max_examples=150, deadline=None)
@given(instances(with_prefs=False), st.sampled_from((1, 2)))
def test_restricted_optimum_matches_exhaustive_search(inst: Instance, k: int) -> None:
    (best_count, best_count_total), (best_total, best_total_count) = exhaustive_optima(inst)
    lex = solve_optimal(inst, candidates=k)
    assert (lex.n_matched, exact_total(inst, lex.pairs)) == (best_count, best_count_total)
    score_first = solve_optimal(inst, maximize_matches=False, candidates=k)
    assert (exact_total(inst, score_first.pairs), score_first.n_matched) == (
        best_total,
        best_total_count,
    )


def _star_instance(
    n_mentors: int = 6, n_mentees: int = 12
) -> tuple[list[str], list[str], list[int], np.ndarray]:
    """Everybody's best mentor is m000 (capacity 1); m001 is everybody's second best
    (capacity 1); the mentors who can take everybody else score lowest."""
    score = np.full((n_mentors, n_mentees), 0.2)
    score[0, :] = 1.0
    score[1, :] = 0.9
    score[2:, :] = np.linspace(0.1, 0.3, n_mentees)[None, :]
    cap = [1, 1] + [3] * (n_mentors - 2)
    return (
        [f"m{i:03d}" for i in range(n_mentors)],
        [f"e{j:03d}" for j in range(n_mentees)],
        cap,
        score,
    )


@pytest.mark.parametrize("maximize", [True, False])
def test_first_restriction_wrong_when_everybody_wants_the_same_mentor(maximize: bool) -> None:
    mentors, mentees, cap, score = _star_instance()
    stats = OptimalStats()
    got = solve_optimal_dense(mentors, mentees, cap, score, maximize, candidates=1, stats=stats)
    # With one mentor each, the first solve can place one mentee (all want m000): the
    # proof must find and add the rest, over more than one round.
    assert stats.rounds > 1 and stats.added[0] > 0 and stats.added[-1] == 0
    assert _value(score, got) == _value(
        score, solve_optimal_full(mentors, mentees, cap, score, maximize)
    )
    assert len(got) == min(len(mentees), sum(cap))


def test_restriction_without_proof_would_lose_matches() -> None:
    """The first restriction alone is not exact here: only the proof loop gets the optimum."""
    mentors, mentees, cap, score = _star_instance()
    top1 = np.full_like(score, np.nan)
    top1[0, :] = score[0, :]  # each mentee's single best mentor
    cut = solve_optimal_full(mentors, mentees, cap, top1)
    proven = solve_optimal_dense(mentors, mentees, cap, score, candidates=1)
    assert len(cut) == 1 < len(proven) == 12


def test_zero_capacity_mentors_and_empty_matrices() -> None:
    score = np.array([[1.0, np.nan], [0.5, 0.5]])
    assert solve_optimal_dense(["a", "b"], ["x", "y"], [0, 0], score) == []
    assert solve_optimal_dense(["a", "b"], ["x", "y"], [0, 1], score, candidates=1) in (
        [(1, 0)],
        [(1, 1)],
    )
    assert solve_optimal_dense([], ["x"], [], np.zeros((0, 1))) == []
    assert solve_optimal_dense(["a"], [], [1], np.zeros((1, 0))) == []
    all_nan = np.full((2, 2), np.nan)
    assert solve_optimal_dense(["a", "b"], ["x", "y"], [1, 1], all_nan) == []


def test_priority_weights_stay_exact() -> None:
    """Scores far above 1 (the engine adds n_mentees + 1 for priority mentees)."""
    rng = np.random.default_rng(3)
    n_m, n_e = 8, 40
    score = np.round(rng.uniform(0, 1, (n_m, n_e)), 6)
    score[:, ::3] += n_e + 1
    cap = [3] * n_m
    ids_m, ids_e = [str(i) for i in range(n_m)], [str(j) for j in range(n_e)]
    for maximize in (True, False):
        got = solve_optimal_dense(ids_m, ids_e, cap, score, maximize, candidates=2)
        assert _value(score, got) == _value(
            score, solve_optimal_full(ids_m, ids_e, cap, score, maximize)
        )


@pytest.mark.parametrize("seed", range(6))
def test_restricted_optimum_on_medium_skewed_instances(seed: int) -> None:
    """Popular mentors everybody ranks first, capacity 1-5: several proof rounds."""
    rng = np.random.default_rng(seed)
    n_m, n_e = 60, 400
    popularity = rng.uniform(0, 1, n_m) ** 3
    score = np.round(0.7 * popularity[:, None] + 0.3 * rng.uniform(0, 1, (n_m, n_e)), 4)
    score[rng.random((n_m, n_e)) < 0.2] = np.nan
    cap = [int(c) for c in rng.integers(1, 6, n_m)]
    ids_m, ids_e = [str(i) for i in range(n_m)], [str(j) for j in range(n_e)]
    for maximize in (True, False):
        stats = OptimalStats()
        got = solve_optimal_dense(ids_m, ids_e, cap, score, maximize, candidates=4, stats=stats)
        _assert_valid_dense(score, cap, got)
        full = solve_optimal_full(ids_m, ids_e, cap, score, maximize)
        assert _value(score, got) == _value(score, full)
        assert stats.pairs_solved < stats.pairs_eligible


# --------------------------------------------- the vectorised greedy baseline


@settings(max_examples=300, deadline=None)
@given(dense_instances(max_mentors=20, max_mentees=60))
def test_vectorised_greedy_equals_the_previous_implementation(
    data: tuple[list[str], list[str], list[int], np.ndarray],
) -> None:
    mentors, mentees, cap, score = data
    assert solve_greedy_dense(mentors, mentees, cap, score) == banded_greedy_dense(
        mentors, mentees, cap, score
    )


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_greedy_equals_the_previous_implementation_in_many_bands(seed: int) -> None:
    """Large enough for many score bands; ties, NaN, zero capacity and priority-sized scores."""
    rng = np.random.default_rng(seed)
    n_m, n_e = 150, 900
    score = rng.choice([0.0, 0.1, 0.25, 0.5, 0.75, 1.0], size=(n_m, n_e))
    if seed % 2:
        score = np.round(rng.uniform(0, 1, (n_m, n_e)) ** 4, 6)
        score[:, ::7] += n_e + 1
    score[rng.random((n_m, n_e)) < 0.3] = np.nan
    cap = [int(c) for c in rng.integers(0, 4, size=n_m)]
    ids_m, ids_e = [str(i) for i in range(n_m)], [str(j) for j in range(n_e)]
    new = solve_greedy_dense(ids_m, ids_e, cap, score)
    assert new == banded_greedy_dense(ids_m, ids_e, cap, score)
    assert len(new) > 100


# ------------------------------------------------------------ through the CLI


@pytest.mark.parametrize("objective", ["max-score", "max-matches"])
def test_match_cli_reaches_the_full_optimum_from_a_wrong_restriction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, objective: str
) -> None:
    """`mentorctl match --dry-run --json` on a skewed generated roster (famous mentors
    everybody prefers), with the first restriction cut to 2 mentors per mentee so it is
    wrong: the proposal still has the full solve's match count and total."""
    from mentorctl.matching import constraints, scored, solvers
    from tests.conftest import Cli

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_match import load_input  # the command's own helpers, as the benchmark uses
    from generate import generate_program

    gen = generate_program(tmp_path / "prog", n_mentors=40, n_mentees=220, seed=7)
    text = gen.program_yaml.read_text(encoding="utf-8")
    gen.program_yaml.write_text(
        text.replace("objective: max-score", f"objective: {objective}")
        if "objective:" in text
        else text.replace("matching:\n", f"matching:\n  objective: {objective}\n", 1),
        encoding="utf-8",
    )
    cli = Cli(gen.program_yaml.parent, None)
    imported = cli("participants", "import", str(gen.participants_csv))
    assert imported.exit_code == 0, imported.output

    seen: list[solvers.OptimalStats] = []
    original = solvers.solve_optimal_dense

    def spy(*args: object, **kwargs: object) -> list[tuple[int, int]]:
        stats = solvers.OptimalStats()
        seen.append(stats)
        return original(*args, **{**kwargs, "candidates": 2, "stats": stats})  # type: ignore[arg-type]

    monkeypatch.setattr(solvers, "solve_optimal_dense", spy)
    monkeypatch.setattr(solvers, "MENTOR_CANDIDATES", 0)
    result = cli("match", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert seen and seen[0].rounds > 1 and seen[0].added[0] > 0

    # The same matrix the engine solves, solved on every pair at once.
    inp = load_input(gen.program_yaml.parent)
    mentors, mentees = scored.mentors_and_mentees(inp)
    cap = np.array([constraints.capacity_of(inp.program, m) for m in mentors], dtype=np.int64)
    s = scored.score_candidates(inp, mentors, mentees, cap)
    score = scored.solver_scores(s, inp)
    full = solve_optimal_full(
        [m["email"] for m in mentors], [e["email"] for e in mentees], cap, score,
        inp.program.matching.objective.value == "max-matches",
    )  # fmt: skip
    assert summary["matched"] == len(full)
    assert summary["total_score"] == pytest.approx(
        sum(float(s.raw[i, j]) for i, j in full), abs=1e-4
    )
