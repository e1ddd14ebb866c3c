"""The one date and timestamp parser for every imported file, and dates from the roster.

Form tools write dates their own way: Google Forms as ``4/10/2027 9:15:00`` (US),
``20/01/2027 14:03:11`` (UK and most of Europe), ``2027/01/20 2:03:11 PM GMT+1`` (its own
CSV download), ``20.01.2027 14:03:11`` (German); Microsoft Forms' Excel export as date
cells or ``1/20/27 14:03``; calendars and XLSX cells as ISO 8601. :func:`parse_timestamp`
reads all of them.

Day and month order is settled **per file**, never per value: :func:`settle_order` looks
at every value of a column; ``20/01/2027`` proves the file day-first, ``01/20/2027``
month-first. A column whose values fit both orders (``05/01/2027``, ``04/10/2027``) is
ambiguous, and the import stops with an error naming the column and ``--date-format``,
which states the order (``DMY``, ``MDY``, ``YMD``) or an exact ``strftime`` pattern
(``%d.%m.%Y %H:%M``). ISO dates (year first, four digits) are read whatever the flag says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mentorctl.errors import ImportProblemError, UsageError


class DateOrder(StrEnum):
    """Where day, month and year stand in a numeric date."""

    DMY = "DMY"
    MDY = "MDY"
    YMD = "YMD"


@dataclass(frozen=True)
class DateFormat:
    """How one file (or column) writes dates: an order, an exact pattern, or neither.

    Neither means no value seen needs an order (ISO dates, or day and month equal).
    """

    order: DateOrder | None = None
    pattern: str | None = None

    def __str__(self) -> str:
        return self.pattern or (self.order.value if self.order else "ISO")


def parse_date_format(text: str | None) -> DateFormat | None:
    """``--date-format``: ``DMY``/``MDY``/``YMD`` (any case) or a ``strftime`` pattern."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if "%" in text:
        try:
            dt.datetime.now().strftime(text)
        except ValueError:
            raise UsageError(f"--date-format {text!r}: not a valid strftime pattern") from None
        return DateFormat(pattern=text)
    try:
        return DateFormat(order=DateOrder(text.upper().replace("-", "").replace("/", "")))
    except ValueError:
        raise UsageError(
            f"--date-format {text!r}: expected DMY, MDY, YMD or a pattern such as '%d.%m.%Y'"
        ) from None


_NUMERIC = re.compile(
    r"""^(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})\.?
    (?:(?:[ T]|,\s*)\s*
       (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?
       \s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?
       \s*(?P<tz>Z|(?:GMT|UTC)\s*(?:[+\-]\d{1,2}(?::?\d{2})?)?|[+\-]\d{1,2}(?::?\d{2})?)?
    )?$""",
    re.VERBOSE,
)
_EXAMPLES = "e.g. 2027-01-25, 25/01/2027 or 1/25/2027 9:15:00 AM"


def _day_month(match: re.Match[str]) -> tuple[int, int] | None:
    """The first two numbers of a year-last date (day/month in some order), else None."""
    if len(match["a"]) > 2 or len(match["c"]) not in (2, 4):
        return None
    return int(match["a"]), int(match["b"])


