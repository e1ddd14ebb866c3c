"""Participants in the loop without a portal, round trip through the real CLI.

Shortlists go out by a real SMTP server on 127.0.0.1; the links are parsed back out of
the received messages; the CSV a form tool (Google Forms' column layout: ``Timestamp``
then the questions) would export from those links comes back through ``participants
import`` and ``match --mode stable`` honours the rankings. The same for the "we met" /
"not yet" links of the introductions: ``checkin import``, then ``status`` shows "not yet"
and ``remind`` leaves the pair that met alone.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import Cli
from tests.smtpd import SmtpServer

TODAY = "2027-01-20"  # before the sample's cycle starts (2027-02-01): matching time
RANKING = "https://docs.google.com/forms/d/e/RANK/viewform?usp=pp_url&entry.111={email}&entry.222={candidates}"
CHECKIN = (
    "https://docs.google.com/forms/d/e/MET/viewform?usp=pp_url"
    "&entry.333={email}&entry.444={match}&entry.555={answer}"
)
PREFS = "Is there anyone you would especially like as your buddy?"


def _program(tmp_path: Path, smtp: SmtpServer, cli: Cli) -> Path:
    made = Cli(None, None)("init", str(tmp_path / "p"), "--from-sample", "onboarding")
    assert made.exit_code == 0, made.output
    path = tmp_path / "p" / "program.yaml"
    text = re.sub(
        r"^email:\n(?:  .*\n)+",
        f"email:\n  host: {smtp.host}\n  port: {smtp.port}\n  security: none\n"
        "  sender: mentoring@example.com\n",
        path.read_text(),
        flags=re.M,
    )
    # How the pair likes to meet is private here: neither its answers nor the reason
    # that compares them may reach a shortlist.
    text = text.replace(
        "    - id: meeting_preference\n", "    - id: meeting_preference\n      visible: false\n"
    )
    text += f'forms:\n  ranking_url: "{RANKING}"\n  checkin_url: "{CHECKIN}"\n'
    path.write_text(text)
    return tmp_path / "p"


def _run(cli: Cli, *args: str, code: int = 0, today: str = TODAY) -> str:
    result = cli(*args, env={"MENTORCTL_TODAY": today})
    assert result.exit_code == code, result.output
    return result.stdout


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return part.get_content()


def _links(text: str) -> list[str]:
    return re.findall(r"https://\S+", text)


def _people(program: Path) -> dict[str, dict[str, str]]:
    with (program / "participants.csv").open(encoding="utf-8-sig") as f:
        return {row["email"]: row for row in csv.DictReader(f)}


@pytest.fixture
def loop(tmp_path: Path, smtp_server: SmtpServer) -> tuple[Cli, Path, SmtpServer]:
    program = _program(tmp_path, smtp_server, Cli(None, None))
    cli = Cli(program / "program.yaml", None)
    return cli, program, smtp_server


def _shortlists(server: SmtpServer) -> list[EmailMessage]:
    return [m for m in server.messages() if "shortlist" in str(m["Subject"])]


def test_rankings_round_trip_into_stable_matching(loop, tmp_path: Path) -> None:
    cli, _, server = loop
    _run(cli, "notify", "shortlist", "--top", "3", "--send")
    received = _shortlists(server)
    assert received, "no shortlist arrived"
    # Each person's pre-filled link, parsed back out of the message they received.
    answers: dict[str, list[str]] = {}
    for msg in received:
        (link,) = _links(_body(msg))
        query = parse_qs(urlsplit(link).query)
        email = query["entry.111"][0]
        assert email == str(msg["To"].addresses[0].addr_spec)
        answers[email] = [c.strip() for c in query["entry.222"][0].split(",")]
    # Each mentee (but one, who ranks nobody) puts first a candidate nobody else put
    # first, preferring the end of their shortlist: what scores alone would not choose.
    silent = sorted(answers)[0]
    email_of = _codes(cli)
    firsts: dict[str, str] = {}
    rows = []
    for n, (email, codes) in enumerate(sorted(answers.items())):
        if email == silent:
            continue
        order = codes[::-1]
        pick = next((c for c in order if c not in firsts.values()), order[0])
        firsts[email] = pick
        rows.append([f"1/2{n % 10}/2027 9:0{n % 10}:00", email, ", ".join([pick, *codes])])
    export = tmp_path / "ranking-responses.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "Email address", PREFS])
        w.writerows(rows)

    def honoured() -> int:
        proposal = json.loads(_run(cli, "match", "--mode", "stable", "--json", "--dry-run"))
        pairs = {m["mentee"]: m["mentor"] for m in proposal["matches"]}
        assert silent in pairs  # ranked nobody: matched on scores as before
        return sum(pairs.get(e) == email_of[c] for e, c in firsts.items())

    before = honoured()
    _run(cli, "participants", "import", str(export))
    shown = json.loads(_run(cli, "participants", "show", next(iter(firsts)), "--json"))
    stored = json.dumps(shown)
    assert email_of[firsts[next(iter(firsts))]] in stored  # codes stored as emails
    after = honoured()
    # Deferred acceptance gives a mentee their first choice unless that mentor prefers
    # someone else who wants them too (three candidates each overlap a lot): most first
    # choices hold, several times as many as on scores alone.
    assert after >= len(firsts) / 2 and after >= 2 * before, (before, after, len(firsts))


def _codes(cli: Cli) -> dict[str, str]:
    """Code -> email of every candidate in the shortlists (the preview's JSON)."""
    out = {}
    for email in json.loads(_run(cli, "notify", "shortlist", "--json", "--top", "20"))["emails"]:
        for c in email["candidates"]:
            out[c["code"]] = c["email"]
    return out


def test_no_private_answer_in_any_shortlist(loop) -> None:
    cli, program, server = loop
    _run(cli, "notify", "shortlist", "--top", "5", "--send")
    _run(cli, "notify", "shortlist", "--mentors", "--top", "5", "--send")
    received = _shortlists(server)
    assert len(received) > 10
    people = _people(program)
    private_text = [
        value
        for row in people.values()
        for key in ("notes", "first_90_days")
        if (value := row[key].strip())
    ]
    assert private_text
    for msg in received:
        text = _body(msg)
        to = msg["To"].addresses[0].addr_spec
        for value in private_text:
            assert value not in text, (to, value)
        # Nobody's email (a preferred_mentors answer is a list of them) but the sender's.
        for email in people:
            assert email not in text, (to, email)
        assert "How would you prefer to meet?" not in text  # visible: false
        assert "meeting preference" not in text  # nor the reason comparing it
        assert "Anything else the program team should know?" not in text
        for word in ("score", "weight", "criterion", "criteria"):
            assert word not in text.lower(), (to, word)


def test_second_send_sends_nothing_and_forget_erases(loop) -> None:
    cli, program, server = loop
    _run(cli, "notify", "shortlist", "--top", "2", "--send")
    first = len(server.messages())
    assert first
    out = json.loads(_run(cli, "notify", "shortlist", "--top", "2", "--send", "--json"))
    assert len(server.messages()) == first
    assert set(out["counts"]) == {"skipped"}
    someone = _shortlists(server)[0]["To"].addresses[0].addr_spec
    _run(cli, "participants", "forget", someone, "--yes")
    with sqlite3.connect(program / "roster.db") as db:
        rows = db.execute("SELECT dedupe_key, recipients, subject FROM message").fetchall()
    assert rows
    assert not [r for r in rows if someone in " ".join(map(str, r))]


def test_we_met_and_not_yet_round_trip(loop, tmp_path: Path) -> None:
    cli, _, server = loop
    _run(cli, "match")
    _run(cli, "match", "accept", "--all")
    _run(cli, "notify", "intro", "--send", "--attach", "md")
    intros = [m for m in server.messages() if "introducing" in str(m["Subject"])]
    assert len(intros) >= 3
    # Pair A clicks "we met", pair B "not yet"; the rest do nothing.
    chosen = {}
    for msg, answer in zip(intros[:2], ("We met", "Not yet"), strict=True):
        links = [parse_qs(urlsplit(u).query) for u in _links(_body(msg)) if "entry.555" in u]
        assert len(links) == 4  # two people, two answers each
        link = next(q for q in links if q["entry.555"] == [answer])
        chosen[answer] = link
    export = tmp_path / "checkin-responses.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "Email", "Match", "Did you meet?"])
        for answer, q in chosen.items():
            w.writerow(["2/14/2027 9:15:00", q["entry.333"][0], q["entry.444"][0], answer])
    _run(cli, "checkin", "import", str(export), "--today", "2027-02-20")
    met_id, not_yet_id = (int(chosen[a]["entry.444"][0]) for a in ("We met", "Not yet"))

    status = json.loads(_run(cli, "status", "--json", "--today", "2027-02-25"))
    by_id = {m["match_id"]: m for m in status["matches"]}
    assert by_id[not_yet_id]["not_yet"] == "2027-02-14"
    assert by_id[met_id]["said_met"] == "2027-02-14" and by_id[met_id]["not_yet"] is None
    table = _run(cli, "status", "--today", "2027-02-25")
    assert "said not yet on 2027-02-14" in table

    before = len(server.messages())
    _run(cli, "remind", "--send", "--today", "2027-02-25")
    nudged = {
        tuple(sorted(a.addr_spec for a in m["To"].addresses))
        for m in server.messages()[before:]
        if "next mentoring meeting" in str(m["Subject"])
    }
    pair = {m["match_id"]: tuple(sorted((m["mentor"], m["mentee"]))) for m in status["matches"]}
    assert pair[not_yet_id] in nudged  # said not yet: nudged like everyone quiet
    assert pair[met_id] not in nudged  # said we met: left alone this period
    # The nudge carries the links too, each value percent-encoded.
    text = _body(
        next(m for m in server.messages()[before:] if "next mentoring" in str(m["Subject"]))
    )
    assert "entry.555=We%20met" in text and "entry.555=Not%20yet" in text


def test_a_bad_we_met_answer_names_file_row_and_column(loop, tmp_path: Path) -> None:
    cli, program, _ = loop
    _run(cli, "match")
    _run(cli, "match", "accept", "--all")
    status = json.loads(_run(cli, "status", "--json", "--today", "2027-02-20"))
    m = status["matches"][0]
    export = tmp_path / "checkin-responses.csv"
    export.write_text(
        "Timestamp,Email,Match,Did you meet?\n"
        f"2/14/2027 9:15:00,{m['mentee']},{m['match_id']},We met\n"
        f"2/15/2027 9:15:00,{m['mentor']},{m['match_id']},Maybe\n"
    )
    before = (program / "roster.db").read_bytes()
    result = cli("checkin", "import", str(export), "--today", "2027-02-20")
    assert result.exit_code == 1
    assert f"{export}:3: Did you meet?: 'Maybe' is neither 'we met' nor 'not yet'" in (
        result.stderr
    )
    assert (program / "roster.db").read_bytes() == before
