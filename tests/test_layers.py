"""The package layering holds: import-linter's contracts in ``pyproject.toml`` are kept.

The contracts say which package may import which (``errors|enums`` at the bottom, ``cli``
at the top) and that the modules of one package import each other without cycles.
Running them here makes a broken layer a failing test, not only a failing CI step.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "import-linter is in the test extra: pip install -e '.[test]'"
    proc = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": str(lint.parent), "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
