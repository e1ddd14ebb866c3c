"""``mentorctl init`` through CliRunner: the files it writes, its flags, its refusals.

The generated program.yaml is pinned by a snapshot under ``tests/cli/snapshots/``:
a change to it must be deliberate. To accept a change, run the tests with
``--update-snapshots`` (``tests/snapshots.py``) and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from importlib import resources
from pathlib import Path

import pytest

from mentorctl.program import ROSTER_FIELDS, load_program, scaffold
from tests.conftest import Cli
from tests.snapshots import assert_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"
START = "2027-03-01"  # always passed, so today's date never leaks into a file

#: Every wizard question answered by a flag (no --yes needed).
ALL_FLAGS = [
    "--name",
    "Platform Guild Mentoring",
    "--coordinator",
    "guild@example.org",
    "--format",
    "group",
    "--focus",
    "advocacy",
    "--reverse",
    "--cycle-name",
    "2027-spring",
    "--start",
    START,
    "--length-weeks",
    "20",
    "--cadence",
    "weekly",
    "--criteria",
    "skills,language,personality,department",
    "--capacity",
    "4",
    "--min-tenure-months",
    "6",
]


@pytest.fixture
def run() -> Cli:
    """The CLI with no --program: ``init`` takes its directory as an argument."""
    return Cli(None, None)


def _snapshot(name: str, actual: str) -> None:
    assert_snapshot(SNAPSHOTS / name, actual)


def _header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --------------------------------------------------------------------------- --yes


def test_yes_writes_program_template_and_private_roster(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--yes", "--start", START)
    assert result.exit_code == 0, result.output
    d = tmp_path / "prog"
    assert sorted(p.name for p in d.iterdir()) == [
        "participants-template.csv",
        "program.yaml",
        "roster.db",
    ]

    program = load_program(d)
    assert program.name == "Mentoring program"
    assert program.format.value == "one-to-one"
    assert program.cycle.start.isoformat() == START
    assert program.capacity.default == 1

    question_ids = [q.id for q in program.survey.questions]
    assert _header(d / "participants-template.csv") == [*ROSTER_FIELDS, *question_ids]
    assert (d / "participants-template.csv").read_text(encoding="utf-8").count("\n") == 1

    assert stat.S_IMODE((d / "roster.db").stat().st_mode) == 0o600
    assert not list(d.glob("*.tmp"))
    assert "created" in result.stderr and "participants import" in result.stderr
    assert result.stdout == ""


def test_init_in_current_directory(run: Cli, tmp_path: Path) -> None:
    result = run("init", "--yes", "--start", START)
    assert result.exit_code == 0, result.output
    assert load_program(tmp_path).cycle.name == "2027-h1"


def test_roster_is_usable_after_init(run: Cli, tmp_path: Path) -> None:
    assert run("init", "prog", "--yes", "--start", START).exit_code == 0
    result = Cli(tmp_path / "prog", None)("participants", "list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_snapshot_of_generated_program(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", *ALL_FLAGS)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "prog" / "program.yaml").read_text(encoding="utf-8")
    _snapshot("program-group.yaml", text)


def test_snapshot_of_default_program(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--yes", "--start", START)
    assert result.exit_code == 0, result.output
    _snapshot("program-defaults.yaml", (tmp_path / "prog" / "program.yaml").read_text("utf-8"))


# --------------------------------------------------------------------------- overwriting


def test_refuses_to_overwrite_without_force(run: Cli, tmp_path: Path) -> None:
    d = tmp_path / "prog"
    d.mkdir()
    (d / "program.yaml").write_text("# my hand-edited program\n", encoding="utf-8")
    before = _files(d)

    result = run("init", str(d), "--yes", "--start", START)

    assert result.exit_code == 1, result.output
    assert str(d / "program.yaml") in result.stderr
    assert "--force" in result.stderr
    assert "Traceback" not in result.output
    assert _files(d) == before


def test_refuses_to_overwrite_a_full_program(run: Cli, tmp_path: Path) -> None:
    assert run("init", "prog", "--yes", "--start", START).exit_code == 0
    before = _files(tmp_path / "prog")
    result = run("init", "prog", *ALL_FLAGS)
    assert result.exit_code == 1
    assert "program.yaml" in result.stderr
    assert _files(tmp_path / "prog") == before


def test_force_overwrites_and_keeps_the_roster(run: Cli, tmp_path: Path) -> None:
    d = tmp_path / "prog"
    assert run("init", str(d), "--yes", "--start", START, "--name", "First").exit_code == 0
    result = run("init", str(d), "--yes", "--force", "--start", START, "--name", "Second")
    assert result.exit_code == 0, result.output
    assert load_program(d).name == "Second"
    assert (d / "roster.db").exists()
    assert stat.S_IMODE((d / "roster.db").stat().st_mode) == 0o600


def test_force_keeps_a_backup_of_the_edited_program(run: Cli, tmp_path: Path) -> None:
    """`init --force` once overwrote a hand-edited program.yaml with no copy."""
    d = tmp_path / "prog"
    assert run("init", str(d), "--yes", "--start", START, "--name", "First").exit_code == 0
    edited = (d / "program.yaml").read_text() + "# my careful notes\n"
    (d / "program.yaml").write_text(edited)
    result = run("init", str(d), "--yes", "--force", "--start", START, "--name", "Second")
    assert result.exit_code == 0, result.output
    backups = sorted(d.glob("program.yaml.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == edited
    assert f"kept the old program.yaml as {backups[0]}" in result.stderr.replace("\n", "")
    # The same for a sample copied over it.
    result = run("init", str(d), "--from-sample", "onboarding", "--force")
    assert result.exit_code == 0, result.output
    assert len(list(d.glob("program.yaml.bak-*"))) == 2


# --------------------------------------------------------------------------- no terminal


def test_no_terminal_and_missing_answers_is_a_usage_error(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog")
    assert result.exit_code == 2, result.output
    for flag in ("--name", "--format", "--start", "--criteria", "--yes"):
        assert flag in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "prog").exists()


def test_no_terminal_names_only_the_missing_flags(run: Cli) -> None:
    flags = list(ALL_FLAGS)
    for flag in ("--name", "--cadence"):
        i = flags.index(flag)
        del flags[i : i + 2]
    result = run("init", "prog", *flags)
    assert result.exit_code == 2
    assert "--name" in result.stderr and "--cadence" in result.stderr
    assert "--format" not in result.stderr and "--capacity" not in result.stderr


def test_all_flags_need_no_terminal_and_no_yes(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", *ALL_FLAGS)
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- flags → YAML


def test_every_flag_lands_in_the_program(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", *ALL_FLAGS)
    assert result.exit_code == 0, result.output
    p = load_program(tmp_path / "prog")
    assert p.name == "Platform Guild Mentoring"
    assert p.slug == "platform-guild-mentoring"
    assert p.coordinator == "guild@example.org"
    assert p.email.sender == "guild@example.org"
    assert p.format.value == "group"
    assert p.focus.value == "advocacy"
    assert p.reverse is True
    assert p.cycle.name == "2027-spring"
    assert p.cycle.start.isoformat() == START
    assert p.cycle.length_weeks == 20
    assert p.cycle.cadence.value == "weekly"
    assert p.capacity.default == 4
    assert p.capacity.maximum >= 4
    assert p.eligibility.mentor.min_tenure_months == 6
    assert [c.name for c in p.matching.criteria] == ["skills", "language", "personality"]
    assert p.matching.constraints.require_different == ["department"]


@pytest.mark.parametrize(
    ("fmt", "capacity", "expected"),
    [("one-to-one", "4", 1), ("group", "4", 4), ("group", "9", 9), ("circles", "6", 6)],
)
def test_format_and_capacity(
    run: Cli, tmp_path: Path, fmt: str, capacity: str, expected: int
) -> None:
    result = run("init", "prog", "--yes", "--start", START, "--format", fmt, "--capacity", capacity)
    assert result.exit_code == 0, result.output
    p = load_program(tmp_path / "prog")
    assert p.format.value == fmt
    assert p.capacity.default == expected
    assert p.capacity.maximum >= expected
    if fmt == "circles":
        assert p.matching.circles is not None
        topic = p.question(p.matching.circles.topic_question)
        assert topic is not None and topic.options
    else:
        assert p.matching.circles is None


@pytest.mark.parametrize("fmt", ["group", "circles"])
def test_group_formats_default_to_several_mentees(run: Cli, tmp_path: Path, fmt: str) -> None:
    assert run("init", "prog", "--yes", "--start", START, "--format", fmt).exit_code == 0
    assert load_program(tmp_path / "prog").capacity.default == 3


@pytest.mark.parametrize(
    ("flags", "attr", "expected"),
    [
        (["--no-reverse"], "reverse", False),
        (["--reverse"], "reverse", True),
        (["--focus", "information"], "focus", "information"),
        (["--focus", "skill"], "focus", "skill"),
        (["--cadence", "monthly"], "cadence", "monthly"),
        (["--cadence", "biweekly"], "cadence", "biweekly"),
    ],
)
def test_single_flags(
    run: Cli, tmp_path: Path, flags: list[str], attr: str, expected: object
) -> None:
    assert run("init", "prog", "--yes", "--start", START, *flags).exit_code == 0
    p = load_program(tmp_path / "prog")
    value = {"reverse": p.reverse, "focus": p.focus, "cadence": p.cycle.cadence}[attr]
    assert getattr(value, "value", value) == expected


def test_start_date_sets_the_default_cycle_name(run: Cli, tmp_path: Path) -> None:
    assert run("init", "prog", "--yes", "--start", "2027-09-06").exit_code == 0
    p = load_program(tmp_path / "prog")
    assert p.cycle.start.isoformat() == "2027-09-06"
    assert p.cycle.name == "2027-h2"


def test_bad_start_date_is_a_usage_error(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--yes", "--start", "01/03/2027")
    assert result.exit_code == 2
    assert "2027-01-15" in result.output
    assert not (tmp_path / "prog").exists()


@pytest.mark.parametrize(
    ("criteria", "names", "questions", "different"),
    [
        ("skills", ["skills"], ["skills_wanted", "skills_offered", "goals"], []),
        ("language,timezone", ["language", "timezone"], ["goals"], []),
        ("seniority", ["seniority"], ["goals"], []),
        ("preference", ["preferred"], ["goals", "preferred_mentors"], []),
        ("department", [], ["goals"], ["department"]),
        (
            "personality",
            ["personality"],
            ["goals", *(i for i, _ in scaffold.IPIP_ITEMS)],
            [],
        ),
        (
            " skills , preference ",
            ["skills", "preferred"],
            ["skills_wanted", "skills_offered", "goals", "preferred_mentors"],
            [],
        ),
    ],
)
def test_criteria_choose_criteria_and_questions(
    run: Cli,
    tmp_path: Path,
    criteria: str,
    names: list[str],
    questions: list[str],
    different: list[str],
) -> None:
    result = run("init", "prog", "--yes", "--start", START, "--criteria", criteria)
    assert result.exit_code == 0, result.output
    d = tmp_path / "prog"
    p = load_program(d)
    assert [c.name for c in p.matching.criteria] == names
    assert [q.id for q in p.survey.questions] == questions
    assert p.matching.constraints.require_different == different
    assert _header(d / "participants-template.csv") == [*ROSTER_FIELDS, *questions]


def test_unknown_criterion_is_a_usage_error(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--yes", "--start", START, "--criteria", "skills,astrology")
    assert result.exit_code == 2
    assert "astrology" in result.stderr
    for name in scaffold.CRITERIA:
        assert name in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "prog").exists()


def test_min_tenure(run: Cli, tmp_path: Path) -> None:
    assert run("init", "a", "--yes", "--start", START, "--min-tenure-months", "18").exit_code == 0
    assert load_program(tmp_path / "a").eligibility.mentor.min_tenure_months == 18
    assert run("init", "b", "--yes", "--start", START).exit_code == 0
    assert load_program(tmp_path / "b").eligibility.mentor.min_tenure_months == 12


@pytest.mark.parametrize(
    "flags",
    [["--length-weeks", "0"], ["--capacity", "0"], ["--format", "pairs"], ["--cadence", "daily"]],
)
def test_out_of_range_flags_are_usage_errors(run: Cli, tmp_path: Path, flags: list[str]) -> None:
    result = run("init", "prog", "--yes", "--start", START, *flags)
    assert result.exit_code == 2
    assert flags[0] in result.output
    assert not (tmp_path / "prog").exists()


def test_name_with_quotes_and_unicode_round_trips(run: Cli, tmp_path: Path) -> None:
    name = 'Ünïcode "Mentors": #1\nsecond line'
    assert run("init", "prog", "--yes", "--start", START, "--name", name).exit_code == 0
    p = load_program(tmp_path / "prog")
    assert p.name == name
    assert p.slug == "unicode-mentors-1-second-line"


# --------------------------------------------------------------------------- --dry-run


def test_dry_run_prints_the_program_and_writes_nothing(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--dry-run", *ALL_FLAGS, env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "prog").exists()

    # Byte for byte what a real run writes: long lines are never wrapped.
    assert run("init", "prog", *ALL_FLAGS).exit_code == 0
    assert result.stdout == (tmp_path / "prog" / "program.yaml").read_text(encoding="utf-8")


def test_dry_run_with_yes_writes_nothing(run: Cli, tmp_path: Path) -> None:
    result = run("init", "--dry-run", "--yes", "--start", START)
    assert result.exit_code == 0, result.output
    assert "version: 1" in result.stdout
    assert not (tmp_path / "program.yaml").exists()
    assert not (tmp_path / "roster.db").exists()


# --------------------------------------------------------------------------- samples

#: Whatever samples ship; with none, pytest skips the tests below ("empty parameter set").
SAMPLES = scaffold.sample_names()


@pytest.mark.parametrize("sample", SAMPLES)
def test_from_sample_copies_and_enrols(run: Cli, tmp_path: Path, sample: str) -> None:
    d = tmp_path / "prog"
    result = run("init", str(d), "--from-sample", sample)
    assert result.exit_code == 0, result.output

    source = Path(str(resources.files("mentorctl").joinpath("sample_programs", sample)))
    for item in source.iterdir():
        if item.is_file():
            assert (d / item.name).read_bytes() == item.read_bytes(), item.name
    load_program(d)
    assert stat.S_IMODE((d / "roster.db").stat().st_mode) == 0o600

    listed = Cli(d, None)("participants", "list", "--json")
    assert listed.exit_code == 0, listed.output
    enrolled = {p["email"] for p in json.loads(listed.stdout)}
    if (source / "participants.csv").exists():
        with (source / "participants.csv").open(encoding="utf-8-sig", newline="") as f:
            emails = {row["email"].strip().lower() for row in csv.DictReader(f)}
        assert emails and enrolled == emails
        assert f"enrolled {len(emails)} participant" in result.stderr


@pytest.mark.parametrize("sample", SAMPLES[:1])
def test_from_sample_refuses_to_overwrite(run: Cli, tmp_path: Path, sample: str) -> None:
    assert run("init", "prog", "--yes", "--start", START).exit_code == 0
    before = _files(tmp_path / "prog")
    result = run("init", "prog", "--from-sample", sample)
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert _files(tmp_path / "prog") == before


@pytest.mark.parametrize("sample", SAMPLES[:1])
def test_from_sample_dry_run_writes_nothing(run: Cli, tmp_path: Path, sample: str) -> None:
    result = run("init", "prog", "--from-sample", sample, "--dry-run")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "prog").exists()


def test_unknown_sample_lists_the_available_ones(run: Cli, tmp_path: Path) -> None:
    result = run("init", "prog", "--from-sample", "no-such-sample")
    assert result.exit_code == 2
    assert "no-such-sample" in result.stderr
    for name in SAMPLES:
        assert name in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "prog").exists()

    dry = run("init", "prog", "--from-sample", "no-such-sample", "--dry-run")
    assert dry.exit_code == 2
    assert not (tmp_path / "prog").exists()


def test_a_coordinator_must_be_an_email(run: Cli, tmp_path: Path) -> None:
    """`init` and `validate` once accepted `not-an-email` as the coordinator."""
    result = run("init", "prog", "--yes", "--start", START, "--coordinator", "not-an-email")
    assert result.exit_code == 2, result.output
    assert "not-an-email" in result.stderr and "--coordinator" in result.stderr
    assert not (tmp_path / "prog").exists()
    assert run("init", "prog", "--yes", "--start", START).exit_code == 0
    path = tmp_path / "prog" / "program.yaml"
    path.write_text(path.read_text().replace("coordinator: null", "coordinator: not-an-email"))
    checked = run("-p", str(tmp_path / "prog"), "validate")
    assert checked.exit_code == 1
    assert "coordinator: 'not-an-email' is not an email address" in checked.stderr
