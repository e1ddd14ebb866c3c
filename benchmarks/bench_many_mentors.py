"""Mentees with two mentors: ``mentorctl match --dry-run --json`` with ``mentee_capacity:
{default: 2}`` against the same roster with one mentor each, whole processes.

The roster is :mod:`bench_match`'s (generated, skewed popularity), imported once and
copied, so both programs read the same bytes; every mentor takes up to 8 mentees (the
generated program's maximum), so that there is room for second mentors: 3,200 places
for 2,000 mentees at 2,000 x 400. The only difference is the ``mentee_capacity`` line in
program.yaml. Runs take turns (capacity 1,
then 2, repeated) and the ratio of the medians is the result: issue 12's target is
within 1.5x at 2,000 x 400. A further run of each checks the output: no mentee with more
mentors than their capacity, and at least as many pairs with two places as with one.

Run: ``python benchmarks/bench_many_mentors.py [--quick] [--strict] [--sizes 2000x400]
[--reps N]``. ``--quick`` runs 600 x 120 once (the target is printed, not judged there).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, median, result, script
from bench_match import prepare, run_process

TARGET = 1.5
TARGET_SIZE = (2000, 400)


def check(directory: Path, places: int) -> int:
    """Run once more, read the JSON, check every mentee's places; returns the pair count."""
    cmd = [script("mentorctl"), "-p", str(directory), "-q", "match", "--dry-run", "--json"]
    proc = subprocess.run(cmd, cwd=directory, env=clean_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"match failed ({proc.returncode}): {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout)
    per_mentee = Counter(m["mentee"] for m in data["matches"])
    worst = max(per_mentee.values(), default=0)
    if worst > places:
        raise SystemExit(f"a mentee got {worst} mentors with mentee capacity {places}")
    return len(data["matches"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 x 120, one run")
    parser.add_argument("--strict", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--sizes", default=None, help="MENTEESxMENTORS,... (default 2000x400)")
    parser.add_argument("--reps", type=int, default=None, help="runs of each (default 3)")
    args = parser.parse_args(argv)
    sizes_text = args.sizes or ("600x120" if args.quick else "2000x400")
    reps = args.reps or (1 if args.quick else 3)
    ok = True
    for size in sizes_text.split(","):
        n_mentees, n_mentors = (int(x) for x in size.lower().split("x"))
        header(f"mentee capacity 2 vs 1 at {n_mentees:,} mentees x {n_mentors:,} mentors")
        with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
            one = prepare(Path(tmp) / "one", n_mentees, n_mentors)
            yaml = one / "program.yaml"
            text = yaml.read_text(encoding="utf-8")
            roomy = text.replace("capacity:\n  default: 5\n", "capacity:\n  default: 8\n", 1)
            if roomy == text:
                raise SystemExit("bench_match.prepare changed: cannot set the mentors' capacity")
            yaml.write_text(roomy, encoding="utf-8")
            two = Path(tmp) / "two"
            shutil.copytree(one, two)
            yaml = two / "program.yaml"
            yaml.write_text(
                yaml.read_text(encoding="utf-8") + "mentee_capacity: {default: 2}\n",
                encoding="utf-8",
            )
            times: dict[str, list[float]] = {"one": [], "two": []}
            cpu: dict[str, list[float]] = {"one": [], "two": []}
            for _ in range(reps):
                for name, directory in (("one", one), ("two", two)):
                    cmd = [script("mentorctl"), "-p", str(directory), "match", "--dry-run",
                           "--json"]  # fmt: skip
                    wall, _, _, used = run_process(cmd, directory)
                    times[name].append(wall)
                    cpu[name].append(used)
            pairs_one, pairs_two = check(one, 1), check(two, 2)
            if pairs_two <= pairs_one:
                raise SystemExit(f"no second mentors: {pairs_two} pairs, {pairs_one} with one each")
        t1, t2 = median(times["one"]), median(times["two"])
        c1, c2 = median(cpu["one"]), median(cpu["two"])
        print(f"  capacity 1: {t1:7.2f} s wall, {c1:7.2f} s CPU, {pairs_one:,} pairs")
        print(f"  capacity 2: {t2:7.2f} s wall, {c2:7.2f} s CPU, {pairs_two:,} pairs")
        print(f"  CPU ratio {c2 / c1:.2f}x")
        judged = (n_mentees, n_mentors) == TARGET_SIZE
        met = result(
            f"match, mentee capacity 2 vs 1 at {n_mentees}x{n_mentors}",
            t2 / t1,
            TARGET,
            "" if judged else "(target set for 2000x400; not judged at this size)",
        )
        ok = ok and (met or not judged)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
