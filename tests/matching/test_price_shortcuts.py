"""The shortcuts the fairness price takes, checked against the long way round.

The price (``match --json``'s ``tradeoffs``) reads only the count, the lowest score and
the total of fair's answer, so its final solve may return any optimum
(:func:`~mentorctl.matching.solvers.solve_optimal_any`: one flow on every pair when the
pairs are few); the fair search probes its ceiling before it lists the other levels;
and ``match`` no longer calls ``np.unique`` (which imports ``numpy.ma``). Each is
checked here to change no figure: on random matrices against exhaustive search and
against the code path it replaces, on instances built so the premise of a shortcut
fails, and through the real CLI.
"""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.matching import fair, solvers
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.scored import Scored, solve
from mentorctl.matching.solvers import (
    SCALE,
    solve_optimal_any,
    solve_optimal_dense,
    unique_sorted,
)
from mentorctl.program import parse_program

from .strategies import dense_instances
from .test_engine import rosters
from .test_fair import MAX_SCORE, _exhaustive, _matrix_case, matrices
from .test_many_mentors import dense, multi_instances

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(score: np.ndarray, pairs: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(pairs, mentees with a mentor, total in the solvers' integer units)."""
    total = sum(round(float(score[i, j]) * SCALE) for i, j in pairs)
    return len(pairs), len({j for _, j in pairs}), total


# --------------------------------------------------------------------------- solvers


@SETTINGS
@given(st.lists(st.integers(-5, 5), max_size=30))
def test_unique_sorted_is_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    got = unique_sorted(array)
    assert got.dtype == np.unique(array).dtype
    assert got.tolist() == np.unique(array).tolist()


@SETTINGS
@given(dense_instances(), st.booleans(), st.sampled_from([0, 4, 10**6]))
def test_any_optimum_has_the_restricted_solvers_count_and_total(case, maximize, ratio) -> None:
    """Both branches (ratio 0: always the restricted solver; 10**6: always one flow on
    every pair) reach the optimum solve_optimal_dense reaches."""
    mentors, mentees, capacity, score = case
    want = solve_optimal_dense(mentors, mentees, capacity, score, maximize)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solvers, "FULL_RATIO", ratio)
        got = solve_optimal_any(mentors, mentees, capacity, score, maximize)
    assert _value(score, got) == _value(score, want)
    for i, j in got:
        assert not np.isnan(score[i, j])
    for i, c in enumerate(capacity):
        assert sum(m == i for m, _ in got) <= c


@SETTINGS
@given(multi_instances(with_prefs=False), st.booleans(), st.sampled_from([0, 10**6]))
def test_any_optimum_with_mentee_capacities_and_tracks(inst, maximize, ratio) -> None:
    mentors, mentees, cap, score, mentee_cap, tracks = dense(inst)
    kwargs = {"mentee_capacity": mentee_cap, "track": tracks}
    want = solve_optimal_dense(mentors, mentees, cap, score, maximize, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solvers, "FULL_RATIO", ratio)
        got = solve_optimal_any(mentors, mentees, cap, score, maximize, **kwargs)
    assert _value(score, got) == _value(score, want)


def test_any_optimum_takes_the_restricted_solver_when_pairs_are_many() -> None:
    """Above FULL_RATIO times the first restriction it is solve_optimal_dense itself."""
    rng = np.random.default_rng(3)
    n_m, n_e = 300, 40  # 12,000 pairs; the first restriction: 32 x 40 + 10 x 300 = 4,280
    score = np.round(rng.uniform(0, 1, size=(n_m, n_e)), 3)
    ids_m, ids_e = [f"m{i}" for i in range(n_m)], [f"e{j}" for j in range(n_e)]
    capacity = np.ones(n_m, dtype=np.int64)
    calls: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        for name in ("solve_optimal_full", "solve_optimal_dense"):
            original = getattr(solvers, name)
            mp.setattr(
                solvers,
                name,
                lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k),
            )
        solvers.solve_optimal_any(ids_m, ids_e, capacity, score, True)
        assert calls == ["solve_optimal_full"]  # 12,000 <= 4 x 4,280
        calls.clear()
        mp.setattr(solvers, "FULL_RATIO", 2)  # 12,000 > 2 x 4,280
        solvers.solve_optimal_any(ids_m, ids_e, capacity, score, True)
        assert calls == ["solve_optimal_dense"]


