"""PDFs rendered by worker processes are the very bytes a serial run writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorctl.agreements import files
from tests.conftest import Cli


def test_workers_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "program"
    assert Cli(None, None)("init", str(directory), "--from-sample", "onboarding").exit_code == 0
    cli = Cli(directory, None)
    for args in (("match",), ("match", "accept", "--all")):
        assert cli(*args).exit_code == 0
    monkeypatch.setattr(files, "_workers", lambda: 2)  # parallel even on one CPU
    parallel = cli("agreements", "-f", "pdf", "-o", str(tmp_path / "parallel"))
    assert parallel.exit_code == 0, parallel.output
    assert files.PARALLEL_FROM < 75
    monkeypatch.setattr(files, "PARALLEL_FROM", 10**9)
    serial = cli("agreements", "-f", "pdf", "-o", str(tmp_path / "serial"))
    assert serial.exit_code == 0, serial.output
    written = {p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*.*")}
    assert len([p for p in written if p.suffix == ".pdf"]) == 75
    for rel in written:
        assert (tmp_path / "parallel" / rel).read_bytes() == (
            tmp_path / "serial" / rel
        ).read_bytes()
    assert parallel.stderr == serial.stderr  # the same warnings, once each
