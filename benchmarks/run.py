"""Run every benchmark (``benchmarks/bench_*.py``) and summarise their ratios.

Each benchmark is a script that times mentorctl against a baseline in the same run and
prints ``RESULT name: ratio (target) PASS|FAIL`` lines; this runner starts each in its own
process (so one's imports do not warm up the next), shows its output as it comes, and
ends with the RESULT lines of all of them.

Usage: ``python benchmarks/run.py [--quick] [--strict] [NAME ...]``

``--quick`` takes fewer repetitions; ``--strict`` exits 1 if a target is missed (by
default the exit status is 0 whatever the numbers, as long as every benchmark ran);
``NAME`` picks benchmarks by a part of their file name (``import`` -> bench_import.py).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [p for p in found if any(n in p.stem for n in names)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("names", nargs="*", help="run only benchmarks whose name contains one")
    args = parser.parse_args(argv)

    benches = discover(args.names)
    if not benches:
        print(f"no benchmark matches {args.names}", file=sys.stderr)
        return 2
    flags = [f for f, on in (("--quick", args.quick), ("--strict", args.strict)) if on]
    results: list[str] = []
    broken: list[str] = []
    for bench in benches:
        print(f"\n### {bench.name} {' '.join(flags)}".rstrip(), flush=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(bench), *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("RESULT "):
                results.append(line.removeprefix("RESULT ").rstrip())
        code = proc.wait()
        print(f"### {bench.name}: exit {code} after {time.perf_counter() - start:.1f} s")
        if code != 0:
            broken.append(f"{bench.name} (exit {code})")

    print("\n== summary ==")
    for line in results:
        print(f"  {line}")
    for name in broken:
        print(f"  FAILED TO RUN or missed a target under --strict: {name}")
    missed = sum(1 for line in results if re.search(r"\) FAIL\b", line))
    print(f"  {len(results)} result(s), {missed} missed target(s)")
    if broken:
        # Under --strict a missed target exits 1 from the benchmark itself; without it, only
        # a benchmark that crashed does.
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
