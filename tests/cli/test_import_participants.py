"""`participants import` of real-shaped form exports, through the real CLI.

Each test pins a defect of the old importer: the fixtures are written the way Google
Forms (Sheets download, the Forms CSV download) and Microsoft Forms (XLSX, Excel's CSV
UTF-8 with a BOM) write them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.conftest import DATA, Cli

GOOGLE_HEADER = (
    "Timestamp,Email Address,Full name,Your role in the program,"
    "Which skills would you like to develop?,What do you want to achieve?,Department"
)


def show(cli: Cli, email: str) -> dict:
    result = cli("participants", "show", email, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sheet(path: Path, *lines: str, bom: bool = False) -> Path:
    """A CSV as Google Sheets and Excel write it: CRLF line ends, quotes only where needed."""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\r\n".join(lines).encode() + b"\r\n")
    return path


def test_a_uk_sheet_keeps_the_latest_submission(cli: Cli, tmp_path: Path) -> None:
    # Read US-first row by row, 05/01/2027 was 1 May and beat 20/01/2027 (20 January).
    f = sheet(
        tmp_path / "responses.csv",
        GOOGLE_HEADER,
        "05/01/2027 09:12:44,zoe@example.com,Zoe Early,Mentee,Python,First draft,Research",
        "20/01/2027 14:03:11,zoe@example.com,Zoe Later,Mentee,SQL,Second thoughts,Research",
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 0, result.output
    zoe = show(cli, "zoe@example.com")
    assert (zoe["name"], zoe["answers"]["skills_wanted"]) == ("Zoe Later", ["SQL"])


def test_google_forms_own_download_with_am_pm_and_gmt_offsets(cli: Cli, tmp_path: Path) -> None:
    # "9:00:00 AM GMT+1" never parsed, so the row order decided: the older answer won.
    f = sheet(
        tmp_path / "Mentoring sign-up.csv",
        GOOGLE_HEADER,
        "2027/01/21 9:00:00 AM GMT+1,zoe@example.com,Zoe Later,Mentee,SQL,,",
        "2027/01/20 11:30:00 PM GMT+1,zoe@example.com,Zoe Early,Mentee,Python,,",
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 0, result.output
    assert "1 earlier submission(s) replaced by later ones" in result.stderr
    assert show(cli, "zoe@example.com")["name"] == "Zoe Later"


def _ms_forms_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Full name",
            "Your role in the program",
            "Which skills would you like to develop?",
        ]
    )
    # Opened first, submitted last (left open over the weekend): the one that counts.
    ws.append(
        [
            1,
            dt.datetime(2027, 1, 20, 10, 0, 5),
            dt.datetime(2027, 1, 22, 9, 14, 2),
            "zoe@example.com",
            "Zoe Q. Public",
            None,
            "Zoe Final",
            "Mentee",
            "SQL",
        ]
    )
    ws.append(
        [
            2,
            dt.datetime(2027, 1, 21, 8, 0, 0),
            dt.datetime(2027, 1, 21, 8, 3, 30),
            "zoe@example.com",
            "Zoe Q. Public",
            None,
            "Zoe Draft",
            "Mentee",
            "Python",
        ]
    )
    wb.save(path)
    return path


def test_microsoft_forms_orders_by_completion_time_and_can_ignore_its_name_column(
    cli: Cli, tmp_path: Path
) -> None:
    f = _ms_forms_xlsx(tmp_path / "Mentoring sign-up(1-2).xlsx")
    clash = cli("participants", "import", str(f))
    assert clash.exit_code == 1
    assert "Full name: feeds 'name', as does column 'Name'" in clash.stderr
    assert "map one of them to 'ignore' in survey.columns" in clash.stderr
    program = cli.program / "program.yaml"
    program.write_text(
        program.read_text().replace(
            '"Your role in the program": role', '"Your role in the program": role\n    Name: ignore'
        )
    )
    assert cli("validate").exit_code == 0
    result = cli("participants", "import", str(f))
    assert result.exit_code == 0, result.output
    assert "ignored columns" not in result.stderr  # ID, Start/Last modified time, Name
    zoe = show(cli, "zoe@example.com")
    assert (zoe["name"], zoe["answers"]["skills_wanted"]) == ("Zoe Final", ["SQL"])


def test_a_quoted_comma_stays_in_its_cell(cli: Cli, tmp_path: Path) -> None:
    # csv.Sniffer took "'" for the quote character and split "Grow, then lead" in two.
    f = sheet(
        tmp_path / "responses.csv",
        GOOGLE_HEADER,
        '1/20/2027 9:15:00,zoe@example.com,Zoe,Mentee,Python,"Grow, then lead",Research',
        "1/20/2027 9:16:00,max@example.com,Max,Mentee,SQL,'ship it',Research",
        "1/20/2027 9:17:00,ann@example.com,Ann,Mentee,SQL,'listen more',Research",
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 0, result.output
    zoe = show(cli, "zoe@example.com")
    assert (zoe["answers"]["goals"], zoe["department"]) == ("Grow, then lead", "Research")
    assert show(cli, "max@example.com")["answers"]["goals"] == "'ship it'"


def test_an_absent_column_keeps_what_is_stored_and_a_blank_cell_clears(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    before = show(cli, "alan@example.com")
    # The required answers, and the optional question's label reworded ("programme").
    f = sheet(
        tmp_path / "again.csv",
        "Email Address,Full name,role,Which skills would you like to develop?,"
        "Which skills can you help others with?,What do you want to achieve in the programme?",
        "alan@example.com,Alan Turing,mentee,Python,,Run the programme",
        "ada@example.com,Ada Lovelace,mentor,,Python; SQL,",
    )
    result = cli("participants", "import", str(f), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ignored_columns"] == ["What do you want to achieve in the programme?"]
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert "goals" in summary["kept_as_stored"] and "department" in summary["kept_as_stored"]
    after = show(cli, "alan@example.com")
    for key in ("department", "level", "timezone", "manager_email", "tenure_months", "languages"):
        assert after[key] == before[key], key
    assert after["answers"]["goals"] == "Learn to lead a team"
    assert after["answers"]["skills_wanted"] == ["Python"]
    assert after["answers"]["preferred_mentors"] == ["ada@example.com"]
    assert cli("validate").exit_code == 0
    # A column that is there, with a blank cell, clears the value.
    blank = sheet(
        tmp_path / "blank.csv",
        "email,name,role,skills_wanted,department,goals",
        "alan@example.com,Alan Turing,mentee,Python,,",
    )
    assert cli("participants", "import", str(blank)).exit_code == 0
    cleared = show(cli, "alan@example.com")
    assert cleared["department"] is None and "goals" not in cleared["answers"]
    assert cleared["timezone"] == before["timezone"]


def test_a_required_question_without_a_column_is_one_error(cli: Cli, tmp_path: Path) -> None:
    rows = [f"p{i}@example.com,P {i},mentee,SQL" for i in range(40)]
    f = sheet(
        tmp_path / "responses.csv",
        "email,name,role,Which skills would you like to grow?",
        *rows,
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {f}:1: no column for required question 'skills_wanted'; closest: "
        "'Which skills would you like to grow?' (name it in survey.columns)"
    ]
    # A mentors-only file does not need the mentees' question.
    mentors = sheet(
        tmp_path / "m.csv", "email,name,role,skills_offered", "m@example.com,M,mentor,SQL"
    )
    assert cli("participants", "import", str(mentors)).exit_code == 0


def test_an_unwritable_rejects_path_is_found_before_anything_is_written(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    assert sqlite_cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    roster = sqlite_cli.program / "roster.db"
    before = roster.read_bytes()
    f = sheet(
        tmp_path / "mixed.csv",
        "email,name,role,skills_wanted",
        "new1@example.com,New One,mentee,SQL",
        "new2@example.com,New Two,mentee,Cooking",
        "new3@example.com,New Three,mentee,Python",
    )
    result = sqlite_cli(
        "participants", "import", str(f), "--skip-invalid", "--rejects", "/no/such/dir/r.csv"
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "error: --rejects /no/such/dir/r.csv: no such directory /no/such/dir"
    )
    assert roster.read_bytes() == before
    # A good path: the rejects file appears, private to the user.
    ok = sqlite_cli(
        "participants", "import", str(f), "--skip-invalid", "--rejects", str(tmp_path / "r.csv")
    )
    assert ok.exit_code == 0 and "enrolled 2" in ok.stderr
    assert "Cooking" in (tmp_path / "r.csv").read_text()
    assert (tmp_path / "r.csv").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_long_failure_ends_with_a_summary_per_column(cli: Cli, tmp_path: Path) -> None:
    rows = [f"p{i}@example.com,P {i},mentee,Cooking,7" for i in range(30)]
    rows += [f"not-an-email-{i},Q,mentee,SQL,3" for i in range(3)]
    f = sheet(tmp_path / "bad.csv", "email,name,role,skills_wanted,extraversion", *rows)
    result = cli("participants", "import", str(f))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {f}: 93 problems in 33 row(s); nothing was imported"
    assert lines[-4:] == [
        "  ... and 73 more; by column:",
        "    skills_wanted: 30 row(s), e.g. row 2: 'Cooking' is not one of the options "
        "(Python, SQL, Leadership, Public speaking, presenting, Writing)",
        "    extraversion: 30 row(s), e.g. row 2: 7 is outside the scale 1-5",
        "    email: 3 row(s), e.g. row 32: 'not-an-email-0' is not an email address",
    ]


def test_ambiguous_timestamps_are_an_error_naming_the_column_and_the_flag(
    cli: Cli, tmp_path: Path
) -> None:
    f = sheet(
        tmp_path / "responses.csv",
        GOOGLE_HEADER,
        "4/10/2027 9:15:00,zoe@example.com,Zoe April,Mentee,Python,,",
        "5/1/2027 9:15:00,zoe@example.com,Zoe May,Mentee,SQL,,",
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {f}: column 'Timestamp': every date fits both day-first and month-first "
        "(e.g. 4/10/2027 9:15:00); state the order with --date-format DMY or --date-format MDY"
    )
    dmy = cli("participants", "import", str(f), "--date-format", "DMY", "--dry-run", "--json")
    assert dmy.exit_code == 0, dmy.output
    assert cli("participants", "import", str(f), "--date-format", "MDY").exit_code == 0
    assert show(cli, "zoe@example.com")["name"] == "Zoe May"  # 1 May after 10 April
    # Nobody answered twice: the order of answers does not matter, so neither do the dates.
    once = sheet(
        tmp_path / "once.csv",
        GOOGLE_HEADER,
        "4/10/2027 9:15:00,max@example.com,Max,Mentee,Python,,",
        "5/1/2027 9:15:00,ann@example.com,Ann,Mentee,SQL,,",
    )
    assert cli("participants", "import", str(once)).exit_code == 0
    bad = cli("participants", "import", str(f), "--date-format", "european")
    assert bad.exit_code == 2 and "--date-format 'european'" in bad.stderr


def test_excel_csv_utf8_with_bom_from_microsoft_forms(cli: Cli, tmp_path: Path) -> None:
    f = sheet(
        tmp_path / "export.csv",
        "ID,Start time,Completion time,Email,Full name,Your role in the program,"
        "Which skills would you like to develop?",
        "1,1/20/27 10:00,1/22/27 9:14,zoe@example.com,Zoe Final,Mentee,SQL",
        "2,1/21/27 8:00,1/21/27 8:03,zoe@example.com,Zoe Draft,Mentee,Python",
        bom=True,
    )
    result = cli("participants", "import", str(f))
    assert result.exit_code == 0, result.output
    assert show(cli, "zoe@example.com")["name"] == "Zoe Final"
