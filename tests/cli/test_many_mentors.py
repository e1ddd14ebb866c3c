"""A mentee with two mentors, from two tracks, through the real CLI: match, accept,
agreements, status, explain, validate and report all see both pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli

PROGRAM = """\
version: 1
name: Two Mentors
slug: two-mentors
coordinator: coord@example.com
format: group
cycle: {name: 2027-h1, start: 2027-01-11, length_weeks: 26, cadence: biweekly}
capacity: {default: 2, maximum: 4}
mentee_capacity: {default: 2, maximum: 3}
survey:
  questions:
    - {id: skills_wanted, label: Skills wanted, type: multiple_choice,
       options: [Python, SQL, Leadership], asked_of: mentees}
    - {id: skills_offered, label: Skills offered, type: multiple_choice,
       options: [Python, SQL, Leadership], asked_of: mentors}
    - {id: mentor_track, label: Your track, type: single_choice,
       options: [technical, career], asked_of: mentors}
matching:
  mode: {mode}
  criteria:
    - {name: skills, kind: overlap, mentee: skills_wanted, mentor: skills_offered}
  tracks:
    names: [technical, career]
    field: mentor_track
"""

PEOPLE = """\
email,name,role,department,capacity,skills_wanted,skills_offered,mentor_track
tess@example.com,Tess Tech,mentor,Eng,,,Python; SQL,technical
tom@example.com,Tom Tech,mentor,Eng,,,Python,technical
cara@example.com,Cara Career,mentor,HR,,,Leadership,career
carl@example.com,Carl Career,mentor,HR,,,Leadership; SQL,career
ann@example.com,Ann Mentee,mentee,Sales,,Python; Leadership,,
bob@example.com,Bob Mentee,mentee,Sales,1,SQL,,
cid@example.com,Cid Mentee,mentee,Ops,,Python; SQL; Leadership,,
"""

TRACK = {
    "tess@example.com": "technical",
    "tom@example.com": "technical",
    "cara@example.com": "career",
    "carl@example.com": "career",
}


NAME = {line.split(",")[0]: line.split(",")[1] for line in PEOPLE.splitlines()[1:] if line.strip()}
SLUG = {email: name.lower().replace(" ", "-") for email, name in NAME.items()}


def program(tmp_path: Path, mode: str = "optimal") -> Cli:
    d = tmp_path / "two"
    d.mkdir()
    (d / "program.yaml").write_text(PROGRAM.replace("{mode}", mode), encoding="utf-8")
    (d / "people.csv").write_text(PEOPLE, encoding="utf-8")
    cli = Cli(d, None)
    result = cli("participants", "import", str(d / "people.csv"))
    assert result.exit_code == 0, result.output
    return cli


def run_json(cli: Cli, *args: str) -> dict | list:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_mentee(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for mentor, mentee in pairs:
        out.setdefault(mentee, []).append(mentor)
    return {e: sorted(ms) for e, ms in out.items()}


@pytest.mark.parametrize("mode", ["optimal", "stable", "greedy"])
def test_two_mentors_from_two_tracks(tmp_path: Path, mode: str) -> None:
    cli = program(tmp_path, mode)
    data = run_json(cli, "match", "--dry-run")
    assert isinstance(data, dict)
    pairs = [(m["mentor"], m["mentee"]) for m in data["matches"]]
    mentors = by_mentee(pairs)
    # Ann and Cid take two mentors, one per track; Bob asked for one.
    for mentee in ("ann@example.com", "cid@example.com"):
        assert sorted(TRACK[m] for m in mentors[mentee]) == ["career", "technical"]
    assert len(mentors["bob@example.com"]) == 1
    assert data["summary"]["matched"] == 5 and data["summary"]["mentees_matched"] == 3


def test_whole_cycle_with_two_mentors_each(tmp_path: Path) -> None:
    cli = program(tmp_path)
    assert cli("match").exit_code == 0
    accepted = cli("match", "accept", "--all")
    assert accepted.exit_code == 0, accepted.output
    assert "accepted 5 match(es)" in accepted.stderr

    # Accepted pairs are kept, and count against the mentee's places: nothing new.
    again = run_json(cli, "match", "--dry-run")
    assert isinstance(again, dict)
    assert len(again["matches"]) == 5 and all(m.get("kept") for m in again["matches"])
    pairs = sorted((m["mentor"], m["mentee"]) for m in again["matches"])
    ann = by_mentee(pairs)["ann@example.com"]

    # One agreement per pair.
    agreements = cli("agreements")
    assert agreements.exit_code == 0, agreements.output
    folder = tmp_path / "two" / "agreements" / "2027-h1"
    written = sorted(p.name for p in folder.glob("*.md"))
    assert written == sorted(f"{SLUG[m]}--{SLUG[e]}.md" for m, e in pairs)
    for mentor in ann:
        text = (folder / f"{SLUG[mentor]}--ann-mentee.md").read_text(encoding="utf-8")
        assert "Ann" in text and NAME[mentor] in text

    # Status lists both of Ann's matches; logging a meeting for one leaves the other.
    first = ann[0]
    logged = cli(
        "log", "meeting", first, "ann@example.com", "--date", "2027-01-20", "--minutes", "45",
        "--today", "2027-02-01",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    status = run_json(cli, "status", "--today", "2027-02-01")
    rows = status["matches"] if isinstance(status, dict) else status
    ann_rows = {r["mentor"]: r for r in rows if r["mentee"] == "ann@example.com"}
    assert sorted(ann_rows) == ann
    assert ann_rows[first]["meetings_held"] == 1 and ann_rows[ann[1]]["meetings_held"] == 0
    assert ann_rows[first]["health"] == "on-track" and ann_rows[ann[1]]["health"] == "at-risk"

    # The report counts pairs and people coherently.
    report = run_json(cli, "report", "--today", "2027-02-01")
    assert isinstance(report, dict)
    people = report["participation"]
    assert (people["mentees_enrolled"], people["mentees_matched"]) == (3, 3)
    assert people["mentors_matched"] == len({m for m, _ in pairs})
    assert report["match_quality"]["matches"] == 5
    assert report["engagement"]["matches"] == 5 and report["engagement"]["meetings_held"] == 1
    assert report["engagement"]["health"]["on_track"] == 1

    # explain tells each pair; validate finds nothing wrong.
    for mentor in ann:
        shown = cli("explain", "ann@example.com", mentor)
        assert shown.exit_code == 0, shown.output
    valid = cli("validate")
    assert valid.exit_code == 0, valid.output


def test_accepting_a_third_mentor_or_a_second_of_one_track_is_refused(tmp_path: Path) -> None:
    cli = program(tmp_path)
    locks = [
        "--lock",
        "tess@example.com:ann@example.com",
        "--lock",
        "tom@example.com:ann@example.com",
    ]
    refused = cli("match", "--dry-run", *locks)
    assert refused.exit_code == 1
    assert "already has a mentor in track 'technical'" in refused.stderr


def test_validate_names_a_mentor_without_a_track(tmp_path: Path) -> None:
    cli = program(tmp_path)
    added = cli(
        "participants", "add", "--email", "nat@example.com", "--name", "Nat NoTrack",
        "--role", "mentor",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    valid = cli("validate")
    assert valid.exit_code != 0
    assert "nat@example.com: mentor_track" in valid.output and "no track" in valid.output
    data = run_json(cli, "match", "--dry-run")
    assert isinstance(data, dict)
    reasons = {u["email"]: u["reason"] for u in data["unmatched"]}
    assert "no track" in reasons["nat@example.com"]


def with_mail(cli: Cli, smtp) -> Cli:
    yaml = cli.program / "program.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8")
        + f"email:\n  host: {smtp.host}\n  port: {smtp.port}\n  security: none\n"
        "  sender: mentoring@example.com\n",
        encoding="utf-8",
    )
    for args in (("match",), ("match", "accept", "--all")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    return cli


def test_one_intro_per_pair_and_reminders_for_each(tmp_path: Path, smtp_server) -> None:
    cli = with_mail(program(tmp_path), smtp_server)
    sent = cli("notify", "intro", "--send", "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["counts"] == {"sent": 5}
    to_ann = [m for m in smtp_server.messages() if "ann@example.com" in m["To"]]
    assert len(to_ann) == 2  # one per mentor, each naming its own mentor
    assert len({m["To"] for m in to_ann}) == 2
    again = cli("notify", "intro", "--send", "--json")
    assert again.exit_code == 0 and len(smtp_server.messages()) == 5  # never twice

    # Weeks later, nobody has met: each of Ann's pairs is nudged on its own.
    due = cli("remind", "--json", "--today", "2027-03-15")
    assert due.exit_code == 0, due.output
    text = due.stdout
    ann = by_mentee([(m["mentor"], m["mentee"]) for m in run_json(cli, "status")["matches"]])
    for mentor in ann["ann@example.com"]:
        assert mentor in text


def test_match_diff_lists_each_pair(tmp_path: Path) -> None:
    cli = program(tmp_path)
    assert cli("match").exit_code == 0
    stored = run_json(cli, "match", "--dry-run")
    assert isinstance(stored, dict)
    ann = by_mentee([(m["mentor"], m["mentee"]) for m in stored["matches"]])["ann@example.com"]
    # Lock Ann with the other technical mentor: her technical pair changes (and maybe,
    # knock-on, her career one), each as a row of its own.
    tech = next(m for m in ann if TRACK[m] == "technical")
    other = next(m for m, t in TRACK.items() if t == "technical" and m != tech)
    diff = run_json(cli, "match", "diff", "--lock", f"{other}:ann@example.com")
    assert isinstance(diff, dict)
    changes = [c for c in diff["changes"] if c["mentee"] == "ann@example.com"]
    assert (tech, other) in [(c["old_mentor"], c["new_mentor"]) for c in changes]
    assert len(changes) <= 2 and all(c["old_mentor"] in ann for c in changes)
    assert diff["summary"]["old_matched"] == 5


def test_accept_refuses_more_mentors_than_the_mentee_takes(tmp_path: Path) -> None:
    cli = program(tmp_path)
    yaml = cli.program / "program.yaml"
    text = yaml.read_text(encoding="utf-8")
    no_tracks = text.split("  tracks:")[0]
    yaml.write_text(no_tracks.replace("{default: 2, maximum: 3}", "{default: 3}"), "utf-8")
    proposed = run_json(cli, "match")
    assert isinstance(proposed, dict)
    mentors = by_mentee([(m["mentor"], m["mentee"]) for m in proposed["matches"]])
    assert len(mentors["cid@example.com"]) == 3
    # The program now gives each mentee two mentors: accepting a third fails, and
    # nothing is accepted.
    yaml.write_text(no_tracks.replace("{default: 2, maximum: 3}", "{default: 2}"), "utf-8")
    db = cli.program / "roster.db"
    before = db.read_bytes()
    refused = cli("match", "accept", "--all")
    assert refused.exit_code == 1
    assert "already has 2 active match(es) this cycle, their capacity" in refused.stderr
    assert db.read_bytes() == before
    # validate tells a mentee with more active matches than they take.
    yaml.write_text(no_tracks.replace("{default: 2, maximum: 3}", "{default: 3}"), "utf-8")
    assert cli("match", "accept", "--all").exit_code == 0
    yaml.write_text(no_tracks.replace("{default: 2, maximum: 3}", "{default: 2}"), "utf-8")
    valid = cli("validate")
    assert valid.exit_code == 1
    assert "cid@example.com: capacity" in valid.output and "takes 2 mentor(s)" in valid.output


def test_import_names_a_mentee_capacity_above_the_maximum(tmp_path: Path) -> None:
    cli = program(tmp_path)
    bad = cli.program / "more.csv"
    bad.write_text(
        "email,name,role,capacity,skills_wanted\nzoe@example.com,Zoe Mentee,mentee,5,SQL\n",
        encoding="utf-8",
    )
    db = cli.program / "roster.db"
    before = db.read_bytes()
    result = cli("participants", "import", str(bad))
    assert result.exit_code == 1
    assert "more.csv" in result.stderr and "capacity" in result.stderr
    assert "5 is above the program's mentee_capacity maximum 3" in result.stderr
    assert db.read_bytes() == before


def test_fill_gives_a_mentee_with_one_mentor_their_second(tmp_path: Path) -> None:
    cli = program(tmp_path)
    yaml = cli.program / "program.yaml"  # room with every mentor: only Ann's place matters
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("{default: 2, maximum: 4}", "{default: 4}"),
        encoding="utf-8",
    )
    proposed = run_json(cli, "match")
    assert isinstance(proposed, dict)
    pairs = [(m["mentor"], m["mentee"]) for m in proposed["matches"]]
    first, second = by_mentee(pairs)["ann@example.com"]
    accepted = cli("match", "accept", first, "ann@example.com")
    assert accepted.exit_code == 0, accepted.output
    rejected = cli("match", "reject", second, "ann@example.com")
    assert rejected.exit_code == 0, rejected.output
    # Ann has one mentor and a free place: --fill keeps hers and finds her another of
    # the track she lacks (not the one rejected).
    filled = run_json(cli, "match", "--fill", "--dry-run")
    assert isinstance(filled, dict)
    ann = {m["mentor"]: m for m in filled["matches"] if m["mentee"] == "ann@example.com"}
    assert len(ann) == 2 and ann[first].get("kept") and second not in ann
    assert {TRACK[m] for m in ann} == {"technical", "career"}


def test_fill_keeps_a_lock_for_a_mentee_with_a_free_place(tmp_path: Path) -> None:
    """--fill keeps everyone's pairs; a lock on a mentee who still has a place is honoured."""
    cli = program(tmp_path)
    yaml = cli.program / "program.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("{default: 2, maximum: 4}", "{default: 4}"),
        encoding="utf-8",
    )
    proposed = run_json(cli, "match")
    assert isinstance(proposed, dict)
    first, second = by_mentee([(m["mentor"], m["mentee"]) for m in proposed["matches"]])[
        "ann@example.com"
    ]
    assert cli("match", "accept", first, "ann@example.com").exit_code == 0
    assert cli("match", "reject", second, "ann@example.com").exit_code == 0
    other = next(m for m in TRACK if TRACK[m] == TRACK[second] and m != second)
    filled = run_json(cli, "match", "--fill", "--dry-run", "--lock", f"{other}:ann@example.com")
    assert isinstance(filled, dict)
    ann = {m["mentor"]: m for m in filled["matches"] if m["mentee"] == "ann@example.com"}
    assert ann[first].get("kept") and ann[other].get("locked"), filled
