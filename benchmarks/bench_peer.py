"""Peer matching (``format: peer``): how large a pool is paired exactly within 10 s.

For each pool size it generates the benchmark program (:mod:`generate`) as a peer program
(eligibility rules dropped, since in one pool they apply both ways; ``objective:
max-matches``, the harder of the two: most pairs first, then the best total), imports it
once (not timed) and builds the input ``mentorctl match`` builds. Then, in this process:

(a) ``engine.propose``: the whole peer proposal (scores both ways, the exact matching
    by HiGHS, the trio, the greedy baseline, reasons);
(b) the baseline: the same people matched one-to-one as mentors x mentees
    (``format: group``), the engine's bipartite path.

It prints both times and their ratio for every size, and one ``RESULT`` line: the
largest size tried whose (a) stays within the 10 s budget (ratio (a)/10 s). Sizes grow
until one takes more than the budget. The limit found is stated in ``docs/matching.md``.

Run: ``python benchmarks/bench_peer.py [--quick] [--strict] [--sizes 200,400,...]``.
``--quick`` runs 60 and 120 people once each.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, result, script
from bench_match import load_input
from generate import generate_program

SEED = 2027
BUDGET = 10.0
DEFAULT_SIZES = "100,150,200,250,300"
QUICK_SIZES = "60,120"


def prepare(directory: Path, n: int) -> Path:
    gen = generate_program(directory, n // 5, n - n // 5, SEED, fmt="peer")
    text = gen.program_yaml.read_text(encoding="utf-8")
    start, end = text.index("eligibility:\n"), text.index("survey:\n")
    text = text[:start] + text[end:]
    text = text.replace("objective: max-score", "objective: max-matches")
    gen.program_yaml.write_text(text, encoding="utf-8")
    with gen.participants_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("capacity")
    for row in rows[1:]:
        row[col] = ""
    with gen.participants_csv.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    cmd = [script("mentorctl"), "-p", str(directory), "-q", "participants", "import",
           gen.participants_csv.name]  # fmt: skip
    proc = subprocess.run(cmd, cwd=directory, env=clean_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return directory


def timed(inp: Any) -> tuple[float, Any]:
    from mentorctl.matching.engine import propose

    start = time.perf_counter()
    proposal = propose(inp)
    return time.perf_counter() - start, proposal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--sizes", help=f"pool sizes (default {DEFAULT_SIZES})")
    args = parser.parse_args(argv)
    from dataclasses import replace

    from mentorctl.enums import Format

    sizes = [
        int(s) for s in (args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)).split(",")
    ]
    header("peer matching: exact pairing of one pool (objective max-matches)")
    print(f"{'people':>7} {'(a) peer':>11} {'(b) group':>11} {'(a)/(b)':>8}  placed  trio")
    best: tuple[int, float] | None = None
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            inp = load_input(prepare(Path(tmp), n))
        a, proposal = timed(inp)
        group = inp.program.model_copy(update={"format": Format.GROUP})
        b, _ = timed(replace(inp, program=group))
        s = proposal.summary
        print(f"{n:7d} {a:10.2f}s {b:10.2f}s {a / b:8.1f}  {s['matched']:6d}  "
              f"{'yes' if 'trio' in s else 'no'}", flush=True)  # fmt: skip
        if a > BUDGET:
            break
        best = (n, a)
    if best is None:
        print(f"RESULT peer: even {sizes[0]} people took more than {BUDGET:g} s FAIL")
        return 1 if args.strict else 0
    ok = result(f"peer {best[0]} people within {BUDGET:g} s (time/budget)", best[1] / BUDGET, 1.0)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
