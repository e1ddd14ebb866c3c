"""Every benchmark offers the quick mode that ``.ci/run`` runs (``run.py --quick``).

CI runs the benchmarks themselves; this only checks, cheaply, that each
``benchmarks/bench_*.py`` parses ``--quick`` and ``--strict`` and that ``run.py`` finds it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
FOUND = sorted(BENCHMARKS.glob("bench_*.py"))


def test_run_py_discovers_every_benchmark() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import run
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert run.discover([]) == FOUND
    assert len(FOUND) >= 5


@pytest.mark.parametrize("bench", FOUND, ids=[p.stem for p in FOUND])
def test_each_benchmark_takes_quick_and_strict(bench: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(bench), "--help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--quick" in proc.stdout and "--strict" in proc.stdout
