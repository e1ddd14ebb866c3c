"""Report: ``mentorctl report --json`` on 10,000 participants and 200,000 meetings.

The roster is built fast with bulk SQL inserts (not timed): 2,000 mentors and 8,000
mentees, every mentee in an active match (4 per mentor), 25 meetings per match
(200,000), two check-ins and one goal per mentee, an HR row per person, and a closed
previous cycle with 2,000 matches, so the comparison with it is part of the work.

It times, taking turns, the whole process ``mentorctl -p DIR report --json`` and the
baseline ``mentorctl --version`` (Python start-up and the CLI's imports) in the same run,
and reports the work beyond start-up: median(report) - median(--version). Target: at
most 2 s. The greedy baseline is not recomputed at this size (16 million candidate pairs,
above ``reports.GREEDY_MAX_PAIRS``): the report says so in ``greedy_note``.

Run: ``python benchmarks/bench_report.py [--quick] [--strict] [--phases]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clean_env, header, interleaved, median, ms, script

TARGET_S = 2.0
SEED = 2027
N_MENTORS, N_MENTEES, MEETINGS_PER_MATCH = 2_000, 8_000, 25
TODAY = "2027-06-28"
SKILLS = ("Python", "SQL", "Leadership", "Writing", "Design", "Go", "Rust", "Sales")
DEPTS = ("Engineering", "Sales", "Operations", "Finance", "People", "Legal", "Marketing")

PROGRAM = """\
version: 1
name: Benchmark Program
slug: bench-report
format: group
cycle: {name: 2027-h1, start: 2027-01-11, length_weeks: 26, cadence: biweekly}
capacity: {default: 4, maximum: 8}
survey:
  questions:
    - {id: skills_wanted, label: Skills wanted, type: multiple_choice, asked_of: mentees,
       options: [Python, SQL, Leadership, Writing, Design, Go, Rust, Sales]}
    - {id: skills_offered, label: Skills offered, type: multiple_choice, asked_of: mentors,
       options: [Python, SQL, Leadership, Writing, Design, Go, Rust, Sales]}
    - {id: preferred_mentors, label: Preferred mentors, type: email_list, asked_of: mentees}
matching:
  criteria:
    - {name: skills, kind: overlap, mentee: skills_wanted, mentor: skills_offered}
