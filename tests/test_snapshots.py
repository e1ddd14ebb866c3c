"""The shared snapshot helper: a change fails with a diff; --update-snapshots rewrites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import snapshots
from tests.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parent.parent


def test_equal_text_passes_and_a_change_fails_with_a_diff(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("one\ntwo\n", encoding="utf-8")
    assert_snapshot(path, "one\ntwo\n")
    with pytest.raises(AssertionError) as info:
        assert_snapshot(path, "one\nthree\n")
    assert "-two" in str(info.value) and "+three" in str(info.value)
    assert "--update-snapshots" in str(info.value)
    with pytest.raises(AssertionError, match="changed"):
        assert_snapshot(path, "one\r\ntwo\r\n")  # line endings count
    with pytest.raises(AssertionError, match="no snapshot"):
        assert_snapshot(tmp_path / "missing.txt", "x")


def test_updating_writes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "UPDATE", True)
    path = tmp_path / "new" / "s.txt"
    assert_snapshot(path, "fresh\n")
    assert path.read_text(encoding="utf-8") == "fresh\n"


def test_the_pytest_option_reaches_the_helper(tmp_path: Path) -> None:
    """``pytest --update-snapshots`` rewrites a stale snapshot; without it the test fails."""
    test = tmp_path / "test_probe.py"
    target = tmp_path / "probe.txt"
    target.write_text("old\n", encoding="utf-8")
    test.write_text(
        "from pathlib import Path\nfrom tests.snapshots import assert_snapshot\n\n"
        f"def test_probe():\n    assert_snapshot(Path({str(target)!r}), 'new\\n')\n",
        encoding="utf-8",
    )
    # The probe lives outside tests/, so load the project's conftest as a plugin.
    env_cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.conftest"]
    env_cmd += ["--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml")]
    failed = subprocess.run([*env_cmd, str(test)], cwd=REPO, capture_output=True, text=True)
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert target.read_text(encoding="utf-8") == "old\n"
    updated = subprocess.run(
        [*env_cmd, "--update-snapshots", str(test)], cwd=REPO, capture_output=True, text=True
    )
    assert updated.returncode == 0, updated.stdout[-2000:]
    assert target.read_text(encoding="utf-8") == "new\n"
