"""Loading program.yaml from disk: the test program, encodings, finding the directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorctl.enums import Format
from mentorctl.errors import ProgramError, ProgramNotFound
from mentorctl.program import find_program_dir, load_program
from tests.conftest import DATA
from tests.program.test_schema import MINIMAL


def test_the_test_program_loads() -> None:
    program = load_program(DATA / "program.yaml")
    assert program.slug == "test-mentoring"
    assert program.format is Format.GROUP
    assert program.cycle.end.isoformat() == "2027-07-12"
    assert program.cycle.expected_meetings == 13
    assert [q.id for q in program.survey.questions][:2] == ["skills_wanted", "skills_offered"]


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
