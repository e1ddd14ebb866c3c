"""`notify intro --send` shows a progress bar on a terminal, and none in a pipe (cron)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_remind import configure, matched
from tests.cli.test_wizard_pty import Wizard
from tests.conftest import Cli
from tests.notify.test_outbox import _proc
from tests.smtpd import SmtpServer


def test_progress_bar_on_a_terminal(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    run = Wizard(
        "-p", str(program_dir), "notify", "intro", "--send", "--attach", "md", cwd=program_dir
    )
    try:
        run.expect("Introductions")
        assert run.finish() == 0
    finally:
        run.kill()
    assert "3 sent" in run.screen(run.transcript)
    assert len(smtp_server.received) == 3


def test_no_progress_bar_in_a_pipe(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    p = _proc(sqlite_cli, "notify", "intro", "--send", "--attach", "md")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err.decode()
    assert out == b""
    assert "Introductions" not in err.decode() and "\x1b[" not in err.decode()
    assert err.decode().splitlines()[-1] == "3 sent"
