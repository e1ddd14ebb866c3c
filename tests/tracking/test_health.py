"""`assess` (pure), `plan_reminders` (pure) and the program.yaml cycle rewrite."""

from __future__ import annotations

import datetime as dt

from mentorctl.program import Health
from mentorctl.tracking import MatchFacts, Thresholds, assess, health_rank
from mentorctl.tracking.cycles import outcome_of, rewrite_cycle_block

START, END = dt.date(2027, 1, 11), dt.date(2027, 7, 12)
T = Thresholds.of(Health(), 14)


def health(today: dt.date, **kw) -> object:
    facts = MatchFacts(match_id=1, cycle_id=1, mentor="m@x.org", mentee="e@x.org", **kw)
    return assess(facts, cycle_start=START, cycle_end=END, thresholds=T, today=today)


def test_default_thresholds_follow_the_cadence() -> None:
    assert (T.at_risk_days, T.stalled_days) == (21, 42)
    assert Thresholds.of(Health(at_risk_days=10, stalled_days=30), 7).stalled_days == 30


def test_days_since_the_start_when_never_met() -> None:
    assert health(dt.date(2027, 1, 31)).health == "on-track"  # 20 days
    r = health(dt.date(2027, 2, 1))
    assert (r.health, r.days_since, r.reasons) == (
        "at-risk",
        21,
        ("no meeting for 21 days (never met)",),
    )
    assert health(dt.date(2027, 2, 22)).health == "stalled"  # 42 days


def test_meetings_after_today_are_ignored_and_ratio_counts() -> None:
    dates = [dt.date(2027, 1, 15), dt.date(2027, 3, 1)]
    r = health(dt.date(2027, 2, 10), meeting_dates=dates)
    assert (r.meetings_held, r.last_met, r.meetings_expected) == (1, dt.date(2027, 1, 15), 2)
    r = health(dt.date(2027, 3, 20), meeting_dates=dates)
    assert r.meetings_expected == 4 and r.meetings_held == 2 and r.health == "on-track"
    r = health(dt.date(2027, 3, 20), meeting_dates=[dt.date(2027, 3, 15)])
    assert r.health == "at-risk" and r.reasons == ("1 of 4 expected meetings held",)


def test_low_satisfaction_and_ended() -> None:
    r = health(dt.date(2027, 1, 20), satisfaction=2.0)
    assert r.health == "at-risk" and r.reasons == ("low satisfaction (2.0 of 5)",)
    r = health(dt.date(2027, 4, 1), status="ended", ended=dt.date(2027, 2, 1), end_reason="moved")
    assert r.health == "ended" and r.meetings_expected == 1 and r.reasons == ("moved",)
    assert health_rank("ended") < health_rank("on-track") < health_rank("at-risk")


def test_before_the_cycle_starts_nothing_is_expected() -> None:
    r = health(dt.date(2027, 1, 1))
    assert (r.health, r.days_since, r.meetings_expected) == ("on-track", 0, 0)


def test_outcomes() -> None:
    assert outcome_of(0, 5, 0.5) == "no-meetings"
    assert outcome_of(2, 5, 0.5) == "incomplete"
    assert outcome_of(3, 5, 0.5) == "completed"


def test_rewrite_cycle_block_keeps_comments() -> None:
    text = (
        "# top comment\n"
        "name: X\n"
        "cycle:  # the calendar\n"
        "  name: 2027-h1   # current\n"
        "  start: 2027-01-11\n"
        "  # a comment inside\n"
        "  cadence: biweekly\n"
        "\n"
        "# next section\n"
        "capacity: {default: 2}\n"
    )
    out = rewrite_cycle_block(
        text, {"name": "2027-h2", "start": "2027-07-12", "length_weeks": "20"}
    )
    assert out == (
        "# top comment\n"
        "name: X\n"
        "cycle:  # the calendar\n"
        "  name: 2027-h2  # current\n"
        "  start: 2027-07-12\n"
        "  # a comment inside\n"
        "  cadence: biweekly\n"
        "  length_weeks: 20\n"
        "\n"
        "# next section\n"
        "capacity: {default: 2}\n"
    )
    flow = rewrite_cycle_block("cycle: {name: a, start: 2027-01-11}\n", {"name": "b"})
    assert flow == "cycle: {name: b, start: 2027-01-11}\n"
