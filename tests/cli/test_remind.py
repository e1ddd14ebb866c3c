"""`mentorctl remind` end to end: a real SMTP server, a frozen clock, real processes.

The clock is frozen by passing ``--today`` (never by patching datetime): a simulated
six-month cycle checks the exact messages sent on each day; two real processes run at
once; a real process is killed with SIGKILL in the middle of sending.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.conftest import DATA, Cli
from tests.smtpd import Received, SmtpServer, _free_port, _Handler

COORD = "coord@example.com"
A = ("ada@example.com", "katherine@example.com")
B = ("edsger@example.com", "alan@example.com")
C = ("grace@example.com", "edsger@example.com")


def configure(program_dir: Path, smtp: SmtpServer, extra: str = "") -> None:
    with (program_dir / "program.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            f"email: {{host: {smtp.host}, port: {smtp.port}, security: none, "
            "sender: mentoring@example.com}\n"
            "reminders: {checkin_every_days: 60}\n" + extra
        )


def matched(cli: Cli) -> None:
    for args in (
        ("participants", "import", str(DATA / "people.csv")),
        ("match",),
        ("match", "accept", "--all"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    # Matches count from their acceptance; pin it to the cycle's first day so that the
    # expectations below do not depend on the real date the test runs on.
    from sqlalchemy import text

    from mentorctl.roster.db import default_url, open_roster

    roster = open_roster(cli.db_url or default_url(cli.program), create=False)
    with roster.engine.begin() as conn:
        conn.execute(text("UPDATE match SET started_at = :d"), {"d": dt.datetime(2027, 1, 11, 9)})
    roster.dispose()


def sent(smtp: SmtpServer, since: int = 0) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, sorted envelope recipients) of the messages received after ``since``."""
    out = []
    with smtp.lock:
        received = smtp.received[since:]
    for r in received:
        subject = str(r.message["Subject"])
        kind = (
            "digest"
            if "digest" in subject
            else "reminder-2"
            if "second reminder" in subject
            else "reminder-1"
            if "next mentoring meeting" in subject
            else "checkin"
            if "how is your mentoring" in subject
            else "cycle-ending"
            if "cycle ends" in subject
            else subject
        )
        out.append((kind, tuple(sorted(a.lower() for a in r.envelope_to))))
    return out


def pair(kind: str, p: tuple[str, str]) -> tuple[str, tuple[str, ...]]:
    return (kind, tuple(sorted(p)))


DIGEST = ("digest", (COORD,))

# Scripted meetings, logged on the day they happen.
MEETINGS: dict[dt.date, list[tuple[str, str]]] = {}
for k in range(13):  # A meets every two weeks, all cycle long
    MEETINGS.setdefault(dt.date(2027, 1, 18) + dt.timedelta(days=14 * k), []).append(A)
for day in (dt.date(2027, 1, 20), dt.date(2027, 2, 3), dt.date(2027, 4, 1), dt.date(2027, 4, 25)):
    MEETINGS.setdefault(day, []).append(B)  # B meets twice, stops, comes back, stops
# C never meets.

# Worked out by hand from the defaults (cadence 14, nudge at 21 days without a meeting,
# second at 28, coordinator at 42; check-in 60 days after the start or the latest answer,
# then every 60 days; cycle 2027-01-11
# to 2027-07-12, cycle-ending 14 days before).
EXPECTED: dict[dt.date, list[tuple[str, tuple[str, ...]]]] = {
    dt.date(2027, 2, 1): [pair("reminder-1", C), DIGEST],  # C: 21 days since the start
    dt.date(2027, 2, 8): [pair("reminder-2", C), DIGEST],
    dt.date(2027, 2, 22): [DIGEST],  # C escalated: only the coordinator hears
    dt.date(2027, 2, 24): [pair("reminder-1", B), DIGEST],  # B: 21 days after 02-03
    dt.date(2027, 3, 3): [pair("reminder-2", B), DIGEST],
    dt.date(2027, 3, 12): [pair("checkin", A), pair("checkin", B), pair("checkin", C), DIGEST],
    dt.date(2027, 3, 17): [DIGEST],  # B escalated
    dt.date(2027, 4, 22): [pair("reminder-1", B), DIGEST],  # B met 04-01: a new episode
    dt.date(2027, 5, 11): [pair("checkin", B), pair("checkin", C), DIGEST],  # A answered 05-01
    dt.date(2027, 5, 16): [pair("reminder-1", B), DIGEST],  # B met 04-25
    dt.date(2027, 5, 23): [pair("reminder-2", B), DIGEST],
    dt.date(2027, 6, 6): [DIGEST],  # B escalated again
    dt.date(2027, 6, 28): [
        pair("cycle-ending", A),
        pair("cycle-ending", B),
        pair("cycle-ending", C),
        DIGEST,
    ],
    dt.date(2027, 6, 30): [pair("checkin", A), DIGEST],  # 60 days after A's answer
    dt.date(2027, 7, 10): [pair("checkin", B), pair("checkin", C), DIGEST],
}


