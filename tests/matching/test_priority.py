"""Priority for mentees left unmatched last cycle is a rule, not a bonus a tie can lose.

Lexicographic: the most priority mentees placed, then the program's objective (most
matches, then best total). Checked against brute force over every feasible matching.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Mode
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.program import parse_program
from tests.matching.reference import exact_total, feasible_matchings
from tests.matching.test_engine import PROGRAM, independent_instance, rosters


def person(email: str, role: str, **extra) -> dict:
    base = {
        "email": email,
        "name": email.split("@")[0].title(),
        "role": role,
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
        "answers": {},
    }
    return base | extra


def test_a_priority_mentee_scoring_zero_still_gets_the_free_mentor() -> None:
    """Scores of 0 against a rival's 1: a bonus of 1 tied, and the tie went to the rival."""
    program = parse_program(PROGRAM.replace("MIN", "null").replace("weight: 2}", "weight: 1}"))
    mentor = person(
        "m@x.org",
        "mentor",
        department="x",
        level="L3",
        tenure_months=24,
        answers={"offers": ["a"]},
    )
    # The same department, level and time zone as the mentor: every criterion scores 0.
    waited = person(
        "waited@x.org",
        "mentee",
        department="x",
        level="L4",
        timezone="Asia/Tokyo",
        tenure_months=200,
        answers={"wants": ["d"]},
    )
    rival = person("rival@x.org", "mentee", answers={"wants": ["a"]})
    people = [mentor, waited, rival]
    for mode in Mode:
        result = propose(
            MatchInput(
                program=program, people=people, mode=mode, priority=frozenset({"waited@x.org"})
            )
        )
        assert [m.mentee for m in result.matches] == ["waited@x.org"], mode
        assert result.matches[0].score == 0.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(), st.data())
def test_optimal_places_the_most_priority_mentees_then_best(roster, data) -> None:
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    mentees = sorted(p["email"] for p in people if p["role"] in ("mentee", "both"))
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    if not mentees or not mentors:
        return
    priority = frozenset(data.draw(st.lists(st.sampled_from(mentees), unique=True)))
    result = propose(MatchInput(program=program, people=people, priority=priority))
    inst = independent_instance(program, people)
    best = max(
        (
            sum(e in priority for _, e in pairs),
            len(pairs),
            exact_total(inst, pairs),
        )
        for pairs in feasible_matchings(inst)
    )
    got = (
        sum(m.mentee in priority for m in result.matches),
        len(result.matches),
        sum(Fraction(str(m.score)) for m in result.matches),
    )
    assert got[:2] == best[:2]
    assert abs(float(got[2] - best[2])) < 1e-5
