"""The meeting series of an agreement as an iCalendar (``.ics``) file.

One recurring event (``RRULE``) at the program's cadence from the cycle's first meeting
date, ``COUNT`` = the cycle's expected meetings, at ``agreement.meeting_time`` for
``agreement.meeting_minutes``. The time is in the mentee's time zone when the roster has a
valid IANA one (the mentee organises the meetings), else a floating local time.

The output is deterministic for the same input (the stamp is the cycle's start, the UID
names the cycle and people), so re-rendering an unchanged agreement rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from mentorctl.enums import Cadence
from mentorctl.program import Program

PRODID = "-//mentorctl//mentoring agreement//EN"


def occurrence_dates(first: dt.date, cadence: Cadence, count: int) -> list[dt.date]:
    """The dates of ``count`` meetings from ``first`` at ``cadence`` (as RRULE expands)."""
    if cadence is Cadence.MONTHLY:
        # first_meeting_date keeps the day <= 28, where RRULE and relativedelta agree.
        return [first + relativedelta(months=i) for i in range(count)]
    step = dt.timedelta(days=cadence.days)
    return [first + i * step for i in range(count)]


def first_meeting_date(program: Program) -> dt.date:
    """The first date of the series: the cycle start (monthly: never a day after the 28th).

    A monthly RRULE skips months that lack its day (no 31 February), so a monthly series
    that would start on the 29th-31st starts on the 1st of the next month instead.
    """
    start = program.cycle.start
    if program.cycle.cadence is Cadence.MONTHLY and start.day > 28:
        return (start + relativedelta(months=1)).replace(day=1)
    return start


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def meeting_series(
    program: Program,
    *,
    summary: str,
    description: str,
    attendees: Sequence[tuple[str, str]],
    uid_parts: Sequence[str],
    timezone: str | None = None,
) -> bytes:
    """The ``.ics`` bytes of the recurring meeting series for one agreement."""
    from icalendar import Calendar, Event, vCalAddress, vText

    cycle = program.cycle
    hour, minute = (int(x) for x in program.agreement.meeting_time.split(":"))
    first = first_meeting_date(program)
    zone = _zone(timezone)
    start = dt.datetime.combine(first, dt.time(hour, minute), tzinfo=zone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    digest = hashlib.sha256("\n".join([program.slug, cycle.name, *uid_parts]).encode()).hexdigest()
    event.add("uid", f"{digest[:32]}@{program.slug}.mentorctl")
    event.add("dtstamp", dt.datetime.combine(cycle.start, dt.time(0, 0), tzinfo=dt.UTC))
    event.add("summary", _one_line(summary))
    event.add("description", description)
    event.add("dtstart", start)
    event.add("duration", dt.timedelta(minutes=program.agreement.meeting_minutes))
    rule: dict[str, object] = {"count": cycle.expected_meetings}
    if cycle.cadence is Cadence.MONTHLY:
        rule["freq"] = "monthly"
    else:
        rule["freq"] = "weekly"
        rule["interval"] = cycle.cadence.days // 7
    event.add("rrule", rule)
    for name, email in attendees:
        who = vCalAddress(f"mailto:{email}")
        who.params["cn"] = vText(_one_line(name)[:200])
        who.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", who, encode=False)
    cal.add_component(event)
    if zone is not None:
        # Only the cycle's years: a VTIMEZONE for 1970-2038 would dwarf the event.
        cal.add_missing_timezones(
            first_date=dt.date(first.year, 1, 1), last_date=dt.date(cycle.end.year + 1, 1, 1)
        )
    return cal.to_ical()


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
