"""Matching: ``mentorctl match --dry-run --json`` end to end vs today's bare full solve.

For each size (mentees x mentors, every mentor with capacity 5) it generates a program
with :mod:`generate`, imports it once (not timed), then times, taking turns:

(a) the whole process ``mentorctl -p DIR match --dry-run --json > /dev/null``: wall time
    and the child's peak RSS (``os.wait4`` rusage, i.e. what ``/usr/bin/time -v`` shows);
(b) the baseline, in a separate process: the matrix the engine solves on
    (``scored.score_candidates`` + ``scored.solver_scores``, as ``engine.propose`` builds
    them), then ONLY ``solvers.solve_optimal_full(...)`` timed - the one min-cost flow
    over every eligible pair that ``solve_optimal_dense`` was until it learnt to work on
    a restricted set of pairs. That process also times the restricted solver on the same
    matrix and checks that both find the same number of matches and the same total
    (``RESULT ... optimum`` line; a difference is a bug and makes the benchmark exit 1).
(b2) the baseline as issue 13's table states it, a *bare solve process*: a fresh
    ``python -c`` that imports numpy and the solvers (OR-tools), loads the engine's
    matrix from a ``.npy`` file (written by (b)'s first run, untimed) and runs
    ``solvers.solve_optimal_full``: wall and CPU time of the whole process.

It prints the ratio (a)/(b) and (a)/(b2) with one ``RESULT`` line per target of issue 13
and baseline: at 2,000 x 400 the whole command within 1.5x; at 10,000 x 2,000 within
0.6x and at most 1.5 GB peak RSS (decimal gigabytes). With two sizes or more it prints the growth
exponent of (a) and (b) (time ~ cells^k). Then a phase breakdown of the command run in
this process (``engine.propose`` and its helpers wrapped with timers by monkeypatching;
nothing in the package is edited), with the restricted solver's own steps and rounds;
optionally a cProfile top 15.

Run: ``python benchmarks/bench_match.py [--quick] [--strict] [--sizes 2000x400,...]
[--reps N] [--no-phases] [--profile]``. ``--quick`` runs small sizes (600 x 120 and
1,500 x 300) once each, for CI: it checks that everything still runs and still agrees,
not the speed targets (those are printed but not judged at sizes they are not set for).
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
import math
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

from _common import clean_env, header, median, result, script
from generate import generate_program

SEED = 2027
CAPACITY = 5
DEFAULT_SIZES = "2000x400,10000x2000"
QUICK_SIZES = "600x120,1500x300"
# (mentees, mentors) -> (ratio (a)/(b) at most, bytes of peak RSS or None), issue 13.
TARGETS: dict[tuple[int, int], tuple[float, float | None]] = {
    (2_000, 400): (1.5, None),
    (10_000, 2_000): (0.6, 1.5e9),
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


def run_process(cmd: list[str], cwd: Path) -> tuple[float, int, str, float]:
    """Run ``cmd`` with stdout to /dev/null; (wall seconds, peak RSS bytes, stdout-less log,
    CPU seconds).

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
    return elapsed, usage.ru_maxrss * 1024, log, usage.ru_utime + usage.ru_stime


def run_solver_child(directory: Path, save: Path | None = None) -> dict[str, Any]:
    """(b): a fresh process builds the engine's matrix and times only the solver call;
    ``save``: also write that matrix for (b2), after the timed solve."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--solver-child", str(directory)]
    if save is not None:
        cmd += ["--save-matrix", str(save)]
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

    c = _open(State(program_location=directory, quiet=True), None)
    try:
        return _input(c, None, None, None)
    finally:
        c.roster.dispose()


#: (b2)'s whole program: start-up, imports, loading the matrix, the full solve.
BARE_SOLVE = """
import json, sys
import numpy as np
from mentorctl.matching import solvers
d = sys.argv[1]
meta = json.load(open(d + "/meta.json", encoding="utf-8"))
score = np.load(d + "/score.npy")
capacity = np.load(d + "/capacity.npy")
pairs = solvers.solve_optimal_full(meta["mentors"], meta["mentees"], capacity, score,
                                   meta["maximize"])