# --------------------------------------------------------------------------- fair


def _figures(score: np.ndarray, found: fair.FairSolution) -> tuple:
    own = [Fraction(str(score[i, j])) for i, j in found.pairs]
    return len(own), found.bottleneck, sum(own, Fraction(0))


@SETTINGS
@given(matrices(), st.sets(st.integers(0, 4)), st.sampled_from([0, 10**6]))
def test_figures_only_search_gives_the_same_figures(case, waiting, ratio) -> None:
    """figures_only (any optimum at the end) against the exact final solve and against
    exhaustive search; with priority mentees (the shortcut's premise fails) the pairs
    themselves are the same."""
    score, capacity = case
    s, inp = _matrix_case(score, capacity, frozenset(waiting))
    exact = fair.solve_fair(replace(s), inp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solvers, "FULL_RATIO", ratio)
        quick = fair.solve_fair(replace(s), inp, figures_only=True)
    assert _figures(score, quick) == _figures(score, exact)
    best = _exhaustive(score, capacity, frozenset(waiting))
    if quick.pairs:
        assert (len(quick.pairs), Fraction(str(quick.bottleneck))) == best[1:3]
    if any(f"e{j}@x.org" in inp.priority for j in range(score.shape[1])):
        assert quick.pairs == exact.pairs


@SETTINGS
@given(multi_instances(), st.sampled_from([0, 10**6]))
def test_figures_only_with_tracks_where_the_flow_is_not_tight(inst, ratio) -> None:
    """With tracks the flow's level may fail for the exact solver, whose own search
    then probes lower levels (booleans only: any optimum answers them alike)."""
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
    program = parse_program(MAX_SCORE.replace("MIN", "null"))
    inp = MatchInput(program=program, people=[])
    exact = fair.solve_fair(replace(s), inp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solvers, "FULL_RATIO", ratio)
        quick = fair.solve_fair(replace(s), inp, figures_only=True)
    assert _figures(np.nan_to_num(score), quick) == _figures(np.nan_to_num(score), exact)
    assert len({j for _, j in quick.pairs}) == len({j for _, j in exact.pairs})


def test_a_bonus_in_the_objective_keeps_the_exact_final_solve() -> None:
    """With prefer_previous the objective's total is not the pairs' own: figures_only
    must not take the shortcut (it would be free to pick another tied matching)."""
    score = np.array([[0.9, 0.2], [0.2, 0.9]])  # baseline 0.2 + 0.2; fair 0.9 + 0.9
    s, inp = _matrix_case(score, np.array([1, 1]), frozenset())
    with_bonus = replace(s, raw=s.raw + np.array([[0.0, 0.1], [0.0, 0.0]]))
    base = [(0, 1), (1, 0)]
    seen: list[bool] = []
    with pytest.MonkeyPatch.context() as mp:

        def spy(mode, scored, inp_, *, any_optimum=False):  # type: ignore[no-untyped-def]
            seen.append(any_optimum)
            return solve(mode, scored, inp_, any_optimum=any_optimum)

        mp.setattr(fair, "solve", spy)
        found = fair.solve_fair(with_bonus, inp, own=s.raw, baseline=base, figures_only=True)
        assert seen == [False] and found.bottleneck == 0.9
        seen.clear()
        found = fair.solve_fair(replace(s), inp, baseline=base, figures_only=True)
        assert seen == [True] and found.bottleneck == 0.9
        seen.clear()
        found = fair.solve_fair(replace(s), inp, baseline=base)  # the engine's fair run
        assert seen == [False] and found.pairs == [(0, 0), (1, 1)]
        seen.clear()
        flat, _ = _matrix_case(np.full((2, 2), 0.5), np.array([1, 1]), frozenset())
        found = fair.solve_fair(flat, inp, baseline=base, figures_only=True)
        assert seen == [] and found.pairs == base  # floor = ceiling: nothing to solve


