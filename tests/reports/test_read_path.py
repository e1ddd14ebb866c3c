"""The report on the plain read path (roster/read.py): the same report through a plain
reader as through an ORM session, on SQLite and PostgreSQL; supply gaps counted per
distinct answer agree with the matching engine's; and the constants the report keeps to
avoid importing the ORM agree with their sources.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from mentorctl import reports
from mentorctl.program import Program, load_program, parse_program
from mentorctl.roster.db import open_roster
from mentorctl.roster.read import reading
from tests.conftest import Cli
from tests.reports.fixture import AS_OF, PROGRAM_YAML, build_roster

PROGRAM = parse_program(PROGRAM_YAML)


def test_plain_reader_and_orm_session_give_the_same_report(db_url: str) -> None:
    build_roster(db_url)
    options: dict[str, Any] = {"as_of": AS_OF, "all_cycles": True, "greedy": True}
    with reading(db_url) as db:
        plain = reports.build_report(db, PROGRAM, timeline=True, **options)
        earlier = reports.build_report(db, PROGRAM, cycle="2026-h2", **options)
    roster = open_roster(db_url)
    try:
        with roster.session() as s:
            orm = reports.build_report(s, PROGRAM, timeline=True, **options)
            orm_earlier = reports.build_report(s, PROGRAM, cycle="2026-h2", **options)
    finally:
        roster.dispose()
    assert plain.as_json() == orm.as_json()
    assert earlier.as_json() == orm_earlier.as_json()
    # Not vacuous: every part of the report has something in it.
    data = plain.as_json()
    assert data["match_quality"]["greedy"] is not None
    assert data["engagement"]["meetings_held"] > 0 and data["goals"]["set"] > 0
    assert data["satisfaction"]["respondents"] > 0 and data["outcomes"] is not None
    assert data["supply_gaps"] and data["health_timeline"] and len(data["trends"]) == 2


def test_close_outcomes_match_tracking() -> None:
    from mentorctl.reports.meetings import CLOSE_OUTCOMES
    from mentorctl.tracking.cycles import CLOSE_OUTCOMES as TRACKING

    assert CLOSE_OUTCOMES == TRACKING


# --------------------------------------------------------------------------- supply gaps


def _engine_gaps(program: Program, people: list[dict[str, Any]]) -> list[reports.Gap]:
    """The gaps as the matching engine counts them (what the report did before)."""
    import numpy as np

    from mentorctl.matching import constraints
    from mentorctl.matching.engine import Scored, is_mentee, is_mentor
    from mentorctl.matching.engine import supply_gaps as engine_gaps
    from mentorctl.reports.data import _people_dicts

    dicts = sorted(
        _people_dicts(p for p in people if p.get("forgotten_at") is None),
        key=lambda p: p["email"],
    )
    mentors = [p for p in dicts if is_mentor(p)]
    mentees = [p for p in dicts if is_mentee(p)]
    ineligible = {
        m["email"]: why
        for m in mentors
        if (why := constraints.mentor_ineligibility(program, m)) is not None
    }
    empty = np.zeros((0, 0))
    scored = Scored(mentors, mentees, np.zeros(0), empty, empty.astype(bool), ineligible)
    return [
        reports.Gap(g.criterion, g.item, g.wanted, g.offered, g.wanted - g.offered)
        for g in engine_gaps(program, scored)
    ]


@pytest.mark.parametrize("sample", ["onboarding", "engineering-group", "tech-circles"])
def test_supply_gaps_agree_with_the_engine_on_the_samples(tmp_path: Path, sample: str) -> None:
    from mentorctl.reports.data import load_people, people_columns, record_columns

    d = tmp_path / sample
    assert Cli(None, None)("init", str(d), "--from-sample", sample).exit_code == 0
    program = load_program(d)
    with reading(f"sqlite:///{d / 'roster.db'}") as db:
        narrow = list(load_people(db, 1, people_columns(program)).values())
        full = list(load_people(db, 1, record_columns()).values())
    gaps = reports.supply_gaps(program, narrow)
    assert gaps, "the samples all have gaps"
    assert gaps == _engine_gaps(program, full)


GAPS_PROGRAM = """\
version: 1
name: Gaps
slug: gaps
format: one-to-one
cycle: {name: c1, start: 2027-01-11, length_weeks: 26, cadence: monthly}
eligibility:
  mentor: {min_tenure_months: 6}
survey:
  questions:
    - {id: wanted, label: Wanted, type: multiple_choice, asked_of: mentees,
       options: [Python, SQL, Go, Any], any_option: Any}
    - {id: offered, label: Offered, type: multiple_choice, asked_of: mentors,
       options: [Python, SQL, Go, Any]}
    - {id: level_wanted, label: Level wanted, type: number, asked_of: mentees}
    - {id: level_offered, label: Level offered, type: number, asked_of: mentors}
matching:
  criteria:
    - {name: skills, kind: overlap, mentee: wanted, mentor: offered}
    - {name: levels, kind: overlap, mentee: level_wanted, mentor: level_offered}
    - {name: places, kind: overlap, mentee: location, mentor: location}
"""


def test_supply_gaps_agree_with_the_engine_on_awkward_answers() -> None:
    """Equal answers are counted once with a weight: spellings, repeats within an answer,
    1 / 1.0 / True, scalars beside lists, "Any", missing answers, ineligible mentors and
    forgotten people must all count as the engine counts them, first spelling included."""
    program = parse_program(GAPS_PROGRAM)
    rng = random.Random(13)
    skills = ["Python", "python", "SQL", " sql", "Go", "Any", "COBOL"]
    levels: list[Any] = [1, 1.0, True, 2, "2", None, [1, 2], [True]]
    places = ["Paris", "paris", "Lyon", None, ""]
    for _ in range(30):
        people = []
        for i in range(rng.randrange(1, 40)):
            role = rng.choice(["mentor", "mentee", "both"])
            wanted = rng.choice([None, rng.choice(skills), rng.sample(skills, rng.randrange(4))])
            answers = {
                "wanted": wanted,
                "offered": rng.sample(skills, rng.randrange(4)),
                "level_wanted": rng.choice(levels),
                "level_offered": rng.choice(levels),
            }
            people.append(
                {
                    "id": i,
                    "email": f"p{rng.randrange(1000):03d}-{i}@example.com",
                    "name": f"P {i}",
                    "role": role,
                    "location": rng.choice(places),
                    "tenure_months": rng.choice([None, 3, 12]),
                    "forgotten_at": rng.choice([None] * 5 + ["2027-01-01"]),
                    "answers": {k: v for k, v in answers.items() if v is not None},
                }
            )
        assert reports.supply_gaps(program, people) == _engine_gaps(program, people)