print(len(pairs), round(float(sum(score[i, j] for i, j in pairs)), 6))
"""


def run_bare_solve(saved: Path) -> tuple[float, float, int, str]:
    """(b2): (wall seconds, CPU seconds, peak RSS bytes, its output) of the bare solve."""
    cmd = [sys.executable, "-c", BARE_SOLVE, str(saved)]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=clean_env(), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bare solve failed:\n{text[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, text


def solver_child(directory: Path, save: Path | None = None) -> int:
    """Body of (b). Prints one ``SOLVER {json}`` line."""
    import numpy as np

    from mentorctl.enums import Objective
    from mentorctl.matching import constraints, scored, solvers

    t0 = time.perf_counter()
    inp = load_input(directory)
    program = inp.program
    mentors, mentees = scored.mentors_and_mentees(inp)
    capacity = np.array([constraints.capacity_of(program, m) for m in mentors], dtype=np.int64)
    t1 = time.perf_counter()
    # As engine.propose does it (no kept or locked pairs on a fresh roster).
    s = scored.score_candidates(inp, mentors, mentees, capacity)
    score = scored.solver_scores(s, inp)
    n_eligible = int(s.allowed.sum())
    s.raw = s.allowed = s.eligible = None  # type: ignore[assignment]  # only `score` is solved
    ids_m = [m["email"] for m in mentors]
    ids_e = [e["email"] for e in mentees]
    maximize = program.matching.objective is Objective.MAX_MATCHES
    t2 = time.perf_counter()

    stats = solvers.OptimalStats()
    gc.collect()
    reset_peak_rss()
    t3, c3 = time.perf_counter(), time.process_time()
    restricted = solvers.solve_optimal_dense(ids_m, ids_e, capacity, score, maximize, stats=stats)
    t4, c4 = time.perf_counter(), time.process_time()
    restricted_peak = peak_rss()

    gc.collect()
    before = rss()
    resettable = reset_peak_rss()
    t5, c5 = time.perf_counter(), time.process_time()
    pairs = solvers.solve_optimal_full(ids_m, ids_e, capacity, score, maximize)
    t6, c6 = time.perf_counter(), time.process_time()

    def value(found: list[tuple[int, int]]) -> tuple[int, float]:
        return len(found), round(float(sum(score[i, j] for i, j in found)), 6)

    if save is not None:  # for (b2), after everything timed here
        np.save(save / "score.npy", score)
        np.save(save / "capacity.npy", capacity)
        meta = {"mentors": ids_m, "mentees": ids_e, "maximize": maximize}
        (save / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    out = {
        "load_s": t1 - t0,
        "matrix_s": t2 - t1,
        "solve_s": t6 - t5,
        "solve_cpu": c6 - c5,
        "restricted_s": t4 - t3,
        "restricted_cpu": c4 - c3,
        "restricted_peak": restricted_peak if resettable else None,
        "rss_before_solve": before,
        "peak_during_solve": peak_rss() if resettable else None,
        "n_mentors": len(mentors),
        "n_mentees": len(mentees),
        "n_eligible": n_eligible,
        "matched": len(pairs),
        "total": value(pairs)[1],
        "restricted_matched": len(restricted),
        "restricted_total": value(restricted)[1],
        "rounds": stats.rounds,
        "pairs_solved": stats.pairs_solved,
        "pairs_eligible": stats.pairs_eligible,
        "added": stats.added,
        "steps": stats.seconds,
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
    from mentorctl.matching import constraints, engine, fair, matrix, scored, solvers

    def solve_label(mode: Any, *_: Any, **__: Any) -> str:
        # propose() solves a second time, greedily, only for the summary's baseline.
        baseline = mode is Mode.GREEDY and _CURRENT_MODE and _CURRENT_MODE[0] is not Mode.GREEDY
        return f"engine.solve({mode.value})" + (" = greedy baseline" if baseline else "")

    original_dense = solvers.solve_optimal_dense

    @functools.wraps(original_dense)
    def dense_with_stats(*args: Any, **kwargs: Any) -> Any:
        stats = solvers.OptimalStats()
        _OPTIMAL_STATS[:] = [stats]
        return original_dense(*args, **kwargs, stats=stats)

    solvers.solve_optimal_dense = dense_with_stats  # type: ignore[assignment]
    timer._undo.append((solvers, "solve_optimal_dense", original_dense))

    timer.wrap(engine, "propose", "engine.propose")
    timer.wrap(engine, "score_candidates", "scored.score_candidates")
    timer.wrap(matrix.PairScorer, "matrix", "scoring: matrix.PairScorer.matrix")
    timer.wrap(constraints, "allowed_matrix", "constraints.allowed_matrix")
    timer.wrap(engine, "solve", solve_label)
    timer.wrap(scored, "solver_scores", "scored.solver_scores (NaN matrix, built once)")
    timer.wrap(solvers, "solve_optimal_dense", "solvers.solve_optimal_dense (restricted + proof)")
    timer.wrap(solvers, "solve_greedy_dense", "solvers.solve_greedy_dense")
    timer.wrap(solvers, "solve_stable_dense", "solvers.solve_stable_dense")
    timer.wrap(engine, "_explained", "explanations: engine._explained (PairScorer.explain)")
    timer.wrap(engine, "_match", "engine._match (explain_pair, kept and locked)", track_peak=False)
    timer.wrap(fair, "tradeoffs", "fairness price: fair.tradeoffs")
    timer.wrap(fair, "solve_fair", "fair.solve_fair")
    timer.wrap(engine, "_unmatched", "unmatched reasons: engine._unmatched")
    timer.wrap(engine, "_why_none", "engine._why_none", track_peak=False)
    timer.wrap(engine, "supply_gaps", "supply gaps: engine.supply_gaps")
    timer.wrap(cli_match, "_open", "cli.match._open (program.yaml + roster)")
    timer.wrap(cli_match, "_input", "cli.match._input (MatchInput)")


_OPTIMAL_STATS: list[Any] = []  # the restricted solver's statistics of the last run
_CURRENT_MODE: list[Any] = []  # the mode propose() runs in, for solve_label


def phases(directory: Path) -> dict[str, Any]:
    """Run what ``match --dry-run --json`` runs, in this process, with phases timed."""
    t0 = time.perf_counter()
    timer = PhaseTimer()
    with timer.phase("import mentorctl.matching, numpy, sqlmodel ... (0 after the first size)"):
        from mentorctl.cli import match as cli_match
        from mentorctl.cli import proposing
        from mentorctl.cli.state import State
        from mentorctl.matching import engine

        instrument(timer)
    try:
        ctx = SimpleNamespace(obj=State(program_location=directory, quiet=True))
        c = cli_match._open(ctx.obj, None)
        try:
            inp = cli_match._input(c, None, None, None)
            _CURRENT_MODE[:] = [inp.mode or inp.program.matching.mode]
            proposal = engine.propose(inp)
            # What `match` does next, for unmatched people.
            with timer.phase("relaxations: cli.proposing.add_relaxations (matching.relax)"):
                proposing.add_relaxations(inp, proposal)
        finally:
            c.roster.dispose()
        with (
            timer.phase("render: Proposal.as_json + json.dumps (to /dev/null)"),
            open(os.devnull, "w", encoding="utf-8") as null,
            contextlib.redirect_stdout(null),
        ):
            proposing.render_proposal(proposal, c.known.people, True, True)
    finally:
        timer.restore()
    total = time.perf_counter() - t0
    timer.report(total)
    if _OPTIMAL_STATS:
        st = _OPTIMAL_STATS[0]
        steps = ", ".join(f"{k} {v:.3f} s" for k, v in st.seconds.items())
        print(
            f"  restricted solver: {st.rounds} round(s), pairs added after each {st.added}; "
            f"solved on {st.pairs_solved:,} of {st.pairs_eligible:,} eligible pairs "
            f"({st.pairs_solved / max(1, st.pairs_eligible):.1%}); {steps}"
        )
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


@dataclass
class Measured:
    """One size's medians, for the growth exponent."""

    cells: int
    wall: float
    solve: float
    cpu: float
    solve_cpu: float
    bare: float
    bare_cpu: float


