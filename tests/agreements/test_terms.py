"""One source of meeting terms: what the agreement, the .ics and the email all state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest

from mentorctl.agreements.calendar import meeting_series
from mentorctl.agreements.context import program_context
from mentorctl.agreements.terms import clause_contradictions, terms_of
from mentorctl.program import Program


def program(clauses: list[str] = (), cadence: str = "biweekly", **agreement: Any) -> Program:  # type: ignore[assignment]
    return Program.model_validate(
        {
            "name": "Terms",
            "slug": "terms",
            "cycle": {"name": "c1", "start": "2027-02-01", "length_weeks": 26, "cadence": cadence},
            "agreement": {"clauses": list(clauses), **agreement},
        }
    )


def test_the_first_meeting_is_the_first_date_of_the_series() -> None:
    p = program(first_meeting_within_days=14, meeting_minutes=30)
    terms = terms_of(p)
    assert terms.first_date == dt.date(2027, 2, 1) and terms.move_by == dt.date(2027, 2, 15)
    assert terms.count == 13 and terms.last_date == dt.date(2027, 7, 19) < terms.cycle_end
    assert terms.length_text == "about 30 minutes"
    meetings = program_context(p)["meetings"]
    assert (meetings["first_date"], meetings["count"], meetings["minutes"]) == (
        terms.first_date,
        13,
        30,
    )
    cal = icalendar.Calendar.from_ical(
        meeting_series(p, summary="s", description="d", attendees=[], uid_parts=["a"])
    )
    [event] = cal.walk("VEVENT")
    assert event["DTSTART"].dt.date() == terms.first_date
    assert event["DURATION"].dt == dt.timedelta(minutes=30)
    assert event["RRULE"]["COUNT"] == [terms.count]


def test_a_monthly_series_moved_to_the_next_month_stays_inside_the_cycle() -> None:
    p = Program.model_validate(
        {
            "name": "T",
            "slug": "t",
            "cycle": {"name": "c", "start": "2027-01-30", "length_weeks": 26, "cadence": "monthly"},
        }
    )
    terms = terms_of(p)
    assert terms.first_date == dt.date(2027, 2, 1)
    assert terms.last_date < terms.cycle_end and terms.count == 6


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(45, "about 45 minutes"), (60, "about an hour"), (90, "about 1 hour 30 minutes"),
     (120, "about 2 hours")],
)  # fmt: skip
def test_length_text(minutes: int, text: str) -> None:
    assert terms_of(program(meeting_minutes=minutes)).length_text == text


@pytest.mark.parametrize(
    ("clause", "found"),
    [
        (
            "We will meet every two weeks for about 30 minutes.",
            ["last 30 minutes, but agreement.meeting_minutes is 60"],
        ),
        ("We meet weekly.", ["every week, but cycle.cadence is biweekly"]),
        ("Meetings are monthly and last 90 minutes.", ["every month", "last 90 minutes"]),
        ("Sessions last an hour.", []),
        ("The first meeting happens within 3 weeks.", ["within 3 weeks"]),
        ("We meet every other week for 60 minutes.", []),
        ("Fortnightly sessions of 1 hour.", []),
        ("The first meeting happens within two weeks.", []),
        ("Reply within 2 days of a message; agendas 10 minutes before.", []),
        ("Either of us may end the pairing at any time.", []),
    ],
)
def test_clauses_that_contradict_the_terms(clause: str, found: list[str]) -> None:
    problems = clause_contradictions(program([clause]))
    assert len(problems) == len(found)
    for problem, words in zip(problems, found, strict=True):
        assert words in problem.message and problem.path == "agreement.clauses[0]"
