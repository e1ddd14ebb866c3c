"""The one outbox: every kind of email, two real processes at once, a real SMTP server.

The shared test drives each kind of message mentorctl sends (introductions, their
coordinator-only previews, both reminder rungs, check-in and cycle-ending reminders, the
coordinator's digest with its escalations) through two concurrent ``mentorctl``
processes on one roster (SQLite, and PostgreSQL when ``MENTORCTL_TEST_POSTGRES_URL`` is
set) and counts what arrives: each exactly once. The others pin what a dropped
connection, a dead server and a lost race leave in the roster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.test_remind import configure, matched
from tests.conftest import Cli
from tests.smtpd import SmtpServer, _free_port, _Handler

ROOT = Path(__file__).resolve().parents[2]


def _proc(cli: Cli, *args: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "mentorctl", "--program", str(cli.program)]
    if cli.db_url:
        cmd += ["--database-url", cli.db_url]
    return subprocess.Popen(
        [*cmd, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _both(cli: Cli, *args: str) -> list[str]:
    """Run the same command in two processes at once; both must succeed."""
    procs = [_proc(cli, *args) for _ in range(2)]
    errors = []
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
        errors.append(err.decode())
    return errors


def _kind(subject: str) -> str:
    for needle, kind in (
        ("[preview]", "intro-preview"),
        ("introducing", "intro"),
        ("digest", "digest"),
        ("second reminder", "reminder-2"),
        ("next mentoring meeting", "reminder-1"),
        ("how is your mentoring", "checkin"),
        ("cycle ends", "cycle-ending"),
    ):
        if needle in subject:
            return kind
    return subject


def test_every_kind_of_message_arrives_exactly_once_from_two_processes(
    cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(cli)
    steps = [
        (("notify", "intro", "--send", "--attach", "md"), {"intro": 3}),
        (
            ("notify", "intro", "--send", "--attach", "md", "--to-coordinator-only"),
            {"intro-preview": 3},
        ),
        (("remind", "--send", "--today", "2027-02-01"), {"reminder-1": 3, "digest": 1}),
        (("remind", "--send", "--today", "2027-02-08"), {"reminder-2": 3, "digest": 1}),
        # Escalations (queued, then named in the digest) and the check-ins.
        (("remind", "--send", "--today", "2027-03-12"), {"checkin": 3, "digest": 1}),
        # The cycle's end, and the check-ins due since 05-11 (every 60 days, unanswered).
        (
            ("remind", "--send", "--today", "2027-06-28"),
            {"cycle-ending": 3, "checkin": 3, "digest": 1},
        ),
    ]
    expected: Counter[str] = Counter()
    for args, kinds in steps:
        before = len(smtp_server.received)
        _both(cli, *args)
        expected.update(kinds)
        got = Counter(_kind(str(m["Subject"])) for m in smtp_server.messages())
        assert got == expected, args
        # Within a step, no one gets the same message twice.
        with smtp_server.lock:
            new = smtp_server.received[before:]
        what = Counter((str(r.message["Subject"]), tuple(sorted(r.envelope_to))) for r in new)
        assert max(what.values()) == 1, args
    messages = smtp_server.messages()
    ids = Counter(str(m["Message-ID"]) for m in messages)
    assert len(ids) == len(messages) == sum(expected.values())  # no id twice
    for m in messages:
        assert m["Date"] is not None and m["Message-ID"].endswith("@example.com>")
        assert m.get_body(("plain",)) is not None
    escalated = [m for m in messages if "digest" in str(m["Subject"])][2]
    assert "Stalled pairs: please reach out to them (3):" in escalated.get_content()
    # Every message is recorded once, sent, with its recipients (forget finds them there).
    from sqlalchemy import create_engine, text

    url = cli.db_url or f"sqlite:///{program_dir / 'roster.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, status, recipients FROM message")).all()
    engine.dispose()
    emails = [r for r in rows if r[0] != "escalation"]
    assert len(emails) == len(messages)
    assert {r[1] for r in rows} == {"sent"}
    assert all(r[2] for r in rows)


class _DropAfterData(_Handler):
    """Takes the message, then drops the connection instead of answering (once)."""

    def __init__(self, server: SmtpServer) -> None:
        super().__init__(server)
        self.dropped = False

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        reply = await super().handle_DATA(server, session, envelope)
        if not self.dropped:
            self.dropped = True
            server.transport.abort()
        return reply


@pytest.fixture
def dropping_smtp():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    controller = Controller(_DropAfterData(server), hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _statuses(cli: Cli) -> dict[str, str | None]:
    r = cli("notify", "intro", "--json", "--attach", "md")
    return {e["key"]: e["previous"] for e in json.loads(r.stdout)["emails"]}


def test_connection_dropped_after_data_is_unknown_and_not_resent(
    sqlite_cli: Cli, program_dir: Path, dropping_smtp: SmtpServer
) -> None:
    """Regression: an intro whose connection dropped after the server took it was
    recorded `failed` and sent again by the next plain run."""
    configure(program_dir, dropping_smtp)
    matched(sqlite_cli)
    r = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert r.exit_code == 1, r.output
    assert "may not have been delivered" in r.stderr
    assert len(dropping_smtp.received) == 3  # the first arrived; the run reconnected
    first = dropping_smtp.received[0].message
    assert first["Date"] and first["Message-ID"] and first.get_body(("plain",))
    statuses = _statuses(sqlite_cli)
    assert sorted(statuses.values()) == ["sent", "sent", "unknown"]
    # A plain re-run sends nothing again, and says why in one line.
    again = sqlite_cli("notify", "intro", "--send", "--attach", "md")
    assert again.exit_code == 0, again.output
    assert len(dropping_smtp.received) == 3
    assert again.stderr == (
        "2 already sent, 1 maybe delivered by an interrupted run "
        "(not resent; --resend after checking)\n"
    )
    verbose = sqlite_cli("notify", "intro", "--send", "--attach", "md", "--verbose")
    assert "may have delivered it" in verbose.stderr
    # Only an explicit --resend sends it again, with the same Message-ID.
    [key] = [k for k, v in statuses.items() if v == "unknown"]
    [email] = [
        e
        for e in json.loads(sqlite_cli("notify", "intro", "--json", "--attach", "md").stdout)[
            "emails"
        ]
        if e["key"] == key
    ]
    mentor, mentee = (p["email"] for p in email["to"])
    forced = sqlite_cli("notify", "intro", mentor, mentee, "--send", "--attach", "md", "--resend")
    assert forced.exit_code == 0, forced.output
    assert len(dropping_smtp.received) == 4
    resent = dropping_smtp.received[3].message
    assert resent["Message-ID"] == first["Message-ID"]


def test_rerun_with_everything_sent_prints_one_line(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    """Regression: a re-run rendered every agreement again and printed a table plus a
    "skipped" line per email."""
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    assert sqlite_cli("notify", "intro", "--send").exit_code == 0
    # Through a real process, as cron runs it: no rendering, one line, nothing on stdout.
    p = _proc(sqlite_cli, "notify", "intro", "--send")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0
    assert out == b""
    assert err.decode() == (
        "all 3 introduction(s) already sent; nothing to send (--resend to send again)\n"
    )
    verbose = sqlite_cli("notify", "intro", "--send", "--verbose")
    assert verbose.stderr.count("skipped ") == 3
    assert verbose.stderr.splitlines()[-1].startswith("all 3 introduction(s) already sent")
    assert len(smtp_server.received) == 3


def test_unreachable_server_leaves_nothing_queued(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    """Regression: on the escalation day, a dead SMTP server left the escalations
    recorded `queued` (never to be due again) though nothing could be sent."""
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    for day in ("2027-02-01", "2027-02-08"):
        assert sqlite_cli("remind", "--send", "--today", day).exit_code == 0
    text = (program_dir / "program.yaml").read_text()
    (program_dir / "program.yaml").write_text(
        text.replace(f"port: {smtp_server.port}", f"port: {_free_port()}")
    )
    dead = sqlite_cli("remind", "--send", "--today", "2027-02-22")
    assert dead.exit_code == 1 and "SMTP 127.0.0.1" in dead.stderr
    preview = json.loads(sqlite_cli("remind", "--today", "2027-02-22", "--json").stdout)
    assert sorted(m["kind"] for m in preview["messages"]) == ["digest"] + ["escalation"] * 3
    (program_dir / "program.yaml").write_text(text)
    before = len(smtp_server.received)
    live = sqlite_cli("remind", "--send", "--today", "2027-02-22")
    assert live.exit_code == 0, live.output
    [digest] = smtp_server.messages()[before:]
    assert "Stalled pairs: please reach out to them (3):" in digest.get_content()


def test_only_one_of_two_claims_wins(db_url: str, program_dir: Path) -> None:
    """The claim alone (no sending lock) lets one run of two take a message."""
    from mentorctl.notify.outbox import Message, Outbox
    from mentorctl.program import load_program
    from mentorctl.roster.db import open_roster
    from mentorctl.roster.participants import ensure_program

    program = load_program(program_dir)
    a, b = open_roster(db_url), open_roster(db_url)
    with a.session(write=True) as s:
        pid = ensure_program(s, program).id or 0
    msg = Message("intro", "intro:test", [("Ada", "ada@example.com")], "s", "t")
    first = Outbox(a, program, pid, password=None)._claim(msg, {"failed"})
    second = Outbox(b, program, pid, password=None)._claim(msg, {"failed"})
    assert isinstance(first, tuple) and second == "pending"
    Outbox(a, program, pid, password=None)._mark([first[0]], "failed")
    # A failed message may be claimed again, by one of them only.
    third = Outbox(b, program, pid, password=None)._claim(msg, {"failed"})
    fourth = Outbox(a, program, pid, password=None)._claim(msg, {"failed"})
    assert isinstance(third, tuple) and third[0] == first[0] and fourth == "pending"
    a.dispose()
    b.dispose()
