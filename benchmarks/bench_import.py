"""Import: ``mentorctl participants import`` of 10,000 people vs ``sqlite-utils insert``.

Both load the same generated canonical CSV into a fresh SQLite file, as whole processes.
sqlite-utils only copies cells; mentorctl also checks every row against the survey,
migrates a new roster and stores typed values, so it may take longer, but not more than
3x the baseline's median.

After the timings it prints where the time goes: the import's phases, timed in-process
without a profiler, and a cProfile top 15 of the whole command.

Run: ``python benchmarks/bench_import.py [--quick] [--strict] [--rows N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import sqlite3
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import header, interleaved, median, ms, result, script
from generate import generate_program

TARGET = 3.0
SEED = 2027
MENTOR_SHARE = 0.2


def _remove_db(directory: Path, name: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        (directory / f"{name}{suffix}").unlink(missing_ok=True)


def _count(db: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(f"select count(*) from [{table}]").fetchone()[0])


def phases(directory: Path, csv_path: Path) -> list[tuple[str, float]]:
    """The import's steps, timed one by one in this process (first import of the modules)."""
    out: list[tuple[str, float]] = []
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        out.append((name, now - t))
        t = now

    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.importer import plan_import, read_participants, require_clean
    from mentorctl.roster.participants import apply_import, ensure_program, existing_index

    lap("import core modules (pydantic, sqlmodel, sqlalchemy ...)")
    program = load_program(directory)
    lap("load_program (program.yaml)")
    read = read_participants(program, csv_path)
    require_clean(read, str(csv_path))
    lap(f"read_participants ({len(read.records)} records)")
    _remove_db(directory, "roster.db")
    roster = open_roster(default_url(directory))
    lap("open_roster (create + migrate)")
    try:
        with roster.session(write=True) as session:
            row = ensure_program(session, program)
            assert row.id is not None
            plan = plan_import(read.records, existing_index(session, row.id))
            lap("existing_index + plan_import")
            apply_import(session, row.id, plan)
            lap("apply_import (bulk insert)")
        lap("commit")
    finally:
        roster.dispose()
    return out


def profile(directory: Path, csv_path: Path, top: int = 15) -> None:
    """cProfile the whole command in-process; print the top functions by self and total."""
    from mentorctl.cli import app

    _remove_db(directory, "roster.db")
    profiler = cProfile.Profile()
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
        profiler.enable()
        try:
            app(
                ["-p", str(directory), "participants", "import", str(csv_path)],
                prog_name="mentorctl",
                standalone_mode=False,
            )
        finally:
            profiler.disable()
    for sort, label in (("tottime", "self time"), ("cumulative", "cumulative time")):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        # The CLI's own frames (Typer/Click dispatch) only restate the total: leave them out.
        stats.sort_stats(sort).print_stats(r"^(?!.*(typer|click)[/\\])", top)
        lines = text.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"\ncProfile top {top} by {label} (in-process, modules already imported):")
        for line in lines[start:]:
            if line.strip():
                print("  " + _shorten(line))


def _shorten(line: str) -> str:
    """Trim site-packages and project prefixes from cProfile's file names."""
    markers = (
        "site-packages/",
        str(Path(__file__).resolve().parent.parent) + "/",
        sysconfig.get_paths()["stdlib"] + "/",
    )
    for marker in markers:
        while marker in line:
            head, _, tail = line.partition(marker)
            cut = head.rfind(" ")
            line = head[: cut + 1] + tail
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed run instead of three")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--rows", type=int, default=10_000, help="participants in the CSV")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 3
    n_mentors = int(args.rows * MENTOR_SHARE)

    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
        directory = Path(tmp)
        gen = generate_program(directory, n_mentors, args.rows - n_mentors, SEED)
        size = gen.participants_csv.stat().st_size
        header(
            f"import {gen.rows} participants ({size / 1e6:.1f} MB CSV, seed {SEED}), "
            f"whole process, median of {reps}"
        )
        subject = "mentorctl -p DIR participants import participants.csv"
        baseline = "baseline: sqlite-utils insert roster2.db people participants.csv --csv"
        cmds = {
            baseline: [
                script("sqlite-utils"),
                "insert",
                "roster2.db",
                "people",
                gen.participants_csv.name,
                "--csv",
            ],
            subject: [
                script("mentorctl"),
                "-p",
                str(directory),
                "participants",
                "import",
                gen.participants_csv.name,
            ],
        }

        def fresh(name: str) -> None:
            _remove_db(directory, "roster2.db" if name == baseline else "roster.db")

        times = interleaved(cmds, reps, before=fresh, cwd=directory)
        imported = _count(directory / "roster.db", "participant")
        copied = _count(directory / "roster2.db", "people")
        if imported != gen.rows or copied != gen.rows:
            raise SystemExit(f"expected {gen.rows} rows, got {imported} (mentorctl), {copied}")
        base = median(times[baseline])
        for name, t in times.items():
            m = median(t)
            print(f"  {ms(m)}  {gen.rows / m:9,.0f} rows/s  {m / base:5.2f}x  {name}")
        ratio = median(times[subject]) / base
        ok = result(
            "import[10k canonical CSV]" if args.rows == 10_000 else f"import[{args.rows} rows]",
            ratio,
            TARGET,
            f"{gen.rows / median(times[subject]):,.0f} rows/s",
        )

        header("where the time goes: phases, in-process, no profiler")
        try:
            steps = phases(directory, gen.participants_csv)
        except Exception as exc:  # the core API moved: say so, keep the benchmark useful
            print(f"  (phase breakdown unavailable: {type(exc).__name__}: {exc})")
        else:
            total = sum(s for _, s in steps)
            for name, seconds in steps:
                print(f"  {ms(seconds)}  {seconds / total:4.0%}  {name}")
            print(f"  {ms(total)}        total")
        profile(directory, gen.participants_csv)
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
