"""Mentees with several mentors, and tracks: every solver against brute force.

Instances are tiny (a few mentors and mentees, at most a dozen eligible pairs), so every
feasible set of pairs can be enumerated: a mentee takes up to their capacity of mentors,
never two of one track; a mentor up to theirs. The references here are written from the
definitions, not from the solvers' code.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Mode
from mentorctl.errors import MatchingError
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.solvers import (
    Assignment,
    Instance,
    blocking_pairs,
    solve_greedy,
    solve_greedy_dense,
    solve_optimal,
    solve_optimal_dense,
    solve_optimal_full,
    solve_stable,
    solve_stable_dense,
)
from mentorctl.matching.tracks import mentee_places, track_of
from mentorctl.program import parse_program

from .reference import _mentee_list, _mentor_list
from .strategies import MENTEE_POOL, MENTOR_POOL, instances
from .test_engine import PROGRAM, independent_instance, rosters

PROPS = settings(max_examples=150, deadline=None)
TRACKS = ("career", "technical")
Pairs = tuple[tuple[str, str], ...]


@st.composite
def multi_instances(draw: st.DrawFn, *, with_prefs: bool = True) -> Instance:
    """A small instance with mentee capacities 0-3 and, half the time, two tracks."""
    base = draw(instances(max_mentors=4, max_mentees=5, with_prefs=with_prefs))
    scores = dict(list(base.scores.items())[:12])  # brute force stays small
    mentee_capacity = {e: draw(st.integers(0, 3)) for e in base.mentees}
    tracks: dict[str, str] = {}
    if draw(st.booleans()):
        for m in base.mentors:
            t = draw(st.sampled_from((*TRACKS, None)))
            if t is not None:
                tracks[m] = t
    return Instance(
        mentors=base.mentors,
        mentees=base.mentees,
        capacity=base.capacity,
        scores=scores,
        mentee_prefs=base.mentee_prefs,
        mentor_prefs=base.mentor_prefs,
        mentee_capacity=mentee_capacity,
        tracks=tracks,
    )


def feasible(inst: Instance, pairs: Pairs) -> bool:
    """No capacity, eligibility or track broken."""
    for m in inst.mentors:
        if sum(1 for mm, _ in pairs if mm == m) > inst.capacity[m]:
            return False
    for e in inst.mentees:
        mine = [m for m, ee in pairs if ee == e]
        if len(mine) > inst.mentee_capacity.get(e, 1):
            return False
        tracks = [inst.tracks[m] for m in mine if m in inst.tracks]
        if len(tracks) != len(set(tracks)):
            return False
    return all(p in inst.scores for p in pairs) and len(set(pairs)) == len(pairs)


def every_matching(inst: Instance) -> Iterator[Pairs]:
    keys = sorted(inst.scores)
    for mask in range(1 << len(keys)):
        pairs = tuple(k for b, k in enumerate(keys) if mask >> b & 1)
        if feasible(inst, pairs):
            yield pairs


def micro(inst: Instance, pairs: Pairs) -> int:
    return sum(round(inst.scores[p] * 1_000_000) for p in pairs)


def objective(inst: Instance, pairs: Pairs, maximize_matches: bool) -> tuple[int, ...]:
    """What optimal maximises, in order: pairs, then mentees with a mentor, then the
    total score; or (objective: max_score) the total, then pairs."""
    if maximize_matches:
        return (len(pairs), len({e for _, e in pairs}), micro(inst, pairs))
    return (micro(inst, pairs), len(pairs))


def best(inst: Instance, maximize_matches: bool) -> tuple[int, ...]:
    return max(objective(inst, p, maximize_matches) for p in every_matching(inst))


def textbook_blocking(inst: Instance, pairs: Pairs) -> list[tuple[str, str]]:
    """Unpaired eligible (mentor, mentee) who would both add each other.

    The mentee adds the mentor into a free place (if no mentor of that track is held),
    or instead of one mentor they like less whose removal makes room (same track, or any
    when the mentor's track is free). The mentor adds the mentee into a free place, or
    instead of a mentee they like less.
    """
    out = []
    for m, e in sorted(inst.scores):
        if (m, e) in pairs:
            continue
        ranking = _mentee_list(inst, e)
        held = [mm for mm, ee in pairs if ee == e]
        options = [(*pairs, (m, e))]
        options += [
            (*(p for p in pairs if p != (other, e)), (m, e))
            for other in held
            if ranking.index(other) > ranking.index(m)
        ]
        mentee_wants = any(feasible_for_mentee(inst, e, opt) for opt in options)
        mine = [ee for mm, ee in pairs if mm == m]
        order = _mentor_list(inst, m)
        mentor_wants = len(mine) < inst.capacity[m] or any(
            order.index(e) < order.index(other) for other in mine
        )
        if mentee_wants and mentor_wants:
            out.append((m, e))
    return out


def feasible_for_mentee(inst: Instance, e: str, pairs: Pairs) -> bool:
    mine = [m for m, ee in pairs if ee == e]
    tracks = [inst.tracks[m] for m in mine if m in inst.tracks]
    return len(mine) <= inst.mentee_capacity.get(e, 1) and len(tracks) == len(set(tracks))


def dense(inst: Instance) -> tuple[list[str], list[str], list[int], np.ndarray, list[int], list]:
    mentors, mentees = sorted(inst.mentors), sorted(inst.mentees)
    score = np.full((len(mentors), len(mentees)), np.nan)
    for (m, e), s in inst.scores.items():
        score[mentors.index(m), mentees.index(e)] = s
    cap = [inst.capacity[m] for m in mentors]
    mentee_cap = [inst.mentee_capacity.get(e, 1) for e in mentees]
    tracks = [inst.tracks.get(m) for m in mentors]
    return mentors, mentees, cap, score, mentee_cap, tracks


# ------------------------------------------------------------------------ optimal


@PROPS
@given(multi_instances(), st.sampled_from((1, 2, 32)))
def test_optimal_equals_brute_force(inst: Instance, k: int) -> None:
    for maximize in (True, False):
        got = solve_optimal(inst, maximize_matches=maximize, candidates=k)
        assert feasible(inst, got.pairs)
        assert objective(inst, got.pairs, maximize) == best(inst, maximize)


@PROPS
@given(multi_instances(with_prefs=False))
def test_full_reference_equals_brute_force(inst: Instance) -> None:
    mentors, mentees, cap, score, mentee_cap, tracks = dense(inst)
    for maximize in (True, False):
        index_pairs = solve_optimal_full(
            mentors, mentees, cap, score, maximize, mentee_capacity=mentee_cap, track=tracks
        )
        pairs = tuple((mentors[i], mentees[j]) for i, j in index_pairs)
        assert feasible(inst, pairs)
        assert objective(inst, pairs, maximize) == best(inst, maximize)


# ------------------------------------------------------------------------- stable


@PROPS
@given(multi_instances())
def test_stable_has_no_blocking_pair(inst: Instance) -> None:
    got = solve_stable(inst)
    assert feasible(inst, got.pairs)
    assert textbook_blocking(inst, got.pairs) == []
    assert blocking_pairs(inst, got) == []


@PROPS
@given(multi_instances(), st.randoms(use_true_random=False))
def test_stable_does_not_depend_on_input_order(inst: Instance, rng: random.Random) -> None:
    mentors, mentees = list(inst.mentors), list(inst.mentees)
    rng.shuffle(mentors)
    rng.shuffle(mentees)
    items = list(inst.scores.items())
    rng.shuffle(items)
    other = Instance(
        tuple(mentors),
        tuple(mentees),
        inst.capacity,
        dict(items),
        inst.mentee_prefs,
        inst.mentor_prefs,
        inst.mentee_capacity,
        inst.tracks,
    )
    assert solve_stable(other) == solve_stable(inst)


@PROPS
@given(multi_instances())
def test_blocking_pairs_agrees_with_textbook_definition(inst: Instance) -> None:
    for solve in (solve_greedy, solve_optimal):
        pairs = solve(inst).pairs
        assert blocking_pairs(inst, Assignment(pairs, 0.0)) == textbook_blocking(inst, pairs)


# ------------------------------------------------------------------------- greedy


def textbook_greedy(inst: Instance) -> Pairs:
    taken: list[tuple[str, str]] = []
    for m, e in sorted(inst.scores, key=lambda p: (-inst.scores[p], p)):
        if feasible(inst, (*taken, (m, e))):
            taken.append((m, e))
    return tuple(sorted(taken))


@PROPS
@given(multi_instances(with_prefs=False))
def test_greedy_takes_best_pairs_that_fit(inst: Instance) -> None:
    assert solve_greedy(inst).pairs == textbook_greedy(inst)
    mentors, mentees, cap, score, mentee_cap, tracks = dense(inst)
    index_pairs = solve_greedy_dense(
        mentors, mentees, cap, score, mentee_capacity=mentee_cap, track=tracks
    )
    assert tuple((mentors[i], mentees[j]) for i, j in index_pairs) == textbook_greedy(inst)


@PROPS
@given(multi_instances(with_prefs=False))
def test_dense_entry_points_agree_with_instance_ones(inst: Instance) -> None:
    mentors, mentees, cap, score, mentee_cap, tracks = dense(inst)
    index_pairs = solve_stable_dense(
        mentors, mentees, cap, score, mentee_capacity=mentee_cap, track=tracks
    )
    pairs = tuple((mentors[i], mentees[j]) for i, j in index_pairs)
    assert pairs == solve_stable(inst).pairs
    restricted = solve_optimal_dense(
        mentors, mentees, cap, score, mentee_capacity=mentee_cap, track=tracks, candidates=1
    )
    got = tuple((mentors[i], mentees[j]) for i, j in restricted)
    assert objective(inst, got, True) == best(inst, True)


# ------------------------------------------------------------- capacity 1: unchanged


@PROPS
@given(instances(), st.booleans())
def test_capacity_one_gives_todays_pairs(inst: Instance, with_tracks: bool) -> None:
    """Every mentee taking one mentor (said explicitly, with or without tracks) gives the
    very pairs of the one-mentor solvers."""
    ones = Instance(
        inst.mentors,
        inst.mentees,
        inst.capacity,
        inst.scores,
        inst.mentee_prefs,
        inst.mentor_prefs,
        mentee_capacity={e: 1 for e in inst.mentees},
        tracks={m: TRACKS[i % 2] for i, m in enumerate(sorted(inst.mentors))}
        if with_tracks
        else {},
    )
    for solve in (solve_optimal, solve_stable, solve_greedy):
        assert solve(ones) == solve(inst)
    mentors, mentees, cap, score, _, _ = dense(inst)
    for fn in (solve_optimal_dense, solve_optimal_full):
        assert fn(mentors, mentees, cap, score, mentee_capacity=[1] * len(mentees)) == fn(
            mentors, mentees, cap, score
        )


# ----------------------------------------------------------------- worked examples


def test_two_mentors_from_two_tracks() -> None:
    a, b, c = MENTOR_POOL[:3]
    x, y = MENTEE_POOL[:2]
    inst = Instance(
        mentors=(a, b, c),
        mentees=(x, y),
        capacity={a: 2, b: 2, c: 2},
        scores={(a, x): 1.0, (b, x): 0.75, (c, x): 0.5, (a, y): 0.5, (c, y): 0.25},
        mentee_capacity={x: 2, y: 2},
        tracks={a: "technical", b: "technical", c: "career"},
    )
    # x takes one technical mentor (a, the better) and the career one; never a and b.
    for solve in (solve_optimal, solve_stable, solve_greedy):
        pairs = solve(inst).pairs
        assert (a, x) in pairs and (c, x) in pairs and (b, x) not in pairs
        assert feasible(inst, pairs)
    assert solve_optimal(inst).pairs == ((a, x), (a, y), (c, x), (c, y))


@pytest.mark.parametrize("seed", range(4))
def test_restricted_equals_full_on_medium_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_m, n_e = 30, 60
    score = np.round(rng.random((n_m, n_e)), 2)
    score[rng.random((n_m, n_e)) < 0.3] = np.nan
    cap = rng.integers(0, 5, n_m)
    mentee_cap = rng.integers(0, 4, n_e)
    tracks = [None if t < 0 else int(t) for t in rng.integers(-1, 3, n_m)]
    for maximize in (True, False):
        kwargs = {"mentee_capacity": mentee_cap, "track": tracks}
        got = solve_optimal_dense(range(n_m), range(n_e), cap, score, maximize, candidates=2,
                                  **kwargs)  # fmt: skip
        ref = solve_optimal_full(range(n_m), range(n_e), cap, score, maximize, **kwargs)

        assert key(score, got, maximize) == key(score, ref, maximize)


def key(score: np.ndarray, pairs: list[tuple[int, int]], maximize: bool) -> tuple[int, ...]:
    total = sum(round(score[i, j] * 1_000_000) for i, j in pairs)
    covered = len({j for _, j in pairs})
    return (len(pairs), covered, total) if maximize else (total, len(pairs))


def test_optimal_gives_everyone_a_first_mentor_before_anyone_a_second() -> None:
    a, b = MENTOR_POOL[:2]
    x, y = MENTEE_POOL[:2]
    inst = Instance(
        mentors=(a, b),
        mentees=(x, y),
        capacity={a: 1, b: 1},
        scores={(a, x): 1.0, (a, y): 0.1, (b, x): 0.5},
        mentee_capacity={x: 2, y: 2},
    )
    # Two pairs either way; a second mentor for x would leave y with none.
    assert solve_optimal(inst).pairs == ((a, y), (b, x))
    # The total-score objective takes the higher total instead.
    assert solve_optimal(inst, maximize_matches=False).pairs == ((a, x), (b, x))


# ------------------------------------------------------------------ engine, end to end


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(), st.sampled_from(list(Mode)), st.data())
def test_engine_keeps_every_mentee_place_and_track(roster, mode: Mode, data) -> None:
    """Through ``propose``: no mentee over their places, never two mentors of one track,
    every pair eligible, kept pairs kept (and counted), and the optimum equal to brute
    force over the independent view of the same roster."""
    min_score, people = roster
    text = PROGRAM.replace("MIN", min_score) + "mentee_capacity: {default: 2, maximum: 3}\n"
    text = text.replace(
        "matching:\n", "matching:\n  tracks: {names: [x, y], field: department}\n", 1
    )
    program = parse_program(text)
    kept: list[tuple[str, str]] = []
    inst = independent_instance(program, people)
    if inst.scores:
        kept = [data.draw(st.sampled_from(sorted(inst.scores)))]
    try:
        result = propose(MatchInput(program=program, people=people, mode=mode, kept=kept))
    except MatchingError:
        return  # nobody to match, or a kept pair beyond a mentor's capacity
    pairs = tuple(sorted((m.mentor, m.mentee) for m in result.matches))
    by_email = {p["email"]: p for p in people}
    places = {e: mentee_places(program, by_email[e]) for e in inst.mentees}
    tracks = {m: t for m in inst.mentors if (t := track_of(program, by_email[m])) is not None}
    multi = Instance(
        inst.mentors,
        inst.mentees,
        inst.capacity,
        {p: s for p, s in inst.scores.items() if p[0] in tracks},  # no track: not placed
        mentee_capacity=places,
        tracks=tracks,
    )
    assert feasible(multi, pairs) or not set(kept) <= set(multi.scores)
    assert set(kept) <= set(pairs)
    if mode is Mode.OPTIMAL and set(kept) <= set(multi.scores) and len(multi.scores) <= 12:
        fixed = [p for p in every_matching(multi) if set(kept) <= set(p)]
        assert objective(multi, pairs, True) == max(objective(multi, p, True) for p in fixed)


def test_a_mentee_with_a_kept_mentor_is_covered_already() -> None:
    # x already has a mentor (kept, outside the solve) and one place left; y has none.
    # One mentor with one place, who scores higher with x: y still comes first.
    score = np.array([[1.0, 0.1]])
    for fn in (solve_optimal_dense, solve_optimal_full):
        assert fn(["a"], ["x", "y"], [1], score, mentee_capacity=[1, 2]) == [(0, 0)]
        held = fn(["a"], ["x", "y"], [1], score, mentee_capacity=[1, 2], mentee_held=[True, False])
        assert held == [(0, 1)]
        # Every mentee at one place: still so (the one-mentor path is left only then).
        ones = fn(["a"], ["x", "y"], [1], score, mentee_held=[True, False])
        assert ones == [(0, 1)]


def test_engine_covers_mentees_before_second_mentors_beside_kept_pairs() -> None:
    program = parse_program(
        "version: 1\nname: K\nslug: k\nformat: group\ncycle: {name: c1, start: 2027-01-04}\n"
        "capacity: {default: 1, maximum: 3}\nmentee_capacity: {default: 2}\n"
        "survey:\n  questions:\n"
        "    - {id: wants, label: W, type: multiple_choice, options: [a, b]}\n"
        "matching:\n  criteria:\n    - {name: s, kind: overlap, field: wants}\n"
    )

    def person(email: str, role: str, wants: list[str]) -> dict:
        return {"email": email, "name": email[:3], "role": role, "answers": {"wants": wants}}

    people = [
        person("ann@x.org", "mentor", ["a"]),
        person("bea@x.org", "mentor", ["a"]),
        person("xi@x.org", "mentee", ["a"]),  # bea scores higher with xi than with yo
        person("yo@x.org", "mentee", ["a", "b"]),
    ]
    result = propose(MatchInput(program=program, people=people, kept=[("ann@x.org", "xi@x.org")]))
    pairs = sorted((m.mentor, m.mentee) for m in result.matches)
    assert pairs == [("ann@x.org", "xi@x.org"), ("bea@x.org", "yo@x.org")]
    assert result.summary["mentees_matched"] == 2
