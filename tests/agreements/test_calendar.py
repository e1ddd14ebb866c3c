"""The .ics meeting series parses back with icalendar, with the right occurrences."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import recurring_ical_events

from mentorctl.agreements.calendar import first_meeting_date, meeting_series, occurrence_dates
from mentorctl.enums import Cadence
from mentorctl.program import load_program
from tests.conftest import DATA


def make(cadence: str, start: dt.date, weeks: int = 26, tz: str | None = "Europe/London"):
    base = load_program(DATA / "program.yaml")
    cycle = base.cycle.model_copy(
        update={"cadence": Cadence(cadence), "start": start, "length_weeks": weeks}
    )
    program = base.model_copy(update={"cycle": cycle})
    data = meeting_series(
        program,
        summary="Mentoring: Ada\nand <Alan>",
        description="desc",
        attendees=[('Ada, "the" first', "ada@example.com"), ("Alan", "alan@example.com")],
        uid_parts=["ada@example.com", "alan@example.com"],
        timezone=tz,
    )
    return program, data


@pytest.mark.parametrize(
    ("cadence", "start", "expected"),
    [
        ("weekly", dt.date(2027, 1, 11), 26),
        ("biweekly", dt.date(2027, 1, 11), 13),
        ("monthly", dt.date(2027, 1, 11), 6),
        ("monthly", dt.date(2027, 1, 31), 6),  # never skips a month without a 31st
        ("biweekly", dt.date(2027, 3, 1), 13),  # crosses the clocks changing
    ],
)
def test_occurrences_parse_back(cadence: str, start: dt.date, expected: int) -> None:
    program, data = make(cadence, start)
    cal = icalendar.Calendar.from_ical(data)
    [event] = cal.walk("VEVENT")
    found = recurring_ical_events.of(cal).between(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert len(found) == expected == program.cycle.expected_meetings
    days = [e["DTSTART"].dt.date() for e in found]
    first = first_meeting_date(program)
    assert days == occurrence_dates(first, program.cycle.cadence, expected)
    assert days[0] >= program.cycle.start and days[-1] < program.cycle.end
    assert all(e["DTSTART"].dt.hour == 10 for e in found)  # wall-clock time kept over DST
    assert event["DURATION"].dt == dt.timedelta(minutes=60)
    assert event["SUMMARY"] == "Mentoring: Ada and <Alan>"  # one line
    assert [str(a) for a in event["ATTENDEE"]] == [
        "mailto:ada@example.com",
        "mailto:alan@example.com",
    ]
    assert event["ATTENDEE"][0].params["CN"] == 'Ada, "the" first'


def test_same_input_same_bytes_and_floating_time_without_a_zone() -> None:
    _, a = make("biweekly", dt.date(2027, 1, 11), tz=None)
    _, b = make("biweekly", dt.date(2027, 1, 11), tz="Not/AZone")
    assert a == b and b"VTIMEZONE" not in a and b"DTSTART:20270111T100000\r\n" in a
    _, c = make("biweekly", dt.date(2027, 1, 11))
    assert b"DTSTART;TZID=Europe/London:20270111T100000" in c and b"BEGIN:VTIMEZONE" in c


def test_text_parameters_and_long_lines_parse_back_exactly() -> None:
    """The event is written as text: escaping, RFC 6868 quotes and folding at 75 octets
    (never inside a character) must give back what went in."""
    base = load_program(DATA / "program.yaml")
    name = "Zoë Łukasz-Wójcik 李伟 محمد देवनागरी; a very long name, to make it fold: ^ok"
    description = 'Line one; with, commas\\ and "quotes"\nline two: ' + "é" * 80
    data = meeting_series(
        base,
        summary="Mentoring: " + name,
        description=description,
        attendees=[(name, "zoe@example.com")],
        uid_parts=["zoe@example.com"],
        timezone="Asia/Kolkata",
    )
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    data.decode("utf-8")  # folding never split a character
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event["SUMMARY"] == "Mentoring: " + name
    assert event["DESCRIPTION"] == description
    assert event["ATTENDEE"].params["CN"] == name
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.com"
    assert event["DTSTART"].dt.tzinfo is not None
    assert str(event["DTSTART"].dt.tzinfo) == "Asia/Kolkata"


def test_a_utc_zone_is_written_in_utc() -> None:
    _, data = make("biweekly", dt.date(2027, 1, 11), tz="UTC")
    assert b"DTSTART:20270111T100000Z\r\n" in data and b"VTIMEZONE" not in data
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event["DTSTART"].dt == dt.datetime(2027, 1, 11, 10, tzinfo=dt.UTC)
