"""``must`` and ``at_least`` on criteria: what program.yaml accepts, and the one-line errors."""

from __future__ import annotations

import pytest

from mentorctl.errors import ProgramError
from mentorctl.program import parse_program

PROGRAM = """\
version: 1
name: Must
slug: must
cycle: {name: c1, start: 2027-01-04}
survey:
  questions:
    - {id: calm, label: C, type: likert}
matching:
  criteria:
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 3, RULE}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProgramError) as info:
        parse_program(text, "program.yaml")
    return [str(p) for p in info.value.problems]


def test_defaults_carry_no_rule() -> None:
    c = parse_program(PROGRAM.replace(", RULE", "")).matching.criteria[0]
    assert (c.must, c.at_least) == (False, None)


@pytest.mark.parametrize(
    ("rule", "must", "at_least"),
    [("must: true", True, None), ("at_least: 0.5", False, 0.5), ("at_least: 1", False, 1.0)],
)
def test_rules_are_read(rule: str, must: bool, at_least: float | None) -> None:
    c = parse_program(PROGRAM.replace("RULE", rule)).matching.criteria[0]
    assert (c.must, c.at_least) == (must, at_least)


def test_a_pure_filter_with_weight_zero_is_fine() -> None:
    c = parse_program(PROGRAM.replace("RULE", "must: true, weight: 0")).matching.criteria[0]
    assert (c.weight, c.must) == (0.0, True)


def test_must_and_at_least_together_are_refused() -> None:
    assert problems_of(PROGRAM.replace("RULE", "must: true, at_least: 0.5")) == [
        "program.yaml:10: matching.criteria[0].at_least: set either must: true or at_least, "
        "not both"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Input should be greater than 0"),
        ("-0.5", "Input should be greater than 0"),
        ("1.5", "Input should be less than or equal to 1"),
    ],
)
def test_at_least_must_lie_in_0_to_1(value: str, message: str) -> None:
    assert problems_of(PROGRAM.replace("RULE", f"at_least: {value}")) == [
        f"program.yaml:10: matching.criteria[0].at_least: {message}"
    ]


def test_must_on_similarity_asks_for_a_threshold() -> None:
    text = PROGRAM.replace(
        "{name: tz, kind: closeness, field: utc_offset, max_diff: 3, RULE}",
        "{name: calm, kind: similarity, questions: [calm], must: true}",
    )
    assert problems_of(text) == [
        "program.yaml:10: matching.criteria[0].must: must: true is not defined for a "
        "similarity criterion; give the threshold instead, e.g. at_least: 0.75"
    ]
    ok = parse_program(text.replace("must: true", "at_least: 0.75"))
    assert ok.matching.criteria[0].at_least == 0.75
