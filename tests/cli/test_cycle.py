"""`mentorctl cycle close|new|list` and `match end`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_remind import A, B, matched
from tests.conftest import DATA, Cli


def test_close_records_outcomes_then_new_cycle(cli: Cli, program_dir: Path) -> None:
    matched(cli)
    for d in ("2027-01-20", "2027-02-03", "2027-02-17", "2027-03-03"):
        assert cli("log", "meeting", *A, "--date", d, "--today", d).exit_code == 0
    assert cli("log", "meeting", *B, "--date", "2027-01-20", "--today", "2027-01-20").exit_code == 0
    dry = cli("cycle", "close", "--today", "2027-03-10", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["dry_run"] is True
    r = cli("cycle", "close", "--today", "2027-03-10", "--json", "--yes")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["outcomes"] == {"completed": 1, "incomplete": 1, "no-meetings": 1}
    assert {(m["mentor"], m["outcome"]) for m in data["matches"]} == {
        ("ada@example.com", "completed"),
        ("edsger@example.com", "incomplete"),
        ("grace@example.com", "no-meetings"),
    }
    again = cli("cycle", "close", "--today", "2027-03-10", "--yes")
    assert again.exit_code == 1 and "already closed" in again.stderr

    before = (program_dir / "program.yaml").read_text()
    dry = cli("cycle", "new", "2027-h2", "--dry-run")
    assert dry.exit_code == 0 and (program_dir / "program.yaml").read_text() == before
    new = cli("cycle", "new", "2027-h2", "--weeks", "20", "--json")
    assert new.exit_code == 0, new.output
    assert json.loads(new.stdout) | {"priority_mentees": []} == {
        "cycle": "2027-h2",
        "start": "2027-07-12",
        "end": "2027-11-29",
        "previous": "2027-h1",
        "dry_run": False,
        "priority_mentees": [],
        "stale_locks": [],
    }
    text = (program_dir / "program.yaml").read_text()
    assert "  name: 2027-h2\n  start: 2027-07-12\n  length_weeks: 20\n" in text
    assert "# A small program used by the tests." in text  # comments kept
    assert (
        text.replace("2027-h2", "2027-h1")
        .replace("2027-07-12", "2027-01-11")
        .replace("length_weeks: 20", "length_weeks: 26")
        == before
    )
    listed = json.loads(cli("cycle", "list", "--json").stdout)
    assert [(c["name"], c["status"], c["current"]) for c in listed] == [
        ("2027-h1", "closed", False),
        ("2027-h2", "open", True),
    ]
    assert listed[0]["matches"]["ended"] == 3
    # Matching in the new cycle avoids last cycle's pairs.
    proposal = json.loads(cli("match", "--dry-run", "--json").stdout)
    old = {(m["mentor"], m["mentee"]) for m in data["matches"]}
    assert not old & {(m["mentor"], m["mentee"]) for m in proposal["matches"]}
    refused = cli("cycle", "new", "2028-h1")
    assert refused.exit_code == 1 and "still open" in refused.stderr


def test_priority_for_mentees_left_unmatched(cli: Cli, program_dir: Path) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    assert cli("match").exit_code == 0
    assert cli("match", "accept", "ada@example.com", "katherine@example.com").exit_code == 0
    assert cli("cycle", "close", "--today", "2027-07-12", "--yes").exit_code == 0
    r = cli("cycle", "new", "2027-h2", "--start", "2027-08-01", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["priority_mentees"] == ["alan@example.com", "edsger@example.com"]


def test_new_cycle_names_locks_that_would_repeat_a_pair(cli: Cli, program_dir: Path) -> None:
    """A lock carried over is last cycle's pair: `cycle new` says the next match refuses it."""
    matched(cli)
    assert cli("cycle", "close", "--today", "2027-07-12", "--yes").exit_code == 0
    path = program_dir / "program.yaml"
    lock = f"  constraints:\n    lock: [{{mentor: {A[0]}, mentee: {A[1]}}}]\n"
    path.write_text(path.read_text().replace("  constraints:\n", lock, 1))
    r = cli("cycle", "new", "2027-h2", "--start", "2027-08-01", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["stale_locks"] == [{"mentor": A[0], "mentee": A[1]}]
    refused = cli("match", "--dry-run")
    assert refused.exit_code == 1 and "paired in an earlier cycle" in refused.stderr


def test_match_end_frees_capacity_and_keeps_the_others(cli: Cli) -> None:
    matched(cli)
    r = cli("match", "end", *A, "--reason", "mentee changed teams")
    assert r.exit_code == 0, r.output
    again = cli("match", "end", *A, "--reason", "x")
    assert again.exit_code == 1 and "already ended" in again.stderr
    missing = cli("match", "end", "ada@example.com", "alan@example.com", "--reason", "x")
    assert missing.exit_code == 1 and "no active match" in missing.stderr
    assert cli("match", "end", *B, "--reason", " ").exit_code == 2
    data = json.loads(cli("status", "--json", "--all", "--today", "2027-02-01").stdout)
    ended = next(m for m in data["matches"] if m["mentor"] == A[0])
    assert (ended["health"], ended["end_reason"], ended["outcome"]) == (
        "ended",
        "mentee changed teams",
        "ended-early",
    )
    active = json.loads(cli("status", "--json", "--today", "2027-02-01").stdout)["matches"]
    assert len(active) == 2
    # A rematch keeps the other two matches exactly as they were.
    proposal = json.loads(cli("match", "--dry-run", "--json").stdout)
    kept = {(m["mentor"], m["mentee"]) for m in proposal["matches"] if m.get("kept")}
    assert kept == {(m["mentor"], m["mentee"]) for m in active}


def _statuses(cli: Cli) -> list[tuple[str, str, str | None, str | None]]:
    from sqlalchemy import create_engine, text

    url = cli.db_url or f"sqlite:///{cli.program / 'roster.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status, coalesce(end_reason, ''), outcome, ended_at FROM match ORDER BY id"
            )
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2], str(r[3]) if r[3] else None) for r in rows]


