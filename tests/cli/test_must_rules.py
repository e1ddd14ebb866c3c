"""Must-have rules on criteria (``must: true``, ``at_least``) through the real CLI:
``match --dry-run --json``, ``explain``, locks, the relaxations and ``match diff``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_match_rules import as_json, pairs
from tests.conftest import DATA, Cli

PERSONALITY = "    - {name: personality, kind: similarity, questions: [extraversion]}\n"


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    result = sqlite_cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    return sqlite_cli


def add_criterion(program_dir: Path, line: str) -> None:
    path = program_dir / "program.yaml"
    text = path.read_text()
    assert PERSONALITY in text
    path.write_text(text.replace(PERSONALITY, PERSONALITY + f"    - {line}\n"))


def test_a_must_rule_excludes_pairs_and_is_named(cli: Cli, program_dir: Path) -> None:
    before = as_json(cli, "match", "--dry-run")
    # Chicago-London (6 h) and London-New York (5 h) are proposed without the rule.
    assert {
        ("edsger@example.com", "alan@example.com"),
        ("ada@example.com", "katherine@example.com"),
    } <= pairs(before)
    add_criterion(
        program_dir,
        "{name: tz, kind: closeness, field: utc_offset, max_diff: 3, must: true, weight: 0}",
    )
    after = as_json(cli, "match", "--dry-run")
    assert not {
        ("edsger@example.com", "alan@example.com"),
        ("ada@example.com", "katherine@example.com"),
    } & pairs(after)
    # A pure filter: the scores of the pairs still proposed are unchanged.
    scores = {(m["mentor"], m["mentee"]): m["score"] for m in before["matches"]}
    for m in after["matches"]:
        if (m["mentor"], m["mentee"]) in scores:
            assert m["score"] == scores[(m["mentor"], m["mentee"])]
    alan = next(u for u in after["unmatched"] if u["email"] == "alan@example.com")
    assert "must-have 'tz' (1)" in alan["reason"]
    lifted = [r for r in alan["relaxations"] if r["rule"] == "must:tz"]
    assert lifted == [
        {
            "partner": "edsger@example.com",
            "kind": "rule",
            "change": "if the must-have 'tz' rule were lifted for Alan Turing and Edsger Dijkstra",
            "rule": "must:tz",
            "value": None,
            "score": 0.6,
            "apply": '--lock edsger@example.com:alan@example.com --override "REASON"',
        }
    ]
    explained = as_json(cli, "explain", "alan@example.com", "edsger@example.com")
    assert explained["excluded_by"] == ["must-have 'tz': time zones 6 h apart (at most 3 h)"]
    table = cli("explain", "alan@example.com", "edsger@example.com")
    assert table.exit_code == 0, table.output
    assert "excluded: must-have 'tz': time zones 6 h apart (at most 3 h)" in table.stdout


def test_a_lock_breaking_a_must_rule_needs_an_override(cli: Cli, program_dir: Path) -> None:
    add_criterion(
        program_dir, "{name: tz, kind: closeness, field: utc_offset, max_diff: 3, must: true}"
    )
    before = (program_dir / "roster.db").read_bytes()
    refused = cli("match", "--lock", "edsger@example.com:alan@example.com")
    assert refused.exit_code == 1
    assert (
        "lock edsger@example.com -> alan@example.com breaks a hard constraint: must-have "
        "'tz': time zones 6 h apart (at most 3 h)"
    ) in refused.stderr
    assert (program_dir / "roster.db").read_bytes() == before
    kept = as_json(
        cli,
        "match",
        "--dry-run",
        "--lock",
        "edsger@example.com:alan@example.com",
        "--override",
        "same team",
    )
    match = next(m for m in kept["matches"] if m["mentee"] == "alan@example.com")
    assert match["override"] == {
        "reason": "same team",
        "constraints": ["must-have 'tz': time zones 6 h apart (at most 3 h)"],
    }


def test_a_threshold_loosened_by_match_diff(cli: Cli, program_dir: Path) -> None:
    # at_least 0.75 of a max_diff of 12: time zones at most 3 hours apart.
    add_criterion(
        program_dir, "{name: tz, kind: closeness, field: utc_offset, max_diff: 12, at_least: 0.75}"
    )
    data = as_json(cli, "match")
    alan = next(u for u in data["unmatched"] if u["email"] == "alan@example.com")
    first = alan["relaxations"][0]
    assert {k: first[k] for k in ("partner", "kind", "change", "value", "apply")} == {
        "partner": "edsger@example.com",
        "kind": "must",
        "change": "if the must-have 'tz' rule allowed 6 h",
        "value": 0.5,
        "apply": "--set matching.criteria.tz.at_least=0.5",
    }
    option, setting = first["apply"].split(" ", 1)
    diff = as_json(cli, "match", "diff", option, setting)
    change = {c["mentee"]: c for c in diff["changes"]}
    assert change["alan@example.com"]["new_mentor"] == "edsger@example.com"


def test_both_must_and_at_least_is_one_clear_error(cli: Cli, program_dir: Path) -> None:
    add_criterion(
        program_dir,
        "{name: tz, kind: closeness, field: utc_offset, max_diff: 3, must: true, at_least: 0.5}",
    )
    before = (program_dir / "roster.db").read_bytes()
    result = cli("match", "--dry-run")
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1
    assert "program.yaml:61: matching.criteria[3].at_least: set either must: true or " in (
        result.stderr
    )
    assert (program_dir / "roster.db").read_bytes() == before


def test_validate_names_a_program_lock_that_breaks_a_must_rule(cli: Cli, program_dir: Path) -> None:
    add_criterion(
        program_dir, "{name: tz, kind: closeness, field: utc_offset, max_diff: 3, must: true}"
    )
    path = program_dir / "program.yaml"
    path.write_text(
        path.read_text().replace(
            "    management_chain: 2\n",
            "    management_chain: 2\n"
            "    lock: [{mentor: edsger@example.com, mentee: alan@example.com}]\n",
        )
    )
    checked = cli("validate")
    assert checked.exit_code == 1
    assert "matching.constraints.lock[0]" in checked.stderr
    assert "must-have 'tz': time zones 6 h apart (at most 3 h)" in checked.stderr
    path.write_text(
        path.read_text().replace(
            "mentee: alan@example.com}]", 'mentee: alan@example.com, override: "same team"}]'
        )
    )
    assert cli("validate").exit_code == 0
