"""program.yaml: strict schema, located errors, YAML syntax apart from schema errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorctl.enums import Format
from mentorctl.errors import ProgramError, ProgramNotFound
from mentorctl.program import find_program_dir, load_program, parse_program
from tests.conftest import DATA

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


def test_the_test_program_loads() -> None:
    program = load_program(DATA / "program.yaml")
    assert program.slug == "test-mentoring"
    assert program.format is Format.GROUP
    assert program.cycle.end.isoformat() == "2027-07-12"
    assert program.cycle.expected_meetings == 13
    assert [q.id for q in program.survey.questions][:2] == ["skills_wanted", "skills_offered"]


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


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "program.yaml"
    path.write_bytes(MINIMAL.encode() + b"description: caf\xe9\n")
    with pytest.raises(ProgramError, match=r"program.yaml:7: not UTF-8 text"):
        load_program(path)


def test_find_program_dir_walks_up(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text(MINIMAL)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_program_dir(deep) == tmp_path.resolve()


def test_find_program_dir_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProgramNotFound, match="run `mentorctl init` or pass --program"):
        find_program_dir(tmp_path)
