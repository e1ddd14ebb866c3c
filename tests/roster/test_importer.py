"""Reading participant files: canonical CSV, form exports, XLSX, and every bad row."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorctl.errors import ImportProblemError
from mentorctl.program import load_program
from mentorctl.roster.importer import plan_import, read_participants, require_clean
from mentorctl.roster.records import split_list
from tests.conftest import DATA


@pytest.fixture
def program():
    return load_program(DATA / "program.yaml")


def write(tmp_path: Path, text: str, name: str = "in.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_canonical_csv(program, tmp_path: Path) -> None:
    result = read_participants(program, DATA / "people.csv")
    assert result.problems == []
    by_email = {r.email: r for r in result.records}
    assert list(by_email) == [
        "ada@example.com",
        "grace@example.com",
        "alan@example.com",
        "katherine@example.com",
        "edsger@example.com",
    ]
    grace = by_email["grace@example.com"]
    assert grace.answers["skills_offered"] == ["Leadership", "Public speaking, presenting"]
    assert grace.capacity is None and grace.tenure_months == 48
    ada = by_email["ada@example.com"]
    assert ada.languages == ["English", "French"] and ada.capacity == 3
    assert by_email["alan@example.com"].answers["preferred_mentors"] == ["ada@example.com"]


FORM = """\
Timestamp,Email Address,Full name,Your role in the program,  which SKILLS would you like to develop? ,Which skills can you help others with?,I am the life of the party.,Department,Something else
2027/01/02 10:00:00,Alan@Example.com,Alan Turing,Mentee,"Python, Public speaking, presenting",,3,Research,x
2027/01/01 09:00:00,grace@example.com,Grace Hopper,Mentor,,"Leadership, SQL",4,Engineering,y
2027/01/03 11:00:00,alan@example.com,Alan M. Turing,mentee,SQL;Writing,,2,Research,z
"""


def test_form_export_by_labels_with_bom_and_resubmission(program, tmp_path: Path) -> None:
    result = read_participants(program, write(tmp_path, FORM, bom=True))
    assert result.problems == []
    assert result.ignored_columns == ["Something else"]
    assert result.superseded_rows == 1
    alan = next(r for r in result.records if r.email == "alan@example.com")
    assert alan.name == "Alan M. Turing"  # the later submission wins
    assert alan.answers["skills_wanted"] == ["SQL", "Writing"]
    assert alan.answers["extraversion"] == 2
    grace = next(r for r in result.records if r.email == "grace@example.com")
    assert grace.role == "mentor"
    assert grace.answers["skills_offered"] == ["Leadership", "SQL"]


def test_latest_submission_wins_by_timestamp_not_row_order(program, tmp_path: Path) -> None:
    text = FORM.splitlines()
    swapped = "\n".join([text[0], text[3], text[2], text[1]]) + "\n"
    result = read_participants(program, write(tmp_path, swapped))
    alan = next(r for r in result.records if r.email == "alan@example.com")
    assert alan.name == "Alan M. Turing"


def test_comma_inside_an_option_survives_comma_splitting() -> None:
    options = ["Python", "Public speaking, presenting", "SQL"]
    assert split_list("Public speaking, presenting, SQL", options) == [
        "Public speaking, presenting",
        "SQL",
    ]
    assert split_list("Python;SQL", options) == ["Python", "SQL"]
    assert split_list("", options) == []


BAD = """\
email,name,role,level,tenure_months,skills_wanted,skills_offered,extraversion,preferred_mentors,timezone
ok@example.com,Ok,mentee,Junior,3,Python,,3,,Europe/Paris
not-an-email,Bad,mentee,Junior,3,Python,,3,,
bad2@example.com,Bad Two,mentee,Junior,3,Cooking,,9,x@y,
bad3@example.com,,tutor,Boss,-1,,,,,Mars/Olympus
dup@example.com,Dup,mentor,Senior,30,,Python,3,,
dup@example.com,Dup,mentee,Junior,30,SQL,,3,,
"""


def test_every_bad_row_is_reported_with_row_and_column(program, tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    result = read_participants(program, path)
    found = sorted(str(p) for p in result.problems)
    f = str(path)
    assert found == sorted(
        [
            f"{f}:3: email: 'not-an-email' is not an email address",
            f"{f}:4: skills_wanted: 'Cooking' is not one of the options "
            "(Python, SQL, Leadership, Public speaking, presenting, Writing)",
            f"{f}:4: skills_wanted: is required",
            f"{f}:4: extraversion: 9 is outside the scale 1-5",
            f"{f}:4: preferred_mentors: 'x@y' is not an email address",
            f"{f}:5: name: is required",
            f"{f}:5: role: 'tutor' must be mentor, mentee or both",
            f"{f}:5: level: 'Boss' is not one of the program's levels",
            f"{f}:5: tenure_months: '-1' must be at least 0",
            f"{f}:5: timezone: 'Mars/Olympus' is not a time zone name such as Europe/Berlin",
            f"{f}:7: role: dup@example.com is a mentee here but a mentor at row 6",
        ]
    )
    assert [r.email for r in result.records] == ["ok@example.com", "dup@example.com"]
    with pytest.raises(
        ImportProblemError, match=r"11 problems in 4 row\(s\); nothing was imported"
    ):
        require_clean(result, f)


def test_header_problems(program, tmp_path: Path) -> None:
    with pytest.raises(ImportProblemError, match="no email column"):
        read_participants(program, write(tmp_path, "name,role\nA,mentor\n"))
    with pytest.raises(ImportProblemError, match="feeds 'email', as does column 'email'"):
        read_participants(program, write(tmp_path, "email,Email address\na@b.co,a@b.co\n"))


def test_file_level_problems(program, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"email,name,role\nzoe@example.com,Zo\xe9,mentor\n")
    with pytest.raises(ImportProblemError, match=r"latin1.csv:2: not UTF-8 text"):
        read_participants(program, latin1)
    with pytest.raises(ImportProblemError, match="no such file"):
        read_participants(program, tmp_path / "missing.csv")
    with pytest.raises(ImportProblemError, match="the file is empty"):
        read_participants(program, write(tmp_path, ""))
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x89PNG\x00\x00\x00")
    with pytest.raises(ImportProblemError, match="binary file"):
        read_participants(program, binary)
    with pytest.raises(ImportProblemError, match=r"1 cells? but|cells but the header"):
        require_clean(
            read_participants(
                program,
                write(tmp_path, "email,name,role,skills_offered\na@b.co,A,mentor,SQL,x,y\n"),
            ),
            "x",
        )


def test_a_50_mb_file_is_refused_before_reading(program, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.write(b"email,name,role\n")
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(ImportProblemError, match=r"50.0 MB, above the 20 MB limit .*--max-size"):
        read_participants(program, big)


def test_xlsx(program, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Email address", "Full name", "role", "skills_offered", "tenure_months"])
    ws.append(["Lin@Example.com", "Lin", "mentor", "SQL, Writing", 24])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    result = read_participants(program, path)
    assert result.problems == []
    [lin] = result.records
    assert (lin.email, lin.tenure_months, lin.answers["skills_offered"]) == (
        "lin@example.com",
        24,
        ["SQL", "Writing"],
    )


def test_plan_import(program) -> None:
    records = read_participants(program, DATA / "people.csv").records
    plan = plan_import(records, {})
    assert len(plan.create) == 5 and plan.changes == 5
    stored = {r.email: (i, r.as_dict()) for i, r in enumerate(records)}
    assert plan_import(records, stored).changes == 0
    records[0].name = "Ada King"
    plan = plan_import(records, stored)
    assert [(r.email, fields) for _, r, fields in plan.update] == [("ada@example.com", ["name"])]
    assert [r.email for r in plan_import(records, stored, "skip").skipped] == ["ada@example.com"]
    assert [r.email for r in plan_import(records, stored, "error").conflicts] == ["ada@example.com"]


def test_an_absent_column_keeps_the_stored_value(program, tmp_path: Path) -> None:
    stored_records = read_participants(program, DATA / "people.csv").records
    stored = {r.email: (i, r.as_dict()) for i, r in enumerate(stored_records)}
    path = write(
        tmp_path,
        "email,name,role,skills_wanted,goals\n"
        "alan@example.com,Alan Turing,mentee,SQL,\n",  # goals blank: cleared
    )
    result = read_participants(program, path)
    assert result.provided == {"email", "name", "role", "skills_wanted", "goals"}
    plan = plan_import(result.records, stored, provided=result.provided)
    [(_, alan, changed)] = plan.update
    assert sorted(changed) == ["answers"]
    assert alan.department == "Research" and alan.timezone == "Europe/London"
    assert alan.answers == {
        "skills_wanted": ["SQL"],
        "track": "Engineering",
        "extraversion": 3,
        "preferred_mentors": ["ada@example.com"],
    }
    # Without `provided` the records are complete: what they lack is cleared.
    [(_, bare, _)] = plan_import(result.records, stored).update
    assert bare.department is None


def test_survey_columns_can_ignore_a_column(program, tmp_path: Path) -> None:
    program.survey.columns["Name"] = "ignore"
    path = write(
        tmp_path,
        "Email,Name,Full name,role,skills_offered\nlin@example.com,Lin Q,Lin,mentor,SQL\n",
    )
    result = read_participants(program, path)
    assert [r.name for r in result.records] == ["Lin"]
    assert result.ignored_columns == []
