"""Dates as tracking reads them: from the database, from exported files, from ``--today``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mentorctl.errors import UsageError


def as_date(value: Any) -> dt.date | None:
    """A date from what a database driver returns (date, datetime or ISO text)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_day(text: str) -> dt.date:
    """A date as forms and calendars export it: ``2027-01-25``, or an ISO date-time."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %I:%M:%S %p %Z"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 2027-01-25")


def check_today(today: dt.date | None) -> dt.date:
    """``today`` or the real date (the CLI passes ``--today``/``MENTORCTL_TODAY``)."""
    return today or dt.date.today()


def parse_today(text: str | None) -> dt.date | None:
    """``--today`` / ``MENTORCTL_TODAY``: a YYYY-MM-DD date, or None for the real date."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--today {text!r}: expected a date like 2027-03-01") from None