def _offset(text: str) -> dt.timezone | None:
    text = text.strip().upper()
    if text in ("Z", "GMT", "UTC"):
        return dt.UTC
    text = text.removeprefix("GMT").removeprefix("UTC").strip()
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise ValueError
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_timestamp(text: str, fmt: DateFormat | None = None) -> dt.datetime:
    """A date or date-time as a file wrote it; ``fmt`` settles day/month order.

    Returns a naive datetime, or an aware one when the value carries an offset
    (``GMT+1``, ``+01:00``, ``Z``). Raises ValueError with a message fit for a user.
    """
    raw = text
    text = text.strip()
    if not text:
        raise ValueError("is empty")
    if fmt is not None and fmt.pattern:
        try:
            return dt.datetime.strptime(text, fmt.pattern)
        except ValueError:
            pass  # an ISO value (an XLSX date cell) is still read below
    m = _NUMERIC.match(text)
    if m is None and fmt is not None and fmt.pattern:
        raise ValueError(f"{text!r} does not match --date-format {fmt.pattern!r}")
    if m is None:
        raise ValueError(f"{raw.strip()!r} is not a date ({_EXAMPLES})")
    order = fmt.order if fmt is not None else None
    a, b, c = m["a"], m["b"], m["c"]
    if fmt is not None and fmt.pattern and len(a) != 4:
        raise ValueError(f"{text!r} does not match --date-format {fmt.pattern!r}")
    if order is DateOrder.YMD and len(c) == 4:
        raise ValueError(f"{text!r} does not match --date-format YMD (year first)")
    if len(a) == 4 or (order is DateOrder.YMD and len(a) == 2):
        year, month, day = _year(a), int(b), int(c)
        if len(c) > 2:
            raise ValueError(f"{text!r} is not a date ({_EXAMPLES})")
    elif len(c) not in (2, 4) or len(a) > 2:
        raise ValueError(f"{text!r} is not a date ({_EXAMPLES})")
    else:
        first, second = int(a), int(b)
        if order is None:
            if first > 12 or first == second:
                order = DateOrder.DMY
            elif second > 12:
                order = DateOrder.MDY
            else:
                raise ValueError(
                    f"{text!r} could be {first} {_MONTHS[second]} or {second} "
                    f"{_MONTHS[first]}; state the order with --date-format DMY or MDY"
                )
        day, month = (first, second) if order is DateOrder.DMY else (second, first)
        year = _year(c)
    hour = minute = second_ = micro = 0
    tz = None
    if m["H"] is not None:
        hour, minute = int(m["H"]), int(m["M"])
        second_ = int(m["S"] or 0)
        micro = int((m["f"] or "0")[:6].ljust(6, "0"))
        if m["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError(f"{text!r}: hour {hour} with AM/PM")
            pm = m["ampm"].lower().startswith("p")
            hour = (hour % 12) + (12 if pm else 0)
        if m["tz"]:
            try:
                tz = _offset(m["tz"])
            except ValueError:
                raise ValueError(f"{text!r}: {m['tz']!r} is not a time-zone offset") from None
    try:
        return dt.datetime(year, month, day, hour, minute, second_, micro, tzinfo=tz)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date or time") from None


_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    *[""] * 20,  # numbers above 12 are never shown as months (the order is settled then)
)


def parse_date(text: str, fmt: DateFormat | None = None) -> dt.date:
    """The calendar date of :func:`parse_timestamp` (as written, not shifted to UTC)."""
    return parse_timestamp(text, fmt).date()


def sort_key(when: dt.datetime) -> dt.datetime:
    """A key that orders naive and aware timestamps of one file together (aware in UTC)."""
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def settle_order(
    values: Iterable[str],
    given: DateFormat | None,
    *,
    column: str | Sequence[str],
    source: str,
) -> DateFormat:
    """The day/month order of a file's dates, from all their values (or ``--date-format``).

    ``20/01/2027`` anywhere makes the column day-first, ``01/20/2027`` month-first; a
    column showing both, or only values that fit both orders, raises ImportProblemError
    naming the column and ``--date-format``. Values that are not dates are left for the
    row checks to report.
    """
    if given is not None:
        return given
    if isinstance(column, str):
        where = f"column {column!r}"
    else:
        where = "columns " + " and ".join(repr(c) for c in column)
    day_first: str | None = None
    month_first: str | None = None
    open_example: str | None = None
    for value in values:
        m = _NUMERIC.match(value.strip())
        pair = _day_month(m) if m else None
        if pair is None:
            continue
        first, second = pair
        if first > 12 and second <= 12:
            day_first = day_first or value.strip()
        elif second > 12 and first <= 12:
            month_first = month_first or value.strip()
        elif first != second and first <= 12 and second <= 12:
            open_example = open_example or value.strip()
    if day_first and month_first:
        raise ImportProblemError(
            f"{source}: {where}: both day-first ({day_first}) and month-first "
            f"({month_first}) dates; fix the file, or state the order with --date-format"
        )
    if day_first:
        return DateFormat(order=DateOrder.DMY)
    if month_first:
        return DateFormat(order=DateOrder.MDY)
    if open_example:
        raise ImportProblemError(
            f"{source}: {where}: every date fits both day-first and month-first "
            f"(e.g. {open_example}); state the order with --date-format DMY or --date-format MDY"
        )
    return DateFormat()


# --------------------------------------------------------------------------- roster dates


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
    """A date typed on the command line (``--date``): ISO, or any unambiguous form."""
    try:
        return parse_date(text)
    except ValueError as exc:
        if "--date-format" not in str(exc):
            raise
        # one value, no file to settle the order from, and no --date-format to state it
        raise ValueError(
            f"{text.strip()!r} could be day-first or month-first; write it as YYYY-MM-DD"
        ) from None


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
