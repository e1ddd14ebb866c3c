"""The one date parser: form tools' formats, per-file day/month order, and its properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorctl.errors import ImportProblemError, UsageError
from mentorctl.tables.dates import (
    DateFormat,
    DateOrder,
    parse_date_format,
    parse_day,
    parse_timestamp,
    settle_order,
    sort_key,
)

DMY, MDY, YMD = (DateFormat(order=o) for o in DateOrder)
GMT1 = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        # Google Sheets / Forms, US locale (M/d/yyyy H:mm:ss)
        ("4/10/2027 9:15:00", MDY, dt.datetime(2027, 4, 10, 9, 15)),
        # UK and most of Europe (dd/MM/yyyy HH:mm:ss)
        ("20/01/2027 14:03:11", None, dt.datetime(2027, 1, 20, 14, 3, 11)),
        ("05/01/2027 14:03:11", DMY, dt.datetime(2027, 1, 5, 14, 3, 11)),
        # Google Forms' own CSV download, with AM/PM and the form owner's offset
        ("2027/01/20 2:03:11 PM GMT+1", None, dt.datetime(2027, 1, 20, 14, 3, 11, tzinfo=GMT1)),
        ("4/10/2027 9:00:00 AM GMT+1", MDY, dt.datetime(2027, 4, 10, 9, 0, tzinfo=GMT1)),
        (
            "1/20/2027 12:30:00 AM GMT-5",
            None,
            dt.datetime(2027, 1, 20, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ),
        ("20/01/2027 12:05:00 p. m.", None, dt.datetime(2027, 1, 20, 12, 5)),
        # German locale
        ("20.01.2027 14:03:11", None, dt.datetime(2027, 1, 20, 14, 3, 11)),
        # Microsoft Forms through Excel's CSV (M/d/yy H:mm)
        ("1/20/27 14:03", None, dt.datetime(2027, 1, 20, 14, 3)),
        # ISO 8601 and XLSX date cells (read as ISO), whatever the order says
        ("2027-01-25", DMY, dt.datetime(2027, 1, 25)),
        ("2027-01-25T10:00:00", MDY, dt.datetime(2027, 1, 25, 10)),
        ("2027-01-25T10:00:00.250Z", None, dt.datetime(2027, 1, 25, 10, 0, 0, 250000, dt.UTC)),
        ("2027-01-25 10:00:00+01:00", None, dt.datetime(2027, 1, 25, 10, tzinfo=GMT1)),
        # an exact pattern
        ("25 01 2027", DateFormat(pattern="%d %m %Y"), dt.datetime(2027, 1, 25)),
        ("2027-01-25", DateFormat(pattern="%d %m %Y"), dt.datetime(2027, 1, 25)),
    ],
)
def test_form_tool_formats(text: str, fmt: DateFormat | None, expected: dt.datetime) -> None:
    assert parse_timestamp(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("4/10/2027", None, "could be 4 October or 10 April; state the order with --date-format"),
        ("31/02/2027", None, "is not a real date"),
        ("13/13/2027", DMY, "is not a real date"),
        ("05/01/2027", YMD, "does not match --date-format YMD"),
        ("next tuesday", None, "is not a date"),
        ("", None, "is empty"),
        ("1/2/2027 13:00 PM", DMY, "hour 13 with AM/PM"),
        ("1/2/2027 10:00 GMT+19", DMY, "is not a time-zone offset"),
        ("25 01 2027", DateFormat(pattern="%Y.%m.%d"), "does not match --date-format"),
    ],
)
def test_what_is_refused(text: str, fmt: DateFormat | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_timestamp(text, fmt)


def test_the_order_is_settled_per_file_from_its_values() -> None:
    uk = ["05/01/2027 09:00:00", "20/01/2027 14:03:11", ""]
    assert settle_order(uk, None, column="Timestamp", source="f.csv") == DMY
    us = ["4/10/2027 9:15:00", "1/20/2027 9:15:00"]
    assert settle_order(us, None, column="Timestamp", source="f.csv") == MDY
    assert settle_order(["2027-01-05", "5/5/2027"], None, column="d", source="f") == DateFormat()
    assert settle_order(["4/10/2027"], MDY, column="d", source="f") == MDY
    with pytest.raises(ImportProblemError, match="f: columns 'Left' and 'Promoted': every date"):
        settle_order(["4/10/2027"], None, column=["Left", "Promoted"], source="f")
    with pytest.raises(ImportProblemError) as caught:
        settle_order(["4/10/2027 9:15:00", "5/1/2027"], None, column="Timestamp", source="f.csv")
    assert caught.value.message == (
        "f.csv: column 'Timestamp': every date fits both day-first and month-first "
        "(e.g. 4/10/2027 9:15:00); state the order with --date-format DMY or --date-format MDY"
    )
    with pytest.raises(
        ImportProblemError, match=r"column 'date': both day-first \(20/01/2027\) and month-first"
    ):
        settle_order(["20/01/2027", "01/20/2027"], None, column="date", source="f.csv")


def test_the_flag() -> None:
    assert parse_date_format("dmy") == DMY
    assert parse_date_format(" MDY ") == MDY
    assert parse_date_format("%d.%m.%Y") == DateFormat(pattern="%d.%m.%Y")
    assert parse_date_format(None) is None and parse_date_format("") is None
    with pytest.raises(UsageError, match="expected DMY, MDY, YMD or a pattern"):
        parse_date_format("european")


# --------------------------------------------------------------------------- properties

moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))
offsets = st.sampled_from([None, -5, 0, 1, 2, 10])


def write(when: dt.datetime, order: DateOrder, *, ampm: bool, sep: str, offset: int | None) -> str:
    """``when`` as a form tool in the locale ``order`` writes it."""
    d, m, y = str(when.day), str(when.month), str(when.year)
    date = {
        DateOrder.DMY: sep.join([d.zfill(2), m.zfill(2), y]),
        DateOrder.MDY: sep.join([m, d, y]),
        DateOrder.YMD: sep.join([y, m.zfill(2), d.zfill(2)]),
    }[order]
    if ampm:
        clock = f"{(when.hour % 12) or 12}:{when.minute:02}:{when.second:02} "
        clock += "PM" if when.hour >= 12 else "AM"
    else:
        clock = f"{when.hour}:{when.minute:02}:{when.second:02}"
    zone = "" if offset is None else f" GMT{offset:+d}" if offset else " GMT"
    return f"{date} {clock}{zone}"


@given(
    moments.map(lambda t: t.replace(microsecond=0)),
    st.sampled_from(list(DateOrder)),
    st.booleans(),
    st.sampled_from(["/", ".", "-"]),
    offsets,
)
def test_a_written_timestamp_reads_back(
    when: dt.datetime, order: DateOrder, ampm: bool, sep: str, offset: int | None
) -> None:
    text = write(when, order, ampm=ampm, sep=sep, offset=offset)
    tz = None if offset is None else dt.timezone(dt.timedelta(hours=offset))
    assert parse_timestamp(text, DateFormat(order=order)) == when.replace(tzinfo=tz)


@given(
    st.lists(moments, min_size=1, max_size=30),
    st.sampled_from([DateOrder.DMY, DateOrder.MDY]),
    st.booleans(),
)
def test_settling_never_picks_the_wrong_order(
    whens: list[dt.datetime], order: DateOrder, ampm: bool
) -> None:
    """Whatever a file holds, the order found is the one it was written in, or none is
    needed (every value reads the same both ways), or the file is refused as ambiguous."""
    texts = [write(w, order, ampm=ampm, sep="/", offset=None) for w in whens]
    try:
        found = settle_order(texts, None, column="Timestamp", source="f.csv")
    except ImportProblemError as exc:
        assert "--date-format" in exc.message
        assert all(w.day <= 12 for w in whens)
        return
    for text, when in zip(texts, whens, strict=True):
        assert parse_timestamp(text, found) == when.replace(microsecond=0)


@given(st.lists(st.tuples(moments, offsets), min_size=2, max_size=10))
def test_sort_key_orders_by_the_instant(items: list[tuple[dt.datetime, int | None]]) -> None:
    aware = [
        w.replace(tzinfo=dt.timezone(dt.timedelta(hours=o)) if o is not None else dt.UTC)
        for w, o in items
    ]
    assert sorted(aware) == sorted(aware, key=sort_key)


def test_a_date_typed_on_the_command_line() -> None:
    assert parse_day("2027-02-01") == dt.date(2027, 2, 1)
    assert parse_day("20/01/2027") == dt.date(2027, 1, 20)
    with pytest.raises(ValueError, match="could be day-first or month-first; write it as YYYY"):
        parse_day("4/10/2027")
