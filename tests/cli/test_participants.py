"""`mentorctl participants ...` end to end through CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA, Cli


def people(cli: Cli) -> list[dict]:
    result = cli("participants", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_then_list(cli: Cli) -> None:
    result = cli("participants", "import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    assert "enrolled 5, updated 0, unchanged 0" in result.stderr
    rows = people(cli)
    assert [r["email"] for r in rows] == [
        "ada@example.com",
        "alan@example.com",
        "edsger@example.com",
        "grace@example.com",
        "katherine@example.com",
    ]
    assert rows[0]["answers"]["skills_offered"] == ["Python", "SQL"]


def test_reimport_changes_nothing_and_updates_change(cli: Cli, tmp_path: Path) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    again = cli("participants", "import", str(DATA / "people.csv"), "--json")
    summary = json.loads(again.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 5)

    changed = tmp_path / "changed.csv"
    changed.write_text((DATA / "people.csv").read_text().replace("Ada Lovelace", "Ada King"))
    dry = json.loads(cli("participants", "import", str(changed), "--dry-run", "--json").stdout)
    assert dry["changes"] == [{"email": "ada@example.com", "action": "update", "fields": ["name"]}]
    assert people(cli)[0]["name"] == "Ada Lovelace"  # dry run kept nothing

    refused = cli("participants", "import", str(changed), "--on-existing", "error")
    assert refused.exit_code == 1
    assert "already enrolled with other answers (e.g. ada@example.com)" in refused.stderr
    skipped = json.loads(
        cli("participants", "import", str(changed), "--on-existing", "skip", "--json").stdout
    )
    assert skipped["skipped"] == 1 and people(cli)[0]["name"] == "Ada Lovelace"

    assert cli("participants", "import", str(changed)).exit_code == 0
    assert people(cli)[0]["name"] == "Ada King"


BAD = """\
email,name,role,skills_wanted,skills_offered,extraversion
good@example.com,Good,mentee,Python,,3
bad@example.com,Bad,mentee,Python,,7
"""


def test_bad_rows_import_nothing_by_default(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    result = cli("participants", "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: extraversion: 7 is outside the scale 1-5" in result.stderr
    assert "Traceback" not in result.output
    if cli.db_url and cli.db_url.startswith("sqlite"):  # not even an empty roster was made
        assert cli("participants", "list").exit_code == 3
    else:
        assert people(cli) == []


def test_skip_invalid_writes_rejects(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    result = cli("participants", "import", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert [p["email"] for p in people(cli)] == ["good@example.com"]
    rejects = list(csv.DictReader((tmp_path / "bad.csv.rejects.csv").open()))
    assert [(r["row"], r["email"], r["problems"]) for r in rejects] == [
        ("3", "bad@example.com", "extraversion: 7 is outside the scale 1-5")
    ]


def test_add_show_edit_remove(cli: Cli) -> None:
    added = cli(
        "participants",
        "add",
        "--email",
        "Zoe@Example.com",
        "--name",
        "Zoë Q",
        "--role",
        "mentor",
        "--level",
        "senior",
        "--answer",
        "skills_offered=Python;SQL",
        "--tenure-months",
        "30",
    )
    assert added.exit_code == 0, added.output
    shown = json.loads(cli("participants", "show", "zoe@example.com", "--json").stdout)
    assert shown["level"] == "Senior" and shown["answers"] == {"skills_offered": ["Python", "SQL"]}

    dup = cli(
        "participants",
        "add",
        "--email",
        "zoe@example.com",
        "--name",
        "Z",
        "--role",
        "mentor",
        "--answer",
        "skills_offered=SQL",
    )
    assert dup.exit_code == 1 and "already enrolled" in dup.stderr

    edited = cli(
        "participants", "edit", "zoe@example.com", "--capacity", "3", "--answer", "track=Management"
    )
    assert edited.exit_code == 0, edited.output
    assert "capacity, answers" in edited.stderr
    bad = cli("participants", "edit", "zoe@example.com", "--answer", "track=Cooking")
    assert bad.exit_code == 1 and "track: 'Cooking' is not one of the options" in bad.stderr

    assert cli("participants", "remove", "zoe@example.com").exit_code == 2  # no TTY, no --yes
    removed = cli("participants", "remove", "zoe@example.com", "--yes")
    assert removed.exit_code == 0 and "deleted" in removed.stderr
    missing = cli("participants", "show", "zoe@example.com")
    assert missing.exit_code == 1 and "no such participant" in missing.stderr


def test_add_without_terminal_names_missing_flags(cli: Cli) -> None:
    result = cli("participants", "add", "--email", "a@example.com")
    assert result.exit_code == 2
    assert "--name, --role" in result.stderr


def test_list_filters_and_csv_is_spreadsheet_safe(cli: Cli) -> None:
    cli("participants", "import", str(DATA / "people.csv"))
    mentors = [
        p["email"]
        for p in json.loads(cli("participants", "list", "--role", "mentor", "--json").stdout)
    ]
    assert mentors == ["ada@example.com", "edsger@example.com", "grace@example.com"]
    research = json.loads(cli("participants", "list", "--department", "research", "--json").stdout)
    assert [p["email"] for p in research] == ["alan@example.com", "katherine@example.com"]
    assert json.loads(cli("participants", "list", "--matched", "--json").stdout) == []
    out = cli("participants", "list", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    edsger = next(r for r in rows if r["email"] == "edsger@example.com")
    assert edsger["goals"] == '\'=HYPERLINK("http://evil")'
    assert edsger["languages"] == "Dutch; English"
    table = cli("participants", "list").stdout
    assert "Ada Lovelace" in table and "5 participant(s)" in table


def test_forget_erases_personal_data_but_keeps_counts(cli: Cli) -> None:
    cli("participants", "import", str(DATA / "people.csv"))
    result = cli("participants", "forget", "ada@example.com", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["erased"]["mentions"] == 3  # 2 managers + 1 preference
    everyone = json.loads(cli("participants", "list", "--json").stdout)
    dump = json.dumps(everyone)
    assert "ada@example.com" not in dump and "Lovelace" not in dump
    assert len(everyone) == 4
    assert cli("participants", "show", "ada@example.com").exit_code == 1


def test_validate_reports_stale_answers(sqlite_cli: Cli, program_dir: Path) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    assert sqlite_cli("validate").exit_code == 0
    yaml_path = program_dir / "program.yaml"
    yaml_path.write_text(
        yaml_path.read_text().replace("[Engineering, Management]", "[Eng, Management]")
    )
    result = sqlite_cli("validate")
    assert result.exit_code == 1
    assert "ada@example.com: track: 'Engineering' is not one of the options" in result.stderr


def test_validate_reports_program_errors_without_traceback(
    sqlite_cli: Cli, program_dir: Path
) -> None:
    (program_dir / "program.yaml").write_text("name: [oops\n")
    result = sqlite_cli("validate")
    assert result.exit_code == 1
    assert "YAML syntax error" in result.stderr and "Traceback" not in result.output
    as_json = json.loads(sqlite_cli("validate", "--json").stdout)
    assert as_json["ok"] is False and as_json["problems"][0]["line"] == 2


def test_read_only_roster_is_a_clear_error_and_unchanged(
    sqlite_cli: Cli, program_dir: Path
) -> None:
    from tests.roster.test_db import read_only

    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    changed = program_dir / "changed.csv"
    changed.write_text((DATA / "people.csv").read_text().replace("Ada Lovelace", "Ada King"))
    with read_only(program_dir / "roster.db"):
        result = sqlite_cli("participants", "import", str(changed))
        assert result.exit_code == 3, result.output
        assert "read-only" in result.stderr
    assert people(sqlite_cli)[0]["name"] == "Ada Lovelace"


def _import(program_dir: str, db_url: str, csv_path: str, queue) -> None:  # a child process
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mentorctl",
            "-p",
            program_dir,
            "--database-url",
            db_url,
            "participants",
            "import",
            csv_path,
        ],
        capture_output=True,
        text=True,
    )
    queue.put((proc.returncode, proc.stderr))


def test_two_imports_at_once_both_succeed(program_dir: Path, db_url: str, tmp_path: Path) -> None:
    lines = (DATA / "people.csv").read_text().splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(lines[:4]) + "\n")
    second.write_text("\n".join([lines[0], *lines[3:]]) + "\n")  # overlaps on one person
    queue = multiprocessing.get_context("spawn").Queue()
    procs = [
        multiprocessing.get_context("spawn").Process(
            target=_import, args=(str(program_dir), db_url, str(p), queue)
        )
        for p in (first, second)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    results = [queue.get(timeout=5) for _ in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    assert len(people(Cli(program_dir, db_url))) == 5


def test_program_found_from_a_subdirectory(program_dir: Path, monkeypatch) -> None:
    sub = program_dir / "exports"
    sub.mkdir()
    shutil.copy(DATA / "people.csv", sub / "people.csv")
    monkeypatch.chdir(sub)
    result = Cli(None, None)("participants", "import", "people.csv")
    assert result.exit_code == 0, result.output
    assert (program_dir / "roster.db").exists()


def test_no_program_anywhere_is_a_clear_error(tmp_path: Path) -> None:
    result = Cli(None, None)("participants", "list")
    assert result.exit_code == 1
    assert "no program.yaml in" in result.stderr and "mentorctl init" in result.stderr


def _mentions(folder: Path, needles: tuple[bytes, ...]) -> list[str]:
    """Files under ``folder`` whose bytes hold any needle (case-insensitive)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes().lower()
            if any(n.lower() in data for n in needles):
                found.append(path.name)
    return found


