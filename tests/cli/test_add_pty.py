"""`mentorctl participants add` asks the survey through a real pseudo-terminal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_wizard_pty import ENTER, KILL_LINE, SPACE, Wizard
from tests.conftest import Cli

SKILLS = ["Python", "SQL", "Leadership", "Public speaking, presenting", "Writing"]


def test_add_asks_what_flags_leave_out(sqlite_cli: Cli, program_dir: Path) -> None:
    add = Wizard(
        "-p",
        str(program_dir),
        "participants",
        "add",
        "--email",
        "Zed@Example.com",
        "--name",
        "Zed Ó",
        "--role",
        "mentee",
        "--department",
        "Research",
        "--title",
        "Analyst",
        "--manager-email",
        "",
        "--timezone",
        "Europe/Paris",
        "--languages",
        "French; English",
        cwd=program_dir,
    )
    try:
        add.select("Level", ["Junior", "Mid", "Senior", "Staff"], "Junior", "Mid")
        add.checkbox("Which skills would you like to develop?", SKILLS, [], ["SQL", "Writing"])
        add.select("Preferred track", ["Engineering", "Management"], "Engineering", "Management")
        add.select("I am the life of the party.", ["1", "2", "3", "4", "5"], "1", "4")
        add.text("Preferred mentors", "ada@example.com")
        add.text("What do you want to achieve?", "Lead a study")
        assert add.finish() == 0, add.transcript
    finally:
        add.kill()
    zed = json.loads(sqlite_cli("participants", "show", "zed@example.com", "--json").stdout)
    assert zed["name"] == "Zed Ó" and zed["level"] == "Mid"
    assert zed["languages"] == ["French", "English"]
    assert zed["answers"] == {
        "skills_wanted": ["SQL", "Writing"],
        "track": "Management",
        "extraversion": 4,
        "preferred_mentors": ["ada@example.com"],
        "goals": "Lead a study",
    }


def test_add_checks_each_answer_as_it_is_typed(sqlite_cli: Cli, program_dir: Path) -> None:
    """`participants add` once took `Asia/Shangai` and a blank required answer, then
    enrolled nobody after every prompt; now each answer is checked at its prompt."""

    add = Wizard(
        "-p",
        str(program_dir),
        "participants",
        "add",
        *("--email", "zed@example.com", "--name", "Zed", "--role", "mentee"),
        *("--department", "Research", "--title", "Analyst", "--level", "Mid"),
        *("--manager-email", "", "--languages", "English"),
        cwd=program_dir,
    )
    try:
        add.text("Timezone", "Asia/Shangai")
        add.expect("did you mean Asia/Shanghai?")
        add.child.send(KILL_LINE + "Asia/Shanghai" + ENTER)
        add.expect("Which skills would you like to develop?")
        add.child.send(ENTER)  # nothing chosen: a required question
        add.expect("is required")
        add.expect("Which skills would you like to develop?")  # asked again
        add.child.send(SPACE + ENTER)  # the first option, Python
        add.select("Preferred track", ["Engineering", "Management"], "Engineering", "Engineering")
        add.select("I am the life of the party.", ["1", "2", "3", "4", "5"], "1", "1")
        add.text("Preferred mentors", "not-an-email")
        add.expect("not-an-email")
        add.child.send(KILL_LINE + ENTER)
        add.text("What do you want to achieve?", "")
        assert add.finish() == 0, add.screen(add.transcript)
    finally:
        add.kill()
    zed = json.loads(sqlite_cli("participants", "show", "zed@example.com", "--json").stdout)
    assert zed["timezone"] == "Asia/Shanghai"
    assert zed["answers"]["skills_wanted"] == ["Python"]
