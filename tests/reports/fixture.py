"""A hand-computed roster: people, matches, meetings, goals, check-ins and HR rows with
known numbers, for testing every report figure (the expected values are worked out in
tests/reports/test_reports.py, next to each assertion).

:func:`build_roster` inserts it into any roster URL (SQLite or PostgreSQL);
:func:`build_fixture_program` also writes the program directory and, optionally, the HTML
report (scripts/screenshot_report.py uses it for its demo).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

D = dt.date
AS_OF = D(2027, 4, 5)  # day 84 of the current cycle: six fortnights

PROGRAM_YAML = """\
version: 1
name: Report Fixture
slug: report-fixture
format: group
cycle:
  name: 2027-h1
  start: 2027-01-11
  length_weeks: 26
  cadence: biweekly
capacity:
  default: 1
  maximum: 4
survey:
  questions:
    - id: skills_wanted
      label: Skills wanted
      type: multiple_choice
      options: [Python, SQL, Leadership, Writing, Design]
      asked_of: mentees
    - id: skills_offered
      label: Skills offered
      type: multiple_choice
      options: [Python, SQL, Leadership, Writing, Design]
      asked_of: mentors
    - id: preferred_mentors
      label: Preferred mentors
      type: email_list
      asked_of: mentees
matching:
  criteria:
    - {name: skills, kind: overlap, mentee: skills_wanted, mentor: skills_offered}
  constraints:
    management_chain: 0
    min_score: 0.1
report:
  min_group_size: 3
