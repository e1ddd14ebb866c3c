"""``match --dry-run`` reads a snapshot on the plain read path (roster/known.py): the
same proposal as the writing path, before and after the cycle is stored, with the
previous cycle's unmatched mentees first; on SQLite without importing SQLAlchemy."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DATA, Cli
from tests.imports import run_cli


def _proposal(cli: Cli, *args: str) -> dict:
    r = cli("match", *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_a_dry_run_proposes_what_the_writing_run_stores(cli: Cli) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    dry = _proposal(cli, "--dry-run")  # nothing stored for the cycle yet
    assert dry["matches"]
    assert _proposal(cli) == dry
    assert _proposal(cli, "--dry-run") == dry  # the cycle and a proposal stored now


def test_priority_mentees_come_first_on_both_paths(cli: Cli, program_dir: Path) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    assert cli("match").exit_code == 0
    assert cli("match", "accept", "ada@example.com", "katherine@example.com").exit_code == 0
    assert cli("cycle", "close", "--today", "2027-07-12", "--yes").exit_code == 0
    # The next cycle written into program.yaml by hand: not in the roster until a write.
    yaml_file = program_dir / "program.yaml"
    text = yaml_file.read_text()
    assert "name: 2027-h1" in text and "start: 2027-01-11" in text
    yaml_file.write_text(
        text.replace("name: 2027-h1", "name: 2027-h2").replace(
            "start: 2027-01-11", "start: 2027-08-01"
        )
    )
    from mentorctl.program import load_program
    from mentorctl.roster import known
    from mentorctl.roster.db import default_url
    from mentorctl.roster.read import reading

    program = load_program(program_dir)
    with reading(cli.db_url or default_url(program_dir)) as db:
        stored_cycle = known.current_cycle(db, program)
        assert stored_cycle is not None and stored_cycle[1:] == (-1, program.cycle.start)
        waiting = known.priority_mentees(db, *stored_cycle)
    assert waiting == {"alan@example.com", "edsger@example.com"}  # as `cycle new` says
    dry = _proposal(cli, "--dry-run")  # 2027-h2 is not in the roster yet
    stored = _proposal(cli)
    assert stored == dry
    assert _proposal(cli, "--dry-run") == dry
    placed = {m["mentee"] for m in dry["matches"]}
    assert {"alan@example.com", "edsger@example.com"} <= placed


def test_a_dry_run_imports_no_sqlalchemy_and_changes_nothing(sqlite_cli: Cli) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    db = sqlite_cli.program / "roster.db"
    before = db.read_bytes()
    proc, imported = run_cli(sqlite_cli.program, "match", "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "mentorctl.roster.known" in imported
    assert not {"sqlalchemy", "sqlmodel", "mentorctl.roster.models"} & imported
    assert json.loads(proc.stdout)["matches"]
    assert db.read_bytes() == before
