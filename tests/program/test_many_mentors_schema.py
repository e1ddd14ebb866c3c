"""program.yaml's ``mentee_capacity`` and ``matching.tracks``: defaults, checks, and how
a mentee's own ``capacity`` is read."""

from __future__ import annotations

from mentorctl.program import parse_program
from tests.program.test_schema import MINIMAL, problems_of


def test_one_mentor_each_by_default_and_a_mentees_capacity_ignored() -> None:
    program = parse_program(MINIMAL)
    assert program.mentee_capacity.default == 1 and program.mentee_capacity.top == 1
    assert program.matching.tracks is None
    # As before mentee capacities existed: the column means nothing for a mentee.
    assert program.mentee_capacity_of(0, "mentee") == 1
    assert program.mentee_capacity_of(3, "mentee") == 1


def test_a_mentees_own_capacity_up_to_the_maximum() -> None:
    program = parse_program(MINIMAL + "mentee_capacity: {default: 2, maximum: 3}\n")
    assert program.mentee_capacity_of(None, "mentee") == 2
    assert program.mentee_capacity_of(1, "mentee") == 1
    assert program.mentee_capacity_of(5, "mentee") == 3
    # Someone who is both keeps `capacity` for mentoring and takes the default.
    assert program.mentee_capacity_of(5, "both") == 2
    assert parse_program(MINIMAL + "mentee_capacity: {default: 2}\n").mentee_capacity.top == 2


def test_mistakes_are_named() -> None:
    found = problems_of(
        MINIMAL
        + "mentee_capacity: {default: 3, maximum: 2}\n"
        + "matching:\n  tracks: {names: [tech, Tech], field: nowhere}\n"
    )
    assert any(
        "mentee_capacity.default: is larger than mentee_capacity.maximum" in p for p in found
    )
    assert any("matching.tracks.field: unknown question id or field 'nowhere'" in p for p in found)
    assert any("matching.tracks.names: track names repeat" in p for p in found)


def test_not_for_circles_or_peer() -> None:
    found = problems_of(MINIMAL + "format: peer\nmentee_capacity: {default: 2}\n")
    assert any("mentee_capacity: a peer program has no mentors per mentee" in p for p in found)


def test_fair_needs_one_mentor_per_mentee() -> None:
    found = problems_of(MINIMAL + "mentee_capacity: {default: 2}\nmatching:\n  objective: fair\n")
    assert any("matching.objective: fair needs one mentor per mentee" in p for p in found)
