"""Many pairs at once (matching/matrix.py): explanations gathered from the prepared
arrays equal ``explain_pair`` exactly; dense and sparse encodings agree; a column's scores
do not depend on the other columns (what the relaxations' reuse of a run's scores rests on).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching import engine, matrix, relax
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.matrix import PairScorer, score_matrix
from mentorctl.matching.scoring import explain_pair
from mentorctl.program import Program
from tests.conftest import DATA, Cli
from tests.matching.test_scoring import (
    RANDOM_CRITERIA,
    SAMPLE_DIRS,
    make_program,
    random_instance,
    sample_people,
    split_roles,
)


def assert_explained_as_explain_pair(program: Program, mentors: list, mentees: list) -> None:
    rows = [i for i in range(len(mentors)) for _ in range(len(mentees))]
    cols = [j for _ in range(len(mentors)) for j in range(len(mentees))]
    got = PairScorer(program, mentors, mentees).explain(rows, cols)
    for (i, j), e in zip(zip(rows, cols, strict=True), got, strict=True):
        want = explain_pair(program, mentors[i], mentees[j])
        # The same floats, not merely close ones: the proposal's numbers must not move.
        assert e.score == want.score, (i, j)
        assert e.values == tuple(c.value for c in want.criteria), (i, j)
        assert e.reasons == want.top_reasons(2), (i, j)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), reverse=st.booleans())
def test_explain_equals_explain_pair_on_random_people(seed: int, reverse: bool) -> None:
    _, _, mentors, mentees = random_instance(seed)
    program = make_program(RANDOM_CRITERIA, reverse=reverse)
    assert_explained_as_explain_pair(program, mentors, mentees)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, len(RANDOM_CRITERIA)))
def test_explain_equals_explain_pair_with_fewer_criteria(seed: int, k: int) -> None:
    """Fewer criteria make ties of contributions (and all-blank pairs) common."""
    rng, _, mentors, mentees = random_instance(seed, 8, 9)
    criteria = rng.sample(RANDOM_CRITERIA, k)
    assert_explained_as_explain_pair(make_program(criteria), mentors, mentees)


@pytest.mark.parametrize("directory", SAMPLE_DIRS, ids=lambda p: p.name)
def test_explain_equals_explain_pair_on_sample_programs(directory: Path) -> None:
    program, people = sample_people(directory)
    mentors, mentees = split_roles(people)
    assert_explained_as_explain_pair(program, mentors, mentees)


def test_no_pairs_no_criteria() -> None:
    _, _, mentors, mentees = random_instance(5)
    assert PairScorer(make_program(RANDOM_CRITERIA), mentors, mentees).explain([], []) == []
    (e,) = PairScorer(make_program([]), mentors, mentees).explain([0], [0])
    assert (e.score, e.values, e.reasons) == (0.0, (), [])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_dense_and_sparse_encodings_agree(seed: int) -> None:
    _, _, mentors, mentees = random_instance(seed, 10, 12)
    program = make_program(RANDOM_CRITERIA)
    dense, dense_values = score_matrix(program, mentors, mentees)
    rows, cols = np.nonzero(np.ones_like(dense, dtype=bool))
    dense_explained = PairScorer(program, mentors, mentees).explain(rows, cols)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix, "DENSE_CELLS", 0)  # every multi-hot encoding sparse
        sparse, sparse_values = score_matrix(program, mentors, mentees)
        sparse_explained = PairScorer(program, mentors, mentees).explain(rows, cols)
    np.testing.assert_array_equal(dense, sparse)
    for name in dense_values:
        np.testing.assert_array_equal(dense_values[name], sparse_values[name])
    assert dense_explained == sparse_explained


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_column_scores_the_same_whatever_else_is_scored(seed: int) -> None:
    rng, _, mentors, mentees = random_instance(seed, 12, 20)
    program = make_program(RANDOM_CRITERIA)
    whole, _ = score_matrix(program, mentors, mentees, with_values=False)
    some = sorted(rng.sample(range(len(mentees)), rng.randint(1, len(mentees))))
    part, _ = score_matrix(program, mentors, [mentees[j] for j in some], with_values=False)
    np.testing.assert_array_equal(part, whole[:, some])


# ----------------------------------------------------------------------------- proposals


def sample_input(directory: Path) -> MatchInput:
    program, people = sample_people(directory)
    return MatchInput(program=program, people=people, cycle=program.cycle.name)


PAIR_SAMPLES = [d for d in SAMPLE_DIRS if d.name != "tech-circles"]  # circles: no pairs


@pytest.mark.parametrize("directory", PAIR_SAMPLES, ids=lambda p: p.name)
def test_proposal_explains_each_match_as_explain_pair(directory: Path) -> None:
    inp = sample_input(directory)
    proposal = propose(inp)
    by_email = {p["email"]: p for p in inp.people}
    assert proposal.matches
    for m in proposal.matches:
        # engine._match is the one-pair-at-a-time way every match was explained before.
        want = engine._match(inp.program, by_email[m.mentor], by_email[m.mentee], False, False)
        assert (m.score, m.criteria, m.reasons) == (want.score, want.criteria, want.reasons)


def squeezed(directory: Path) -> MatchInput:
    """The sample with every mentor's capacity 1 and a third of its mentors: some
    mentees are left unmatched."""
    inp = sample_input(directory)
    program = inp.program.model_copy(
        update={"capacity": inp.program.capacity.model_copy(update={"default": 1})}
    )
    people = [
        {**p, "capacity": None}
        for k, p in enumerate(inp.people)
        if p["role"] != "mentor" or k % 3 == 0
    ]
    return MatchInput(program=program, people=people, cycle=inp.cycle)


@pytest.mark.parametrize("directory", PAIR_SAMPLES, ids=lambda p: p.name)
def test_relaxations_reuse_the_runs_scores_and_say_the_same(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = squeezed(directory)
    proposal = propose(inp)
    assert any(u.role == "mentee" for u in proposal.unmatched)
    pairs = [(m.mentor, m.mentee) for m in proposal.matches]
    fresh = relax.suggest(inp, pairs)
    assert proposal.scores is not None
    calls: list[Any] = []
    original = matrix.score_matrix
    monkeypatch.setattr(
        matrix, "score_matrix", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    reused = relax.suggest(inp, pairs, scores=proposal.scores)
    assert reused == fresh
    assert not calls  # the unmatched mentees' columns were not scored again
    # Scores for other mentees than asked about are not used: scored afresh.
    rng = random.Random(3)
    kept = rng.sample(sorted(proposal.scores.mentees), max(0, len(proposal.scores.mentees) - 1))
    partial = type(proposal.scores)(
        proposal.scores.mentors,
        {e: proposal.scores.mentees[e] for e in kept},
        proposal.scores.raw,
    )
    assert relax.suggest(inp, pairs, scores=partial) == fresh
    assert calls


def test_match_json_numbers_are_explains_through_the_cli(cli: Cli) -> None:
    """`match --json`'s scores, values and reasons are what `explain` says of each pair."""
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    result = cli("match", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["matches"]
    for m in data["matches"]:
        shown = cli("explain", m["mentee"], m["mentor"], "--json")
        assert shown.exit_code == 0, shown.output
        pair = json.loads(shown.stdout)
        assert m["score"] == pair["score"]
        assert m["criteria"] == {c["name"]: c["value"] for c in pair["criteria"]}
        ranked = sorted(
            (c for c in pair["criteria"] if c["contribution"] > 0),
            key=lambda c: (-c["contribution"], c["name"]),
        )
        assert m["reasons"] == [c["reason"] for c in ranked[:2]]


@pytest.mark.parametrize("ratio", [0, 10**9], ids=["always-tabulated", "never-tabulated"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_tabulated_and_direct_criteria_agree_with_explain_pair(ratio: int, seed: int) -> None:
    """Closeness and similarity are tabulated per distinct answers when that is cheaper
    (the benchmark's time zones and likert answers), computed directly otherwise: both
    ways give explain_pair's values and matrices that agree."""
    _, _, mentors, mentees = random_instance(seed, 10, 12)
    program = make_program(RANDOM_CRITERIA)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix, "TABLE_RATIO", ratio)
        assert_explained_as_explain_pair(program, mentors, mentees)
        scores, values = score_matrix(program, mentors, mentees)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix, "TABLE_RATIO", 10**9 - ratio)  # the other way
        other_scores, other_values = score_matrix(program, mentors, mentees)
    np.testing.assert_array_equal(scores, other_scores)
    for name in values:
        np.testing.assert_array_equal(values[name], other_values[name])