def test_a_ceiling_no_matching_reaches_lists_the_levels_below() -> None:
    """Mentor 0 is everybody's 0.9 but takes one mentee; the ceiling (0.5, from the
    mentors' best) cannot place all three; the search lists the levels and finds 0.3."""
    score = np.array(
        [
            [0.9, 0.9, 0.9],
            [0.5, 0.2, 0.2],
            [0.5, 0.2, 0.3],
        ]
    )
    capacity = np.array([1, 1, 1])
    s, inp = _matrix_case(score, capacity, frozenset())
    listed: list[int] = []
    with pytest.MonkeyPatch.context() as mp:
        original = fair._CountFlow.levels

        def spy(self, floor, n, ceiling):  # type: ignore[no-untyped-def]
            listed.append(ceiling)
            return original(self, floor, n, ceiling)

        mp.setattr(fair._CountFlow, "levels", spy)
        found = fair.solve_fair(s, inp, figures_only=True)
    assert listed == [500000]
    best = _exhaustive(score, capacity, frozenset())
    assert found.bottleneck == float(best[2]) == 0.3
    assert len(found.pairs) == 3


# --------------------------------------------------------------------------- engine, CLI


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(), st.sampled_from([0, 10**6]))
def test_the_price_is_the_same_as_with_the_exact_final_solve(roster, ratio) -> None:
    """Through the engine: matches and price as when every solve is the restricted
    solver (what the price used before the shortcut)."""
    min_score, people = roster
    program = parse_program(MAX_SCORE.replace("MIN", min_score))
    inp = MatchInput(program=program, people=people)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(solvers, "FULL_RATIO", ratio)
            quick = propose(inp)
    except Exception as exc:  # nobody to match
        assert "nobody" in str(exc) or "no mentors" in str(exc) or "no mentees" in str(exc)
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solvers, "solve_optimal_any", solvers.solve_optimal_dense)
        exact = propose(inp)
    assert quick.tradeoffs == exact.tradeoffs
    assert quick.matches == exact.matches


def _generated(tmp_path: Path, n_mentors: int, n_mentees: int, seed: int) -> Path:
    from tests.conftest import Cli

    benchmarks = Path(__file__).resolve().parents[2] / "benchmarks"
    import sys

    sys.path.insert(0, str(benchmarks))
    try:
        from generate import generate_program
    finally:
        sys.path.remove(str(benchmarks))
    gen = generate_program(tmp_path / "prog", n_mentors=n_mentors, n_mentees=n_mentees, seed=seed)
    imported = Cli(gen.program_yaml.parent, None)(
        "participants", "import", str(gen.participants_csv)
    )
    assert imported.exit_code == 0, imported.output
    return gen.program_yaml.parent


def test_match_dry_run_json_is_unchanged_by_the_price_shortcut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`match --dry-run --json` on a generated roster: byte for byte what it gives when
    the price's final solve is the restricted solver, and the shortcut was taken."""
    from tests.conftest import Cli

    directory = _generated(tmp_path, 40, 220, seed=1)  # its price makes a final solve
    cli = Cli(directory, None)
    taken: list[int] = []
    original = solvers.solve_optimal_full
    monkeypatch.setattr(
        solvers, "solve_optimal_full", lambda *a, **k: taken.append(1) or original(*a, **k)
    )
    quick = cli("match", "--dry-run", "--json")
    assert quick.exit_code == 0, quick.output
    assert taken, "the price's final solve did not take the one-flow path"
    monkeypatch.setattr(solvers, "solve_optimal_any", solvers.solve_optimal_dense)
    exact = cli("match", "--dry-run", "--json")
    assert exact.exit_code == 0, exact.output
    assert quick.stdout == exact.stdout
    price = json.loads(quick.stdout)["tradeoffs"]
    assert (
        price["fairness"]["fair"]["lowest_score"]
        >= price["fairness"]["max_matches"]["lowest_score"]
    )


