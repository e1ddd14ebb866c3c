"""The meeting series of an agreement as an iCalendar (``.ics``) file.

One recurring event (``RRULE``) with the dates, time and length of the program's
:class:`~mentorctl.agreements.terms.Terms`, which the agreement and the email state
too: from the first meeting, ``COUNT`` = the number of meetings in the series. The time
is in the mentee's time zone when the roster has a valid IANA one (the mentee organises
the meetings), else a floating local time.

The output is deterministic for the same input (the stamp is the cycle's start, the UID
names the cycle and people), so re-rendering an unchanged agreement rewrites nothing.

The event is written here as text (RFC 5545: escaped values, quoted parameters, lines
folded at 75 octets): an intro run attaches one ``.ics`` per email, and building each
through icalendar's object model cost about a third of sending it. Only the time zone's
``VTIMEZONE`` block comes from icalendar, made once per zone and cycle and reused;
tests parse every file back with icalendar and expand its occurrences.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorctl.agreements.terms import first_meeting_date, occurrence_dates, terms_of
from mentorctl.enums import Cadence
from mentorctl.program import Program

__all__ = ["PRODID", "first_meeting_date", "meeting_series", "occurrence_dates"]

PRODID = "-//mentorctl//mentoring agreement//EN"
_HEAD = (
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    f"PRODID:{PRODID}",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
)


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def vtimezone(key: str, first: dt.date, last: dt.date) -> str | None:
    """The ``VTIMEZONE`` block of IANA zone ``key`` for ``first`` to ``last`` (CRLF
    lines, ending with one); "" for a zone at UTC all that time (its times are written
    in UTC), None when icalendar cannot describe the zone (the time floats).

    Only the cycle's years: a block for 1970-2038 would dwarf the event.
    """
    from icalendar import Timezone

    try:
        block = Timezone.from_tzid(key, first_date=first, last_date=last)
    except ValueError:
        return None
    text = block.to_ical().decode("utf-8")
    if all(line == "TZOFFSETTO:+0000" for line in text.split("\r\n") if "TZOFFSETTO" in line):
        return ""
    return text


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
    cycle = program.cycle
    terms = terms_of(program)
    hour, minute = (int(x) for x in terms.time.split(":"))
    first = terms.first_date
    start = f"{first:%Y%m%d}T{hour:02d}{minute:02d}00"
    digest = hashlib.sha256("\n".join([program.slug, cycle.name, *uid_parts]).encode()).hexdigest()
    if cycle.cadence is Cadence.MONTHLY:
        rule = f"FREQ=MONTHLY;COUNT={terms.count}"
    else:
        rule = f"FREQ=WEEKLY;COUNT={terms.count};INTERVAL={cycle.cadence.days // 7}"
    zone = _zone(timezone)
    block = (
        None
        if zone is None
        else vtimezone(zone.key, dt.date(first.year, 1, 1), dt.date(cycle.end.year + 1, 1, 1))
    )
    if zone is None or block is None:  # a floating time: the same wall-clock time anywhere
        dtstart = f"DTSTART:{start}"
    elif not block:
        dtstart = f"DTSTART:{start}Z"
    else:
        dtstart = f"DTSTART;TZID={_param(zone.key)}:{start}"
    event = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(_one_line(summary))}",
        dtstart,
        f"DURATION:{_duration(terms.minutes)}",
        f"DTSTAMP:{cycle.start:%Y%m%d}T000000Z",
        f"UID:{digest[:32]}@{program.slug}.mentorctl",
        f"RRULE:{rule}",
        *(
            f"ATTENDEE;CN={_param(_one_line(name)[:200])};ROLE=REQ-PARTICIPANT:"
            f"mailto:{_one_line(email)}"
            for name, email in attendees
        ),
        f"DESCRIPTION:{_text(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return (_lines(_HEAD) + (block or "") + _lines(event)).encode("utf-8")


def _lines(lines: Sequence[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in lines)


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, ``;``, ``,`` and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _param(value: str) -> str:
    """A parameter value: RFC 6868 escapes for ``^`` and ``"``, quoted when it holds
    ``:``, ``;`` or ``,`` (RFC 5545 3.2)."""
    value = value.replace("^", "^^").replace('"', "^'")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def _fold(line: str) -> str:
    """``line`` folded to 75 octets a line (RFC 5545 3.1), never inside a character."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
