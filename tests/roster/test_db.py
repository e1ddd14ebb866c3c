"""Opening the roster: creation, permissions, WAL, migrations, PostgreSQL, failures."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from mentorctl.errors import RosterError
from mentorctl.roster import migrate
from mentorctl.roster.db import open_roster, resolve_url
from mentorctl.roster.models import Participant, ProgramRow


def test_new_sqlite_roster_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "roster.db"
    roster = open_roster(f"sqlite:///{path}")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with roster.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert migrate.current_revision(roster.engine) == migrate.HEAD
    finally:
        roster.dispose()


def test_head_matches_the_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_current_head() == migrate.HEAD
    revisions = [r.revision for r in reversed(list(scripts.walk_revisions()))]
    assert tuple(revisions) == migrate.REVISIONS


def test_roster_made_by_the_first_schema_is_upgraded_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "roster.db"
    # Build a roster exactly as release 0.1's first schema made it, with a person in it.
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text("INSERT INTO program (slug, name, created_at) VALUES ('p', 'P', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO participant (program_id, email, name, role, languages, answers, active,"
                " created_at, updated_at) VALUES (1, 'ada@example.com', 'Ada', 'mentor', '[]',"
                " '{\"skills_offered\": [\"Python\"]}', 1, '2026-01-01', '2026-01-01')"
            )
        )
    engine.dispose()

    roster = open_roster(f"sqlite:///{path}")
    try:
        assert migrate.current_revision(roster.engine) == migrate.HEAD
        with roster.session() as session:
            ada = session.exec(select(Participant)).one()
            assert ada.answers == {"skills_offered": ["Python"]}
            session.exec(text("SELECT count(*) FROM match"))  # the new tables exist
    finally:
        roster.dispose()
    backups = sorted(tmp_path.glob("roster.db.bak-0001-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600


def test_a_roster_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.db"
    open_roster(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(RosterError, match="newer than this mentorctl knows"):
        open_roster(f"sqlite:///{path}")


def test_write_failure_rolls_the_whole_transaction_back(db_url: str) -> None:
    roster = open_roster(db_url)
    try:
        with pytest.raises(ZeroDivisionError), roster.session(write=True) as session:
            session.add(ProgramRow(slug="p", name="P"))
            session.flush()
            1 / 0  # noqa: B018
        with roster.session() as session:
            assert session.exec(select(ProgramRow)).all() == []
    finally:
        roster.dispose()


def test_dry_run_session_keeps_nothing(db_url: str) -> None:
    roster = open_roster(db_url)
    try:
        with roster.session(write=True, dry_run=True) as session:
            session.add(ProgramRow(slug="p", name="P"))
        with roster.session() as session:
            assert session.exec(select(ProgramRow)).all() == []
    finally:
        roster.dispose()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file unwritable, even for root (chattr +i), for the length of the block."""
    if os.geteuid() != 0:
        path.chmod(0o400)
        yield
        path.chmod(0o600)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file read-only for root here (no chattr)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_roster_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "roster.db"
    roster = open_roster(f"sqlite:///{path}")
    with roster.session(write=True) as session:
        session.add(ProgramRow(slug="p", name="P"))
    roster.dispose()
    with read_only(path):
        roster = open_roster(f"sqlite:///{path}")
        with roster.session() as session:  # reading still works
            assert [p.slug for p in session.exec(select(ProgramRow))] == ["p"]
        with pytest.raises(RosterError, match="read-only"), roster.session(write=True) as session:
            session.add(ProgramRow(slug="q", name="Q"))
        roster.dispose()


def test_missing_roster_without_create(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="no roster here yet"):
        open_roster(f"sqlite:///{tmp_path / 'none.db'}", create=False)


def test_unreachable_database_is_a_roster_error() -> None:
    with pytest.raises(RosterError) as info:
        open_roster("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)


def test_url_resolution(tmp_path: Path) -> None:
    assert resolve_url(tmp_path, None, None) == f"sqlite:///{tmp_path / 'roster.db'}"
    assert resolve_url(tmp_path, "sqlite:////x/y.db", "sqlite:///z.db") == "sqlite:////x/y.db"
    assert (
        resolve_url(tmp_path, None, "sqlite:///data/r.db") == f"sqlite:///{tmp_path / 'data/r.db'}"
    )
