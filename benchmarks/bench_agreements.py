"""Agreements: ``mentorctl agreements --format pdf`` against the same run in Markdown.

A generated program (group format) with 75 and with 1,000 active matches. Timed as
whole processes, taking turns: ``agreements -f md`` (the baseline: roster read,
templates, ``.ics``, writing) and ``agreements -f pdf`` into fresh output folders.
Target: the PDF run within 3x of the Markdown run, at both sizes.

The PDF body font's Latin cut is kept in the user's cache folder after the first run
(``agreements/pdf.py``); the untimed warm-up run makes it, as any coordinator's first
run would.

``--quick``: 75 pairs and 200 pairs, fewer repetitions.

Run: ``python benchmarks/bench_agreements.py [--quick] [--strict]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import header, interleaved, median, ms, parse_args, result, script
from generate import generate_program

SEED = 2027
TARGET = 3.0  # PDF run / Markdown run


def build(directory: Path, pairs: int) -> None:
    """Program and participants (via the real import) with ``pairs`` active matches."""
    gen = generate_program(directory, max(1, pairs // 3), pairs, SEED)
    subprocess.run(
        [
            script("mentorctl"),
            "-q",
            "-p",
            str(directory),
            "participants",
            "import",
            "participants.csv",
        ],
        cwd=directory,
        check=True,
    )
    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    program = load_program(gen.program_yaml.parent)
    roster = open_roster(default_url(directory))
    with roster.session(write=True) as s:
        cycle_id = ensure_cycle(s, ensure_program(s, program), program).id
    roster.dispose()
    # Closed at once (not only committed): the roster is in WAL mode, and a copy taken
    # while a connection is open can miss what is still in the -wal file.
    with contextlib.closing(sqlite3.connect(directory / "roster.db")) as conn, conn:
        people = conn.execute("select id, role from participant order by id").fetchall()
        mentors = [i for i, r in people if r in ("mentor", "both")]
        mentees = [i for i, r in people if r == "mentee"][:pairs]
        now = dt.datetime(2027, 1, 11, 9).isoformat(sep=" ")
        conn.executemany(
            "insert into match (cycle_id, mentor_id, mentee_id, score, explanation, status, "
            "locked, created_at, started_at) values (?, ?, ?, 0.5, '{}', 'active', 0, ?, ?)",
            [(cycle_id, mentors[k % len(mentors)], e, now, now) for k, e in enumerate(mentees)],
        )


def bench(pairs: int, reps: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
        directory = Path(tmp)
        build(directory, pairs)
        mentorctl = script("mentorctl")
        cmds = {
            fmt: [mentorctl, "-q", "-p", ".", "agreements", "-f", fmt, "-o", f"out-{fmt}"]
            for fmt in ("md", "pdf")
        }

        def fresh(name: str) -> None:  # every run writes every file
            shutil.rmtree(directory / f"out-{name}", ignore_errors=True)

        header(f"agreements: {pairs:,} pairs; whole process, median of {reps}")
        times = {
            k: median(v) for k, v in interleaved(cmds, reps, before=fresh, cwd=directory).items()
        }
        for name, took in times.items():
            print(f"  {ms(took)}  {name}  ({took / pairs * 1000:.1f} ms per agreement)")
        ok = result(
            f"agreements pdf vs md[{pairs} pairs]",
            times["pdf"] / times["md"],
            TARGET,
            f"pdf {times['pdf']:.1f} s, md {times['md']:.1f} s",
        )
        if not ok:
            profile_pdf(sorted((directory / "out-md").rglob("*.md"))[:100])
        return ok


def profile_pdf(paths: list[Path]) -> None:
    """Where a PDF's time goes: the renderer on up to 100 of the Markdown agreements,
    in this process (after one warm-up document), by cumulative time."""
    import cProfile
    import pstats
    import time

    from mentorctl.agreements.pdf import render_pdf

    texts = [p.read_text(encoding="utf-8") for p in paths]
    if not texts:
        return
    when = dt.date(2027, 1, 11)
    render_pdf(texts[0], title="warm-up", when=when, footer="f")
    start = time.process_time()
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        render_pdf(text, title="t", when=when, footer="f")
    profiler.disable()
    took = (time.process_time() - start) / len(texts) * 1000
    print(f"  render_pdf alone: {took:.1f} ms CPU per agreement (profiled); top 12:")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"fpdf|fontTools|agreements", 12)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    sizes = (75, 200) if args.quick else (75, 1_000)
    reps = 2 if args.quick else 5
    ok = all([bench(n, reps if n < 1_000 else max(2, reps - 2)) for n in sizes])
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
