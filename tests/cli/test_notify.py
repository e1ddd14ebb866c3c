"""`mentorctl notify intro` against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from tests.conftest import DATA, Cli
from tests.smtpd import SmtpServer

HOSTILE = Path(__file__).parent.parent / "agreements" / "data" / "hostile.csv"

ALAN_INTRO = """\
Hello Edsger and Alan,

Welcome to Test Mentoring! For the 2027-h1 cycle, Edsger Dijkstra (Senior Engineer, Engineering) will be the mentor and Alan Turing (Researcher, Research) the mentee.

Why you were matched:
- Alan wants to grow in Python, which Edsger offers
- You both speak English
- You answered the questions about personality alike

What happens next:
- Alan, as the mentee you lead: please confirm the first meeting, Monday 11 January 2027 at 10:00 (or another day by Monday 25 January 2027).
- Read the attached agreement (edsger-dijkstra--alan-turing.pdf) together at that meeting, write down the goals and sign it.
- The attached calendar file holds the meeting series (13 meetings, every two weeks, about an hour each, from Monday 11 January 2027); import it and move any meeting to a time that suits you.

If the mentoring does not work out, for any reason, tell coord@example.com: no explanation is needed and nobody is blamed.

Best wishes,
coord@example.com
"""


def setup(
    cli: Cli,
    program_dir: Path,
    smtp: SmtpServer,
    people: Path = DATA / "people.csv",
    coordinator: bool = True,
) -> Cli:
    text = (program_dir / "program.yaml").read_text().replace("default: 2", "default: 3")
    if not coordinator:
        text = text.replace("coordinator: coord@example.com\n", "")
    text += (
        f"email:\n  host: {smtp.host}\n  port: {smtp.port}\n  security: none\n"
        "  sender: mentoring@example.com\n"
    )
    (program_dir / "program.yaml").write_text(text)
    for args in (("participants", "import", str(people)), ("match",), ("match", "accept", "--all")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    return cli


def send(cli: Cli, *args: str) -> tuple[int, dict]:
    result = cli("notify", "intro", "--send", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def previous(cli: Cli) -> dict[str, str | None]:
    result = cli("notify", "intro", "--json", "--attach", "md")
    return {e["to"][-1]["email"]: e["previous"] for e in json.loads(result.stdout)["emails"]}


def test_preview_by_default_sends_nothing(cli: Cli, program_dir: Path, smtp_server) -> None:
    setup(cli, program_dir, smtp_server)
    result = cli("notify", "intro", "edsger@example.com", "alan@example.com")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "To: Edsger Dijkstra <edsger@example.com>, Alan Turing <alan@example.com>\n"
        "Cc: Program coordinator <coord@example.com>\n"
        "Subject: Test Mentoring: introducing Edsger Dijkstra and Alan Turing\n"
        f"Attachments: edsger-dijkstra--alan-turing.pdf ({_size(result.stdout)} bytes), "
        f"edsger-dijkstra--alan-turing.ics ({_size(result.stdout, 'ics')} bytes)\n\n" + ALAN_INTRO
    )
    assert "add --send to send them" in result.stderr
    assert smtp_server.messages() == []


def _size(text: str, ext: str = "pdf") -> str:
    # The attachments' sizes belong to mentorctl.agreements; only the names are pinned here.
    return text.split(f"alan-turing.{ext} (", 1)[1].split(" bytes", 1)[0]


def test_send_once_then_resend(cli: Cli, program_dir: Path, smtp_server) -> None:
    setup(cli, program_dir, smtp_server)
    code, data = send(cli)
    assert code == 0 and data["counts"] == {"sent": 3}
    msgs = smtp_server.messages()
    assert len(msgs) == 3
    by_subject = {m["Subject"]: m for m in msgs}
    alan = by_subject["Test Mentoring: introducing Edsger Dijkstra and Alan Turing"]
    assert alan["From"] == "mentoring@example.com"
    assert alan["To"] == "Edsger Dijkstra <edsger@example.com>, Alan Turing <alan@example.com>"
    assert alan["Cc"] == "Program coordinator <coord@example.com>"
    assert alan["Reply-To"] == "coord@example.com"
    assert alan.get_body(("plain",)).get_content().replace("\r\n", "\n") == ALAN_INTRO
    attachments = {a.get_filename(): a for a in alan.iter_attachments()}
    assert list(attachments) == [
        "edsger-dijkstra--alan-turing.pdf",
        "edsger-dijkstra--alan-turing.ics",
    ]
    assert attachments["edsger-dijkstra--alan-turing.pdf"].get_content_type() == "application/pdf"
    assert attachments["edsger-dijkstra--alan-turing.pdf"].get_content().startswith(b"%PDF-")
    cal = icalendar.Calendar.from_ical(
        attachments["edsger-dijkstra--alan-turing.ics"].get_content()
    )
    assert len(cal.walk("VEVENT")) == 1
    envelopes = sorted(sorted(r.envelope_to) for r in smtp_server.received)
    assert envelopes == [
        ["ada@example.com", "coord@example.com", "katherine@example.com"],
        ["alan@example.com", "coord@example.com", "edsger@example.com"],
        ["coord@example.com", "edsger@example.com", "grace@example.com"],
    ]
    # A re-run sends nothing twice.
    code, again = send(cli)
    assert code == 0 and again["counts"] == {"skipped": 3}
    assert {r["detail"] for r in again["results"]} == {"already sent (--resend to send again)"}
    assert len(smtp_server.messages()) == 3
    code, forced = send(cli, "--resend", "ada@example.com")
    assert code == 0 and forced["counts"] == {"sent": 1}
    assert len(smtp_server.messages()) == 4


def test_one_failure_keeps_the_others(cli: Cli, program_dir: Path, smtp_server) -> None:
    setup(cli, program_dir, smtp_server, coordinator=False)
    smtp_server.refuse = {"alan@example.com", "edsger@example.com"}
    result = cli("notify", "intro", "--send")
    assert result.exit_code == 1
    assert "1 of 3 introduction(s) failed" in result.stderr
    assert "failed edsger@example.com, alan@example.com: refused:" in result.stderr
    assert previous(cli) == {
        "katherine@example.com": "sent",
        "alan@example.com": "failed",
        "edsger@example.com": "sent",  # grace's mail went out; edsger's copy was refused
    }
    sent = {tuple(r.envelope_to) for r in smtp_server.received}
    assert sent == {("ada@example.com", "katherine@example.com"), ("grace@example.com",)}
    smtp_server.refuse = set()
    code, data = send(cli)
    assert code == 0 and data["counts"] == {"sent": 1, "skipped": 2}  # only the failed one
    assert previous(cli) == dict.fromkeys(previous(cli), "sent")
    assert len(smtp_server.messages()) == 3


def test_pending_after_a_crash_is_unknown_and_not_sent_again(
    cli: Cli, program_dir: Path, smtp_server
) -> None:
    setup(cli, program_dir, smtp_server)
    from sqlmodel import select

    from mentorctl.roster.db import open_roster
    from mentorctl.roster.models import MessageRow, ProgramRow

    url = cli.db_url
    roster = open_roster(url)
    with roster.session(write=True) as session:
        match_id = json.loads(cli("agreements", "ada@example.com", "--json", "--dry-run").stdout)[
            "agreements"
        ][0]["match_ids"][0]
        program_id = session.exec(select(ProgramRow.id)).one()
        session.add(
            MessageRow(
                program_id=program_id,
                match_id=match_id,
                kind="intro",
                dedupe_key=f"intro:{match_id}",
                subject="x",
                status="pending",
            )
        )
    roster.dispose()
    code, data = send(cli)
    assert code == 0 and data["counts"] == {"sent": 2, "skipped": 1}
    [skipped] = [r for r in data["results"] if r["status"] == "skipped"]
    assert "may have delivered it" in skipped["detail"] and "ada@example.com" in skipped["to"]
    assert previous(cli)["katherine@example.com"] == "unknown"  # the dead run's claim
    code, data = send(cli, "--resend", "ada@example.com")
    assert data["counts"] == {"sent": 1} and len(smtp_server.messages()) == 3


def test_no_header_injection(cli: Cli, program_dir: Path, smtp_server) -> None:
    setup(cli, program_dir, smtp_server, HOSTILE)
    code, data = send(cli, "--attach", "html")
    assert code == 0 and data["counts"] == {"sent": 3}
    for r in smtp_server.received:
        assert "evil@example.org" not in r.envelope_to
        assert r.message["Bcc"] is None
        assert "\n" not in str(r.message["To"]) and "\n" not in str(r.message["Subject"])
        assert r.envelope_to == sorted(r.envelope_to, key=r.envelope_to.index)
    script = next(m for m in smtp_server.messages() if "script" in str(m["To"]))
    assert script["To"].addresses[1].addr_spec == "script@example.com"
    assert (
        script["To"].addresses[1].display_name == "<script>alert(1)</script> Bcc: evil@example.org"
    )
    html = next(a for a in script.iter_attachments() if a.get_filename().endswith(".html"))
    assert "<script>alert" not in html.get_content()
    rtl = next(m for m in smtp_server.messages() if "rtl@example.com" in str(m["To"]))
    assert "مريم الحسن 🎉" in str(rtl["To"]) and "مريم" in rtl.get_body(("plain",)).get_content()


def test_to_coordinator_only_and_dry_run(cli: Cli, program_dir: Path, smtp_server) -> None:
    setup(cli, program_dir, smtp_server)
    code, data = send(cli, "--dry-run")
    assert code == 0 and data["counts"] == {"would-send": 3} and data["sent"] is False
    assert smtp_server.messages() == []
    code, data = send(cli, "--to-coordinator-only")
    assert data["counts"] == {"sent": 3}
    assert {tuple(r.envelope_to) for r in smtp_server.received} == {("coord@example.com",)}
    # .strip(): the stdlib parser keeps the space of a Subject folded right after "Subject:".
    subjects = [str(m["Subject"]).strip() for m in smtp_server.messages()]
    assert all(s.startswith("[preview] Test Mentoring: ") for s in subjects), subjects
    code, data = send(cli)  # previews are recorded apart: the real ones still go
    assert data["counts"] == {"sent": 3} and len(smtp_server.messages()) == 6


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("  host: 127.0.0.1\n  port: 1\n  security: none\n", "email.sender is not set"),
        (
            "  host: 127.0.0.1\n  port: 1\n  security: none\n  sender: a@example.com\n",
            "SMTP 127.0.0.1:1",
        ),
    ],
)
def test_mail_settings_errors(
    sqlite_cli: Cli, program_dir: Path, settings: str, message: str
) -> None:
    for args in (
        ("participants", "import", str(DATA / "people.csv")),
        ("match",),
        ("match", "accept", "--all"),
    ):
        assert sqlite_cli(*args).exit_code == 0
    text = (program_dir / "program.yaml").read_text() + "email:\n" + settings
    (program_dir / "program.yaml").write_text(text)
    result = sqlite_cli("notify", "intro", "--send")
    assert result.exit_code == 1 and message in result.stderr
    assert all(v is None for v in previous(sqlite_cli).values())  # nothing recorded