def bench_size(
    n_mentees: int, n_mentors: int, reps: int, args: argparse.Namespace
) -> tuple[bool, bool, Measured]:
    """(targets met, optimum unchanged, medians) for one size."""
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
        cpus: list[float] = []
        rsss: list[int] = []
        solver: list[dict[str, Any]] = []
        bare: list[tuple[float, float, int, str]] = []
        saved = directory / "b2-matrix"
        saved.mkdir()
        for rep in range(reps):  # take turns; who goes first alternates
            steps = ("a", "b", "b2") if rep % 2 == 0 else ("b2", "b", "a")
            for step in steps:
                if step == "b2":
                    if not (saved / "meta.json").exists():
                        run_solver_child(directory, saved)  # untimed: writes the matrix
                    bare.append(run_bare_solve(saved))
                    b2_wall, b2_cpu, b2_peak, _ = bare[-1]
                    print(
                        f"  run {rep + 1}: (b2) bare solve process {b2_wall:6.2f} s  "
                        f"{gb(b2_peak)}  (CPU {b2_cpu:.2f} s)",
                        flush=True,
                    )
                    continue
                if step == "a":
                    wall, peak, _, cpu = run_process(cmd, directory)
                    walls.append(wall)
                    cpus.append(cpu)
                    rsss.append(peak)
                    print(
                        f"  run {rep + 1}: (a) mentorctl match      {wall:7.2f} s  {gb(peak)}"
                        f"  (CPU {cpu:.2f} s)",
                        flush=True,
                    )
                else:
                    first = not (saved / "meta.json").exists()
                    data = run_solver_child(directory, saved if first else None)
                    solver.append(data)
                    print(
                        f"  run {rep + 1}: (b) solve_optimal_full  {data['solve_s']:7.2f} s"
                        f"  {gb(data['peak_during_solve'])} while solving"
                        f" (CPU {data['solve_cpu']:.2f} s)"
                        f"  (restricted solver {data['restricted_s']:.2f} s; "
                        f"matrix {data['matrix_s']:.2f} s, load {data['load_s']:.2f} s)",
                        flush=True,
                    )
        wall = median(walls)
        peak = max(rsss)
        solve = median([d["solve_s"] for d in solver])
        restricted = median([d["restricted_s"] for d in solver])
        matrix = median([d["matrix_s"] for d in solver])
        d = solver[0]
        ratio = wall / solve if solve > 0 else float("inf")
        cpu = median(cpus)
        solve_cpu = median([d["solve_cpu"] for d in solver])
        cpu_ratio = cpu / solve_cpu if solve_cpu > 0 else float("inf")
        b2_wall = median([x[0] for x in bare])
        b2_cpu = median([x[1] for x in bare])
        b2_ratio = wall / b2_wall if b2_wall > 0 else float("inf")
        b2_cpu_ratio = cpu / b2_cpu if b2_cpu > 0 else float("inf")
        print()
        print(
            f"  {wall:8.2f} s  {gb(peak)}  (a) mentorctl -p DIR match --dry-run --json > /dev/null"
        )
        print(
            f"  {solve:8.2f} s  {gb(d['peak_during_solve'])}  (b) solvers.solve_optimal_full only "
            f"(peak RSS while solving; {gb(d['rss_before_solve']).strip()} before it, "
            f"{gb(d['process_maxrss']).strip()} for its whole process)"
        )
        print(
            f"  {restricted:8.2f} s  {gb(d['restricted_peak'])}  solvers.solve_optimal_dense "
            f"on the same matrix ({restricted / solve if solve else 0:.2f}x of (b)): "
            f"{d['rounds']} round(s), added {d['added']}, solved on {d['pairs_solved']:,} "
            f"pairs ({d['pairs_solved'] / max(1, d['pairs_eligible']):.1%} of the eligible)"
        )
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in d["steps"].items())
        print(f"  {'':8}             its steps (first run): {steps}")
        print(f"  {matrix:8.2f} s             score_candidates + solver_scores in (b)")
        print(
            f"  {b2_wall:8.2f} s  {gb(max(x[2] for x in bare))}  (b2) bare solve process: "
            f"python -c, numpy + solvers (OR-tools) imports, np.load, solve_optimal_full "
            f"(CPU {b2_cpu:.2f} s)"
        )
        print(f"  {ratio:8.2f} x             (a) / (b), wall clock")
        print(
            f"  {cpu_ratio:8.2f} x             (a) / (b), CPU time ({cpu:.2f} s vs "
            f"{solve_cpu:.2f} s; steadier than wall clock on a shared machine)"
        )
        print(f"  {b2_ratio:8.2f} x             (a) / (b2), wall clock")
        print(
            f"  {b2_cpu_ratio:8.2f} x             (a) / (b2), CPU time "
            f"({cpu:.2f} s vs {b2_cpu:.2f} s)"
        )
        print(
            f"  {d['n_mentees']:,} mentees, {d['n_mentors']:,} mentors, "
            f"{d['n_eligible']:,} eligible pairs "
            f"({d['n_eligible'] / (d['n_mentees'] * d['n_mentors']):.0%}); "
            f"full solve matched {d['matched']:,}, total {d['total']:.6f}; restricted "
            f"{d['restricted_matched']:,}, total {d['restricted_total']:.6f}"
            f" (maximize_matches={d['maximize_matches']})"
        )
        same = all(
            (x["matched"], x["total"]) == (x["restricted_matched"], x["restricted_total"])
            for x in solver
        ) and all(x[3] == f"{d['matched']} {d['total']}" for x in bare)
        print(
            f"RESULT match[{label}] optimum: restricted solver "
            f"{'equals' if same else 'DIFFERS FROM'} the full solve "
            f"({d['restricted_matched']} / {d['restricted_total']:.6f} vs "
            f"{d['matched']} / {d['total']:.6f}) {'PASS' if same else 'FAIL'}",
            flush=True,
        )
        ok = True
        ratio_target, mem_target = TARGETS.get((n_mentees, n_mentors), (None, None))
        # Issue 13's baseline is a bare solve *process* ((b2): "bare solve_optimal_dense
        # process, 13 s"; "bare solve process 0.75 s"): the target is judged on it; the
        # in-process solve (b) is printed beside it, for information.
        for name, r, base, base_cpu, r_cpu in (
            ("(b) the solver call alone, in-process", ratio, solve, solve_cpu, cpu_ratio),
            ("(b2) a bare solve process", b2_ratio, b2_wall, b2_cpu, b2_cpu_ratio),
        ):
            if ratio_target is not None and name.startswith("(b2)"):
                ok &= result(
                    f"match[{label}] end to end vs {name}", r, ratio_target,
                    f"{wall:.2f} s vs {base:.2f} s, peak {peak / GB:.2f} GB; "
                    f"CPU time {r_cpu:.2f}x ({cpu:.2f} s vs {base_cpu:.2f} s)",
                )  # fmt: skip
            else:
                why = "information" if ratio_target is not None else "no target at this size"
                print(
                    f"RESULT match[{label}] end to end vs {name}: {r:.2f}x ({wall:.2f} s vs "
                    f"{base:.2f} s; CPU time {r_cpu:.2f}x; {why})",
                    flush=True,
                )
        if mem_target is not None:
            ok &= verdict_line(f"match[{label}] peak RSS", peak / GB, mem_target / GB, "GB")

        if not args.no_phases:
            header(f"where the time goes ({label}): phases of one in-process run, no profiler")
            try:
                summary = phases(directory)
            except Exception as exc:  # the core API moved: say so, keep the benchmark useful
                print(f"  (phase breakdown unavailable: {type(exc).__name__}: {exc})")
                if args.quick:  # in CI a broken breakdown must be noticed
                    same = False
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
    return ok, same, Measured(n_mentees * n_mentors, wall, solve, cpu, solve_cpu, b2_wall, b2_cpu)