"""


def build(directory: Path) -> Path:
    """program.yaml and a migrated roster.db filled with bulk inserts."""
    from mentorctl.roster.db import default_url, open_roster

    (directory / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    open_roster(default_url(directory)).dispose()  # create + migrate
    db = directory / "roster.db"
    rng = random.Random(SEED)
    now = "2027-01-01 09:00:00.000000"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "insert into program (id, slug, name, created_at) values (1, 'bench-report', "
            "'Benchmark Program', ?)",
            (now,),
        )
        conn.executemany(
            "insert into cycle (id, program_id, name, start, end, status, created_at) "
            "values (?, 1, ?, ?, ?, ?, ?)",
            [
                (1, "2026-h2", "2026-07-06", "2027-01-04", "closed", now),
                (2, "2027-h1", "2027-01-11", "2027-07-12", "open", now),
            ],
        )
        people = []
        for i in range(N_MENTORS + N_MENTEES):
            mentor = i < N_MENTORS
            answers = (
                {"skills_offered": rng.sample(SKILLS, 2)}
                if mentor
                else {
                    "skills_wanted": rng.sample(SKILLS, 2),
                    "preferred_mentors": [f"p{rng.randrange(N_MENTORS):05d}@example.com"],
                }
            )
            people.append(
                (
                    i + 1,
                    f"p{i:05d}@example.com",
                    f"Person {i}",
                    "mentor" if mentor else "mentee",
                    DEPTS[i % len(DEPTS)],
                    json.dumps(answers),
                    now,
                )
            )
        conn.executemany(
            "insert into participant (id, program_id, email, name, role, department, languages,"
            " answers, active, created_at, updated_at) "
            "values (?, 1, ?, ?, ?, ?, '[]', ?, 1, ?, ?)",
            [(*p, now) for p in people],
        )
        matches = []
        for j in range(N_MENTEES):
            mentee = N_MENTORS + j + 1
            mentor = j // 4 + 1
            matches.append((j + 1, 2, mentor, mentee, "active", "2027-01-11 09:00:00"))
        for j in range(N_MENTORS):  # the previous cycle: 2,000 ended matches
            mentor = j + 1
            mentee = N_MENTORS + (j * 4 + 1) % N_MENTEES + 1
            matches.append((N_MENTEES + j + 1, 1, mentor, mentee, "ended", "2026-07-06 09:00:00"))
        conn.executemany(
            "insert into match (id, cycle_id, mentor_id, mentee_id, score, explanation, status,"
            " locked, created_at, started_at) values (?, ?, ?, ?, 0.5, '{}', ?, 0, ?, ?)",
            [(*m[:5], now, m[5]) for m in matches],
        )
        start = dt.date(2027, 1, 11)
        meetings = []
        for j in range(N_MENTEES):
            skip = rng.random() < 0.2  # a fifth of pairs stop meeting early
            for k in range(MEETINGS_PER_MATCH):
                day = start + dt.timedelta(days=(k * 7 if not skip else k * 2) % 168)
                meetings.append((j + 1, day.isoformat(), rng.choice((30, 45, 60, 90)), now))
        conn.executemany(
            "insert into meeting (match_id, date, minutes, created_at) values (?, ?, ?, ?)",
            meetings,
        )
        checkins = []
        for j in range(N_MENTEES):
            mentee = N_MENTORS + j + 1
            for day in ("2027-03-01", "2027-05-03"):
                checkins.append((j + 1, mentee, day, rng.randint(1, 5), rng.randint(0, 10), now))
        conn.executemany(
            "insert into checkin (match_id, participant_id, date, satisfaction, recommend,"
            " created_at) values (?, ?, ?, ?, ?, ?)",
            checkins,
        )
        statuses = ("not-started", "in-progress", "achieved", "dropped")
        conn.executemany(
            "insert into goal (participant_id, cycle_id, title, status, progress, created_at,"
            " updated_at) values (?, 2, 'Grow', ?, ?, ?, ?)",
            [
                (N_MENTORS + j + 1, statuses[j % 4], (j % 5) * 25, now, now)
                for j in range(N_MENTEES)
            ],
        )
        conn.executemany(
            "insert into hr_record (program_id, email, employed, left_date, promotion_date,"
            " updated_at) values (1, ?, ?, ?, ?, ?)",
            [
                (
                    p[1],
                    0 if i % 17 == 0 else 1,
                    "2027-04-01" if i % 17 == 0 else None,
                    "2027-03-01" if i % 11 == 0 else None,
                    now,
                )
                for i, p in enumerate(people)
            ],
        )
    conn.close()
    return db


def check_output(directory: Path) -> dict:
    proc = subprocess.run(
        [script("mentorctl"), "-p", str(directory), "report", "--json", "--today", TODAY],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    return json.loads(proc.stdout)


def phases(directory: Path) -> None:
    """Where the time goes, in this process."""
    t0 = time.perf_counter()
    from mentorctl import reports
    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster

    t1 = time.perf_counter()
    program = load_program(directory)
    roster = open_roster(default_url(directory))
    t2 = time.perf_counter()
    with roster.session() as s:
        report = reports.build_report(s, program, as_of=dt.date.fromisoformat(TODAY))
    t3 = time.perf_counter()
    json.dumps(report.as_json(), default=str)
    t4 = time.perf_counter()
    roster.dispose()
    for name, sec in (
        ("import modules", t1 - t0),
        ("load program + open roster", t2 - t1),
        ("build_report", t3 - t2),
        ("as_json + dumps", t4 - t3),
    ):
        print(f"  {ms(sec)}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed run instead of five")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--phases", action="store_true", help="time the phases in-process")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="mentorctl-bench-report-") as tmp:
        directory = Path(tmp)
        t = time.perf_counter()
        build(directory)
        print(f"built the roster in {time.perf_counter() - t:.1f} s (not timed)")
        data = check_output(directory)
        held = data["engagement"]["meetings_held"]
        enrolled = data["participation"]["enrolled"]
        if enrolled != N_MENTORS + N_MENTEES or held != N_MENTEES * MEETINGS_PER_MATCH:
            raise SystemExit(f"unexpected report: {enrolled} enrolled, {held} meetings held")
        header(
            f"report --json: {enrolled:,} participants, {held:,} meetings, "
            f"whole process, median of {reps}"
        )
        baseline = "baseline: mentorctl --version (start-up)"
        subject = "mentorctl -p DIR report --json"
        cmds = {
            baseline: [script("mentorctl"), "--version"],
            subject: [
                script("mentorctl"),
                "-p",
                str(directory),
                "report",
                "--json",
                "--today",
                TODAY,
            ],
        }
        times = interleaved(cmds, reps, cwd=directory)
        base = median(times[baseline])
        for name, ts in times.items():
            print(f"  {ms(median(ts))}  {name}")
        work = median(times[subject]) - base
        ok = work <= TARGET_S
        print(
            f"RESULT report[10k people, 200k meetings]: {work:.2f} s beyond start-up "
            f"(target <= {TARGET_S:g} s) {'PASS' if ok else 'FAIL'}  "
            f"({median(times[subject]) / base:.1f}x the start-up)",
            flush=True,
        )
        if args.phases:
            header("phases, in-process")
            phases(directory)
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
