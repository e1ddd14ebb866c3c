"""Shared fixtures: an isolated environment, a program directory, real roster databases.

Roster tests that take ``db_url`` run twice: on an SQLite file and on a real PostgreSQL
server (``MENTORCTL_TEST_POSTGRES_URL``, an admin URL; each test gets a fresh database).
Without that variable the PostgreSQL runs are skipped, unless
``MENTORCTL_REQUIRE_POSTGRES=1`` (set by .ci/run) makes a missing or unreachable server a
failure, so a CI count of passed tests never hides skipped database tests.

``--update-snapshots`` rewrites the pinned texts of snapshot tests (``tests/snapshots.py``).
With ``CI`` set (``.ci/run`` sets it) property tests draw the same examples on every run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the snapshot files of snapshot tests with the current output",
    )


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import settings

    from tests import snapshots

    snapshots.UPDATE = bool(config.getoption("--update-snapshots"))
    # CI draws the same examples on every run (a red run is one anyone can repeat);
    # elsewhere each run explores new ones, and a failure prints how to reproduce it.
    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


def _postgres_required() -> bool:
    return os.environ.get("MENTORCTL_REQUIRE_POSTGRES", "") not in ("", "0")


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keep = ("MENTORCTL_TEST_", "MENTORCTL_REQUIRE_POSTGRES")
    for key in list(os.environ):
        if key.startswith("MENTORCTL_") and not key.startswith(keep):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # and so the program cache's home
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def program_dir(tmp_path: Path) -> Path:
    """A program directory holding tests/data/program.yaml (no roster yet)."""
    d = tmp_path / "prog"
    d.mkdir()
    shutil.copy(DATA / "program.yaml", d / "program.yaml")
    return d


def _postgres_admin_url() -> str | None:
    url = os.environ.get("MENTORCTL_TEST_POSTGRES_URL")
    if not url:
        if _postgres_required():
            pytest.fail("MENTORCTL_REQUIRE_POSTGRES is set but MENTORCTL_TEST_POSTGRES_URL is not")
        return None
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL server (set MENTORCTL_TEST_POSTGRES_URL)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"mentorctl_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if _postgres_required():
            pytest.fail(f"MENTORCTL_REQUIRE_POSTGRES is set but PostgreSQL is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A roster URL: an SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roster.db'}"
    return request.getfixturevalue("postgres_url")


class Cli:
    """Runs mentorctl in-process through Typer's CliRunner, with a program and roster."""

    def __init__(self, program: Path | None, db_url: str | None) -> None:
        self.program, self.db_url = program, db_url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None):
        from mentorctl.cli import app

        base: list[str] = []
        if self.program is not None:
            base += ["--program", str(self.program)]
        if self.db_url is not None:
            base += ["--database-url", self.db_url]
        return self.runner.invoke(app, [*base, *args], input=input, env=env)


@pytest.fixture
def cli(program_dir: Path, db_url: str) -> Cli:
    return Cli(program_dir, db_url)


@pytest.fixture
def sqlite_cli(program_dir: Path) -> Cli:
    """The CLI on the default roster (roster.db beside program.yaml)."""
    return Cli(program_dir, None)


from tests.smtpd import smtp_server  # noqa: E402, F401  (a fixture for every test module)
