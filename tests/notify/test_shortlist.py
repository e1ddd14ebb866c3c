"""`mentorctl notify shortlist`, person codes and pre-filled links, through the real CLI.

The whole loop (shortlists -> form export -> import -> matching; we-met links ->
check-ins -> status and remind) is in tests/test_participant_loop.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mentorctl.program.codes import CodeBook, looks_like_code, person_codes
from tests.conftest import DATA, Cli
from tests.smtpd import SmtpServer

RANKING = "https://forms.example.org/viewform?usp=pp_url&entry.1={email}&entry.2={name}&entry.3={candidates}&entry.4={code}"
ODD = [
    # (email, name): a +, an &, spaces, = and # and non-ASCII letters in the values
    ("zoe+mentoring&x=1@example.com", "Zoë Ångström-Müller & Co #1"),
    ("li.wei@example.com", "李 伟"),
]


def _program(program_dir: Path, smtp: SmtpServer | None = None, forms: str = "") -> None:
    text = (program_dir / "program.yaml").read_text()
    if smtp is not None:
        text += (
            f"email:\n  host: {smtp.host}\n  port: {smtp.port}\n  security: none\n"
            "  sender: mentoring@example.com\n"
        )
    text += forms or f'forms:\n  ranking_url: "{RANKING}"\n'
    (program_dir / "program.yaml").write_text(text)


def _enrol(cli: Cli) -> None:
    result = cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    for email, name in ODD:
        result = cli(
            "participants", "add", "--email", email, "--name", name, "--role", "mentee",
            "--languages", "English", "--answer", "skills_wanted=Python",
            "--answer", "extraversion=3",
        )  # fmt: skip
        assert result.exit_code == 0, result.output


def _shortlists(cli: Cli, *args: str) -> list[dict]:
    result = cli("notify", "shortlist", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["emails"]


def test_links_encode_every_value(sqlite_cli: Cli, program_dir: Path) -> None:
    _program(program_dir)
    _enrol(sqlite_cli)
    emails = {e["to"]["email"]: e for e in _shortlists(sqlite_cli)}
    for email, name in ODD:
        link = emails[email]["link"]
        assert " " not in link and link.isascii()
        query = urlsplit(link).query
        # Every value on its own: a '+' read as a space, or an '&' / '=' / '#' splitting
        # the query, would change what the form receives.
        assert query.count("&") == 4 and "#" not in link and "+" not in query
        values = parse_qs(query)
        assert values["entry.1"] == [email]
        assert values["entry.2"] == [name]
        codes = [c["code"] for c in emails[email]["candidates"]]
        assert values["entry.3"] == [", ".join(codes)]
        assert values["entry.4"] == [emails[email]["code"]]
        assert emails[email]["link"] in emails[email]["text"]


def test_unknown_placeholder_is_refused_at_load(sqlite_cli: Cli, program_dir: Path) -> None:
    _program(program_dir, forms='forms:\n  checkin_url: "https://f.example.org/?e={emial}"\n')
    result = sqlite_cli("validate")
    assert result.exit_code == 1, result.output
    assert "forms.checkin_url" in result.stderr
    assert "unknown placeholder {emial}" in result.stderr


def test_checkin_link_needs_its_answer(sqlite_cli: Cli, program_dir: Path) -> None:
    _program(program_dir, forms='forms:\n  checkin_url: "https://f.example.org/?e={email}"\n')
    result = sqlite_cli("validate")
    assert result.exit_code == 1
    assert "forms.checkin_url" in result.stderr and "{answer}" in result.stderr


def test_private_answers_and_reasons_stay_out(sqlite_cli: Cli, program_dir: Path) -> None:
    _program(program_dir)
    _enrol(sqlite_cli)
    shortlists = _shortlists(sqlite_cli) + _shortlists(sqlite_cli, "--mentors")
    assert shortlists
    for s in shortlists:
        text = s["text"]
        # likert (personality), text and email_list answers are private by default, and
        # so is the reason drawn from the personality item.
        assert "I am the life of the party" not in text
        assert "personality" not in text
        assert "Learn to lead a team" not in text
        assert "Preferred mentors" not in text
        assert "score" not in text.lower()
    facts = {f["label"] for s in shortlists for c in s["candidates"] for f in c["facts"]}
    assert "Which skills can you help others with?" in facts  # a choice: shown


def test_visible_makes_an_answer_shown(sqlite_cli: Cli, program_dir: Path) -> None:
    text = (program_dir / "program.yaml").read_text()
    text = text.replace(
        "      label: What do you want to achieve?\n",
        "      label: What do you want to achieve?\n      visible: true\n",
    )
    (program_dir / "program.yaml").write_text(text)
    _program(program_dir)
    _enrol(sqlite_cli)
    shortlists = _shortlists(sqlite_cli, "--mentors", "--top", "20")
    assert any("Learn to lead a team" in s["text"] for s in shortlists)


def test_dry_run_prints_and_sends_nothing(
    sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer
) -> None:
    _program(program_dir, smtp_server)
    _enrol(sqlite_cli)
    result = sqlite_cli("notify", "shortlist", "--send", "--dry-run", "--top", "2")
    assert result.exit_code == 0, result.output
    assert "Subject: Test Mentoring: your shortlist of mentors to rank" in result.stdout
    assert "would be sent" in result.stderr
    assert smtp_server.messages() == []
    with sqlite3.connect(program_dir / "roster.db") as db:
        assert db.execute("SELECT count(*) FROM message").fetchone() == (0,)


def test_send_then_resend(sqlite_cli: Cli, program_dir: Path, smtp_server: SmtpServer) -> None:
    _program(program_dir, smtp_server)
    _enrol(sqlite_cli)
    first = sqlite_cli("notify", "shortlist", "--send")
    assert first.exit_code == 0, first.output
    n = len(smtp_server.messages())
    assert n == len(_shortlists(sqlite_cli))
    again = sqlite_cli("notify", "shortlist", "--send")
    assert again.exit_code == 0 and len(smtp_server.messages()) == n
    forced = sqlite_cli("notify", "shortlist", "--send", "--resend", "--person", ODD[1][0])
    assert forced.exit_code == 0, forced.output
    assert len(smtp_server.messages()) == n + 1


def test_unknown_person_is_an_error(sqlite_cli: Cli, program_dir: Path) -> None:
    _program(program_dir)
    _enrol(sqlite_cli)
    result = sqlite_cli("notify", "shortlist", "--person", "nobody@example.com")
    assert result.exit_code == 1
    assert "nobody@example.com" in result.stderr


# --------------------------------------------------------------------------- codes


def test_codes_are_stable_unique_and_read_back() -> None:
    emails = [f"person{i}@example.com" for i in range(3000)]
    codes = person_codes("prog", emails)
    assert len(set(codes.values())) == len(emails)
    assert all(len(c) >= 6 and looks_like_code(c) for c in codes.values())
    # The same person, the same code (a longer one only where a newcomer shares a prefix).
    assert all(codes[e].startswith(c) for e, c in person_codes("prog", emails[:10]).items())
    assert person_codes("other", emails[:1]) != person_codes("prog", emails[:1])
    book = CodeBook("prog", emails)
    for email in emails[:50]:
        code = codes[email]
        assert book.email(code) == email
        assert book.email(f" {code[:3]}-{code[3:]} ".lower()) == email
    assert book.email(codes[emails[0]][:5]) is None  # too short to be anyone's


@pytest.mark.parametrize("text", ["johnsmith", "alan@example.com", "AB12", "Ada Lovelace"])
def test_words_are_not_codes(text: str) -> None:
    assert not looks_like_code(text)


def test_answers_only_import_refuses_unknown_codes_and_people(
    sqlite_cli: Cli, program_dir: Path, tmp_path: Path
) -> None:
    _program(program_dir)
    _enrol(sqlite_cli)
    before = (program_dir / "roster.db").read_bytes()
    bad = tmp_path / "ranking.csv"
    bad.write_text(
        "Timestamp,Email address,Preferred mentors (emails)\n"
        "1/20/2027 9:00:00,alan@example.com,ZZZZZZZZ\n"
        "1/20/2027 9:01:00,stranger@example.com,ada@example.com\n"
    )
    result = sqlite_cli("participants", "import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2: Preferred mentors (emails): 'ZZZZZZZZ' is not the code of anyone" in (
        result.stderr
    )
    assert f"{bad}:3: Email address: 'stranger@example.com' is not enrolled" in result.stderr
    assert (program_dir / "roster.db").read_bytes() == before
