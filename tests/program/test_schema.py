"""program.yaml's schema: strict keys, located errors, YAML syntax apart from schema errors."""

from __future__ import annotations

import pytest

from mentorctl.enums import Format
from mentorctl.errors import ProgramError
from mentorctl.program import parse_program

MINIMAL = """\
version: 1
name: Minimal
slug: minimal
cycle:
  name: c1
  start: 2027-01-01
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProgramError) as info:
        parse_program(text, "program.yaml")
    return [str(p) for p in info.value.problems]


def test_minimal_program_takes_defaults() -> None:
    program = parse_program(MINIMAL)
    assert program.format is Format.ONE_TO_ONE
    assert program.mentor_capacity(4) == 1  # one-to-one means 1
    assert program.matching.constraints.avoid_previous_pairs is True


def test_unknown_key_names_line_and_path() -> None:
    text = (
        MINIMAL
        + "survey:\n  questions:\n    - id: a\n      label: A\n      type: text\n      colour: red\n"
    )
    assert problems_of(text) == ["program.yaml:12: survey.questions[0].colour: unknown key"]


def test_several_problems_at_once_with_lines() -> None:
    text = MINIMAL.replace("slug: minimal", "slug: Not A Slug") + (
        "format: pairs\nmatching:\n  criteria:\n"
        "    - {name: skills, kind: overlap, field: languages, weight: -1}\n"
    )
    found = problems_of(text)
    assert any(p.startswith("program.yaml:3: slug: must be lower-case") for p in found)
    assert any(p.startswith("program.yaml:7: format: Input should be") for p in found)
    assert any(
        p.startswith("program.yaml:10: matching.criteria[0].weight: Input should be greater")
        for p in found
    )
    assert len(found) == 3


def test_yaml_syntax_error_is_told_apart() -> None:
    found = problems_of("name: [unclosed\nslug: x\n")
    assert len(found) == 1
    assert found[0].startswith("program.yaml:2: YAML syntax error")


def test_not_a_mapping() -> None:
    assert problems_of("- just\n- a list\n") == [
        "program.yaml: must be a YAML mapping of settings (name:, slug:, cycle: ...)"
    ]


def test_semantic_problems_name_their_paths() -> None:
    text = MINIMAL + (
        "survey:\n  questions:\n"
        "    - {id: skills, label: S, type: multiple_choice}\n"
        "    - {id: skills, label: T, type: text, options: [a]}\n"
        "    - {id: email, label: E, type: text}\n"
        "matching:\n  criteria:\n"
        "    - {name: x, kind: overlap, mentee: skills, mentor: nowhere}\n"
        "    - {name: p, kind: similarity, questions: [skills]}\n"
        "  constraints:\n    require_same: [shoe_size]\n"
    )
    found = problems_of(text)
    assert (
        "program.yaml:9: survey.questions[0].options: a multiple_choice question needs options"
        in found
    )
    assert (
        "program.yaml:10: survey.questions[1].id: duplicate question id 'skills' (also #0)" in found
    )
    assert "program.yaml:10: survey.questions[1].options: a text question takes no options" in found
    assert (
        "program.yaml:11: survey.questions[2].id: 'email' is a roster field; pick another id"
        in found
    )
    assert (
        "program.yaml:14: matching.criteria[0].mentor: unknown question id or field 'nowhere'"
        in found
    )
    assert (
        "program.yaml:15: matching.criteria[1].questions[0]: 'skills' is not a likert question"
        in found
    )
    assert (
        "program.yaml:17: matching.constraints.require_same[0]: unknown question id or field 'shoe_size'"
        in found
    )


def test_missing_required_key() -> None:
    found = problems_of("version: 1\nname: X\nslug: x\n")
    assert found == ["program.yaml:1: cycle: Field required"]


def test_unknown_version_is_refused() -> None:
    found = problems_of(MINIMAL.replace("version: 1", "version: 2"))
    assert found[0].startswith("program.yaml:1: version: Input should be 1")
