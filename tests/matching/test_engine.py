"""The matching engine on random rosters: every guarantee, checked independently.

The engine scores with vectorised matrices; these tests re-derive each pair's
eligibility and score one pair at a time (``explain_pair``, ``exclusion_reasons``) and
compare the engine's result with exhaustive search over that independent view.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Mode
from mentorctl.errors import MatchingError
from mentorctl.matching import constraints
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.scoring import explain_pair
from mentorctl.matching.solvers import Instance, blocking_pairs
from mentorctl.program import parse_program
from tests.matching.reference import exhaustive_optima

PROGRAM = """\
version: 1
name: Prop
slug: prop
format: group
cycle: {name: c1, start: 2027-01-04}
capacity: {default: 1, maximum: 3}
levels: [L1, L2, L3, L4]
eligibility: {mentor: {min_tenure_months: 6}}
survey:
  questions:
    - {id: wants, label: W, type: multiple_choice, options: [a, b, c, d], asked_of: mentees}
    - {id: offers, label: O, type: multiple_choice, options: [a, b, c, d], asked_of: mentors}
matching:
  criteria:
    - {name: skills, kind: overlap, mentee: wants, mentor: offers, weight: 2}
    - {name: dept, kind: different, field: department}
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 6}
    - {name: seniority, kind: seniority_gap, min_gap: 1, max_gap: 2}
  constraints:
    management_chain: 2
    require_same: [languages]
    min_score: MIN
"""

ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", None]
NAMES = ["ann", "bob", "cat", "dan", "eve", "fox", "gil", "hal", "ivy", "jon"]


@st.composite
def rosters(draw: st.DrawFn) -> tuple[str, list[dict]]:
    n = draw(st.integers(2, 8))
    names = draw(st.permutations(NAMES))[:n]
    people = []
    for name in names:
        email = f"{name}@example.org"
        role = draw(st.sampled_from(["mentor", "mentee", "both"]))
        others = [f"{o}@example.org" for o in names if o != name]
        people.append(
            {
                "email": email,
                "name": name.title(),
                "role": role,
                "department": draw(st.sampled_from(["x", "y", None])),
                "title": None,
                "level": draw(st.sampled_from(["L1", "L2", "L3", "L4", None])),
                "manager_email": draw(st.sampled_from([None, *others])),
                "location": None,
                "timezone": draw(st.sampled_from(ZONES)),
                "languages": draw(st.lists(st.sampled_from(["en", "fr"]), max_size=2, unique=True)),
                "tenure_months": draw(st.sampled_from([None, 3, 12, 40])),
                "years_experience": None,
                "capacity": draw(st.sampled_from([None, 0, 1, 2, 3])),
                "answers": {
                    "wants": draw(st.lists(st.sampled_from("abcd"), max_size=3, unique=True)),
                    "offers": draw(st.lists(st.sampled_from("abcd"), max_size=3, unique=True)),
                },
            }
        )
    min_score = draw(st.sampled_from(["null", "0.3"]))
    return min_score, people


def independent_instance(program, people) -> Instance:
    """Eligible pairs and scores, one pair at a time, without the engine's matrices."""
    by_email = {p["email"]: p for p in people}
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    scores = {}
    for m in mentors:
        if constraints.mentor_ineligibility(program, m):
            continue
        for e in mentees:
            if constraints.exclusion_reasons(program, m, e, people_by_email=by_email):
                continue
            score = round(explain_pair(program, m, e).score, 6)
            if (
                program.matching.constraints.min_score is not None
                and score < program.matching.constraints.min_score
            ):
                continue
            scores[(m["email"], e["email"])] = score
    return Instance(
        mentors=tuple(m["email"] for m in mentors),
        mentees=tuple(e["email"] for e in mentees),
        capacity={m["email"]: constraints.capacity_of(program, m) for m in mentors},
        scores=scores,
    )


def run(program, people, mode: Mode):
    try:
        return propose(MatchInput(program=program, people=people, mode=mode))
    except MatchingError:
        return None


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rosters(), st.sampled_from(list(Mode)))
def test_no_constraint_or_capacity_is_ever_broken(roster, mode) -> None:
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    result = run(program, people, mode)
    if result is None:
        return
    inst = independent_instance(program, people)
    pairs = [(m.mentor, m.mentee) for m in result.matches]
    assert all(p in inst.scores for p in pairs), "a match breaks a hard constraint"
    mentees = [e for _, e in pairs]
    assert len(mentees) == len(set(mentees))
    for mentor in {m for m, _ in pairs}:
        assert sum(1 for m, _ in pairs if m == mentor) <= inst.capacity[mentor]
    for m in result.matches:
        assert m.score == pytest.approx(inst.scores[(m.mentor, m.mentee)], abs=1e-6)
    matched = {m.mentee for m in result.matches} | {m.mentor for m in result.matches}
    reasons = {u.email for u in result.unmatched}
    for e in inst.mentees:
        assert e in matched or e in reasons or any(e == m for m, _ in pairs)


@SETTINGS
@given(rosters())
def test_optimal_equals_exhaustive_search_and_beats_greedy(roster) -> None:
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    optimal = run(program, people, Mode.OPTIMAL)
    greedy = run(program, people, Mode.GREEDY)
    if optimal is None:
        return
    inst = independent_instance(program, people)
    (best_count, best_total), _ = exhaustive_optima(inst)
    assert optimal.summary["matched"] == best_count
    total = sum(Fraction(str(m.score)) for m in optimal.matches)
    assert abs(float(total - best_total)) < 1e-5
    assert optimal.summary["matched"] >= greedy.summary["matched"]
    if optimal.summary["matched"] == greedy.summary["matched"]:
        assert optimal.summary["total_score"] >= greedy.summary["total_score"] - 1e-6
    assert optimal.summary["greedy_total_score"] == pytest.approx(greedy.summary["total_score"])