@pytest.mark.slow
def test_six_month_cycle_sends_exactly_the_expected_reminders(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    cli = sqlite_cli
    configure(program_dir, smtp_server)
    matched(cli)
    checkins = tmp_path / "pulse.csv"
    checkins.write_text(
        "Timestamp,Email address,satisfaction,recommend,progress,comment\n"
        "2027-05-01T10:00:00,katherine@example.com,5,9,40,going well\n",
        encoding="utf-8",
    )
    day = dt.date(2027, 1, 4)  # a week before the cycle starts
    got: dict[dt.date, list] = {}
    while day <= dt.date(2027, 7, 20):  # past the end: nothing more
        for mentor, mentee in MEETINGS.get(day, []):
            r = cli("log", "meeting", mentor, mentee, "--date", str(day), "--today", str(day))
            assert r.exit_code == 0, r.output
        if day == dt.date(2027, 5, 1):
            r = cli("checkin", "import", str(checkins), "--today", str(day))
            assert r.exit_code == 0, r.output
        before = len(smtp_server.received)
        for _ in range(2):  # cron fires twice a day: the second run must send nothing
            r = cli("remind", "--send", "--today", str(day))
            assert r.exit_code == 0, r.output
        new = sent(smtp_server, before)
        if new:
            got[day] = new
        day += dt.timedelta(days=1)
    assert {d: sorted(v) for d, v in got.items()} == {d: sorted(v) for d, v in EXPECTED.items()}
    # Never a duplicate: every pair message is unique over the whole cycle (by Message-ID
    # and by what it says to whom on which day).
    ids = Counter(str(m["Message-ID"]) for m in smtp_server.messages())
    assert max(ids.values()) == 1


def test_first_run_starts_the_ladder_at_the_first_rung(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    """Regression: the first `remind` on a cycle whose pairs stalled long ago escalated
    them all to the coordinator without ever nudging them."""
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    r = sqlite_cli("remind", "--send", "--today", "2027-02-22")  # 42 days: escalation's day
    assert r.exit_code == 0, r.output
    assert sorted(sent(smtp_server)) == sorted(
        [pair("reminder-1", A), pair("reminder-1", B), pair("reminder-1", C), DIGEST]
    )
    # The rungs keep their spacing from the day the one below went out (the day the run
    # acted on, simulated days included): nothing the next day, the second rung after the
    # gap between the settings (14 - 7 days), the coordinator after 28 - 14 more.
    before = len(smtp_server.received)
    r = sqlite_cli("remind", "--send", "--today", "2027-02-23")
    assert r.exit_code == 0, r.output
    assert sent(smtp_server, before) == []
    r = sqlite_cli("remind", "--send", "--today", "2027-03-01")
    assert r.exit_code == 0, r.output
    assert sorted(sent(smtp_server, before)) == sorted(
        [pair("reminder-2", A), pair("reminder-2", B), pair("reminder-2", C), DIGEST]
    )
    before = len(smtp_server.received)
    r = sqlite_cli("remind", "--send", "--today", "2027-03-14")  # pulse surveys fall due
    assert r.exit_code == 0, r.output
    day_before = smtp_server.messages()[before:]
    assert not any("Stalled pairs" in m.get_body(("plain",)).get_content() for m in day_before)
    before = len(smtp_server.received)
    r = sqlite_cli("remind", "--send", "--today", "2027-03-15")
    assert r.exit_code == 0, r.output
    digests = [m for m in smtp_server.messages()[before:] if "digest" in str(m["Subject"])]
    assert sent(smtp_server, before) == [DIGEST]
    body = digests[0].get_content().replace("\r\n", "\n")
    assert body == (
        "Reminders for cycle 2027-h1 on 2027-03-15.\n"
        "\n"
        "Matches: 0 on track, 0 at risk, 3 stalled\n"
        "\n"
        "Stalled pairs: please reach out to them (3):\n"
        "  - ada@example.com -> katherine@example.com\n"
        "  - edsger@example.com -> alan@example.com\n"
        "  - grace@example.com -> edsger@example.com\n"
        "\n"
        "Run `mentorctl status` for every match's health.\n"
        "\n"
        "-- \n"
        "Test Mentoring\n"
    )
    assert digests[0]["To"] == COORD


def test_first_nudge_text_is_pinned(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    assert sqlite_cli("log", "meeting", *B, "--date", "2027-01-20", "--today", "2027-01-20")
    r = sqlite_cli("remind", "--send", "--today", "2027-02-10")
    assert r.exit_code == 0, r.output
    nudges = [m for m in smtp_server.messages() if "alan@example.com" in str(m["To"])]
    assert len(nudges) == 1
    msg = nudges[0]
    assert msg["Subject"] == "Test Mentoring: time for your next mentoring meeting"
    assert msg["Reply-To"] == COORD
    assert msg.get_content().replace("\r\n", "\n") == (
        "Hello Edsger Dijkstra and Alan Turing,\n"
        "\n"
        "Your last mentoring meeting was on 2027-01-20 (21 days ago); the program suggests "
        "meeting every 14 days. A short catch-up keeps the momentum going: could you find a "
        "time this week?\n"
        "\n"
        "Already met? Reply to let your coordinator (coord@example.com) know, and this "
        "reminder stops.\n"
        "\n"
        "-- \n"
        "Test Mentoring\n"
    )


def test_preview_and_dry_run_send_and_record_nothing(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    for args in (
        ("remind", "--today", "2027-02-01"),
        ("remind", "--send", "--dry-run", "--today", "2027-02-01"),
    ):
        r = sqlite_cli(*args, "--json")
        assert r.exit_code == 0, r.output
        import json

        data = json.loads(r.stdout)
        assert data["sent"] is False
        kinds = sorted(m["kind"] for m in data["messages"])
        assert kinds == ["digest", "reminder-1", "reminder-1", "reminder-1"]
        assert all(m["status"] == "due" for m in data["messages"])
    assert smtp_server.received == []
    table = sqlite_cli("remind", "--today", "2027-02-01")
    assert "preview: nothing sent" in table.stdout
    # The real run then sends what the preview showed.
    r = sqlite_cli("remind", "--send", "--today", "2027-02-01")
    assert r.exit_code == 0, r.output
    assert sorted(sent(smtp_server)) == sorted(
        [pair("reminder-1", A), pair("reminder-1", B), pair("reminder-1", C), DIGEST]
    )
    assert r.stderr.count("sent reminder-1") == 3  # one log line per action


def test_log_file_and_quiet(sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer) -> None:
    configure(program_dir, smtp_server, "")
    text = (program_dir / "program.yaml").read_text()
    (program_dir / "program.yaml").write_text(
        text.replace(
            "reminders: {checkin_every_days: 60}",
            "reminders: {checkin_every_days: 60, log_file: remind.log}",
        )
    )
    matched(sqlite_cli)
    r = sqlite_cli("--quiet", "remind", "--send", "--today", "2027-02-01")
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    lines = (program_dir / "remind.log").read_text().splitlines()
    assert sum("sent reminder-1" in line for line in lines) == 3
    assert any("sent digest to coord@example.com" in line for line in lines)
    assert all("remind[2027-02-01]" in line for line in lines)


def test_refused_recipient_is_recorded_failed_and_not_retried(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(sqlite_cli)
    smtp_server.refuse.update({"alan@example.com", "edsger@example.com"})
    r = sqlite_cli("remind", "--send", "--today", "2027-02-01")
    assert r.exit_code == 1 and "failed" in r.stderr
    # A reached both; B was refused whole (failed); C reached grace only.
    kinds = sorted(sent(smtp_server))
    assert kinds == sorted([pair("reminder-1", A), ("reminder-1", ("grace@example.com",)), DIGEST])
    digest = next(m for m in smtp_server.messages() if "digest" in str(m["Subject"]))
    content = digest.get_content().replace("\r\n", "\n")
    assert "Not delivered, or not sure (2):\n" in content
    assert "  - reminder-1 to edsger@example.com, alan@example.com: failed: " in content
    assert "  - reminder-1 to grace@example.com, edsger@example.com: refused by some: " in content
    smtp_server.refuse.clear()
    again = sqlite_cli("remind", "--send", "--today", "2027-02-01")
    assert again.exit_code == 0
    assert len(smtp_server.received) == 3  # recorded failures are not retried


def test_unreachable_server_records_nothing(sqlite_cli: Cli, program_dir: Path) -> None:
    dead = SmtpServer("127.0.0.1", _free_port())
    configure(program_dir, dead)
    matched(sqlite_cli)
    r = sqlite_cli("remind", "--send", "--today", "2027-02-01")
    assert r.exit_code == 1 and "SMTP 127.0.0.1" in r.stderr
    preview = sqlite_cli("remind", "--today", "2027-02-01", "--json")
    import json

    assert len(json.loads(preview.stdout)["messages"]) == 4  # still all due


# --------------------------------------------------------------------------- real processes


def _remind_proc(cli: Cli, day: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "mentorctl", "--program", str(cli.program)]
    if cli.db_url:
        cmd += ["--database-url", cli.db_url]
    return subprocess.Popen(
        [*cmd, "remind", "--send", "--today", day],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_two_concurrent_runs_never_send_twice(
    cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    configure(program_dir, smtp_server)
    matched(cli)
    for day, expected in (
        ("2027-02-01", [pair("reminder-1", A), pair("reminder-1", B), pair("reminder-1", C)]),
        ("2027-02-08", [pair("reminder-2", A), pair("reminder-2", B), pair("reminder-2", C)]),
        ("2027-03-12", [pair("checkin", A), pair("checkin", B), pair("checkin", C)]),
    ):
        before = len(smtp_server.received)
        procs = [_remind_proc(cli, day) for _ in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        assert sorted(sent(smtp_server, before)) == sorted([*expected, DIGEST]), day


class _SlowHandler(_Handler):
    """Takes the message, then sits on the reply for ``pause`` seconds (once)."""

    def __init__(self, server: SmtpServer, slow_at: int, pause: float) -> None:
        super().__init__(server)
        self.slow_at, self.pause = slow_at, pause

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
            n = len(self.server.received)
        if n == self.slow_at:
            await asyncio.sleep(self.pause)
        return "250 Message accepted"


@pytest.fixture
def slow_smtp():
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    controller = Controller(
        _SlowHandler(server, slow_at=2, pause=5), hostname=server.host, port=server.port
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def test_sigkill_mid_run_loses_nothing_and_sends_nothing_twice(
    cli: Cli, program_dir: Path, slow_smtp: SmtpServer
) -> None:
    configure(program_dir, slow_smtp)
    matched(cli)
    proc = _remind_proc(cli, "2027-02-01")
    deadline = time.monotonic() + 60
    while len(slow_smtp.received) < 2:  # the 2nd message is in, its reply held back
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(slow_smtp.received) == 2  # killed mid-run: one nudge still to send
    rerun = _remind_proc(cli, "2027-02-01")
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert "interrupted" in err.decode()
    assert sorted(sent(slow_smtp)) == sorted(
        [pair("reminder-1", A), pair("reminder-1", B), pair("reminder-1", C), DIGEST]
    )
    digest = next(m for m in slow_smtp.messages() if "digest" in str(m["Subject"]))
    assert "interrupted while sending: may not have been delivered; not resent" in (
        digest.get_content()
    )
    third = _remind_proc(cli, "2027-02-01")
    third.communicate(timeout=120)
    assert third.returncode == 0 and len(slow_smtp.received) == 4
