"""``match`` (the proposal, not its subcommands) in its plain forms runs before Typer is
imported (mentorctl/cli/fast.py): the same proposal, output, stored rows, exit code and
errors as through Typer."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from mentorctl.cli.fast import _match_spec, _NotPlain, _parse
from tests.conftest import DATA, Cli
from tests.imports import run_cli


def _enrolled(cli: Cli) -> None:
    result = cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["match", "--dry-run", "--json"],
        ["match", "--dry-run"],
        ["match", "--json"],
        ["match"],
        ["-q", "match", "--mode", "greedy", "--dry-run", "--json"],
        ["match", "--mode=stable", "--json"],
        ["match", "--dry-run", "--json", "--set", "matching.objective=fair"],
        ["match", "--json", "--lock", "ada@example.com:alan@example.com"],
        ["match", "--dry-run", "--forbid", "ada@example.com:alan@example.com", "--json"],
        ["match", "--fill", "--json"],
        ["match", "--dry-run", "--lock", "nobody@example.com:alan@example.com"],
        ["match", "--override", "a reason", "--dry-run"],
        ["match", "--dry-run", "--set", "matching.nonsense=1"],
    ],
)
def test_the_fast_path_answers_as_typer_does(
    sqlite_cli: Cli, tmp_path: Path, args: list[str]
) -> None:
    _enrolled(sqlite_cli)
    twin = Cli(tmp_path / "twin", None)  # the same program and roster, for Typer's run
    shutil.copytree(sqlite_cli.program, twin.program)
    fast, imported = run_cli(sqlite_cli.program, *args)
    assert "typer" not in imported  # Typer did not parse it, nor was it imported
    typer = twin(*args)  # CliRunner: through Typer
    assert fast.returncode == typer.exit_code
    assert fast.stdout == typer.stdout
    assert fast.stderr.splitlines() == typer.stderr.splitlines()
    assert _stored(sqlite_cli.program) == _stored(twin.program)  # the same rows stored


def _stored(program: Path) -> list[tuple[object, ...]]:
    """Every match row of the roster: who with whom, status, score, kept and locked."""
    with sqlite3.connect(program / "roster.db") as db:
        return db.execute(
            "SELECT a.email, b.email, m.status, m.score, m.locked, m.explanation FROM match m "
            "JOIN participant a ON a.id = m.mentor_id JOIN participant b ON b.id = m.mentee_id "
            "ORDER BY 1, 2"
        ).fetchall()


@pytest.mark.parametrize(
    "argv",
    [
        ["match", "review"],
        ["match", "accept", "--all"],
        ["match", "--dry-run", "--dry-run"],
        ["match", "--mode", "best"],
        ["match", "--help"],
        ["--json", "match"],
        ["match", "--override"],
        ["match", "--mode", "greedy", "--mode", "stable"],
        ["explain", "a@example.com"],
    ],
)
def test_the_parser_leaves_odd_lines_to_typer(argv: list[str]) -> None:
    with pytest.raises(_NotPlain):
        _parse(argv, _match_spec())


def test_repeated_pairs_are_all_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _parse(
        ["match", "--lock", "a:b", "--dry-run", "--lock=c:d", "--set", "x=1", "-pDIR"],
        _match_spec(),
    )
    assert line.values == {"--lock": ["a:b", "c:d"], "--set": ["x=1"]}
    assert line.flags == {"--dry-run"} and line.program == Path("DIR")


def test_subcommands_still_go_through_typer(sqlite_cli: Cli) -> None:
    _enrolled(sqlite_cli)
    assert run_cli(sqlite_cli.program, "match", "--json")[0].returncode == 0
    accepted, imported = run_cli(sqlite_cli.program, "match", "accept", "--all")
    assert accepted.returncode == 0 and "typer" in imported
    assert "accepted" in accepted.stderr
