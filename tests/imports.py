"""Run the real CLI in a fresh interpreter and see which modules it imported.

``sys.modules`` after the run sees every import, ``importlib.import_module``'s included,
so a test can say "this command never loads SQLAlchemy" and fail if it starts to.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_PROBE = """
import json, runpy, sys
sys.argv = ["mentorctl", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("mentorctl", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


def run_cli(
    program: Path | None, *args: str, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``mentorctl [-p PROGRAM] ARGS`` in a new process: (the finished process, with the
    module list taken off its stderr; the names of every module it imported)."""
    where = ["-p", str(program)] if program is not None else []
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *where, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    head, _, modules = proc.stderr.rpartition("\nMODULES ")
    proc.stderr = head
    return proc, set(json.loads(modules))
