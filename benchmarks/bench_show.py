"""Show and explain: ``participants show`` and ``explain`` against start-up and plain SQL.

Two generated programs, imported once and not timed: 2,000 mentors and 8,000 mentees
for ``participants show``, and 400 x 2,000 matched for real (``mentorctl match``) for
``explain`` (100 x 500 for both under ``--quick``). Then, taking turns, as whole
processes:

* subjects: ``participants show EMAIL --json``; ``explain MENTEE MENTOR --json`` (a
  proposed pair); ``explain MENTEE --json`` (an unmatched mentee: every mentor scored,
  and the relaxations that would place them);
* start-up: ``mentorctl --version`` (Python, Typer and mentorctl's CLI);
* baseline: start-up and program.yaml, which every command reads before the roster
  (``python -c``: import the CLI package, ``load_program``: the schema's pydantic
  models and the YAML);
* floor: the same rows read with plain ``sqlite3`` in ``python -c`` (the person; the
  pair, their managers and their matches; every mentor, the mentee and the cycle's
  placed pairs), JSON columns decoded.

Targets (issue 13, item 4: read commands build no ORM object and import nothing they do
not use), on CPU time (the steadier number on a shared machine; wall clock printed
beside it), against the baseline: ``show`` within 1.3x, ``explain`` of a pair within 2x
and of a mentee within 2.5x (explain scores with NumPy). Beside each ratio: the ratio to
``--version`` alone, and the command's work beyond the baseline against the plain
query's beyond ``python -c pass``.

Run: ``python benchmarks/bench_show.py [--quick] [--strict]``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, interleaved, median, ms, parse_args, result, script
from generate import generate_program

SEED = 2027
TARGETS = {"show": 1.3, "explain pair": 2.0, "explain mentee": 2.5}
LOAD = (
    "import sys, pathlib, mentorctl.cli; from mentorctl.program import load_program; "
    "load_program(pathlib.Path(sys.argv[1]))"
)

_PEOPLE = (
    "email, name, role, department, title, level, manager_email, location, timezone, "
    "languages, tenure_months, years_experience, capacity, answers"
)
# The rows each command reads, with plain sqlite3 (argv: roster, mentee, mentor).
SQL_SHOW = (
    "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
    f"r=c.execute('select id, {_PEOPLE}, active from participant where email=?', "
    "(sys.argv[2],)).fetchone(); "
    "sys.stdout.write(json.dumps([r[:10], json.loads(r[10]), r[11:14], json.loads(r[14])]))"
)
SQL_PAIR = (
    "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); q='select "
    f"{_PEOPLE} from participant where email=? and active=1 and forgotten_at is null'; "
    "people=[c.execute(q,(e,)).fetchone() for e in sys.argv[2:4]]; "
    "[json.loads(p[13]) for p in people]; "
    "bosses=[c.execute(q,(p[6],)).fetchone() for p in people if p[6]]; "
    "pairs=c.execute('select m.status from match m join participant a on a.id=m.mentor_id "
    "join participant b on b.id=m.mentee_id where a.email=? and b.email=?', "
    "(sys.argv[3], sys.argv[2])).fetchall(); sys.stdout.write(str(len(pairs)))"
)
SQL_MENTEE = (
    "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
    f"rows=c.execute('select {_PEOPLE} from participant where active=1 and "
    "forgotten_at is null and (role<>? or email=?)', ('mentee', sys.argv[2])).fetchall(); "
    "[json.loads(r[13]) for r in rows]; "
    "pairs=c.execute('select a.email, b.email from match m join participant a on "
    "a.id=m.mentor_id join participant b on b.id=m.mentee_id where m.status in "
    "(?, ?)', ('proposed', 'active')).fetchall(); sys.stdout.write(str(len(pairs)))"
)


def _program(directory: Path, mentors: int, mentees: int, *, matched: bool) -> None:
    gen = generate_program(directory, mentors, mentees, SEED)
    mentorctl = script("mentorctl")
    run = {"cwd": directory, "env": clean_env(), "check": True}
    subprocess.run([mentorctl, "-q", "-p", ".", "participants", "import",
                    gen.participants_csv.name], **run)  # type: ignore[arg-type]  # fmt: skip
    if matched:
        subprocess.run([mentorctl, "-q", "-p", ".", "match"], stdout=subprocess.DEVNULL, **run)  # type: ignore[arg-type]


def _someone(db: Path) -> str:
    """Someone half way down the roster, to show."""
    with sqlite3.connect(db) as conn:
        people = conn.execute("select email from participant order by id").fetchall()
    return str(people[len(people) // 2][0])


def _who(db: Path) -> tuple[str, str, str]:
    """(a proposed pair's mentee and mentor, an unmatched mentee) of a matched roster."""
    with sqlite3.connect(db) as conn:
        mentor, mentee = conn.execute(
            "select a.email, b.email from match m join participant a on a.id = m.mentor_id "
            "join participant b on b.id = m.mentee_id order by m.id limit 1"
        ).fetchone()
        alone = conn.execute(
            "select email from participant where role = 'mentee' and id not in "
            "(select mentee_id from match) order by email limit 1"
        ).fetchone()
    return mentee, mentor, (alone or (mentee,))[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    big, small, reps = (
        ((100, 500), (100, 500), 1) if args.quick else ((2_000, 8_000), (400, 2_000), 5)
    )
    py, mentorctl = sys.executable, script("mentorctl")
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-") as tmp:
        shown_dir, explained_dir = Path(tmp) / "show", Path(tmp) / "explain"
        if args.quick:
            _program(explained_dir, *small, matched=True)
            shown_dir = explained_dir
        else:
            _program(shown_dir, *big, matched=False)
            _program(explained_dir, *small, matched=True)
        person = _someone(shown_dir / "roster.db")
        mentee, mentor, alone = _who(explained_dir / "roster.db")
        s_db, e_db = str(shown_dir / "roster.db"), str(explained_dir / "roster.db")
        n_show = sum(big) if not args.quick else sum(small)
        header(
            f"participants show ({n_show:,} people) and explain ({small[0]:,} mentors x "
            f"{small[1]:,} mentees); whole process, median of {reps}"
        )
        cmds = {
            "start-up: mentorctl --version": [mentorctl, "--version"],
            "python -c pass": [py, "-c", "pass"],
            "baseline: CLI package and program.yaml": [py, "-c", LOAD, str(shown_dir)],
            "floor: show's row (python sqlite3)": [py, "-c", SQL_SHOW, s_db, person],
            "floor: the pair's rows (python sqlite3)": [py, "-c", SQL_PAIR, e_db, mentee, mentor],
            "floor: mentors and mentee (python sqlite3)": [py, "-c", SQL_MENTEE, e_db, alone],
            "show": [mentorctl, "-p", str(shown_dir), "participants", "show", person, "--json"],
            "explain pair": [mentorctl, "-p", str(explained_dir), "explain", mentee, mentor,
                             "--json"],
            "explain mentee": [mentorctl, "-p", str(explained_dir), "explain", alone, "--json"],
        }  # fmt: skip
        floors = {
            "show": "floor: show's row (python sqlite3)",
            "explain pair": "floor: the pair's rows (python sqlite3)",
            "explain mentee": "floor: mentors and mentee (python sqlite3)",
        }
        used: dict[str, list[float]] = {}
        times = {k: median(v) for k, v in interleaved(cmds, reps, cpu=used).items()}
        cpu = {k: median(v) for k, v in used.items()}
        for name, t in times.items():
            print(f"  {ms(t)}  (CPU {ms(cpu[name]).strip()})  {name}")
        start = cpu["start-up: mentorctl --version"]
        base = cpu["baseline: CLI package and program.yaml"]
        bare = cpu["python -c pass"]
        ok = True
        for name, target in TARGETS.items():
            work = cpu[name] - base
            floor = max(1e-3, cpu[floors[name]] - bare)
            size = f"{n_show} people" if name == "show" else f"{small[0]} x {small[1]}"
            ok &= result(
                f"{name} [{size}] vs start-up and program.yaml, CPU",
                cpu[name] / base,
                target,
                f"{cpu[name] / start:.2f}x mentorctl --version; {ms(work).strip()} of work "
                f"beyond them vs {ms(floor).strip()} for the plain sqlite3 query",
            )
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
