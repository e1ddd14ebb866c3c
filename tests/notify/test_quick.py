"""Cron's re-run with every introduction sent: answered before Typer parses anything.

Through real processes (the only way to see what a run imports): the plain re-run
imports neither pydantic (Typer coerces option values through it) nor SQLAlchemy,
Jinja2 or the SMTP code, prints its one line, and any other command line still goes
through Typer with its usual checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mentorctl.cli.fast import _NotPlain, _plain_intro_send
from tests.cli.test_remind import configure, matched
from tests.conftest import Cli
from tests.smtpd import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
LINE = "all 3 introduction(s) already sent; nothing to send (--resend to send again)\n"


def _run(
    program_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mentorctl", *args],
        cwd=program_dir,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


def _imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.fixture
def all_sent(sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer) -> Path:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    assert sqlite_cli("notify", "intro", "--send", "--attach", "md").exit_code == 0
    return program_dir


def test_plain_rerun_answers_before_typer_and_heavy_imports(all_sent: Path) -> None:
    """Regression: the re-run cost about 3x start-up, mostly pydantic, which Typer
    imports to coerce option values."""
    for args in (
        ("notify", "intro", "--send"),
        ("-q", "notify", "intro", "--send", "--attach", "md", "--wait", "5"),
        ("notify", "intro", "--send", "-p", str(all_sent), "--attach=pdf"),
    ):
        run = _run(all_sent, *args)
        assert run.returncode == 0, run.stderr
        assert run.stdout == ""
        imported = _imported(run.stderr)
        heavy = {"pydantic", "sqlalchemy", "jinja2", "smtplib", "mentorctl.notify.intro"}
        assert not heavy & imported, args
        said = "".join(line + "\n" for line in run.stderr.splitlines() if "import time" not in line)
        assert said == ("" if "-q" in args else LINE)
    quiet = _run(all_sent, "notify", "intro", "--send", env={"MENTORCTL_QUIET": "1"})
    assert quiet.returncode == 0 and "already sent" not in quiet.stderr


def test_other_command_lines_still_go_through_typer(all_sent: Path) -> None:
    bad = _run(all_sent, "notify", "intro", "--send", "--attach", "docx")
    assert bad.returncode == 2 and "docx" in bad.stderr
    verbose = _run(all_sent, "notify", "intro", "--send", "--verbose")
    assert verbose.returncode == 0 and verbose.stderr.count("skipped ") == 3
    assert "pydantic" in _imported(verbose.stderr)


@pytest.mark.parametrize(
    "argv",
    [
        ["notify", "intro"],
        ["notify", "intro", "--send", "--resend"],
        ["notify", "intro", "--send", "--help"],
        ["notify", "intro", "ada@example.com", "--send"],
        ["notify", "--send", "intro"],
        ["--attach", "md", "notify", "intro", "--send"],
        ["notify", "intro", "--send", "--wait", "-1"],
        ["notify", "intro", "--send", "--attach"],
        ["remind", "--send"],
        ["notify", "intro", "--send", "--", "x"],
    ],
)
def test_anything_but_the_plain_rerun_is_left_to_typer(argv: list[str]) -> None:
    with pytest.raises(_NotPlain):
        _plain_intro_send(argv)


def test_global_options_anywhere_as_typer_takes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORCTL_DATABASE_URL", "sqlite:///env.db")
    assert _plain_intro_send(["-pDIR", "notify", "intro", "--send"]) == (
        Path("DIR"),
        "sqlite:///env.db",
        False,
    )
    assert _plain_intro_send(
        ["notify", "intro", "--send", "--database-url=sqlite:///x.db", "--quiet"]
    ) == (None, "sqlite:///x.db", True)
    monkeypatch.setenv("MENTORCTL_QUIET", "maybe")
    with pytest.raises(_NotPlain):
        _plain_intro_send(["notify", "intro", "--send"])
