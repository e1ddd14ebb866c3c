"""``report`` in its plain forms runs before Typer is imported (mentorctl/cli/fast.py):
the same output, files, exit code and errors as through Typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentorctl.cli.fast import _REPORT, _NotPlain, _parse
from tests.cli.test_remind import matched
from tests.conftest import Cli
from tests.imports import run_cli


def _log_meetings(cli: Cli) -> None:
    csv = cli.program / "meetings.csv"
    rows = ["mentor,mentee,date,minutes"]
    listed = cli("status", "--json", "--today", "2027-03-01")
    for k, m in enumerate(json.loads(listed.stdout)["matches"]):
        rows += [f"{m['mentor']},{m['mentee']},2027-02-{1 + k % 20:02d},45"]
    csv.write_text("\n".join(rows) + "\n")
    assert cli("log", "import", str(csv), "--today", "2027-03-01").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--today", "2027-03-01"],
        ["report", "--json", "--today", "2027-03-01"],
        ["report", "--csv", "--today=2027-03-01"],
        ["report", "--md", "--all-cycles", "--no-greedy", "--today", "2027-03-01"],
        ["report", "--json", "--timeline", "--greedy", "--today", "2027-04-01"],
        ["-q", "report", "--json", "--cycle", "2027-h1", "--today", "2027-03-01"],
        ["report", "--cycle", "no-such-cycle", "--today", "2027-03-01"],
        ["report", "--json", "--csv", "--today", "2027-03-01"],
        ["report", "--today", "2027-02-30"],
    ],
)
def test_the_fast_path_answers_as_typer_does(sqlite_cli: Cli, args: list[str]) -> None:
    matched(sqlite_cli)
    _log_meetings(sqlite_cli)
    fast, imported = run_cli(sqlite_cli.program, *args)
    assert "typer" not in imported  # Typer did not parse it, nor was it imported
    typer = sqlite_cli(*args)  # CliRunner: through Typer
    assert fast.returncode == typer.exit_code
    assert fast.stdout == typer.stdout
    assert fast.stderr.splitlines() == typer.stderr.splitlines()


def test_html_is_written_alike(sqlite_cli: Cli, tmp_path: Path) -> None:
    matched(sqlite_cli)
    fast_file, typer_file = tmp_path / "fast.html", tmp_path / "typer.html"
    fast, imported = run_cli(sqlite_cli.program, "report", "--html", str(fast_file))
    assert fast.returncode == 0 and "typer" not in imported
    assert sqlite_cli("report", "--html", str(typer_file)).exit_code == 0
    assert fast_file.read_text() == typer_file.read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--greedy", "--no-greedy"],
        ["report", "--json", "--json"],
        ["report", "--help"],
        ["report", "extra"],
        ["--json", "report"],
        ["report", "--cycle"],
        ["report", "--cycle", "a", "--cycle", "b"],
        ["report", "--html", "-x"],
        ["hr", "import", "x.csv"],
    ],
)
def test_the_parser_leaves_odd_lines_to_typer(argv: list[str]) -> None:
    with pytest.raises(_NotPlain):
        _parse(argv, _REPORT)


def test_odd_lines_still_work_through_typer(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    proc, imported = run_cli(sqlite_cli.program, "report", "--greedy", "--no-greedy", "--json")
    assert proc.returncode == 0 and "typer" in imported
    assert proc.stdout == sqlite_cli("report", "--no-greedy", "--json").stdout
