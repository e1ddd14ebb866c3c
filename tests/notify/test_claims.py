"""Claims made ahead in batches (notify/outbox.py): a run that stops early puts back
what it claimed and never handed to SMTP, and nothing is ever sent twice.

Through the real CLI, a real SMTP server on 127.0.0.1 and, for interruptions, a real
``mentorctl`` process: Ctrl-C while the server sits on the second message's reply,
SIGKILL at the same point, and a template that fails on the second agreement.
"""

from __future__ import annotations

import asyncio
import email
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.cli.test_remind import configure, matched
from tests.conftest import Cli
from tests.smtpd import Received, SmtpServer, _free_port, _Handler

ROOT = Path(__file__).resolve().parents[2]


class _HoldSecond(_Handler):
    """Takes every message; sits on the reply to the second until ``go`` is set."""

    def __init__(self, server: SmtpServer) -> None:
        super().__init__(server)
        self.go = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
            n = len(self.server.received)
        deadline = time.monotonic() + 60
        while n == 2 and not self.go.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return "250 Message accepted"


@pytest.fixture
def holding_smtp() -> Iterator[tuple[SmtpServer, _HoldSecond]]:
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    handler = _HoldSecond(server)
    controller = Controller(handler, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server, handler
    finally:
        handler.go.set()
        controller.stop()


def _send_proc(cli: Cli) -> subprocess.Popen[bytes]:
    send = ["notify", "intro", "--send", "--attach", "md"]
    return subprocess.Popen(
        [sys.executable, "-m", "mentorctl", "-p", str(cli.program), *send],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # A job started in the background (`bash .ci/run &`) inherits Ctrl-C ignored, and
        # Python then never turns it into KeyboardInterrupt: give the child the default,
        # as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _until_second_is_held(proc: subprocess.Popen[bytes], server: SmtpServer) -> None:
    deadline = time.monotonic() + 60
    while len(server.received) < 2:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _keys(cli: Cli) -> list[str]:
    """The introductions' outbox keys, in sending order."""
    r = cli("notify", "intro", "--json", "--attach", "md")
    return [e["key"] for e in json.loads(r.stdout)["emails"]]


def _recorded(program_dir: Path, keys: list[str]) -> list[str | None]:
    """The outbox status of each key (None: no row)."""
    with sqlite3.connect(program_dir / "roster.db") as conn:
        rows = dict(conn.execute("SELECT dedupe_key, status FROM message").fetchall())
    return [rows.get(k) for k in keys]


def test_ctrl_c_mid_run_puts_back_the_claims_not_yet_sent(
    sqlite_cli: Cli, program_dir: Path, holding_smtp: tuple[SmtpServer, _HoldSecond]
) -> None:
    server, handler = holding_smtp
    configure(program_dir, server)
    matched(sqlite_cli)
    keys = _keys(sqlite_cli)
    proc = _send_proc(sqlite_cli)
    _until_second_is_held(proc, server)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode()
    # The first went, the second may have (the server had it), the third was claimed
    # with them but never handed over: it is put back, not left "maybe delivered".
    assert _recorded(program_dir, keys) == ["sent", "unknown", None]
    handler.go.set()
    again = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines()[-1] == (
        "1 sent, 1 already sent, 1 maybe delivered by an interrupted run "
        "(not resent; --resend after checking)"
    )
    assert len(server.received) == 3
    assert len({tuple(r.envelope_to) for r in server.received}) == 3  # nobody twice


def test_sigkill_mid_run_resends_nothing(
    sqlite_cli: Cli, program_dir: Path, holding_smtp: tuple[SmtpServer, _HoldSecond]
) -> None:
    """Killed outright, the run cannot put anything back: its whole batch of claims is
    read as maybe delivered and only an explicit --resend sends those again."""
    server, handler = holding_smtp
    configure(program_dir, server)
    matched(sqlite_cli)
    keys = _keys(sqlite_cli)
    proc = _send_proc(sqlite_cli)
    _until_second_is_held(proc, server)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    handler.go.set()
    again = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert again.exit_code == 0, again.output
    assert len(server.received) == 2
    assert _recorded(program_dir, keys) == ["unknown", "unknown", "unknown"]


def test_a_template_error_mid_run_puts_back_the_claims_not_yet_sent(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    emails = json.loads(sqlite_cli("notify", "intro", "--json", "--attach", "md").stdout)["emails"]
    keys = [e["key"] for e in emails]
    second = emails[1]["to"][1]["name"]  # the mentee of the second introduction
    template = program_dir / "agreement.md.j2"
    template.write_text(
        "Agreement for {{ mentee.name }}\n"
        f"{{% if mentee.name == {json.dumps(second)} %}}{{{{ 1 / 0 }}}}{{% endif %}}\n",
        encoding="utf-8",
    )
    with (program_dir / "program.yaml").open("a", encoding="utf-8") as fh:
        fh.write("agreement: {template: agreement.md.j2}\n")
    failed = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert failed.exit_code == 1
    last = failed.stderr.splitlines()[-1]
    assert last.startswith("error: ") and "agreement.md.j2:2: ZeroDivisionError" in last
    assert len(smtp_server.received) == 1
    assert _recorded(program_dir, keys) == ["sent", None, None]
    template.write_text("Agreement for {{ mentee.name }}\n", encoding="utf-8")
    again = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines()[-1] == "2 sent, 1 already sent"
    assert len(smtp_server.received) == 3


class _Peers(_Handler):
    """Notes the client's address of every message (one per SMTP connection)."""

    def __init__(self, server: SmtpServer) -> None:
        super().__init__(server)
        self.peers: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


def test_one_smtp_connection_for_the_whole_run(sqlite_cli: Cli, program_dir: Path) -> None:
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    handler = _Peers(server)
    controller = Controller(handler, hostname=server.host, port=server.port)
    controller.start()
    try:
        configure(program_dir, server)
        matched(sqlite_cli)
        r = sqlite_cli("notify", "intro", "--send", "--attach", "md")
        assert r.exit_code == 0, r.output
    finally:
        controller.stop()
    assert len(handler.peers) == 3 and len(set(handler.peers)) == 1
