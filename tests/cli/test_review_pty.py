"""`mentorctl match review` through a real pseudo-terminal: accept, reject, quit."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_wizard_pty import Wizard
from tests.conftest import DATA, Cli

CHOICES = ["accept", "reject", "swap mentor", "skip", "quit"]


def test_review_accepts_and_rejects_with_keystrokes(sqlite_cli: Cli, program_dir: Path) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    proposal = json.loads(sqlite_cli("match", "--json").stdout)["matches"]
    first, second = proposal[0], proposal[1]
    choices = ["accept", "reject", "swap mentor", "skip", "quit"]

    review = Wizard("-p", str(program_dir), "match", "review", cwd=program_dir)
    try:
        review.select("Decision", choices, "accept", "accept")
        review.select("Decision", choices, "accept", "reject")
        review.select("Decision", choices, "accept", "quit")
        assert review.finish() == 0
    finally:
        review.kill()

    active = json.loads(sqlite_cli("match", "--dry-run", "--json").stdout)["matches"]
    kept = {(m["mentor"], m["mentee"]) for m in active if m.get("kept")}
    assert kept == {(first["mentor"], first["mentee"])}
    assert (second["mentor"], second["mentee"]) not in {(m["mentor"], m["mentee"]) for m in active}


def test_review_without_a_terminal_names_the_commands(sqlite_cli: Cli) -> None:
    result = sqlite_cli("match", "review")
    assert result.exit_code == 2
    assert "match accept|reject" in result.stderr


BARBARA = (
    "barbara@example.com,Barbara Liskov,mentor,Product,Director,Staff,,Boston,"
    "America/New_York,English,70,25,,,SQL; Python,Engineering,3,,\n"
)


def one_to_one(sqlite_cli: Cli, program_dir: Path) -> list[dict]:
    """tests/data people plus a fourth mentor, one-to-one: one mentor stays free."""
    yaml_path = program_dir / "program.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("format: group", "format: one-to-one"))
    people = program_dir / "people.csv"
    people.write_text((DATA / "people.csv").read_text() + BARBARA)
    assert sqlite_cli("participants", "import", str(people)).exit_code == 0
    return json.loads(sqlite_cli("match", "--json").stdout)["matches"]


def test_review_swap_offers_only_free_mentors_and_never_over_fills(
    sqlite_cli: Cli, program_dir: Path
) -> None:
    """A one-to-one mentor picked in a swap used to end up with two active mentees."""
    proposal = one_to_one(sqlite_cli, program_dir)
    assert [(m["mentor"], m["mentee"]) for m in proposal] == [
        ("ada@example.com", "katherine@example.com"),
        ("barbara@example.com", "alan@example.com"),
        ("grace@example.com", "edsger@example.com"),
    ]
    review = Wizard("-p", str(program_dir), "match", "review", cwd=program_dir)
    try:
        review.select("Decision", CHOICES, "accept", "swap mentor")
        # Barbara (Katherine's best score) and Grace hold pending proposals: not offered.
        review.expect("New mentor")
        review.expect("Edsger Dijkstra <edsger@example.com>  score 0.200, 1 of 1 place(s) free")
        review.child.send("\r")
        review.select("Decision", CHOICES, "accept", "accept")
        review.select("Decision", CHOICES, "accept", "quit")
        assert review.finish() == 0
    finally:
        review.kill()
    screen = Wizard.screen(review.transcript)
    assert "Barbara Liskov <barbara@example.com>  score" not in screen
    # Quitting prints what was decided, and what is left.
    assert "swapped: Katherine Johnson with Edsger Dijkstra (accepted)" in screen
    assert "accepted: Alan Turing with Barbara Liskov" in screen
    assert "review: 1 swapped, 1 accepted; 1 of 3 proposal(s) still to decide" in screen

    after = json.loads(sqlite_cli("match", "--dry-run", "--json").stdout)["matches"]
    kept = {(m["mentor"], m["mentee"]) for m in after if m.get("kept")}
    assert kept == {
        ("edsger@example.com", "katherine@example.com"),
        ("barbara@example.com", "alan@example.com"),
    }
    mentors = [m for m, _ in kept]
    assert len(mentors) == len(set(mentors))  # nobody over capacity
    assert sqlite_cli("validate").exit_code == 0


def test_validate_and_match_name_a_mentor_over_capacity(sqlite_cli: Cli, program_dir: Path) -> None:
    """A roster where a one-to-one mentor has two active mentees (as review left it).

    `validate` said ok and the next `match` failed with "lock ... no capacity left" for
    a lock nobody made.
    """
    import sqlite3

    one_to_one(sqlite_cli, program_dir)
    assert sqlite_cli("match", "accept", "--all").exit_code == 0
    with sqlite3.connect(program_dir / "roster.db") as db:
        db.execute(
            "UPDATE match SET mentor_id = (SELECT id FROM participant WHERE email = ?) "
            "WHERE mentee_id = (SELECT id FROM participant WHERE email = ?)",
            ("ada@example.com", "alan@example.com"),
        )
    db.close()
    checked = sqlite_cli("validate")
    assert checked.exit_code == 1
    assert "ada@example.com: capacity" in checked.stderr
    assert "2 active matches this cycle" in checked.stderr
    assert "but a capacity of 1" in checked.stderr
    again = sqlite_cli("match", "--dry-run")
    assert again.exit_code == 1
    assert "lock" not in again.stderr
    assert "ada@example.com has more accepted matches this cycle than their capacity" in (
        again.stderr
    )
