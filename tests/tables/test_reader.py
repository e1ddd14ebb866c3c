"""The one file reader: standard quoting, detected delimiter, submission column, summaries."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mentorctl.errors import Problem, UsageError
from mentorctl.tables.columns import closest_header
from mentorctl.tables.csvsafe import StagedCsv
from mentorctl.tables.reader import (
    by_column,
    detect_delimiter,
    listed,
    parse_csv,
    read_table,
    submission_column,
)


def test_double_quotes_quote_and_apostrophes_are_text() -> None:
    # csv.Sniffer took "'" for the quote character here, splitting the first answer.
    text = (
        "email,name,role,goals\n"
        'zoe@example.com,Zoe,mentee,"Grow, then lead"\n'
        "max@example.com,Max,mentee,'ship it',\n"
        "ann@example.com,Ann,mentee,'x',\n"
    )
    table = parse_csv(text, "f.csv")
    assert table.rows[0] == (2, ["zoe@example.com", "Zoe", "mentee", "Grow, then lead"])
    assert table.rows[1][1][3] == "'ship it'"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("email,name\na@b.co,A\n", ","),
        ("email;name;goals\na@b.co;A;Grow, then lead\nb@b.co;B;x\n", ";"),
        ("email\tname\na@b.co\tA, B\n", "\t"),
        ('"Goals, if any",email\n"x; y",a@b.co\n', ","),
        ("email;name;Goals, if any\na@b.co;A;x\nb@b.co;B;y, z\n", ";"),
        ("email\na@b.co\n", ","),
    ],
)
def test_only_the_delimiter_is_detected(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_the_submission_time_is_never_the_start_time() -> None:
    ms = ["ID", "Start time", "Completion time", "Email", "Name"]
    assert submission_column(ms) == 2
    assert submission_column(["Timestamp", "Email Address"]) == 0
    assert submission_column(["Start time", "email"]) is None


def test_xlsx_date_cells_come_back_as_iso(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Completion time", "Email"])
    ws.append([dt.datetime(2027, 1, 20, 14, 3, 11), "a@b.co"])
    ws.append([dt.date(2027, 1, 21), "b@b.co"])
    wb.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx")
    assert table.column(0) == ["2027-01-20T14:03:11", "2027-01-21T00:00:00"]


def test_a_long_list_ends_with_a_count_per_column() -> None:
    problems = [
        Problem("'x' is not one of the options", "f.csv", i, "Skills") for i in range(2, 40)
    ]
    problems += [Problem("is required", "f.csv", i, "Full name") for i in range(2, 5)]
    problems += [Problem("3 cells but the header has 2", "f.csv", 50)]
    assert by_column(problems) == [
        "Skills: 38 row(s), e.g. row 2: 'x' is not one of the options",
        "Full name: 3 row(s), e.g. row 2: is required",
        "(whole row): 1 row(s), e.g. row 50: 3 cells but the header has 2",
    ]
    shown = [str(p) for p in listed(problems)]
    assert len(shown) == 20 + 1 + 3
    assert shown[20] == "... and 22 more; by column:"
    assert shown[-1].startswith("  (whole row): 1 row(s)")
    assert listed(problems[:3]) == problems[:3]


def test_closest_header() -> None:
    headers = ["Timestamp", "Email", "Availability slots", "Notes on the programme"]
    assert closest_header("availability", headers) == "Availability slots"
    assert closest_header("Notes on the program", headers) == "Notes on the programme"
    assert closest_header("zzz", headers) is None


def test_a_staged_file_appears_only_on_commit_and_is_private(tmp_path: Path) -> None:
    target = tmp_path / "rejects.csv"
    staged = StagedCsv(target)
    staged.write(["row", "email"], [[2, "=cmd()"]])
    assert not target.exists()
    staged.commit()
    assert target.read_text() == "row,email\n2,'=cmd()\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    dropped = StagedCsv(tmp_path / "other.csv")
    dropped.write(["a"], [])
    dropped.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.csv"]


def test_a_path_that_cannot_be_written_is_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--rejects .*: no such directory"):
        StagedCsv(tmp_path / "no" / "such" / "r.csv", flag="--rejects")
    with pytest.raises(UsageError, match="is a directory"):
        StagedCsv(tmp_path, flag="--rejects")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        with pytest.raises(UsageError, match="cannot write in"):
            StagedCsv(locked / "r.csv")
