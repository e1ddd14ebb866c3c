"""``status`` in its plain forms runs before Typer parses (mentorctl/cli/fast.py): the
same output, exit code and errors as through Typer, without importing Typer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mentorctl.cli.fast import _NotPlain, _parse, _status_spec
from tests.cli.test_remind import matched
from tests.conftest import Cli
from tests.imports import run_cli


def _process(program: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(program, *args)[0]


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--today", "2027-03-01"],
        ["status", "--json", "--today", "2027-03-01"],
        ["status", "--csv", "--all", "--sort", "days", "--today=2027-03-01"],
        ["status", "--health", "stalled", "--health", "at-risk", "--today", "2027-03-01"],
        ["status", "--fail-on", "stalled", "--today", "2027-03-01"],
        ["status", "--person", "ada", "--sort", "mentee", "--today", "2027-03-01"],
        ["status", "--person", "nobody@example.com", "--today", "2027-03-01"],
        ["status", "--today", "2027-13-01"],
        ["-q", "status", "--fail-on", "at-risk", "--today", "2027-01-12"],
        ["status", "--today", "2027-01-12", "--quiet", "--fail-on", "at-risk"],
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


def test_exit_codes_of_the_fast_path(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    assert _process(sqlite_cli.program, "status", "--today", "2027-03-01").returncode == 0
    unhealthy = _process(
        sqlite_cli.program, "status", "--fail-on", "stalled", "--today", "2027-03-01"
    )
    assert unhealthy.returncode == 4 and "stalled or worse" in unhealthy.stderr
    bad_day = _process(sqlite_cli.program, "status", "--today", "someday")
    assert bad_day.returncode == 2 and "--today" in bad_day.stderr
    nobody = _process(sqlite_cli.program, "status", "--person", "x@example.com")
    assert nobody.returncode == 1 and "x@example.com is in no match" in nobody.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--sort", "bogus"],
        ["status", "--json", "--csv"],
        ["status", "--help"],
        ["status", "extra"],
        ["--json", "status"],
        ["status", "--sort", "days", "--sort", "pair"],
        ["status", "--today"],
    ],
)
def test_anything_else_goes_through_typer(sqlite_cli: Cli, args: list[str]) -> None:
    matched(sqlite_cli)
    with pytest.raises(_NotPlain):
        _parse(args, _status_spec())
    proc = _process(sqlite_cli.program, *args)
    typer = sqlite_cli(*args)
    assert proc.returncode == typer.exit_code
    # The first line only: help is wrapped to each terminal's width.
    assert proc.stdout.split("\n", 1)[0] == typer.stdout.split("\n", 1)[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--json", "--json"],
        ["status", "--all", "report"],
        ["report"],
        ["status", "--person", "-x"],
        ["status", "--health", "fine"],
    ],
)
def test_the_parser_leaves_odd_lines_to_typer(argv: list[str]) -> None:
    with pytest.raises(_NotPlain):
        _parse(argv, _status_spec())


def test_the_parser_reads_global_options_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORCTL_PROGRAM", "ENV")
    line = _parse(["status", "-pDIR", "--health=stalled", "--all", "-q"], _status_spec())
    assert (line.program, line.url, line.quiet) == (Path("DIR"), None, True)
    assert line.flags == {"--all"} and line.values == {"--health": ["stalled"]}
    assert _parse(["status"], _status_spec()).program == Path("ENV")