@SETTINGS
@given(rosters())
def test_stable_has_no_blocking_pair(roster) -> None:
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    result = run(program, people, Mode.STABLE)
    if result is None:
        return
    inst = independent_instance(program, people)
    from mentorctl.matching.solvers import Assignment

    pairs = tuple(sorted((m.mentor, m.mentee) for m in result.matches))
    assert blocking_pairs(inst, Assignment(pairs, 0.0)) == []


@SETTINGS
@given(rosters(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_order_of_people(roster, rnd: random.Random) -> None:
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    first = run(program, people, Mode.OPTIMAL)
    shuffled = list(people)
    rnd.shuffle(shuffled)
    second = run(program, shuffled, Mode.OPTIMAL)
    assert (first is None) == (second is None)
    if first is not None:
        assert first.as_json() == second.as_json()


def test_unmatched_reasons_are_specific() -> None:
    program = parse_program(PROGRAM.replace("MIN", "null"))
    base = {
        "title": None,
        "location": None,
        "years_experience": None,
        "capacity": None,
        "manager_email": None,
        "timezone": "Europe/London",
        "level": "L2",
    }
    people = [
        {
            **base,
            "email": "m1@x.org",
            "name": "M1",
            "role": "mentor",
            "department": "x",
            "languages": ["en"],
            "tenure_months": 24,
            "answers": {"offers": ["a"]},
        },
        {
            **base,
            "email": "m2@x.org",
            "name": "M2",
            "role": "mentor",
            "department": "x",
            "languages": ["en"],
            "tenure_months": 2,
            "answers": {"offers": ["a"]},
        },
        {
            **base,
            "email": "e1@x.org",
            "name": "E1",
            "role": "mentee",
            "department": "y",
            "languages": ["en"],
            "tenure_months": 1,
            "answers": {"wants": ["a"]},
        },
        {
            **base,
            "email": "e2@x.org",
            "name": "E2",
            "role": "mentee",
            "department": "y",
            "languages": ["en"],
            "tenure_months": 1,
            "answers": {"wants": ["a"]},
        },
        {
            **base,
            "email": "e3@x.org",
            "name": "E3",
            "role": "mentee",
            "department": "y",
            "languages": ["fr"],
            "tenure_months": 1,
            "answers": {"wants": ["a", "b"]},
        },
    ]
    result = propose(MatchInput(program=program, people=people))
    reasons = {u.email: u.reason for u in result.unmatched}
    assert reasons["m2@x.org"].startswith("not eligible to mentor: ")
    assert "below the minimum of 6" in reasons["m2@x.org"]
    assert reasons["e3@x.org"].startswith("no eligible mentor: ")
    assert "languages" in reasons["e3@x.org"]
    full = [e for e in ("e1@x.org", "e2@x.org") if e in reasons]
    assert len(full) == 1 and reasons[full[0]] == "all 1 eligible mentor(s) are full"
    [gap] = [g for g in result.supply_gaps if g.item == "b"]
    assert (gap.wanted, gap.offered) == (1, 0)
    assert str(gap) == "1 mentee(s) want b; 0 eligible mentor(s) offer it"


def test_priority_mentees_are_placed_first_when_not_everyone_can_be() -> None:
    program = parse_program(PROGRAM.replace("MIN", "null"))
    base = {
        "title": None,
        "location": None,
        "years_experience": None,
        "capacity": None,
        "manager_email": None,
        "timezone": "Europe/London",
        "level": "L2",
        "department": "y",
        "languages": ["en"],
        "tenure_months": 1,
    }
    mentor = {
        **base,
        "email": "m@x.org",
        "name": "M",
        "role": "mentor",
        "department": "x",
        "level": "L3",
        "tenure_months": 24,
        "answers": {"offers": ["a", "b"]},
    }
    keen = {
        **base,
        "email": "keen@x.org",
        "name": "K",
        "role": "mentee",
        "answers": {"wants": ["a"]},
    }
    waited = {
        **base,
        "email": "waited@x.org",
        "name": "W",
        "role": "mentee",
        "answers": {"wants": ["a", "c"]},
    }
    people = [mentor, keen, waited]
    plain = propose(MatchInput(program=program, people=people))
    assert [m.mentee for m in plain.matches] == ["keen@x.org"]  # the better fit
    favoured = propose(
        MatchInput(program=program, people=people, priority=frozenset({"waited@x.org"}))
    )
    assert [m.mentee for m in favoured.matches] == ["waited@x.org"]
    # The bonus steers the solver only: reported scores are the pair's own.
    assert favoured.matches[0].score == pytest.approx(
        explain_pair(program, mentor, waited).score, abs=1e-6
    )


def test_a_mentee_below_min_score_is_told_so() -> None:
    program = parse_program(PROGRAM.replace("MIN", "0.99"))
    base = {
        "title": None,
        "location": None,
        "years_experience": None,
        "capacity": None,
        "manager_email": None,
        "timezone": "Europe/London",
        "level": "L2",
        "languages": ["en"],
    }
    people = [
        {
            **base,
            "email": "m@x.org",
            "name": "M",
            "role": "mentor",
            "department": "x",
            "tenure_months": 24,
            "answers": {"offers": ["a"]},
        },
        {
            **base,
            "email": "e@x.org",
            "name": "E",
            "role": "mentee",
            "department": "y",
            "tenure_months": 1,
            "answers": {"wants": ["b"]},
        },
    ]
    result = propose(MatchInput(program=program, people=people))
    assert result.matches == []
    reasons = {u.email: u.reason for u in result.unmatched}
    assert reasons["e@x.org"] == "every eligible mentor scores below min_score 0.99"
