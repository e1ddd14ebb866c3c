"""Matching: ``mentorctl match --dry-run --json`` end to end vs the bare solver call.

For each size (mentees x mentors, every mentor with capacity 5) it generates a program
with :mod:`generate`, imports it once (not timed), then times, taking turns:

(a) the whole process ``mentorctl -p DIR match --dry-run --json > /dev/null``: wall time
    and the child's peak RSS (``os.wait4`` rusage, i.e. what ``/usr/bin/time -v`` shows);
(b) the baseline, in a separate process: the same score matrix the engine builds
    (``scoring.score_matrix`` + ``constraints.allowed_matrix``, NaN where not allowed,
    rounded as ``engine._solve`` does), then ONLY ``solvers.solve_optimal_dense(...)``
    timed; that process also reports the peak RSS while solving.

It prints the ratio (a)/(b), the absolute times and peak memory, and one ``RESULT`` line
per target of the issue: 2,000 x 400 within 2 s end to end; 10,000 x 2,000 within 30 s
and 3 GB (decimal gigabytes of peak RSS). Then, to find the hotspot, a phase breakdown of
the command run in this process (``engine.propose`` and its helpers wrapped with timers
by monkeypatching; nothing in the package is edited), optionally a cProfile top 15.

Run: ``python benchmarks/bench_match.py [--quick] [--strict] [--sizes 2000x400,...]
[--reps N] [--no-phases] [--profile]``. ``--quick`` runs only 2,000 x 400, once.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import functools
import gc
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, median, script
from generate import generate_program

SEED = 2027
CAPACITY = 5
DEFAULT_SIZES = "2000x400,10000x2000"
# (mentees, mentors) -> (seconds end to end, bytes of peak RSS or None) from the issue.
TARGETS: dict[tuple[int, int], tuple[float, float | None]] = {
    (2_000, 400): (2.0, None),
    (10_000, 2_000): (30.0, 3e9),
}
GB = 1e9


# --------------------------------------------------------------------------- data


def prepare(directory: Path, n_mentees: int, n_mentors: int, mixed: bool = False) -> Path:
    """Generate the program (default capacity CAPACITY) and import it, untimed.

    Every mentor gets CAPACITY unless ``mixed``: then the generator's own capacities
    (a quarter of the mentors choose 1 to 6) are kept.
    """
    gen = generate_program(directory, n_mentors, n_mentees, SEED)
    # The generated program has default capacity 3 and gives a quarter of the mentors
    # their own; the sizes are "capacity 5": make it 5 for everyone.
    text = gen.program_yaml.read_text(encoding="utf-8")
    text = text.replace("capacity:\n  default: 3\n", f"capacity:\n  default: {CAPACITY}\n", 1)
    if f"default: {CAPACITY}" not in text:
        raise SystemExit("benchmarks/generate.py changed: cannot set the default capacity")
    gen.program_yaml.write_text(text, encoding="utf-8")
    with gen.participants_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("capacity")
    for row in rows[1:]:
        if not mixed:
            row[col] = ""
    with gen.participants_csv.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    cmd = [script("mentorctl"), "-p", str(directory), "-q", "participants", "import",
           gen.participants_csv.name]  # fmt: skip
    proc = subprocess.run(cmd, cwd=directory, env=clean_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return directory


# --------------------------------------------------------------------------- processes


def run_process(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run ``cmd`` with stdout to /dev/null; (wall seconds, peak RSS bytes, stdout-less log).

    ``os.wait4`` gives this very child's rusage (``ru_maxrss`` is in KiB on Linux).
    """
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=clean_env(), stdin=subprocess.DEVNULL,
                                stdout=null, stderr=err)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        log = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{log[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024, log


def run_solver_child(directory: Path) -> dict[str, Any]:
    """(b): a fresh process builds the engine's matrix and times only the solver call."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--solver-child", str(directory)]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=directory, env=clean_env(), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"solver child failed:\n{text[-3000:]}")
    line = next(x for x in text.splitlines() if x.startswith("SOLVER "))
    data = json.loads(line.removeprefix("SOLVER "))
    data["process_maxrss"] = usage.ru_maxrss * 1024
    return data


# --------------------------------------------------------------------------- memory


def _status_kib(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss() -> int | None:
    kib = _status_kib("VmRSS")
    return None if kib is None else kib * 1024


def peak_rss() -> int:
    kib = _status_kib("VmHWM")
    if kib is None:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * 1024


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux >= 4.0); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def gb(n: float | None) -> str:
    return "   n/a  " if n is None else f"{n / GB:6.2f} GB"


# --------------------------------------------------------------------------- the input


def load_input(directory: Path) -> Any:
    """The MatchInput ``mentorctl -p DIR match`` builds, via the command's own helpers."""
    from mentorctl.cli.match import _input, _open
    from mentorctl.cli.state import State

    ctx = SimpleNamespace(obj=State(program_location=directory, quiet=True))
    c = _open(ctx, None)  # type: ignore[arg-type]
    try:
        return _input(c, None, None, None)
    finally:
        c.roster.dispose()


def solver_child(directory: Path) -> int:
    """Body of (b). Prints one ``SOLVER {json}`` line."""
    import numpy as np

    from mentorctl.enums import Objective
    from mentorctl.matching import constraints, engine, scoring, solvers

    t0 = time.perf_counter()
    inp = load_input(directory)
    program = inp.program
    mentors, mentees = engine._people(inp)
    capacity = np.array([constraints.capacity_of(program, m) for m in mentors], dtype=np.int64)
    t1 = time.perf_counter()
    # As engine.score_candidates + engine._solve do it (no kept or locked pairs here).
    raw, values = scoring.score_matrix(program, mentors, mentees)
    del values
    raw = np.asarray(raw, dtype=np.float64)
    allowed = constraints.allowed_matrix(
        program,
        mentors,
        mentees,
        people=inp.people,
        previous_pairs=inp.previous_pairs
        if program.matching.constraints.avoid_previous_pairs
        else frozenset(),
        forbid=inp.forbid,
    )
    for i, m in enumerate(mentors):
        if constraints.mentor_ineligibility(program, m) is not None:
            allowed[i, :] = False
    min_score = program.matching.constraints.min_score
    if min_score is not None:
        allowed &= raw >= min_score - 1e-12
    score = np.where(allowed, np.round(raw, engine.DECIMALS), np.nan)
    n_eligible = int(allowed.sum())
    del raw, allowed
    ids_m = [m["email"] for m in mentors]
    ids_e = [e["email"] for e in mentees]
    maximize = program.matching.objective is Objective.MAX_MATCHES
    t2 = time.perf_counter()
    gc.collect()
    before = rss()
    resettable = reset_peak_rss()
    t3 = time.perf_counter()
    pairs = solvers.solve_optimal_dense(ids_m, ids_e, capacity, score, maximize)
    t4 = time.perf_counter()
    total = float(sum(score[i, j] for i, j in pairs))
    out = {
        "load_s": t1 - t0,
        "matrix_s": t2 - t1,
        "solve_s": t4 - t3,
        "rss_before_solve": before,
        "peak_during_solve": peak_rss() if resettable else None,
        "n_mentors": len(mentors),
        "n_mentees": len(mentees),
        "n_eligible": n_eligible,
        "matched": len(pairs),
        "total": total,
        "maximize_matches": maximize,
    }
    print("SOLVER " + json.dumps(out), flush=True)
    return 0


# --------------------------------------------------------------------------- phases


@dataclass
class Phase:
    path: tuple[str, ...]
    order: int
    seconds: float = 0.0
    calls: int = 0
    peak: int = 0  # VmHWM after the phase (only for phases called a few times)
    children: list[tuple[str, ...]] = field(default_factory=list)


class PhaseTimer:
    """Wrap module functions with timers; nesting is by call stack, so a function called
    from two places (allowed_matrix) gets one row under each caller."""

    def __init__(self) -> None:
        self.phases: dict[tuple[str, ...], Phase] = {}
        self.stack: list[str] = []
        self._undo: list[tuple[ModuleType | type, str, Any]] = []

    def _enter(self, label: str) -> tuple[str, ...]:
        path = (*self.stack, label)
        if path not in self.phases:
            self.phases[path] = Phase(path, len(self.phases))
            parent = self.phases.get(path[:-1])
            if parent is not None:
                parent.children.append(path)
        self.stack.append(label)
        return path

    def _exit(self, path: tuple[str, ...], seconds: float, track_peak: bool) -> None:
        self.stack.pop()
        phase = self.phases[path]
        phase.seconds += seconds
        phase.calls += 1
        if track_peak:
            phase.peak = max(phase.peak, peak_rss())

    @contextlib.contextmanager
    def phase(self, label: str):
        path = self._enter(label)
        start = time.perf_counter()
        try:
            yield
        finally:
            self._exit(path, time.perf_counter() - start, True)

    def wrap(
        self,
        owner: ModuleType | type,
        name: str,
        label: str | Callable[..., str],
        *,
        track_peak: bool = True,
    ) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            path = self._enter(label(*args, **kwargs) if callable(label) else label)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._exit(path, time.perf_counter() - start, track_peak)

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def report(self, total: float) -> None:
        def show(path: tuple[str, ...]) -> None:
            p = self.phases[path]
            indent = "  " * (len(path) - 1)
            calls = f" x{p.calls}" if p.calls > 1 else ""
            peak = gb(p.peak) if p.peak else " " * 9
            print(
                f"  {p.seconds:8.3f} s {p.seconds / total:5.1%}  {peak}  {indent}{path[-1]}{calls}"
            )
            for child in sorted(p.children, key=lambda c: self.phases[c].order):
                show(child)
            if p.children:
                rest = p.seconds - sum(self.phases[c].seconds for c in p.children)
                if rest > 0.005 and rest / total > 0.005:
                    pad = "  " * len(path)
                    print(f"  {rest:8.3f} s {rest / total:5.1%}  {' ' * 9}  {pad}(other)")

        print(f"  {'time':>10} {'share':>5}  {'peak RSS':>9}  phase (peak RSS = VmHWM after it)")
        for path in sorted(
            (p for p in self.phases if len(p) == 1), key=lambda p: self.phases[p].order
        ):
            show(path)
        top = sum(self.phases[p].seconds for p in self.phases if len(p) == 1)
        print(
            f"  {total:8.3f} s        {' ' * 9}  total in-process "
            f"({total - top:.3f} s not in a phase)"
        )


def instrument(timer: PhaseTimer) -> None:
    from mentorctl.cli import match as cli_match
    from mentorctl.enums import Mode
    from mentorctl.matching import constraints, engine, scoring, solvers

    def solve_label(mode: Any, *_: Any, **__: Any) -> str:
        # propose() solves a second time, greedily, only for the summary's baseline.
        baseline = mode is Mode.GREEDY and _CURRENT_MODE and _CURRENT_MODE[0] is not Mode.GREEDY
        return f"engine._solve({mode.value})" + (" = greedy baseline" if baseline else "")

    timer.wrap(engine, "propose", "engine.propose")
    timer.wrap(engine, "score_candidates", "engine.score_candidates")
    timer.wrap(scoring, "score_matrix", "scoring.score_matrix")
    timer.wrap(constraints, "allowed_matrix", "constraints.allowed_matrix")
    timer.wrap(engine, "_solve", solve_label)
    timer.wrap(solvers, "solve_optimal_dense", "solvers.solve_optimal_dense")
    timer.wrap(solvers, "solve_greedy_dense", "solvers.solve_greedy_dense")
    timer.wrap(solvers, "solve_stable_dense", "solvers.solve_stable_dense")
    timer.wrap(solvers, "_dense_to_coo", "solvers._dense_to_coo (NaN matrix -> arcs)")
    timer.wrap(solvers, "_optimal_core", "solvers._optimal_core (OR-tools min-cost flow)")
    timer.wrap(solvers, "_greedy_core", "solvers._greedy_core (sort + Python loop)")
    timer.wrap(engine, "_match", "explanations: engine._match (explain_pair)", track_peak=False)
    timer.wrap(engine, "_unmatched", "unmatched reasons: engine._unmatched")
    timer.wrap(engine, "_why_none", "engine._why_none", track_peak=False)
    timer.wrap(engine, "supply_gaps", "supply gaps: engine.supply_gaps")
    timer.wrap(cli_match, "_open", "cli.match._open (program.yaml + roster)")
    timer.wrap(cli_match, "_input", "cli.match._input (MatchInput)")


_CURRENT_MODE: list[Any] = []  # the mode propose() runs in, for solve_label


def phases(directory: Path) -> dict[str, Any]:
    """Run what ``match --dry-run --json`` runs, in this process, with phases timed."""
    t0 = time.perf_counter()
    timer = PhaseTimer()
    with timer.phase("import mentorctl.matching, numpy, sqlmodel ... (0 after the first size)"):
        from mentorctl.cli import match as cli_match
        from mentorctl.cli.state import State
        from mentorctl.matching import engine

        instrument(timer)
    try:
        ctx = SimpleNamespace(obj=State(program_location=directory, quiet=True))
        c = cli_match._open(ctx, None)
        try:
            inp = cli_match._input(c, None, None, None)
            _CURRENT_MODE[:] = [inp.mode or inp.program.matching.mode]
            proposal = engine.propose(inp)
        finally:
            c.roster.dispose()
        with (
            timer.phase("render: Proposal.as_json + json.dumps (to /dev/null)"),
            open(os.devnull, "w", encoding="utf-8") as null,
            contextlib.redirect_stdout(null),
        ):
            cli_match.render_proposal(proposal, c.known.people, True, True)
    finally:
        timer.restore()
    total = time.perf_counter() - t0
    timer.report(total)
    return proposal.summary


def profile(directory: Path, top: int = 15) -> None:
    from mentorctl.cli import match as cli_match
    from mentorctl.matching import engine

    inp = load_input(directory)
    prof = cProfile.Profile()
    prof.enable()
    engine.propose(inp)
    prof.disable()
    del cli_match
    for sort, label in (("tottime", "self time"), ("cumulative", "cumulative time")):
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats(sort).print_stats(top)
        lines = text.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"\ncProfile of engine.propose, top {top} by {label}:")
        for line in lines[start:]:
            if line.strip():
                print("  " + line.replace(str(Path(__file__).resolve().parent.parent) + "/", ""))


# --------------------------------------------------------------------------- main


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        a, _, b = part.strip().lower().partition("x")
        sizes.append((int(a.replace("_", "")), int(b.replace("_", ""))))
    return sizes


def verdict_line(name: str, value: float, target: float, unit: str, extra: str = "") -> bool:
    ok = value <= target
    shown = f"{value:.2f} {unit}"
    print(
        f"RESULT {name}: {shown} (target <= {target:g} {unit}) {'PASS' if ok else 'FAIL'}"
        + (f"  {extra}" if extra else ""),
        flush=True,
    )
    return ok


def bench_size(n_mentees: int, n_mentors: int, reps: int, args: argparse.Namespace) -> bool:
    label = f"{n_mentees}x{n_mentors}"
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-match-") as tmp:
        directory = Path(tmp)
        t = time.perf_counter()
        prepare(directory, n_mentees, n_mentors, args.mixed_capacity)
        cap = (
            f"default capacity {CAPACITY}, mixed" if args.mixed_capacity else f"capacity {CAPACITY}"
        )
        header(
            f"match {n_mentees:,} mentees x {n_mentors:,} mentors ({cap}, seed "
            f"{SEED}; generated + imported in {time.perf_counter() - t:.1f} s, untimed), "
            f"median of {reps}"
        )
        cmd = [script("mentorctl"), "-p", str(directory), "match", "--dry-run", "--json"]
        walls: list[float] = []
        rsss: list[int] = []
        solver: list[dict[str, Any]] = []
        for rep in range(reps):  # take turns; who goes first alternates
            steps = ("a", "b") if rep % 2 == 0 else ("b", "a")
            for step in steps:
                if step == "a":
                    wall, peak, _ = run_process(cmd, directory)
                    walls.append(wall)
                    rsss.append(peak)
                    print(
                        f"  run {rep + 1}: (a) mentorctl match  {wall:7.2f} s  {gb(peak)}",
                        flush=True,
                    )
                else:
                    data = run_solver_child(directory)
                    solver.append(data)
                    print(
                        f"  run {rep + 1}: (b) bare solver     {data['solve_s']:7.2f} s"
                        f"  (matrix {data['matrix_s']:.2f} s, load {data['load_s']:.2f} s)",
                        flush=True,
                    )
        wall = median(walls)
        peak = max(rsss)
        solve = median([d["solve_s"] for d in solver])
        matrix = median([d["matrix_s"] for d in solver])
        d = solver[0]
        ratio = wall / solve if solve > 0 else float("inf")
        print()
        print(
            f"  {wall:8.2f} s  {gb(peak)}  (a) mentorctl -p DIR match --dry-run --json > /dev/null"
        )
        print(
            f"  {solve:8.2f} s  {gb(d['peak_during_solve'])}  (b) solvers.solve_optimal_dense only "
            f"(peak RSS while solving; {gb(d['rss_before_solve']).strip()} before it, "
            f"{gb(d['process_maxrss']).strip()} for its whole process)"
        )
        print(f"  {matrix:8.2f} s             score_matrix + allowed_matrix + NaN matrix in (b)")
        print(f"  {ratio:8.2f} x             (a) / (b)")
        print(
            f"  {d['n_mentees']:,} mentees, {d['n_mentors']:,} mentors, "
            f"{d['n_eligible']:,} eligible pairs "
            f"({d['n_eligible'] / (d['n_mentees'] * d['n_mentors']):.0%}); "
            f"solver matched {d['matched']:,}, total score {d['total']:.3f}"
            f" (maximize_matches={d['maximize_matches']})"
        )
        ok = True
        time_target, mem_target = TARGETS.get((n_mentees, n_mentors), (None, None))
        if time_target is not None:
            ok &= verdict_line(
                f"match[{label}] end to end", wall, time_target, "s",
                f"{ratio:.1f}x the bare solver ({solve:.2f} s), peak {peak / GB:.2f} GB",
            )  # fmt: skip
        else:
            print(f"RESULT match[{label}] end to end: {wall:.2f} s, {ratio:.1f}x the bare solver "
                  f"(no target)")  # fmt: skip
        if mem_target is not None:
            ok &= verdict_line(f"match[{label}] peak RSS", peak / GB, mem_target / GB, "GB")

        if not args.no_phases:
            header(f"where the time goes ({label}): phases of one in-process run, no profiler")
            try:
                summary = phases(directory)
            except Exception as exc:  # the core API moved: say so, keep the benchmark useful
                print(f"  (phase breakdown unavailable: {type(exc).__name__}: {exc})")
            else:
                if summary.get("matched") != d["matched"]:
                    print(
                        f"  NOTE: propose matched {summary.get('matched')}, the bare solver "
                        f"{d['matched']}: the baseline no longer mirrors the engine"
                    )
                print(
                    f"  propose: matched {summary.get('matched')}, "
                    f"total {summary.get('total_score')}"
                    f"; greedy matched {summary.get('greedy_matched')}, total "
                    f"{summary.get('greedy_total_score')}; {summary.get('unmatched')} unmatched"
                )
        if args.profile:
            profile(directory)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 2000x400, one run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--sizes", help=f"MENTEESxMENTORS,... (default {DEFAULT_SIZES})")
    parser.add_argument("--reps", type=int, help="timed runs per size (default 3, large 2)")
    parser.add_argument("--no-phases", action="store_true", help="skip the phase breakdown")
    parser.add_argument(
        "--mixed-capacity",
        action="store_true",
        help=f"keep the generator's per-mentor capacities (default {CAPACITY} for the rest)",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile engine.propose")
    parser.add_argument("--solver-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.solver_child is not None:
        return solver_child(args.solver_child)

    sizes = parse_sizes(args.sizes or ("2000x400" if args.quick else DEFAULT_SIZES))
    ok = True
    for n_mentees, n_mentors in sizes:
        if args.reps is not None:
            reps = args.reps
        elif args.quick:
            reps = 1
        else:
            reps = 3 if n_mentees * n_mentors <= 2_000_000 else 2
        ok &= bench_size(n_mentees, n_mentors, reps, args)
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
