"""`plan_reminders` (pure): the ladder climbs one rung at a time, from the first."""

from __future__ import annotations

import datetime as dt

from mentorctl.notify.ladder import plan_reminders
from mentorctl.program import parse_program
from tests.conftest import DATA
from tests.tracking.test_health import END, health

PROGRAM = parse_program((DATA / "program.yaml").read_text())
DAY = dt.date(2027, 3, 1)  # 49 days after the start: every rung's day has come


def plan(recorded: object, today: dt.date = DAY) -> list[tuple[str, str]]:
    rows = [health(today, mentor_name="M", mentee_name="E")]
    return [
        (p.kind, p.dedupe_key)
        for p in plan_reminders(rows, PROGRAM, cycle_end=END, today=today, recorded=recorded)  # type: ignore[arg-type]
    ]


def key(kind: str) -> str:
    return f"test-mentoring:{kind}:1:2027-01-11"


def test_a_late_first_run_nudges_first_never_escalates() -> None:
    assert [k for k, _ in plan(set())] == ["reminder-1", "checkin"]


def test_each_rung_waits_its_gap_after_the_one_below() -> None:
    one = {key("reminder-1"): DAY}
    assert [k for k, _ in plan(one)] == ["checkin"]  # recorded today: wait 7 days
    later = DAY + dt.timedelta(days=7)
    assert ("reminder-2", key("reminder-2")) in plan(one, later)
    two = {key("reminder-1"): DAY, key("reminder-2"): later}
    assert "escalation" not in [k for k, _ in plan(two, later + dt.timedelta(days=13))]
    assert "escalation" in [k for k, _ in plan(two, later + dt.timedelta(days=14))]


def test_a_climbed_ladder_sends_nothing_more() -> None:
    done = {key("reminder-1"), key("reminder-2"), key("escalation")}
    assert [k for k, _ in plan(done)] == ["checkin"]
    # An earlier release could record the escalation alone: nothing below it comes after.
    assert [k for k, _ in plan({key("escalation")})] == ["checkin"]
