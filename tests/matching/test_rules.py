"""``exclude_same_manager`` and ``prefer_previous`` on random rosters, checked one pair at
a time and against exhaustive search; ``match --fill``'s input."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.errors import MatchingError
from mentorctl.matching import constraints
from mentorctl.matching.continuity import fill_input
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.scoring import explain_pair
from mentorctl.matching.solvers import Instance
from mentorctl.program import parse_program
from tests.matching.reference import exhaustive_optima

PROGRAM = """\
version: 1
name: Rules
slug: rules
format: group
cycle: {name: c1, start: 2027-01-04}
capacity: {default: 1, maximum: 3}
survey:
  questions:
    - {id: wants, label: W, type: multiple_choice, options: [a, b, c, d]}
    - {id: offers, label: O, type: multiple_choice, options: [a, b, c, d]}
matching:
  prefer_previous: BONUS
  criteria:
    - {name: skills, kind: overlap, mentee: wants, mentor: offers, weight: 2}
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 6}
  constraints:
    management_chain: 1
    exclude_same_manager: true
    avoid_previous_pairs: false
"""

NAMES = ["ann", "bob", "cat", "dan", "eve", "fox", "gil", "hal"]


def roster(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    names = rng.sample(NAMES, n)
    bosses = [f"{o}@example.org" for o in names] + ["boss@example.org", "chief@example.org"]
    return [
        {
            "email": f"{name}@example.org",
            "name": name.title(),
            "role": rng.choice(["mentor", "mentee", "both"]),
            "manager_email": rng.choice([None, *bosses]),
            "timezone": rng.choice(["Europe/London", "Asia/Tokyo", None]),
            "capacity": rng.choice([None, 1, 2]),
            "answers": {
                "wants": rng.sample("abcd", rng.randint(0, 3)),
                "offers": rng.sample("abcd", rng.randint(0, 3)),
            },
        }
        for name in names
    ]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8))
def test_same_manager_matrix_agrees_with_reasons(seed: int, n: int) -> None:
    program = parse_program(PROGRAM.replace("BONUS", "null"))
    people = roster(seed, n)
    by_email = {p["email"]: p for p in people}
    allowed = constraints.allowed_matrix(program, people, people, people=people)
    for i, a in enumerate(people):
        for j, b in enumerate(people):
            why = constraints.exclusion_reasons(program, a, b, people_by_email=by_email)
            assert allowed[i, j] == (not why), (a, b, why)
            same = a.get("manager_email") and a.get("manager_email") == b.get("manager_email")
            assert any(r.startswith("same manager: ") for r in why) == bool(same and i != j)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 8),
    bonus=st.sampled_from(["0.1", "0.5", "2"]),
)
def test_prefer_previous_reaches_the_exhaustive_optimum(seed: int, n: int, bonus: str) -> None:
    program = parse_program(PROGRAM.replace("BONUS", bonus))
    people = roster(seed, n)
    rng = random.Random(seed + 1)
    emails = [p["email"] for p in people]
    previous = frozenset((rng.choice(emails), rng.choice(emails)) for _ in range(3))
    try:
        result = propose(MatchInput(program=program, people=people, previous_pairs=previous))
    except MatchingError:
        return
    weight = float(bonus)
    by_email = {p["email"]: p for p in people}
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    objective = {}
    for m in mentors:
        for e in mentees:
            if constraints.exclusion_reasons(program, m, e, people_by_email=by_email):
                continue
            score = round(explain_pair(program, m, e).score, 6)
            if (m["email"], e["email"]) in previous:
                score += weight
            objective[(m["email"], e["email"])] = score
    inst = Instance(
        mentors=tuple(m["email"] for m in mentors),
        mentees=tuple(e["email"] for e in mentees),
        capacity={m["email"]: constraints.capacity_of(program, m) for m in mentors},
        scores=objective,
    )
    (best_count, best_total), _ = exhaustive_optima(inst)
    got = [(m.mentor, m.mentee) for m in result.matches]
    assert all(p in objective for p in got)
    assert len(got) == best_count
    assert np.isclose(sum(objective[p] for p in got), float(best_total), atol=1e-5 * (1 + n))
    for m in result.matches:
        told = any("prefer_previous" in r for r in m.reasons)
        assert told == ((m.mentor, m.mentee) in previous)
        # Reported scores stay the pair's own, without the bonus.
        assert m.score == round(
            explain_pair(program, by_email[m.mentor], by_email[m.mentee]).score, 6
        )


def test_fill_keeps_pending_pairs_and_drops_locks_on_them() -> None:
    program = parse_program(PROGRAM.replace("BONUS", "null"))
    inp = MatchInput(
        program=program,
        people=[],
        kept=[("a@x.org", "b@x.org")],
        locks=[("c@x.org", "d@x.org"), ("c@x.org", "e@x.org")],
    )
    filled = fill_input(inp, [("c@x.org", "d@x.org"), ("a@x.org", "b@x.org")])
    assert list(filled.kept) == [("a@x.org", "b@x.org"), ("c@x.org", "d@x.org")]
    assert list(filled.locks) == [("c@x.org", "e@x.org")]
