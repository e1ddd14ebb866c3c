"""A whole cycle of the bundled onboarding sample, lived through the real CLI as a
coordinator would: init → import → a re-import with a reworded column → match → review
with a swap (real terminal) → accept → agreements → intros over a real SMTP server →
meetings and check-ins from Google Forms-style exports → reminders over simulated days →
close → report in every format → new cycle → forget.

Each step asserts what a coordinator relies on; every item also has its own regression
test beside the code it concerns.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_wizard_pty import Wizard
from tests.smtpd import SmtpServer

pytestmark = pytest.mark.slow

CHOICES = ["accept", "reject", "swap mentor", "skip", "quit"]
NOTES = "Anything else the program team should know?"
#: Coordinator-only wording that must never reach a participant.
JARGON = re.compile(r"\bmax \d|h apart|\bscore\b|\bweight\b|min_score|\d\.\d{3}")


def run(
    prog: Path, *args: str, ok: bool = True, today: str | None = None
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if today:
        env["MENTORCTL_TODAY"] = today
    result = subprocess.run(
        [sys.executable, "-m", "mentorctl", *args, "-p", str(prog)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


def people(prog: Path) -> dict[str, dict]:
    rows = json.loads(run(prog, "participants", "list", "--json").stdout)
    return {p["email"]: p for p in rows}


def use_smtp(prog: Path, smtp: SmtpServer) -> None:
    path = prog / "program.yaml"
    text = path.read_text()
    text = re.sub(r"(?m)^  host: .*$", f"  host: {smtp.host}", text)
    text = re.sub(r"(?m)^  port: .*$", f"  port: {smtp.port}", text)
    text = re.sub(r"(?m)^  security: .*$", "  security: none", text)
    text = re.sub(r"(?m)^  username: .*\n", "", text)
    path.write_text(text)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # as Google Forms' download writes it
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_a_whole_cycle(tmp_path: Path, smtp_server: SmtpServer) -> None:
    prog = tmp_path / "onboarding"
    subprocess.run(
        [sys.executable, "-m", "mentorctl", "init", str(prog), "--from-sample", "onboarding"],
        check=True,
        capture_output=True,
    )
    use_smtp(prog, smtp_server)
    enrolled = people(prog)
    assert len(enrolled) == 159

    # 1. A re-import whose optional question was reworded keeps the stored answers.
    form = (prog / "form-responses.csv").read_text(encoding="utf-8-sig")
    assert NOTES in form
    reworded = tmp_path / "reworded.csv"
    reworded.write_text(form.replace(NOTES, NOTES.replace("program", "programme")))
    result = run(prog, "participants", "import", str(reworded), "--json")
    assert json.loads(result.stdout)["updated"] == 0
    assert people(prog) == enrolled

    # 5. Review with a swap through a real terminal, then accept the rest.
    proposal = json.loads(run(prog, "match", "--json").stdout)
    review = Wizard("-p", str(prog), "match", "review", cwd=prog)
    try:
        review.select("Decision", CHOICES, "accept", "swap mentor")
        review.expect("New mentor")
        review.child.send("\r")
        review.select("Decision", CHOICES, "accept", "quit")
        assert review.finish() == 0
    finally:
        review.kill()
    run(prog, "match", "accept", "--all")
    check = json.loads(run(prog, "validate", "--json").stdout)
    assert check["ok"], check["problems"]
    active = json.loads(run(prog, "match", "--dry-run", "--json").stdout)["matches"]
    kept = [m for m in active if m.get("kept")]
    assert len(kept) == len(proposal["matches"])
    per_mentor: dict[str, int] = {}
    for m in kept:
        per_mentor[m["mentor"]] = per_mentor.get(m["mentor"], 0) + 1
    assert max(per_mentor.values()) == 1  # one-to-one: never over-filled

    # Agreements: one per pair, in participants' words.
    out = prog / "agreements"
    run(prog, "agreements", "--format", "md", "--out", str(out))
    docs = sorted(out.rglob("*.md"))
    assert len(docs) == len(kept)
    for doc in docs:
        text = doc.read_text()
        assert not JARGON.search(text.split("Why you were matched")[-1].split("\n## ")[0]), doc

    # Introductions over a real SMTP server: each once, a re-run sends nothing.
    run(prog, "notify", "intro", "--send")
    intros = smtp_server.messages()
    assert len(intros) == len(kept)
    assert all(m["Date"] and m["Message-ID"] for m in intros)
    again = run(prog, "notify", "intro", "--send")
    assert len(smtp_server.messages()) == len(kept)
    assert len(again.stdout.strip().splitlines()) <= 1

    # 9. Meetings and check-ins from Google Forms-style exports (US dates, AM/PM).
    pairs = [(m["mentor"], m["mentee"]) for m in kept]
    met = pairs[: len(pairs) // 2]
    meetings = write_csv(
        tmp_path / "meetings.csv",
        ["Timestamp", "Mentor", "Mentee", "Meeting date", "Duration (minutes)"],
        [
            [f"2/{10 + i % 10}/2027 5:0{i % 10}:00 PM", a, b, f"2/{10 + i % 10}/2027", "30"]
            for i, (a, b) in enumerate(met)
        ],
    )
    run(prog, "log", "import", str(meetings), today="2027-03-15")
    checkins = write_csv(
        tmp_path / "pulse.csv",
        [
            "Timestamp",
            "Email address",
            "How satisfied are you?",
            "How likely are you to recommend the program?",
        ],
        [[f"2/2{i % 8}/2027 9:15:00 AM GMT+1", b, "4", "9"] for i, (_a, b) in enumerate(met)],
    )
    run(prog, "checkin", "import", str(checkins), today="2027-03-15")

    # 12. Reminders over simulated days: the first run nudges, never escalates first.
    before = len(smtp_server.messages())
    run(prog, "remind", "--send", "--quiet", today="2027-03-20")
    first = smtp_server.messages()[before:]
    assert first, "stalled pairs are nudged"
    coordinator = "onboarding@example.com"
    nudges = [m for m in first if "next mentoring meeting" in str(m["Subject"])]
    assert len(nudges) == len(kept)  # every pair behind its cadence gets the first rung
    for m in first:
        if coordinator in str(m["To"]):
            assert "escalat" not in m.get_body(("plain",)).get_content().lower()
    run(prog, "remind", "--send", "--quiet", today="2027-03-20")  # same day: nothing twice
    assert len(smtp_server.messages()) == before + len(first)

    # 13. The report after `cycle close` is as complete as before it.
    day = "2027-08-02"
    open_report = json.loads(run(prog, "report", "--json", today=day).stdout)
    run(prog, "cycle", "close", "--yes", today=day)
    closed = json.loads(run(prog, "report", "--json", today=day).stdout)
    engagement, after = open_report["engagement"], closed["engagement"]
    assert after["meetings_expected"] == engagement["meetings_expected"] > 0
    assert after["meetings_held"] == engagement["meetings_held"] > 0
    assert after["matches"] == engagement["matches"] == len(kept)
    assert sum(v for k, v in after["outcomes"].items() if k != "active") == len(kept)
    for fmt in ("--md", "--csv"):
        text = run(prog, "report", fmt, today=day).stdout
        assert "outcome" in text.lower()
    html = tmp_path / "report.html"
    run(prog, "report", "--html", str(html), today=day)
    assert html.stat().st_mode & 0o077 == 0

    # A new cycle, then erasure on request.
    run(prog, "cycle", "new", "2027-h2")
    gone_mentor, gone = kept[0]["mentor"], kept[0]["mentee"]
    name = enrolled[gone]["name"]
    run(prog, "participants", "forget", gone, "--yes")
    assert gone not in people(prog)
    for path in prog.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert gone.encode() not in data, path
            assert name.encode() not in data, path
    assert gone_mentor in people(prog)
