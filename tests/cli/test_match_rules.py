"""The matching rules of issue 12 through the real CLI: ``exclude_same_manager``,
``format: peer``, ``prefer_previous``, ``match --fill`` and the relaxations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA, Cli


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    result = sqlite_cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    return sqlite_cli


def edit_program(program_dir: Path, old: str, new: str) -> None:
    path = program_dir / "program.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def as_json(cli: Cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def pairs(data: dict) -> set[tuple[str, str]]:
    return {(m["mentor"], m["mentee"]) for m in data["matches"]}


def test_exclude_same_manager_is_a_named_hard_constraint(cli: Cli, program_dir: Path) -> None:
    # grace and edsger both report to ada.
    before = as_json(cli, "match", "--dry-run")
    assert ("grace@example.com", "edsger@example.com") in pairs(before)
    edit_program(
        program_dir, "management_chain: 2", "management_chain: 2\n    exclude_same_manager: true"
    )
    after = as_json(cli, "match", "--dry-run")
    assert ("grace@example.com", "edsger@example.com") not in pairs(after)
    explained = as_json(cli, "explain", "edsger@example.com", "grace@example.com")
    assert explained["excluded_by"] == ["same manager: both report to ada@example.com"]
    alone = as_json(cli, "explain", "edsger@example.com")
    assert {"mentor": "grace@example.com", "reasons": explained["excluded_by"]} in alone["excluded"]


def test_relaxations_in_json_and_applied_by_diff(cli: Cli) -> None:
    data = as_json(cli, "match", "--set", "matching.constraints.min_score=0.7")
    unmatched = {(u["email"], u["role"]): u for u in data["unmatched"]}
    alan = unmatched[("alan@example.com", "mentee")]
    assert alan["reason"].startswith("every eligible mentor scores below min_score")
    first = alan["relaxations"][0]
    assert first == {
        "partner": "edsger@example.com",
        "kind": "min_score",
        "change": "if min_score were 0.6",
        "rule": None,
        "value": 0.6,
        "score": 0.6,
        "apply": "--set matching.constraints.min_score=0.6",
    }
    # Every unmatched entry carries the list, possibly empty; other fields are unchanged.
    assert all(set(u) == {"email", "role", "reason", "relaxations"} for u in data["unmatched"])
    option, setting = first["apply"].split(" ", 1)
    diff = as_json(cli, "match", "diff", option, setting)
    change = {c["mentee"]: c for c in diff["changes"]}
    assert change["alan@example.com"]["new_mentor"] == "edsger@example.com"
    table = cli("match", "--dry-run", "--set", "matching.constraints.min_score=0.7")
    assert "if min_score were 0.6" in table.stdout


def test_explain_shows_relaxations_for_an_unmatched_mentee(cli: Cli, program_dir: Path) -> None:
    edit_program(program_dir, "management_chain: 2", "management_chain: 2\n    min_score: 0.7")
    assert cli("match").exit_code == 0
    data = as_json(cli, "explain", "alan@example.com")
    assert data["relaxations"][0]["change"] == "if min_score were 0.6"
    text = cli("explain", "alan@example.com")
    assert "would be matched with edsger@example.com if min_score were 0.6" in text.stdout
    matched = as_json(cli, "explain", "katherine@example.com")
    assert "relaxations" not in matched


def test_diff_capacity_what_if_and_bad_values(cli: Cli) -> None:
    bad = cli("match", "diff", "--capacity", "ada@example.com")
    assert bad.exit_code == 2 and "expected EMAIL=N" in bad.stderr
    unknown = cli("match", "diff", "--capacity", "nobody@example.com=3")
    assert unknown.exit_code == 1 and "not enrolled" in unknown.stderr
    mentee = cli("match", "diff", "--capacity", "alan@example.com=3")
    assert mentee.exit_code == 2 and "not a mentor" in mentee.stderr
    ok = as_json(cli, "match", "diff", "--capacity", "ada@example.com=0")
    assert "ada@example.com" not in {c["new_mentor"] for c in ok["changes"]}


def test_fill_keeps_proposed_and_places_only_the_rest(cli: Cli) -> None:
    first = as_json(cli, "match", "--forbid", "ada@example.com:katherine@example.com")
    stored = pairs(first)
    katherine = next(m for m, e in stored if e == "katherine@example.com")
    assert katherine != "ada@example.com"
    # A plain run moves katherine back to ada; --fill moves nobody.
    plain = as_json(cli, "match", "--dry-run")
    assert ("ada@example.com", "katherine@example.com") in pairs(plain)
    filled = as_json(cli, "match", "--fill")
    assert stored <= pairs(filled)
    assert all(not m.get("kept") for m in filled["matches"])  # stored again as proposals
    again = as_json(cli, "match", "--fill", "--dry-run")
    assert pairs(again) == pairs(filled)


def test_fill_places_a_new_joiner_without_moving_anyone(cli: Cli, tmp_path: Path) -> None:
    before = pairs(as_json(cli, "match"))
    assert cli("match", "accept", "--all").exit_code == 0
    joiner = tmp_path / "joiner.csv"
    header = (DATA / "people.csv").read_text().splitlines()[0]
    joiner.write_text(
        header + "\nlin@example.com,Lin Ma,mentee,Research,Analyst,Junior,,Leeds,Europe/London,"
        "English,3,1,,SQL,,,3,,\n"
    )
    assert cli("participants", "import", str(joiner)).exit_code == 0
    filled = as_json(cli, "match", "--fill")
    after = pairs(filled)
    assert before <= after
    assert any(e == "lin@example.com" for _, e in after)
    kept = {(m["mentor"], m["mentee"]) for m in filled["matches"] if m.get("kept")}
    assert kept == before


def test_peer_format_pairs_one_pool(cli: Cli) -> None:
    data = as_json(cli, "match", "--dry-run", "--set", "format=peer")
    people = {p for pair in pairs(data) for p in pair} | {u["email"] for u in data["unmatched"]}
    assert len(people) == 5
    assert all(u["role"] == "peer" for u in data["unmatched"])
    assert data["summary"]["mentees"] == 5 and "groups" in data["summary"]
    stable = cli("match", "--dry-run", "--mode", "stable", "--set", "format=peer")
    assert stable.exit_code == 1 and "stable roommates" in stable.stderr


def test_prefer_previous_needs_avoid_previous_pairs_off(cli: Cli) -> None:
    result = cli("match", "--dry-run", "--set", "matching.prefer_previous=0.2")
    assert result.exit_code == 1
    assert "matching.prefer_previous" in result.stderr and "avoid_previous_pairs" in result.stderr
    ok = cli(
        "match",
        "--dry-run",
        "--set",
        "matching.prefer_previous=0.2",
        "--set",
        "matching.constraints.avoid_previous_pairs=false",
    )
    assert ok.exit_code == 0, ok.output


def test_prefer_previous_told_in_reasons_and_explain(cli: Cli, program_dir: Path) -> None:
    assert cli("match").exit_code == 0
    assert cli("match", "accept", "--all").exit_code == 0
    closed = cli("cycle", "close", "--yes", "--today", "2027-08-01")
    assert closed.exit_code == 0, closed.output
    opened = cli("cycle", "new", "2027-h2")
    assert opened.exit_code == 0, opened.output
    plain = as_json(cli, "match", "--dry-run")
    assert not any("prefer_previous" in r for m in plain["matches"] for r in m["reasons"])
    edit_program(
        program_dir,
        "  constraints:\n",
        "  prefer_previous: 0.3\n  constraints:\n    avoid_previous_pairs: false\n",
    )
    data = as_json(cli, "match", "--dry-run")
    line = "paired in an earlier cycle (prefer_previous +0.3)"
    assert ("edsger@example.com", "alan@example.com") in pairs(data)
    assert all(line in m["reasons"] for m in data["matches"])
    explained = as_json(cli, "explain", "alan@example.com", "edsger@example.com")
    assert explained["continuity"] == line
    other = as_json(cli, "explain", "alan@example.com", "grace@example.com")
    assert other["continuity"] is None
    text = cli("explain", "alan@example.com", "edsger@example.com")
    assert f"continuity: {line}" in text.stdout
