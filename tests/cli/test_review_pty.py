"""`mentorctl match review` through a real pseudo-terminal: accept, reject, quit."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_wizard_pty import Wizard
from tests.conftest import DATA, Cli


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


def test_review_swaps_a_mentor(sqlite_cli: Cli, program_dir: Path) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    proposal = json.loads(sqlite_cli("match", "--json").stdout)["matches"]
    pair = next(
        m
        for m in proposal
        if len(
            [
                c
                for c in json.loads(sqlite_cli("explain", m["mentee"], "--json").stdout)[
                    "candidates"
                ]
                if c["mentor"] != m["mentor"]
            ]
        )
        > 0
    )
    options = [
        c["mentor"]
        for c in json.loads(sqlite_cli("explain", pair["mentee"], "--json").stdout)["candidates"]
        if c["mentor"] != pair["mentor"]
    ]
    choices = ["accept", "reject", "swap mentor", "skip", "quit"]
    review = Wizard("-p", str(program_dir), "match", "review", cwd=program_dir)
    try:
        for m in proposal:
            if m is pair:
                review.select("Decision", choices, "accept", "swap mentor")
                review.select("New mentor", options, options[0], options[-1])
            else:
                review.select("Decision", choices, "accept", "skip")
        assert review.finish() == 0
    finally:
        review.kill()
    after = json.loads(sqlite_cli("match", "--dry-run", "--json").stdout)["matches"]
    swapped = {(m["mentor"], m["mentee"]) for m in after if m.get("kept")}
    assert swapped == {(options[-1], pair["mentee"])}
