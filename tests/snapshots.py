"""Snapshot tests: text pinned exactly, in a file beside the test that checks it.

A test calls ``assert_snapshot(SNAPSHOTS / "name.ext", actual)``; the file holds the
expected text. To accept a deliberate change, run the tests with ``--update-snapshots``
(or ``MENTORCTL_TEST_UPDATE_SNAPSHOTS=1``), which rewrites the files, then review the diff
with ``git diff`` before committing. A missing snapshot fails unless updating.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

#: Set by ``tests/conftest.py`` from the ``--update-snapshots`` option.
UPDATE = False
HOW = "if deliberate, rerun with --update-snapshots and review `git diff`"


def updating() -> bool:
    return UPDATE or os.environ.get("MENTORCTL_TEST_UPDATE_SNAPSHOTS", "") not in ("", "0")


def assert_snapshot(path: Path, actual: str) -> None:
    """``actual`` equals the text stored in ``path`` (or becomes it when updating)."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"no snapshot {path}; run the tests with --update-snapshots"
    with path.open(encoding="utf-8", newline="") as fh:  # compare line endings too
        expected = fh.read()
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"{path.name} (snapshot)",
                    f"{path.name} (now)",
                )
            )[:60]
        )
        raise AssertionError(f"{path.name} changed; {HOW}\n{diff}")