"""

# email stem: (role, department, capacity, wanted, offered, preferred, created, active)
PEOPLE: dict[str, tuple] = {
    "b1": ("both", "Engineering", 1, ["Leadership"], ["Writing"], [], D(2026, 6, 1), True),
    "m1": ("mentor", "Engineering", 1, [], ["Python", "SQL"], [], D(2026, 6, 1), True),
    "m2": ("mentor", "Engineering", 2, [], ["Leadership"], [], D(2026, 6, 1), True),
    "m3": ("mentor", "Sales", 1, [], ["Python"], [], D(2026, 6, 1), True),
    "m4": ("mentor", "Operations", 1, [], ["Writing"], [], D(2026, 6, 1), True),
    "e1": ("mentee", "Engineering", None, ["Python"], [], ["m1"], D(2026, 6, 1), True),
    "e2": ("mentee", "Engineering", None, ["Leadership"], [], ["m2", "m1"], D(2026, 6, 1), True),
    "e3": ("mentee", "Sales", None, ["Writing"], [], [], D(2026, 6, 1), True),
    "e4": ("mentee", "Sales", None, ["Design"], [], [], D(2026, 6, 1), True),
    "e5": ("mentee", "Operations", None, ["SQL"], [], ["m1"], D(2026, 6, 1), True),
    "e6": ("mentee", "HR", None, ["Leadership"], [], [], D(2026, 6, 1), True),
    "z1": ("mentee", "Sales", None, ["Design"], [], [], D(2027, 3, 1), True),  # joined late
    "w1": ("mentee", "Sales", None, ["Python"], [], [], D(2026, 6, 1), False),  # withdrew
}


def email(stem: str) -> str:
    return f"{stem}@example.com"


# name: (cycle, mentor, mentee, score, status, started, ended)
MATCHES: dict[str, tuple] = {
    "M1": ("cur", "m1", "e5", 1.0, "active", D(2027, 1, 4), None),
    "M2": ("cur", "m3", "e1", 1.0, "active", D(2027, 1, 4), None),
    "M3": ("cur", "m2", "e2", 1.0, "active", D(2027, 1, 4), None),
    "M4": ("cur", "m2", "b1", 1.0, "active", D(2027, 1, 4), None),
    "M5": ("cur", "b1", "e3", 1.0, "active", D(2027, 2, 8), None),
    "M6": ("cur", "m4", "e6", 0.0, "ended", D(2027, 1, 11), D(2027, 3, 1)),
    "R1": ("cur", "m4", "e4", 0.0, "rejected", None, None),  # never counted
    "X1": ("cur", "m3", "e4", 0.0, "proposed", None, None),  # never counted
    "P1": ("prev", "m3", "w1", 0.5, "ended", D(2026, 7, 6), D(2027, 1, 4)),
    "P2": ("prev", "m2", "e6", 1.0, "ended", D(2026, 7, 6), D(2027, 1, 4)),
}

# match: [(date, minutes)]
MEETINGS: dict[str, list[tuple[dt.date, int]]] = {
    "M1": [
        (D(2027, 1, 18), 60),
        (D(2027, 2, 1), 60),
        (D(2027, 2, 15), 60),
        (D(2027, 3, 1), 60),
        (D(2027, 3, 15), 60),
        (D(2027, 3, 29), 60),
    ],
    "M2": [(D(2027, 1, 20), 30), (D(2027, 2, 3), 30), (D(2027, 2, 17), 30)],
    "M3": [(D(2027, 1, 25), 45), (D(2027, 2, 22), 45), (D(2027, 3, 8), 45), (D(2027, 3, 22), 45)],
    "M4": [
        (D(2027, 1, 15), 90),
        (D(2027, 2, 1), 90),
        (D(2027, 2, 15), 90),
        (D(2027, 3, 1), 90),
        (D(2027, 3, 30), 90),
    ],
    "M5": [(D(2027, 2, 15), 60), (D(2027, 3, 20), 60), (D(2027, 4, 20), 60)],  # last: after AS_OF
    "M6": [(D(2027, 1, 25), 30)],
    "P1": [(D(2026, 8, 3), 60), (D(2026, 8, 17), 60)],
}

# (match, respondent stem or None, date, satisfaction, recommend)
CHECKINS: list[tuple] = [
    ("M1", "e5", D(2027, 2, 1), 3, 6),
    ("M1", "e5", D(2027, 3, 1), 5, 10),
    ("M1", "m1", D(2027, 3, 1), 4, 9),
    ("M1", None, D(2027, 3, 10), 4, None),
    ("M2", "e1", D(2027, 3, 1), 4, 8),
    ("M3", "e2", D(2027, 3, 1), 2, 3),
    ("M4", "b1", D(2027, 3, 15), 5, 9),
    ("M4", "m2", D(2027, 3, 15), 4, 7),
    ("M5", "e3", D(2027, 3, 20), 3, 7),
    ("M5", "e3", D(2027, 4, 10), 1, 0),  # after AS_OF: ignored
    ("M6", "e6", D(2027, 2, 15), 1, 2),
]

# (owner, cycle, title, status, progress)
GOALS: list[tuple] = [
    ("e1", "cur", "Write Python services", "in-progress", 50),
    ("e2", "cur", "Lead a project", "achieved", 100),
    ("e3", "cur", "Publish a blog post", "not-started", 0),
    ("e5", "cur", "Tune SQL queries", "achieved", 100),
    ("e5", "cur", "Learn dbt", "dropped", 20),
    ("b1", "cur", "Run a team meeting", "in-progress", 30),
]

# email: (employed, left_date, promotion_date)
HR: dict[str, tuple] = {
    email("e1"): (True, None, D(2027, 2, 1)),
    email("e2"): (True, None, None),
    email("e3"): (False, D(2027, 3, 15), None),
    email("e5"): (True, None, D(2026, 12, 1)),  # before the cycle: not counted
    email("e6"): (True, None, None),
    email("b1"): (True, None, D(2027, 4, 20)),  # after AS_OF: not counted
    email("m1"): (True, None, None),
    email("m2"): (True, None, D(2027, 3, 1)),
    email("m3"): (True, None, None),
    email("m4"): (True, None, None),
    email("e4"): (True, None, None),
    email("z1"): (True, None, None),
    email("w1"): (False, D(2027, 2, 1), None),
    "n01@example.com": (False, D(2027, 5, 1), None),  # leaves after AS_OF: retained
    "n02@example.com": (False, None, None),  # left, date unknown
    "n03@example.com": (True, None, D(2027, 3, 10)),
    **{f"n0{i}@example.com": (True, None, None) for i in range(4, 10)},
    "x1@example.com": (False, D(2026, 12, 1), None),  # left before the cycle: left out
}


def build_roster(url: str) -> dict[str, int]:
    """Insert the fixture into the roster at ``url``; returns match name -> id."""
    from mentorctl.program import parse_program
    from mentorctl.roster.db import open_roster
    from mentorctl.roster.models import (
        Checkin,
        CycleRow,
        Goal,
        HrRecord,
        MatchRow,
        Meeting,
        Participant,
    )
    from mentorctl.roster.participants import ensure_program

    program = parse_program(PROGRAM_YAML)
    roster = open_roster(url)
    ids: dict[str, int] = {}
    try:
        with roster.session(write=True) as s:
            prow = ensure_program(s, program)
            assert prow.id is not None
            cycles = {
                "prev": CycleRow(
                    program_id=prow.id,
                    name="2026-h2",
                    start=D(2026, 7, 6),
                    end=D(2027, 1, 4),
                    status="closed",
                    closed_at=dt.datetime(2027, 1, 5),
                ),
                "cur": CycleRow(
                    program_id=prow.id, name="2027-h1", start=D(2027, 1, 11), end=D(2027, 7, 12)
                ),
            }
            s.add_all(cycles.values())
            s.flush()
            people = {}
            for stem, (role, dept, cap, wanted, offered, pref, created, active) in PEOPLE.items():
                answers = {}
                if wanted:
                    answers["skills_wanted"] = wanted
                if offered:
                    answers["skills_offered"] = offered
                if pref:
                    answers["preferred_mentors"] = [email(p) for p in pref]
                p = Participant(
                    program_id=prow.id,
                    email=email(stem),
                    name=f"Person {stem.upper()}",
                    role=role,
                    department=dept,
                    capacity=cap,
                    answers=answers,
                    active=active,
                    created_at=dt.datetime.combine(created, dt.time(9)),
                )
                s.add(p)
                people[stem] = p
            s.flush()
            for name, (cyc, mentor, mentee, score, status, started, ended) in MATCHES.items():
                m = MatchRow(
                    cycle_id=cycles[cyc].id,
                    mentor_id=people[mentor].id,
                    mentee_id=people[mentee].id,
                    score=score,
                    status=status,
                    explanation={"criteria": {"skills": score}, "reasons": []},
                    started_at=dt.datetime.combine(started, dt.time(9)) if started else None,
                    ended_at=dt.datetime.combine(ended, dt.time(9)) if ended else None,
                )
                s.add(m)
                s.flush()
                ids[name] = m.id or 0
            for name, rows in MEETINGS.items():
                s.add_all(Meeting(match_id=ids[name], date=d, minutes=n) for d, n in rows)
            for name, who, day, sat, rec in CHECKINS:
                s.add(
                    Checkin(
                        match_id=ids[name],
                        participant_id=people[who].id if who else None,
                        date=day,
                        satisfaction=sat,
                        recommend=rec,
                    )
                )
            for owner, cyc, title, status, progress in GOALS:
                s.add(
                    Goal(
                        participant_id=people[owner].id,
                        cycle_id=cycles[cyc].id,
                        title=title,
                        status=status,
                        progress=progress,
                    )
                )
            for addr, (employed, left, promo) in HR.items():
                s.add(
                    HrRecord(
                        program_id=prow.id,
                        email=addr,
                        employed=employed,
                        left_date=left,
                        promotion_date=promo,
                    )
                )
    finally:
        roster.dispose()
    return ids


def build_fixture_program(directory: Path, html: Path | None = None) -> Path:
    """Write program.yaml and roster.db into ``directory``; optionally the HTML report."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "program.yaml").write_text(PROGRAM_YAML, encoding="utf-8")
    build_roster(f"sqlite:///{directory / 'roster.db'}")
    if html is not None:
        from mentorctl.cli import app

        app(
            [
                "-p",
                str(directory),
                "-q",
                "report",
                "--today",
                AS_OF.isoformat(),
                "--all-cycles",
                "--html",
                str(html),
            ],
            prog_name="mentorctl",
            standalone_mode=False,
        )
    return directory