def test_match_dry_run_does_not_import_numpy_ma(tmp_path: Path) -> None:
    """np.unique imports numpy.ma on first use (tens of milliseconds): match avoids it.
    NumPy 1.x imports numpy.ma itself, with ``import numpy``: nothing to avoid there."""
    import subprocess
    import sys

    from tests.imports import run_cli

    bare = subprocess.run(
        [sys.executable, "-c", "import sys, numpy; print('numpy.ma' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    if bare.stdout.strip() == "True":
        pytest.skip("this NumPy imports numpy.ma with numpy itself")
    directory = _generated(tmp_path, 12, 40, seed=11)
    proc, modules = run_cli(directory, "match", "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "numpy" in modules and "ortools.graph.python.min_cost_flow" in modules
    assert "numpy.ma" not in modules


def _reference_levels(flow: fair._CountFlow, floor: int, n: int, ceiling: int) -> list[int]:
    """levels as they were computed: one bin per possible score, 0 to 10**6."""
    unit = fair._UNIT
    counts = np.zeros(unit + 1, dtype=np.int64)
    for _, _, block in flow.blocks():
        vals = block[block >= floor]
        counts += np.bincount(np.minimum(vals, unit), minlength=unit + 1)
    above = np.cumsum(counts[::-1])[::-1]
    value = np.arange(unit + 1)
    keep = (counts > 0) & (above >= n) & (value >= floor) & (value <= max(ceiling, floor))
    return np.flatnonzero(keep).tolist()


@SETTINGS
@given(matrices(), st.data())
def test_levels_between_floor_and_ceiling_equal_the_full_count(case, data) -> None:
    score, capacity = case
    s, _ = _matrix_case(score, capacity, frozenset())
    flow = fair._CountFlow(s, s.raw, [])
    values = sorted({round(v * 10**6) for v in score[~np.isnan(score)].tolist()} | {0})
    floor = data.draw(st.sampled_from(values))
    ceiling = data.draw(st.sampled_from([*values, -1, 10**6]))
    n = data.draw(st.integers(0, score.size + 1))
    assert flow.levels(floor, n, ceiling).tolist() == _reference_levels(flow, floor, n, ceiling)


@SETTINGS
@given(matrices(), st.sampled_from([1, 8]), st.sampled_from([1, 4, 1 << 22]), st.data())
def test_count_flow_probe_in_blocks_or_whole(case, candidates, block_cells, data) -> None:
    """The probe's matrix is converted once when it is one block, else block by block
    (a column or a few per block here): the same answers as a full maximum flow, and
    its proof adds only pairs of mentees that a crossing pair reaches."""
    from .test_fair import _max_flow_everywhere

    score, capacity = case
    s, _ = _matrix_case(score, capacity, frozenset())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fair, "_CANDIDATES", candidates)
        mp.setattr(fair, "_BLOCK_CELLS", block_cells)
        flow = fair._CountFlow(s, s.raw, [])
        values = sorted({round(v * 10**6) for v in score[~np.isnan(score)].tolist()} | {0})
        t = data.draw(st.sampled_from(values))
        best = _max_flow_everywhere(score, capacity, t)
        for n in (max(best - 1, 0), best, best + 1):
            assert flow.reaches(t, n) == (n <= best), (t, n, best)
        whole = [b.tolist() for _, _, b in flow.blocks()]
        assert [b.tolist() for _, _, b in flow.blocks()] == whole  # fresh copies each time