def test_forget_erases_them_from_everything_the_tool_wrote(
    sqlite_cli: Cli, program_dir: Path, tmp_path: Path, smtp_server
) -> None:
    """Their email and name once stayed in the message table, HR records, migration
    backups, agreements and calendars, the reminder log and rejects CSVs."""
    import sqlite3
    import stat

    cli = sqlite_cli
    text = (program_dir / "program.yaml").read_text().replace("default: 2", "default: 3")
    text += (
        f"email:\n  host: {smtp_server.host}\n  port: {smtp_server.port}\n  security: none\n"
        "  sender: mentoring@example.com\n"
        "reminders:\n  log_file: remind.log\n"
    )
    (program_dir / "program.yaml").write_text(text)
    bad = program_dir / "late.csv"
    bad.write_text(
        (DATA / "people.csv").read_text().replace("Ada Lovelace,mentor", "Ada Lovelace,captain")
        + "bob@example.com,Bob,captain,,,,,,,,,,,,,,,,\n"
    )
    for args in (
        ("participants", "import", str(DATA / "people.csv")),
        ("participants", "import", str(bad), "--skip-invalid"),
        ("match",),
        ("match", "accept", "--all"),
        ("agreements", "--format", "md"),
        ("agreements", "--format", "html"),
        ("notify", "intro", "--send"),
        ("remind", "--send", "--today", "2027-03-01"),
    ):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)
    (program_dir / "hr.csv").write_text("email,employed\nada@example.com,yes\n")
    assert cli("hr", "import", str(program_dir / "hr.csv")).exit_code == 0
    (program_dir / "hr.csv").unlink()  # the coordinator's own file, not the tool's
    # A migration backup as `open_roster` makes one before upgrading (a copy of the file).
    backup = program_dir / "roster.db.bak-0003-20270101T000000"
    src = sqlite3.connect(program_dir / "roster.db")
    dst = sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()
    needles = (b"ada@example.com", b"Ada Lovelace")
    before = _mentions(program_dir, needles)
    for expected in ("roster.db", backup.name, "remind.log", "late.csv.rejects.csv"):
        assert expected in before, before
    assert any(n.endswith((".md", ".ics", ".html")) for n in before)

    dry = cli("participants", "forget", "ada@example.com", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert _mentions(program_dir, needles) == before
    result = cli("participants", "forget", "ada@example.com", "--yes")
    assert result.exit_code == 0, result.output
    listed = result.stderr
    for expected in ("migration backup", "agreement/calendar", "reminder log", "rejects"):
        assert expected in listed, listed
    left = [n for n in _mentions(program_dir, needles) if n not in ("late.csv", "program.yaml")]
    assert left == []  # late.csv is the coordinator's input, not the tool's output
    # Other people are untouched, and the rejects file keeps its other rows.
    rejects = (program_dir / "late.csv.rejects.csv").read_text()
    assert "bob@example.com" in rejects
    assert stat.S_IMODE((program_dir / "late.csv.rejects.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((program_dir / "remind.log").stat().st_mode) == 0o600
    assert len(json.loads(cli("participants", "list", "--json").stdout)) == 4  # of 5


def test_tables_piped_at_80_columns_keep_every_email_whole(tmp_path: Path) -> None:
    """`participants list | grep amelia.smith@example.com` once found nothing: the email
    was folded across lines at 80 columns."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORCTL_")}
    env["COLUMNS"] = "80"
    run = [sys.executable, "-m", "mentorctl"]
    made = subprocess.run(
        [*run, "init", str(tmp_path / "demo"), "--from-sample", "onboarding"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run(
        [*run, "-p", str(tmp_path / "demo"), "participants", "list"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    emails = {
        row["email"]
        for row in csv.DictReader(io.StringIO((tmp_path / "demo" / "participants.csv").read_text()))
    }
    assert "amelia.smith@example.com" in emails
    lines = listed.stdout.splitlines()
    missing = [e for e in sorted(emails) if not any(e in line for line in lines)]
    assert missing == []


def test_control_characters_in_names_never_reach_the_terminal(cli: Cli, tmp_path: Path) -> None:
    """Escape sequences in imported names and departments were printed raw."""
    hostile = tmp_path / "hostile.csv"
    text = (DATA / "people.csv").read_text()
    text = text.replace("Ada Lovelace", "Ada\x1b[2J\x1b]0;pwned\x07 Lovelace")
    text = text.replace("Engineering,Staff Engineer", "Eng\x1b[31mineering,Staff Engineer")
    hostile.write_text(text)
    assert cli("participants", "import", str(hostile)).exit_code == 0
    for args in (
        ("participants", "list"),
        ("participants", "show", "ada@example.com"),
        ("participants", "list", "--department", "Eng\x1b[31mineering"),
    ):
        r = cli(*args)
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout, args
        assert "\\x1b[2J" in r.stdout or args[-1].startswith("Eng")
    # Data formats keep the data as it is (JSON escapes it by itself).
    data = json.loads(cli("participants", "show", "ada@example.com", "--json").stdout)
    assert data["name"] == "Ada\x1b[2J\x1b]0;pwned\x07 Lovelace"
