"""The test set-up itself: a required PostgreSQL server that is missing fails, never skips.

CI sets ``MENTORCTL_REQUIRE_POSTGRES=1``: a passed count there must include the database
tests, so a server that did not start (or a URL that is not set) is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST = "tests/roster/test_db.py::test_dry_run_session_keeps_nothing"  # sqlite + postgres


def _pytest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MENTORCTL_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", TEST],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"


@pytest.mark.parametrize(
    "env",
    [
        {"MENTORCTL_REQUIRE_POSTGRES": "1"},
        {"MENTORCTL_REQUIRE_POSTGRES": "1", "MENTORCTL_TEST_POSTGRES_URL": UNREACHABLE},
    ],
    ids=["no-url", "unreachable"],
)
def test_required_postgres_missing_is_a_failure(env: dict[str, str]) -> None:
    proc = _pytest(env)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "1 passed, 1 error" in proc.stdout.splitlines()[-1]  # a fixture failing: an error
    assert "MENTORCTL_REQUIRE_POSTGRES is set" in proc.stdout


def test_without_the_requirement_postgres_tests_skip() -> None:
    proc = _pytest({"MENTORCTL_TEST_POSTGRES_URL": UNREACHABLE})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 passed, 1 skipped" in proc.stdout.splitlines()[-1]
