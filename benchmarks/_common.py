"""Shared helpers for the benchmarks: timing whole processes against a baseline.

Every benchmark times its subject and a baseline in the same run, interleaved, and
reports the ratio of the medians, so a slow or busy machine moves both numbers alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Benchmarks build many throwaway programs: their validated-program cache lives in a
# temporary folder of the run (what repeated commands on one program meet, without
# leaving files in the user's cache), unless the caller chose one.
if "MENTORCTL_CACHE_DIR" not in os.environ:
    import atexit
    import tempfile

    _CACHE = tempfile.mkdtemp(prefix="mentorctl-bench-cache-")
    os.environ["MENTORCTL_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed (default: exit 0)"
    )
    return parser.parse_args(argv)


def script(name: str) -> str:
    """A console script of this virtualenv (next to sys.executable), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"benchmark needs the `{name}` console script (pip install it)")
    return found


def clean_env() -> dict[str, str]:
    """The environment for timed processes: no colours, fixed width, no mentorctl settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORCTL_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "PYTHONUTF8": "1"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_timed(
    cmd: Sequence[str], *, cwd: str | Path | None = None, env: dict[str, str] | None = None
) -> float:
    """Run ``cmd`` to completion and return its wall-clock seconds; fail loudly on error.

    ``env`` adds to (or overrides) :func:`clean_env`.
    """
    return run_measured(cmd, cwd=cwd, env=env)[0]


def run_measured(
    cmd: Sequence[str], *, cwd: str | Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Run ``cmd`` to completion: (wall-clock seconds, CPU seconds of the child).

    The CPU time (user + system, from ``os.wait4``) is the steadier number on a shared
    machine: other work there slows the wall clock, not the child's own CPU time.
    """
    import tempfile

    environ = {**clean_env(), **(env or {})}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(
                f"benchmark command failed ({code}): {' '.join(cmd)}\n"
                + err.read().decode(errors="replace")[-2000:]
            )
    return elapsed, usage.ru_utime + usage.ru_stime


def interleaved(
    cmds: Mapping[str, Sequence[str]],
    reps: int,
    *,
    before: Callable[[str], None] | None = None,
    cwd: str | Path | None = None,
    env: Mapping[str, dict[str, str]] | None = None,
    warmup: int = 1,
    cpu: dict[str, list[float]] | None = None,
) -> dict[str, list[float]]:
    """Time each command ``reps`` times, taking turns (a, b, c, b, c, a, ...).

    The order rotates each round so no command always runs just after another.
    ``before(name)`` runs untimed before every run (e.g. to delete a database);
    ``env[name]`` adds environment variables for that command; ``cpu``, when given,
    receives each run's CPU seconds by name (the wall-clock times are returned).
    """
    env = env or {}
    names = list(cmds)
    for _ in range(warmup):  # fill the OS file cache and __pycache__ for everyone
        for name in names:
            if before:
                before(name)
            run_timed(cmds[name], cwd=cwd, env=env.get(name))
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            if before:
                before(name)
            wall, used = run_measured(cmds[name], cwd=cwd, env=env.get(name))
            times[name].append(wall)
            if cpu is not None:
                cpu.setdefault(name, []).append(used)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def result(name: str, ratio: float, target: float, extra: str = "") -> bool:
    """Print the one-line result that run.py collects; True if the target is met."""
    ok = ratio <= target
    print(
        f"RESULT {name}: {ratio:.2f}x (target <= {target:g}x) {verdict(ratio, target)}"
        + (f"  {extra}" if extra else ""),
        flush=True,
    )
    return ok


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)
