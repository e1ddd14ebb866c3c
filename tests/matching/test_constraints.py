"""Hard constraints: each rule with its reason, and allowed_matrix == exclusion_reasons."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching.constraints import (
    allowed_matrix,
    below_min_score,
    capacity_of,
    exclusion_reasons,
    management_chain,
    mentor_ineligibility,
    people_index,
)
from mentorctl.program import Program
from tests.matching.test_scoring import (
    POOL,
    SAMPLE_DIRS,
    make_program,
    person,
    random_instance,
    sample_people,
    split_roles,
)


def reasons(program: Program, mentor: dict, mentee: dict, *others: dict, **kw: Any) -> list[str]:
    known = people_index([mentor, mentee, *others])
    return exclusion_reasons(program, mentor, mentee, people_by_email=known, **kw)


def test_nobody_mentors_themself() -> None:
    prog = make_program([])
    both = person("b@x.org")
    assert reasons(prog, both, both) == ["cannot mentor themself"]
    assert reasons(prog, both, person("B@X.org ")) == ["cannot mentor themself"]
    assert reasons(prog, both, person("c@x.org")) == []


# ----------------------------------------------------------------------------- eligibility


def eligibility_program(**mentor_rules: Any) -> Program:
    return make_program([], eligibility={"mentor": mentor_rules})


@pytest.mark.parametrize(
    ("rules", "mentor", "why"),
    [
        ({"min_tenure_months": 12}, {"tenure_months": 12}, None),
        (
            {"min_tenure_months": 12},
            {"tenure_months": 5},
            "tenure of 5 months is below the minimum of 12",
        ),
        ({"min_tenure_months": 12}, {}, "tenure unknown"),
        ({"min_years_experience": 3}, {"years_experience": 3.0}, None),
        (
            {"min_years_experience": 3},
            {"years_experience": 2.5},
            "2.5 years of experience is below the minimum of 3",
        ),
        ({"min_years_experience": 3}, {}, "experience unknown"),
        ({"levels": ["L3", "L4"]}, {"level": "l3"}, None),
        ({"levels": ["L3", "L4"]}, {"level": "L1"}, "level L1 may not mentor (allowed: L3, L4)"),
        ({"levels": ["L3", "L4"]}, {}, "level unknown"),
        (
            {"min_tenure_months": 12, "min_years_experience": 3, "levels": ["L3"]},
            {"level": "L1", "years_experience": 1},
            "tenure unknown; 1 years of experience is below the minimum of 3; "
            "level L1 may not mentor (allowed: L3)",
        ),
        ({}, {}, None),
    ],
)
def test_mentor_eligibility(rules: dict, mentor: dict, why: str | None) -> None:
    prog = eligibility_program(**rules)
    m = person("m@x.org", **mentor)
    assert mentor_ineligibility(prog, m) == why
    expected = [] if why is None else [f"mentor not eligible: {why}"]
    assert reasons(prog, m, person("e@x.org")) == expected


# ----------------------------------------------------------------------------- management


def org() -> dict[str, dict]:
    """ceo <- vp <- dir <- mgr <- ic; a loop x <-> y; z reports to someone unknown."""
    chain = [("ceo", None), ("vp", "ceo"), ("dir", "vp"), ("mgr", "dir"), ("ic", "mgr")]
    people = [person(f"{a}@x.org", manager_email=b and f"{b}@x.org") for a, b in chain]
    people += [
        person("x@x.org", manager_email="y@x.org"),
        person("y@x.org", manager_email="x@x.org"),
        person("z@x.org", manager_email="ghost@x.org"),
    ]
    return people_index(people)


def test_management_chain_walks_up_n_levels() -> None:
    people = org()
    assert management_chain(people, "ic@x.org", 2) == ["mgr@x.org", "dir@x.org"]
    assert management_chain(people, "IC@x.org", 10) == [
        "mgr@x.org",
        "dir@x.org",
        "vp@x.org",
        "ceo@x.org",
    ]
    assert management_chain(people, "ic@x.org", 0) == []
    assert management_chain(people, "x@x.org", 5) == ["y@x.org"]  # stops at the loop
    assert management_chain(people, "z@x.org", 5) == ["ghost@x.org"]
    assert management_chain(people, "nobody@x.org", 5) == []


@pytest.mark.parametrize(
    ("levels", "mentor", "mentee", "expected"),
    [
        (2, "mgr", "ic", ["mentor is the mentee's manager"]),
        (2, "dir", "ic", ["mentor is in the mentee's management chain (2 levels up)"]),
        (2, "vp", "ic", []),
        (3, "vp", "ic", ["mentor is in the mentee's management chain (3 levels up)"]),
        (2, "ic", "mgr", ["mentor is the mentee's direct report"]),
        (2, "ic", "dir", ["mentor reports to the mentee (2 levels down)"]),
        (1, "ic", "dir", []),
        (0, "mgr", "ic", []),
        (0, "ic", "mgr", []),
        (2, "x", "y", ["mentor is the mentee's manager", "mentor is the mentee's direct report"]),
    ],
)
def test_management_chain_excludes_both_ways(
    levels: int, mentor: str, mentee: str, expected: list[str]
) -> None:
    prog = make_program([], constraints={"management_chain": levels})
    people = org()
    got = exclusion_reasons(
        prog, people[f"{mentor}@x.org"], people[f"{mentee}@x.org"], people_by_email=people
    )
    assert got == expected


# ----------------------------------------------------------------------------- fields


def test_require_same_and_different() -> None:
    prog = make_program(
        [],
        constraints={"require_same": ["languages", "track"], "require_different": ["department"]},
    )
    m = person("m@x.org", languages=["English", "French"], track="Eng", department="Sales")
    e = person("e@x.org", languages=["french"], track="eng", department="Ops")
    assert reasons(prog, m, e) == []
    e = person("e@x.org", languages=["German"], department="sales")
    assert reasons(prog, m, e) == [
        "languages must match: English, French (mentor) vs German (mentee)",
        "track must match but is blank for the mentee",
        "department must differ: both sales",
    ]
    m = person("m@x.org", track="Mgmt")
    e = person("e@x.org", track="Eng")
    assert reasons(prog, m, e) == [
        "languages must match but is blank for both",
        "track must match: Mgmt (mentor) vs Eng (mentee)",
    ]  # a blank department cannot be the same, so require_different lets it through


def test_require_same_on_time_zone_offset() -> None:
    prog = make_program([], constraints={"require_same": ["utc_offset"]})
    m = person("m@x.org", timezone="Europe/Berlin")
    assert reasons(prog, m, person("e@x.org", timezone="Europe/Paris")) == []
    assert reasons(prog, m, person("e@x.org", timezone="Europe/London")) == [
        "time zone must match: 1 (mentor) vs 0 (mentee)"
    ]
    assert reasons(prog, person("n@x.org"), m) == [
        "time zone must match but is blank for the mentor"
    ]


# ----------------------------------------------------------------------------- pairs


def test_previous_pairs_are_avoided_when_asked() -> None:
    m, e = person("m@x.org"), person("e@x.org")
    previous = {("M@x.org", "e@x.org")}
    prog = make_program([])
    assert reasons(prog, m, e, previous_pairs=previous) == ["paired in an earlier cycle"]
    assert reasons(prog, e, m, previous_pairs=previous) == []  # the other way round is new
    allow_repeat = make_program([], constraints={"avoid_previous_pairs": False})
    assert reasons(allow_repeat, m, e, previous_pairs=previous) == []


def test_forbidden_pairs_from_program_and_caller() -> None:
    prog = make_program([], constraints={"forbid": [{"mentor": "M@x.org", "mentee": "e@x.org"}]})
    m, e, f = person("m@x.org"), person("e@x.org"), person("f@x.org")
    assert reasons(prog, m, e) == ["forbidden pair"]
    assert reasons(prog, m, f) == []
    assert reasons(prog, m, f, forbid={("m@x.org", "F@x.org")}) == ["forbidden pair"]


def test_all_reasons_in_a_fixed_order() -> None:
    prog = make_program(
        [],
        eligibility={"mentor": {"min_tenure_months": 6}},
        constraints={
            "require_same": ["languages"],
            "forbid": [{"mentor": "a@x.org", "mentee": "a@x.org"}],
        },
    )
    a = person("a@x.org", manager_email="a@x.org")
    assert reasons(prog, a, a, previous_pairs={("a@x.org", "a@x.org")}) == [
        "cannot mentor themself",
        "mentor not eligible: tenure unknown",
        "languages must match but is blank for both",
        "paired in an earlier cycle",
        "forbidden pair",
    ]


# ----------------------------------------------------------------------------- helpers


def test_below_min_score() -> None:
    assert not below_min_score(make_program([]), 0.0)
    prog = make_program([], constraints={"min_score": 0.2})
    assert below_min_score(prog, 0.19)
    assert not below_min_score(prog, 0.2)
    assert not below_min_score(prog, 0.1 + 0.1 - 1e-12)  # float noise is not a failure


def test_capacity_of() -> None:
    group = make_program([], capacity={"default": 2, "maximum": 4})
    assert capacity_of(group, person("m@x.org")) == 2
    assert capacity_of(group, person("m@x.org", capacity=3)) == 3
    assert capacity_of(group, person("m@x.org", capacity=9)) == 4
    assert capacity_of(group, person("m@x.org", capacity=0)) == 0
    one = make_program([], format="one-to-one")
    assert capacity_of(one, person("m@x.org", capacity=3)) == 1


# ----------------------------------------------------------------------------- matrix


def random_constraints(rng: random.Random) -> dict[str, Any]:
    fields = ["languages", "track", "department", "location", "skills_wanted", "utc_offset"]
    return {
        "management_chain": rng.randint(0, 3),
        "require_same": rng.sample(fields, rng.randint(0, 2)),
        "require_different": rng.sample(fields, rng.randint(0, 2)),
        "avoid_previous_pairs": rng.random() < 0.7,
        "forbid": [
            {"mentor": rng.choice(POOL), "mentee": rng.choice(POOL)}
            for _ in range(rng.randint(0, 8))
        ],
    }


def random_eligibility(rng: random.Random) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    if rng.random() < 0.5:
        rules["min_tenure_months"] = rng.randint(0, 30)
    if rng.random() < 0.3:
        rules["min_years_experience"] = rng.uniform(0, 8)
    if rng.random() < 0.3:
        rules["levels"] = rng.sample(["L2", "L3", "l4", "L5", "L6"], 3)
    return {"mentor": rules}


def assert_matrix_agrees(prog: Program, mentors, mentees, people, **kw: Any) -> np.ndarray:
    allowed = allowed_matrix(prog, mentors, mentees, people=people, **kw)
    assert allowed.shape == (len(mentors), len(mentees))
    assert allowed.dtype == bool
    known = people_index(people, mentors, mentees)
    for i, m in enumerate(mentors):
        for j, e in enumerate(mentees):
            why = exclusion_reasons(prog, m, e, people_by_email=known, **kw)
            assert allowed[i, j] == (not why), (i, j, why)
    return allowed


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_allowed_matrix_agrees_with_reasons_on_random_people(seed: int) -> None:
    rng, people, mentors, mentees = random_instance(seed, 14, 18)
    prog = make_program(
        [], constraints=random_constraints(rng), eligibility=random_eligibility(rng)
    )
    previous = {(rng.choice(POOL), rng.choice(POOL)) for _ in range(rng.randint(0, 10))}
    forbid = {(rng.choice(POOL).upper(), rng.choice(POOL)) for _ in range(rng.randint(0, 5))}
    # only some people are mentors/mentees, but chains run through everyone
    allowed = assert_matrix_agrees(
        prog, mentors, mentees, people, previous_pairs=previous, forbid=forbid
    )
    rows, cols = list(range(len(mentors))), list(range(len(mentees)))
    rng.shuffle(rows)
    rng.shuffle(cols)
    shuffled = allowed_matrix(
        prog,
        [mentors[i] for i in rows],
        [mentees[j] for j in cols],
        people=people[::-1],
        previous_pairs=previous,
        forbid=forbid,
    )
    np.testing.assert_array_equal(shuffled, allowed[np.ix_(rows, cols)])


def test_allowed_matrix_chain_uses_people_beyond_the_pools() -> None:
    prog = make_program([], constraints={"management_chain": 2})
    people = org()
    mentors = [people["dir@x.org"], people["vp@x.org"]]
    mentees = [people["ic@x.org"]]
    # mgr is neither a mentor nor a mentee, yet links ic to dir
    allowed = allowed_matrix(prog, mentors, mentees, people=list(people.values()))
    assert allowed.tolist() == [[False], [True]]
    assert allowed_matrix(prog, mentors, mentees, people=[]).tolist() == [[True], [True]]
    assert allowed_matrix(prog, [], mentees, people=[]).shape == (0, 1)


@pytest.mark.parametrize("directory", SAMPLE_DIRS, ids=lambda p: p.name)
def test_allowed_matrix_agrees_on_sample_programs(directory: Path) -> None:
    program, people = sample_people(directory)
    mentors, mentees = split_roles(people)
    previous = {(mentors[0]["email"], mentees[-1]["email"])}
    allowed = assert_matrix_agrees(program, mentors, mentees, people, previous_pairs=previous)
    assert 0 < allowed.sum() < allowed.size
