"""The plain read path (roster/read.py): read-only commands read SQLite with sqlite3,
import no SQLAlchemy, answer as the ORM does, and never change or wait on the roster."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from mentorctl.roster import migrate
from tests.cli.test_remind import matched
from tests.conftest import Cli
from tests.imports import run_cli


def _run(program: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(program, *args)[0]


STATUS = ("status", "--json", "--all", "--today", "2027-03-01")


def _status(program: Path) -> subprocess.CompletedProcess[str]:
    return _run(program, *STATUS)


def test_status_imports_no_sqlalchemy_and_answers_as_the_session_does(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    proc, imported = run_cli(sqlite_cli.program, *STATUS)
    assert proc.returncode == 0, proc.stderr
    assert "mentorctl.roster.read" in imported
    assert not {"sqlalchemy", "sqlmodel", "mentorctl.roster.models"} & imported
    data = json.loads(proc.stdout)
    assert [m["health"] for m in data["matches"]] == ["stalled", "stalled", "stalled"]

    # The same rows through an ORM session inside a write transaction (what `remind` and
    # `cycle close` pass): the one set of queries, wrapped by as_reader.
    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.tracking import current_cycle, health_rows

    program = load_program(sqlite_cli.program)
    roster = open_roster(default_url(sqlite_cli.program))
    try:
        with roster.session(write=True, dry_run=True) as session:
            _, cycle = current_cycle(session, program, create=False)
            rows = health_rows(session, program, cycle.id, dt.date(2027, 3, 1))
    finally:
        roster.dispose()
    by_id = {m["match_id"]: m for m in data["matches"]}
    assert len(rows) == 3 and {r.match_id: r.as_json() for r in rows} == by_id


def test_status_answers_while_a_writer_holds_the_roster(sqlite_cli: Cli) -> None:
    """A read is a snapshot of what is committed: it neither waits for a writer (cron's
    import, a person's `meeting log`) nor sees its uncommitted rows."""
    matched(sqlite_cli)
    before = json.loads(_status(sqlite_cli.program).stdout)
    writer = sqlite3.connect(sqlite_cli.program / "roster.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO meeting (match_id, date, minutes, created_at) "
            "SELECT id, '2027-02-28', 30, '2027-02-28 10:00:00' FROM match"
        )
        proc = _status(sqlite_cli.program)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == before
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_write_protected_roster_is_read(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    db = sqlite_cli.program / "roster.db"
    db.chmod(0o444)
    try:
        proc = _status(sqlite_cli.program)
    finally:
        db.chmod(0o600)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["matches"]) == 3


def test_an_older_roster_is_migrated_once_then_read(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    db = sqlite_cli.program / "roster.db"
    expected = json.loads(_status(sqlite_cli.program).stdout)
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db}")
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, migrate.REVISIONS[-2])
    engine.dispose()

    proc = _status(sqlite_cli.program)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.HEAD,)
    assert len(list(db.parent.glob(f"roster.db.bak-{migrate.REVISIONS[-2]}-*"))) == 1
    again, imported = run_cli(sqlite_cli.program, *STATUS)
    assert again.returncode == 0 and "alembic" not in imported  # at head: no migrations


def test_a_roster_from_a_newer_release_is_refused_unchanged(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    db = sqlite_cli.program / "roster.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = db.read_bytes()
    proc = _status(sqlite_cli.program)
    assert proc.returncode == 3
    assert "newer than this mentorctl knows" in proc.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no roster here yet"), (b"not a database at all" * 100, "file is not a database")],
)
def test_no_roster_or_not_a_roster_is_exit_3_and_creates_nothing(
    program_dir: Path, content: bytes | None, message: str
) -> None:
    db = program_dir / "roster.db"
    if content is not None:
        db.write_bytes(content)
    proc = _status(program_dir)
    assert proc.returncode == 3
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0] and "roster.db" in errors[0]
    assert db.exists() == (content is not None)
    if content is not None:
        assert db.read_bytes() == content
    assert sorted(p.name for p in program_dir.iterdir()) == sorted(
        ["program.yaml"] + (["roster.db"] if content is not None else [])
    )


def test_a_roster_path_with_url_characters_is_read_and_written_in_place(
    program_dir: Path, tmp_path: Path
) -> None:
    """A folder name with what a URL gives a meaning to (``?``, ``#``, ``%``, spaces,
    non-ASCII) reaches the file system as it is, on the write path (SQLAlchemy) and on
    the read path (sqlite3): ``Draft?`` must not become a roster called ``Draft``."""
    odd = tmp_path / "Programme #2 ?draft 100%41 Zoë"
    program_dir.rename(odd)
    cli = Cli(odd, None)
    matched(cli)
    proc = _status(odd)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["matches"]) == 3
    assert (odd / "roster.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == [odd.name]


def test_participants_list_imports_no_sqlalchemy_and_lists_what_the_models_hold(
    sqlite_cli: Cli,
) -> None:
    matched(sqlite_cli)
    proc, imported = run_cli(sqlite_cli.program, "participants", "list", "--json", "--matched")
    assert proc.returncode == 0, proc.stderr
    assert not {"sqlalchemy", "sqlmodel", "mentorctl.roster.models"} & imported
    listed = json.loads(proc.stdout)

    # The same people, read through the models.
    from sqlmodel import select

    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.models import Participant

    roster = open_roster(default_url(sqlite_cli.program))
    try:
        with roster.session() as session:
            people = session.exec(select(Participant).order_by(Participant.email)).all()
            stored = {p.email: (p.name, p.role, list(p.languages), dict(p.answers)) for p in people}
    finally:
        roster.dispose()
    assert len(listed) == 5 and all(person["matched"] for person in listed)  # edsger is both
    for person in listed:
        values = (person["name"], person["role"], person["languages"], person["answers"])
        assert stored[person["email"]] == values