def test_close_asks_first_and_needs_yes_without_a_terminal(cli: Cli) -> None:
    """`cycle close` once ended every match on one Enter, and with no way back."""
    matched(cli)
    before = _statuses(cli)
    r = cli("cycle", "close", "--today", "2027-03-10")
    assert r.exit_code == 2, r.output
    assert "--yes" in r.stderr and "ending 3 active match(es)" in r.stderr
    assert _statuses(cli) == before
    dry = cli("cycle", "close", "--today", "2027-03-10", "--dry-run")
    assert dry.exit_code == 0 and "would close" in dry.stderr and "nothing changed" in dry.stderr
    assert _statuses(cli) == before


def test_reopen_undoes_a_close_exactly(cli: Cli) -> None:
    matched(cli)
    assert cli("match", "end", *A, "--reason", "moved team").exit_code == 0
    before = _statuses(cli)
    status_before = json.loads(cli("status", "--json", "--all", "--today", "2027-03-10").stdout)
    assert cli("cycle", "close", "--today", "2027-03-10", "--yes").exit_code == 0
    assert {s[0] for s in _statuses(cli)} == {"ended"}
    dry = cli("cycle", "reopen", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["matches"] == 2
    assert {s[0] for s in _statuses(cli)} == {"ended"}
    r = cli("cycle", "reopen", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "cycle": "2027-h1",
        "dry_run": False,
        "matches": 2,
        "proposals": 0,
    }
    assert _statuses(cli) == before  # the early end (A) stays ended, with its reason
    status_after = json.loads(cli("status", "--json", "--all", "--today", "2027-03-10").stdout)
    assert status_after == status_before
    listed = json.loads(cli("cycle", "list", "--json").stdout)
    assert listed[0]["status"] == "open" and listed[0]["closed_at"] is None
    again = cli("cycle", "reopen")
    assert again.exit_code == 1 and "not closed" in again.stderr
    # Once the next cycle is open, the old one stays closed.
    assert cli("cycle", "close", "--today", "2027-03-10", "--yes").exit_code == 0
    assert cli("cycle", "new", "2027-h2").exit_code == 0
    assert cli("cycle", "close", "--today", "2027-08-10", "--yes").exit_code == 0
    r = cli("cycle", "reopen")
    assert r.exit_code == 0, r.output  # 2027-h2 is current: it reopens
