"""The meeting series of an agreement as an iCalendar (``.ics``) file.

One recurring event (``RRULE``) with the dates, time and length of the program's
:class:`~mentorctl.agreements.terms.Terms`, which the agreement and the email state
too: from the first meeting, ``COUNT`` = the number of meetings in the series. The time
is in the mentee's time zone when the roster has a valid IANA one (the mentee organises
the meetings), else a floating local time.

The output is deterministic for the same input (the stamp is the cycle's start, the UID
names the cycle and people), so re-rendering an unchanged agreement rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorctl.agreements.terms import first_meeting_date, occurrence_dates, terms_of
from mentorctl.enums import Cadence
from mentorctl.program import Program

__all__ = ["PRODID", "first_meeting_date", "meeting_series", "occurrence_dates"]

PRODID = "-//mentorctl//mentoring agreement//EN"


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
    terms = terms_of(program)
    hour, minute = (int(x) for x in terms.time.split(":"))
    first = terms.first_date
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
    event.add("duration", dt.timedelta(minutes=terms.minutes))
    rule: dict[str, object] = {"count": terms.count}
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