def growth(sizes: list[tuple[int, int]], measured: list[Measured]) -> None:
    """Exponent k of time ~ cells**k between the smallest and the largest size."""
    if len(measured) < 2:
        return
    lo, hi = min(measured, key=lambda m: m.cells), max(measured, key=lambda m: m.cells)
    if lo.cells == hi.cells:
        return
    span = math.log(hi.cells / lo.cells)
    header("growth")
    for name, a, b in (
        ("(a) mentorctl match, wall", lo.wall, hi.wall),
        ("(a) mentorctl match, CPU", lo.cpu, hi.cpu),
        ("(b) full solve, wall", lo.solve, hi.solve),
        ("(b) full solve, CPU", lo.solve_cpu, hi.solve_cpu),
        ("(b2) bare solve process, wall", lo.bare, hi.bare),
        ("(b2) bare solve process, CPU", lo.bare_cpu, hi.bare_cpu),
    ):
        k = math.log(b / a) / span if a > 0 and b > 0 else float("nan")
        print(f"  {name}: {a:.2f} s -> {b:.2f} s for {hi.cells / lo.cells:.0f}x the cells: "
              f"time ~ cells^{k:.2f}")  # fmt: skip
    del sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES}, one run")
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
    parser.add_argument("--save-matrix", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.solver_child is not None:
        return solver_child(args.solver_child, args.save_matrix)

    sizes = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
    ok = same = True
    measured: list[Measured] = []
    for n_mentees, n_mentors in sizes:
        if args.reps is not None:
            reps = args.reps
        elif args.quick:
            reps = 1
        else:
            reps = 3 if n_mentees * n_mentors <= 2_000_000 else 2
        size_ok, size_same, m = bench_size(n_mentees, n_mentors, reps, args)
        ok &= size_ok
        same &= size_same
        measured.append(m)
    growth(sizes, measured)
    if not same:
        return 1  # a wrong optimum is a bug, not a missed speed target
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
