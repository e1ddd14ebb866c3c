"""``participants show EMAIL`` and ``explain MENTEE [MENTOR]`` in their plain forms run
before Typer is imported (mentorctl/cli/fast.py): the same output, exit code and errors
as through Typer."""

from __future__ import annotations

import pytest

from mentorctl.cli.fast import _EXPLAIN, _SHOW, _NotPlain, _parse
from tests.cli.test_remind import matched
from tests.conftest import DATA, Cli
from tests.imports import run_cli


@pytest.mark.parametrize(
    "args",
    [
        ["participants", "show", "ada@example.com"],
        ["participants", "show", "ADA@example.com", "--json"],
        ["participants", "show", "nobody@example.com"],
        ["-q", "participants", "show", "--json", "alan@example.com"],
        ["explain", "alan@example.com"],
        ["explain", "alan@example.com", "--json", "--top", "2"],
        ["explain", "alan@example.com", "ada@example.com"],
        ["explain", "--top=1", "alan@example.com", "ada@example.com", "--json"],
        ["explain", "nobody@example.com"],
        ["explain", "alan@example.com", "nobody@example.com"],
    ],
)
def test_the_fast_path_answers_as_typer_does(sqlite_cli: Cli, args: list[str]) -> None:
    matched(sqlite_cli)
    fast, imported = run_cli(sqlite_cli.program, *args)
    assert "typer" not in imported  # Typer did not parse it, nor was it imported
    typer = sqlite_cli(*args)  # CliRunner: through Typer
    assert fast.returncode == typer.exit_code
    assert fast.stdout == typer.stdout
    assert fast.stderr.splitlines() == typer.stderr.splitlines()


def test_before_anyone_is_enrolled(sqlite_cli: Cli) -> None:
    for args in (["participants", "show", "ada@example.com"], ["explain", "alan@example.com"]):
        fast, _ = run_cli(sqlite_cli.program, *args)
        typer = sqlite_cli(*args)
        assert fast.returncode == typer.exit_code == 3  # no roster yet
        assert fast.stderr.splitlines() == typer.stderr.splitlines()


@pytest.mark.parametrize(
    ("argv", "spec"),
    [
        (["participants", "show"], _SHOW),
        (["participants", "show", "a@x.org", "b@x.org"], _SHOW),
        (["participants", "show", "--help"], _SHOW),
        (["participants", "show", "-x"], _SHOW),
        (["participants", "list", "a@x.org"], _SHOW),
        (["explain"], _EXPLAIN),
        (["explain", "a@x.org", "b@x.org", "c@x.org"], _EXPLAIN),
        (["explain", "a@x.org", "--top", "0"], _EXPLAIN),
        (["explain", "a@x.org", "--top", "many"], _EXPLAIN),
        (["explain", "a@x.org", "--top"], _EXPLAIN),
    ],
)
def test_the_parser_leaves_odd_lines_to_typer(argv: list[str], spec: object) -> None:
    with pytest.raises(_NotPlain):
        _parse(argv, spec)  # type: ignore[arg-type]


def test_odd_lines_still_work_through_typer(sqlite_cli: Cli) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    proc, imported = run_cli(sqlite_cli.program, "explain", "alan@example.com", "--top", "0")
    assert proc.returncode == 2 and "typer" in imported  # Typer's own range check
