"""Participants list: ``mentorctl participants list --json`` vs ``sqlite-utils rows``.

A generated program (2,000 mentors, 8,000 mentees; 2,000 x 400 under ``--quick``) is
imported once (not timed). Then, taking turns, as whole processes:

* subject: ``mentorctl -p DIR participants list --json``;
* baseline: ``sqlite-utils rows roster.db participant`` (every row of the same table as
  JSON, the floor for "list what is stored").

Target (issue 13): the subject within 1.2x of the baseline, on CPU time (the steadier
number on a shared machine; wall clock printed beside it).

Run: ``python benchmarks/bench_list.py [--quick] [--strict]``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, interleaved, median, ms, parse_args, result, script
from generate import generate_program

TARGET = 1.2
SEED = 2027


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    n_mentors, n_mentees, reps = (400, 2_000, 1) if args.quick else (2_000, 8_000, 5)
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
        directory = Path(tmp)
        gen = generate_program(directory, n_mentors, n_mentees, SEED)
        cmd = [script("mentorctl"), "-q", "-p", str(directory), "participants", "import",
               gen.participants_csv.name]  # fmt: skip
        subprocess.run(cmd, cwd=directory, env=clean_env(), check=True)
        n = n_mentors + n_mentees
        header(f"participants list --json, {n:,} people; whole process, median of {reps}")
        cmds = {
            "baseline: sqlite-utils rows roster.db participant": [
                script("sqlite-utils"),
                "rows",
                "roster.db",
                "participant",
            ],
            "mentorctl participants list --json": [
                script("mentorctl"),
                "-p",
                ".",
                "participants",
                "list",
                "--json",
            ],
        }
        used: dict[str, list[float]] = {}
        times = {k: median(v) for k, v in interleaved(cmds, reps, cwd=directory, cpu=used).items()}
        cpu = {k: median(v) for k, v in used.items()}
        for name, t in times.items():
            print(f"  {ms(t)}  (CPU {ms(cpu[name]).strip()})  {name}")
        base, subject = cmds
        ok = result(
            f"participants list --json [{n} people] vs sqlite-utils rows, CPU",
            cpu[subject] / cpu[base],
            TARGET,
            f"wall {times[subject] / times[base]:.2f}x",
        )
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
