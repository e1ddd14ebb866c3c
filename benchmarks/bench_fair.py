"""Fair objective: ``objective: fair`` vs ``max-matches`` on the same matrix, and the price.

It generates the matching benchmark's program (:func:`bench_match.prepare`: capacity 5)
and imports it once (not timed), builds the candidate pairs as ``engine.propose`` does
(``scored.score_candidates``, untimed), then times, taking turns, in this process:

(a) the baseline: one ``max-matches`` solve (``scored.solve`` in optimal mode, the
    engine's entry point, its matrix rebuilt each time);
(b) one fair run (``fair.solve_fair``: its own max-matches solve, the flows of the
    threshold search and the final exact solve), what a ``fair`` program's match solves;
(c) the price a ``max-matches`` run adds (``fair.tradeoffs`` given the run's answer).

Targets: (b)/(a) at most 3 and (c)/(a) at most 2 (issue 12: "at most two extra solves").
It also checks that fair places as many mentees as max-matches with a lowest score at
least as high, and that its lowest score is the search's threshold: a failure is a bug
and exits 1.

Run: ``python benchmarks/bench_fair.py [--quick] [--strict]``. ``--quick`` runs 600 x 120,
one repetition, and prints the ratios without judging them (the targets are for 2,000 x
400).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import header, median, parse_args, result
from bench_match import load_input, prepare

TARGET_FAIR = 3.0  # (b)/(a)
TARGET_PRICE = 2.0  # (c)/(a)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    import numpy as np

    from mentorctl.enums import Mode, Objective
    from mentorctl.matching import constraints, fair, scored

    n_mentees, n_mentors, reps = (600, 120, 1) if args.quick else (2000, 400, 3)
    header(f"fair objective, {n_mentees} x {n_mentors}")
    with tempfile.TemporaryDirectory() as tmp:
        inp = load_input(prepare(Path(tmp), n_mentees, n_mentors))
    matching = inp.program.matching.model_copy(update={"objective": Objective.MAX_MATCHES})
    inp = replace(inp, program=inp.program.model_copy(update={"matching": matching}))
    mentors, mentees = scored.mentors_and_mentees(inp)
    capacity = np.array([constraints.capacity_of(inp.program, m) for m in mentors], dtype=np.int64)
    s = scored.score_candidates(inp, mentors, mentees, capacity)
    fair.solve_fair(replace(s, objective=None), inp)  # warm-up: SciPy's imports untimed
    times: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    base: list[tuple[int, int]] = []
    found: Any = None
    for rep in range(reps):
        for which in ("a", "b", "c") if rep % 2 == 0 else ("c", "b", "a"):
            fresh = replace(s, objective=None)
            start = time.perf_counter()
            if which == "a":
                base = scored.solve(Mode.OPTIMAL, fresh, inp)
            elif which == "b":
                found = fair.solve_fair(fresh, inp)
            else:
                fair.tradeoffs(fresh, inp, base or scored.solve(Mode.OPTIMAL, fresh, inp))
            times[which].append(time.perf_counter() - start)
    a, b, c = (median(times[k]) for k in "abc")
    own = np.round(s.raw, 6)
    low_base = min(own[i, j] for i, j in base)
    low_fair = min(own[i, j] for i, j in found.pairs)
    total_base = sum(own[i, j] for i, j in base)
    total_fair = sum(own[i, j] for i, j in found.pairs)
    print(f"(a) max-matches solve  {a * 1000:9.1f} ms  {len(base)} matched, lowest "
          f"{low_base:.3f}, total {total_base:.3f}")  # fmt: skip
    print(f"(b) fair               {b * 1000:9.1f} ms  {len(found.pairs)} matched, lowest "
          f"{low_fair:.3f}, total {total_fair:.3f}; {found.probes} exact solve(s) after "
          "the flows")  # fmt: skip
    print(f"(c) price of a run     {c * 1000:9.1f} ms  (fair search and final solve, given (a))")
    if len(found.pairs) != len(base) or low_fair < low_base or found.bottleneck != low_fair:
        print("RESULT fair check: fair lost a match or lowered the lowest score FAIL")
        return 1
    if args.quick:  # small sizes say little about the targets: printed, not judged
        for what, ratio in (("", b / a), (" price", c / a)):
            print(f"RESULT fair{what} {n_mentees}x{n_mentors}: {ratio:.2f}x of one max-matches "
                  "solve (no target at this size)")  # fmt: skip
        return 0
    ok = result(f"fair {n_mentees}x{n_mentors} (b)/(a)", b / a, TARGET_FAIR)
    ok &= result(f"fair price {n_mentees}x{n_mentors} (c)/(a)", c / a, TARGET_PRICE)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
