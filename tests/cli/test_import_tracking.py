"""`checkin import`, `log import` and `hr import` of real-shaped exports, through the CLI.

Check-ins and meetings come back from the coordinator's form tool: Google Forms (US and
UK locales) and Microsoft Forms (XLSX with "Start time" and "Completion time").
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.cli.test_import_participants import sheet
from tests.cli.test_remind import A, B, C, matched
from tests.conftest import Cli

PULSE_HEADER = (
    "Timestamp,Email Address,How satisfied are you?,"
    "How likely are you to recommend the program?,Goal progress (%),Anything else?"
)


def checkins(cli: Cli, today: str) -> dict[tuple[str, str], int]:
    r = cli("status", "--json", "--today", today)
    assert r.exit_code == 0, r.output
    return {(m["mentor"], m["mentee"]): m["checkins"] for m in json.loads(r.stdout)["matches"]}


def test_a_us_google_forms_export_is_accepted(cli: Cli, tmp_path: Path) -> None:
    # parse_day knew ISO only: every row of this export was refused.
    matched(cli)
    f = sheet(
        tmp_path / "Pulse (Responses) - Form Responses 1.csv",
        PULSE_HEADER,
        "2/3/2027 9:15:00,katherine@example.com,4,8,30,Going well",
        "2/14/2027 17:02:45,ada@example.com,5,9,,",
    )
    r = cli("checkin", "import", str(f), "--today", "2027-03-01")
    assert r.exit_code == 0, r.output
    assert "added 2 check-in(s)" in r.stderr
    assert checkins(cli, "2027-03-01")[A] == 2


def test_a_one_row_export_whose_date_fits_both_orders_needs_the_flag(
    cli: Cli, tmp_path: Path
) -> None:
    matched(cli)
    f = sheet(tmp_path / "pulse.csv", PULSE_HEADER, "2/3/2027 9:15:00,katherine@example.com,4,8,,")
    r = cli("checkin", "import", str(f), "--today", "2027-03-01")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        f"error: {f}: column 'Timestamp': every date fits both day-first and month-first "
        "(e.g. 2/3/2027 9:15:00); state the order with --date-format DMY or --date-format MDY"
    )
    assert checkins(cli, "2027-03-01")[A] == 0
    ok = cli("checkin", "import", str(f), "--today", "2027-03-01", "--date-format", "MDY")
    assert ok.exit_code == 0, ok.output
    # 3 February, not 2 March (which would be in the future and refused).
    pattern = cli(
        "checkin", "import", str(f), "--today", "2027-02-03", "--date-format", "%m/%d/%Y %H:%M:%S"
    )
    assert pattern.exit_code == 0 and "1 already imported" in pattern.stderr


def test_a_check_in_goes_to_the_match_running_on_its_date(cli: Cli, tmp_path: Path) -> None:
    # edsger mentors alan (B) and is mentored by grace (C); C ended on 31 January.
    matched(cli)
    r = cli("match", "end", *C, "--reason", "moved teams")
    assert r.exit_code == 0, r.output
    from sqlalchemy import create_engine, text

    url = cli.db_url or f"sqlite:///{cli.program / 'roster.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE match SET ended_at = :d WHERE status = 'ended'"),
            {"d": dt.datetime(2027, 1, 31, 17)},
        )
    engine.dispose()
    f = sheet(
        tmp_path / "pulse.csv",
        PULSE_HEADER,
        "2027-02-20T10:00:00,edsger@example.com,4,8,50,",
    )
    r = cli("checkin", "import", str(f), "--today", "2027-03-01")
    assert r.exit_code == 0, r.output
    counts = checkins(cli, "2027-03-01")
    assert (counts[B], counts.get(C, 0)) == (1, 0)
    # While both ran, the partner column still decides.
    both = sheet(tmp_path / "both.csv", PULSE_HEADER, "2027-01-20T10:00:00,edsger@example.com,4,,,")
    r = cli("checkin", "import", str(both), "--today", "2027-03-01")
    assert r.exit_code == 1
    assert "edsger@example.com has 2 matches running on 2027-01-20" in r.stderr
    assert "add a 'partner' column" in r.stderr


def test_microsoft_forms_xlsx_dates_come_from_completion_time(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    matched(cli)
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Satisfaction (1-5)"])
    ws.append(
        [
            1,
            dt.datetime(2027, 2, 1, 23, 50),
            dt.datetime(2027, 2, 2, 0, 10),
            "katherine@example.com",
            "Katherine Johnson",
            4,
        ]
    )
    wb.save(tmp_path / "Pulse check(1-1).xlsx")
    r = cli("checkin", "import", str(tmp_path / "Pulse check(1-1).xlsx"), "--today", "2027-02-02")
    assert r.exit_code == 0, r.output
    r = cli("status", "--json", "--today", "2027-02-02")
    a = next(m for m in json.loads(r.stdout)["matches"] if (m["mentor"], m["mentee"]) == A)
    assert a["last_checkin"] == "2027-02-02"


def test_a_uk_meeting_log(cli: Cli, tmp_path: Path) -> None:
    # Only ISO dates were read: "20/01/2027" was refused.
    matched(cli)
    f = sheet(
        tmp_path / "meetings.csv",
        "Mentor email,Mentee email,Meeting date,Duration (minutes)",
        "ada@example.com,katherine@example.com,05/02/2027,30",
        "ada@example.com,katherine@example.com,20/01/2027,45",
    )
    r = cli("log", "import", str(f), "--today", "2027-03-01", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 2
    s = cli("status", "--json", "--today", "2027-03-01")
    a = next(m for m in json.loads(s.stdout)["matches"] if (m["mentor"], m["mentee"]) == A)
    assert a["last_met"] == "2027-02-05"  # 5 February, not 2 May (in the future)


def test_hr_dates_as_a_uk_spreadsheet_writes_them(cli: Cli, tmp_path: Path) -> None:
    f = sheet(
        tmp_path / "hr.csv",
        "Work email,Still employed,Leaving date,Promotion date",
        "ada@example.com,no,28/02/2027,",
        "grace@example.com,yes,,01/03/2027",
    )
    assert (
        cli(
            "participants", "import", str(Path(__file__).parent.parent / "data" / "people.csv")
        ).exit_code
        == 0
    )
    r = cli("hr", "import", str(f), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["created"] == 2
    ambiguous = sheet(tmp_path / "hr2.csv", "email,left date", "alan@example.com,01/03/2027")
    r = cli("hr", "import", str(ambiguous))
    assert r.exit_code == 1 and "--date-format" in r.stderr
    assert cli("hr", "import", str(ambiguous), "--date-format", "DMY").exit_code == 0


def test_a_microsoft_forms_meeting_log_uses_its_date_question(cli: Cli, tmp_path: Path) -> None:
    # "Start time" (when the form was opened) came first in the header and was taken
    # for the meeting's date.
    from openpyxl import Workbook

    matched(cli)
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Mentor email",
               "Mentee email", "Meeting date", "Duration (minutes)"])  # fmt: skip
    ws.append([1, dt.datetime(2027, 2, 10, 9, 0), dt.datetime(2027, 2, 10, 9, 2),
               "ada@example.com", "Ada Lovelace", "ada@example.com", "katherine@example.com",
               dt.datetime(2027, 2, 3), 40])  # fmt: skip
    wb.save(tmp_path / "Meeting log(1-1).xlsx")
    r = cli("log", "import", str(tmp_path / "Meeting log(1-1).xlsx"), "--today", "2027-03-01")
    assert r.exit_code == 0, r.output
    s = cli("status", "--json", "--today", "2027-03-01")
    a = next(m for m in json.loads(s.stdout)["matches"] if (m["mentor"], m["mentee"]) == A)
    assert (a["last_met"], a["minutes"]) == ("2027-02-03", 40)
