"""The health queries (``match_facts``, ``health_facts``) against a plain per-match count
of the roster's rows, and the report's health counts against ``status``'s.

``match_facts`` reads every fact in one query (correlated subqueries, check-ins grouped
once) and ``health_facts`` only what :func:`~mentorctl.tracking.health.judge` reads; the
reference below reads the raw rows and counts each match in Python, the obvious way.
The fixture gets "we met" / "not yet" answers, progress answers and a goal without a
cycle, so every column of the query has something to get wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from mentorctl.program import parse_program
from mentorctl.roster.read import reading
from mentorctl.tables.dates import as_date
from mentorctl.tracking.health import HEALTH_FACTS, health_facts, match_facts
from tests.conftest import Cli
from tests.reports.fixture import PROGRAM_YAML, build_roster

D = dt.date
PROGRAM = parse_program(PROGRAM_YAML)
DAYS = (D(2027, 1, 20), D(2027, 2, 16), D(2027, 3, 2), D(2027, 4, 5), D(2027, 8, 1))

# (match, date, satisfaction, recommend, progress, met): answers the fixture lacks.
ANSWERS = [
    ("M2", D(2027, 2, 16), None, None, 40, True),  # "we met" on the day, with progress
    ("M2", D(2027, 3, 20), 2, None, 60, False),  # "not yet", later
    ("M3", D(2027, 3, 2), None, 10, None, False),
    ("M3", D(2027, 3, 2), None, None, 70, None),  # same day, later id: its progress wins
    ("M5", D(2027, 3, 25), None, None, 30, True),
    ("M6", D(2027, 2, 20), None, None, None, True),
]


def _roster(url: str) -> dict[str, int]:
    """The report fixture, plus :data:`ANSWERS` and a goal of M5's mentee without a cycle."""
    from mentorctl.roster.db import open_roster
    from mentorctl.roster.models import Checkin, Goal, MatchRow

    ids = build_roster(url)
    roster = open_roster(url)
    try:
        with roster.session(write=True) as s:
            for name, day, sat, rec, progress, met in ANSWERS:
                s.add(
                    Checkin(
                        match_id=ids[name],
                        date=day,
                        satisfaction=sat,
                        recommend=rec,
                        progress=progress,
                        met=met,
                    )
                )
            mentee = s.get(MatchRow, ids["M5"]).mentee_id  # type: ignore[union-attr]
            s.add(Goal(participant_id=mentee, cycle_id=None, title="Any", progress=35))
    finally:
        roster.dispose()
    return ids


def _reference(url: str, cycle_id: int, today: D) -> dict[int, dict[str, Any]]:
    """Each match's facts on ``today``, counted in Python from the raw rows."""
    with reading(url) as db:
        matches = db.all(
            "SELECT id, mentee_id, status, started_at, ended_at FROM match "
            "WHERE cycle_id = :c AND status IN ('active', 'ended')",
            c=cycle_id,
        )
        meetings = db.all("SELECT match_id, date, minutes FROM meeting")
        checkins = db.all(
            "SELECT id, match_id, date, satisfaction, recommend, progress, met FROM checkin"
        )
        goals = db.all("SELECT participant_id, cycle_id, status, progress FROM goal")
    out = {}
    for mid, mentee, status, started, ended in matches:
        met = [(as_date(d), n) for m, d, n in meetings if m == mid and as_date(d) <= today]
        ck = sorted(
            (as_date(d), i, sat, rec, prog, said)
            for i, m, d, sat, rec, prog, said in checkins
            if m == mid and as_date(d) <= today
        )
        sats = [c[2] for c in ck if c[2] is not None]
        recs = [c[3] for c in ck if c[3] is not None]
        mine = [
            p
            for who, cyc, st, p in goals
            if who == mentee and cyc in (cycle_id, None) and st != "dropped"
        ]
        answered = [c[4] for c in ck if c[4] is not None]
        out[mid] = {
            "status": status,
            "started": as_date(started),
            "ended": as_date(ended),
            "meetings_held": len(met),
            "last_met": max((d for d, _ in met), default=None),
            "minutes": sum(n for _, n in met),
            "satisfaction": statistics.fmean(sats) if sats else None,
            "recommend": statistics.fmean(recs) if recs else None,
            "checkins": len(ck),
            "last_checkin": ck[-1][0] if ck else None,
            "said_met": max((c[0] for c in ck if c[5] is True or c[5] == 1), default=None),
            "said_not_yet": max((c[0] for c in ck if c[5] is False or c[5] == 0), default=None),
            "goal_progress": statistics.fmean(mine) if mine else (answered or [None])[-1],
        }
    return out


def _cycle_id(url: str) -> int:
    with reading(url) as db:
        row = db.first("SELECT id FROM cycle WHERE name = '2027-h1'")
    assert row is not None
    return int(row[0])


def test_match_facts_agree_with_a_count_per_match(db_url: str) -> None:
    _roster(db_url)
    cycle_id = _cycle_id(db_url)
    seen: set[str] = set()
    for today in DAYS:
        expected = _reference(db_url, cycle_id, today)
        with reading(db_url) as db:
            facts = match_facts(db, cycle_id, today)
            light = health_facts(db, cycle_id, today, ("mentee_id",))
        assert [f.match_id for f in facts] == sorted(expected)  # by match id
        for f in facts:
            got = {k: getattr(f, k) for k in expected[f.match_id]}
            if got["goal_progress"] is not None:
                got["goal_progress"] = pytest.approx(got["goal_progress"])
            assert got == expected[f.match_id], (today, f.match_id)
            seen |= {k for k, v in got.items() if v not in (None, 0)}
        # health_facts: the same values, in HEALTH_FACTS order, then the extra column.
        assert [r[0] for r in light] == [f.match_id for f in facts]
        for row, f in zip(light, facts, strict=True):
            assert row[: len(HEALTH_FACTS)] == tuple(getattr(f, k) for k in HEALTH_FACTS)
            assert len(row) == len(HEALTH_FACTS) + 1
    # Not vacuous: every fact was something other than empty on some day.
    assert seen >= set(expected[next(iter(expected))]) - {"ended"}


def test_report_counts_health_as_status_judges_it(tmp_path: Path) -> None:
    """The report's health counts (``judge`` on ``health_facts`` rows) are ``status
    --all``'s (``assess`` on ``match_facts``), through the real CLI, on every day after
    M6 ended (before it, the report sees M6 as it was then: active, on purpose)."""
    directory = tmp_path / "program"
    directory.mkdir()
    (directory / "program.yaml").write_text(PROGRAM_YAML, encoding="utf-8")
    _roster(f"sqlite:///{directory / 'roster.db'}")
    cli = Cli(directory, None)
    kinds: set[str] = set()
    for today in DAYS[2:]:
        day = today.isoformat()
        status = cli("status", "--all", "--json", "--today", day)
        assert status.exit_code in (0, 4), status.output
        report = cli("report", "--json", "--today", day)
        assert report.exit_code == 0, report.output
        counts = json.loads(status.output)["counts"]
        health = json.loads(report.output)["engagement"]["health"]
        assert health == {k.replace("-", "_"): n for k, n in counts.items()}, day
        kinds |= {k for k, n in counts.items() if n}
    assert kinds == {"on-track", "at-risk", "stalled", "ended"}
