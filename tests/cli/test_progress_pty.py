"""Progress bars show on a terminal and stay out of pipes (cron)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_wizard_pty import Wizard
from tests.conftest import Cli


def big_csv(path: Path, rows: int = 3000) -> Path:
    lines = ["email,name,role,skills_wanted,extraversion"]
    lines += [f"p{i:05d}@example.com,Person {i},mentee,Python;SQL,3" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_shows_progress_on_a_terminal(program_dir: Path, sqlite_cli: Cli) -> None:
    csv = big_csv(program_dir / "big.csv")
    run = Wizard("-p", str(program_dir), "participants", "import", str(csv), cwd=program_dir)
    try:
        run.expect("Checking rows")
        assert run.finish() == 0
    finally:
        run.kill()
    assert "enrolled 3000" in run.screen(run.transcript)


def test_no_progress_bar_in_a_pipe(program_dir: Path) -> None:
    csv = big_csv(program_dir / "big.csv")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mentorctl",
            "-p",
            str(program_dir),
            "participants",
            "import",
            str(csv),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=True,
    )
    assert "Checking rows" not in proc.stderr
    assert "\x1b[" not in proc.stderr and "\x1b[" not in proc.stdout
    assert "enrolled 3000" in proc.stderr
