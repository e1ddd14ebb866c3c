"""`mentorctl log`, `checkin import` and `status`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.cli.test_remind import A, B, C, matched
from tests.conftest import Cli


def status_json(cli: Cli, *args: str) -> dict:
    r = cli("status", "--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_log_meeting_and_status(cli: Cli) -> None:
    matched(cli)
    r = cli(
        "log",
        "meeting",
        *A,
        "--date",
        "2027-02-20",
        "--minutes",
        "45",
        "--note",
        "ok",
        "--today",
        "2027-03-01",
    )
    assert r.exit_code == 0 and "logged a meeting" in r.stderr
    again = cli("log", "meeting", *A, "--date", "2027-02-20", "--today", "2027-03-01")
    assert again.exit_code == 0 and "already logged" in again.stderr
    dry = cli("log", "meeting", *B, "--date", "2027-02-21", "--today", "2027-03-01", "--dry-run")
    assert dry.exit_code == 0 and "would log" in dry.stderr
    data = status_json(cli, "--today", "2027-03-01")
    assert data["cycle"] == "2027-h1" and data["counts"] == {
        "on-track": 0,
        "at-risk": 1,
        "stalled": 2,
        "ended": 0,
    }
    by_pair = {(m["mentor"], m["mentee"]): m for m in data["matches"]}
    a = by_pair[A]
    assert (
        a["meetings_held"],
        a["meetings_expected"],
        a["last_met"],
        a["days_since"],
        a["minutes"],
        a["health"],
    ) == (1, 3, "2027-02-20", 9, 45, "at-risk")
    assert a["reasons"] == ["1 of 3 expected meetings held"]
    assert by_pair[B]["meetings_held"] == 0  # the dry run stored nothing
    assert [m["health"] for m in data["matches"]] == ["stalled", "stalled", "at-risk"]
    # Filters, sorting, --fail-on.
    assert [
        m["mentee"]
        for m in status_json(cli, "--today", "2027-03-01", "--health", "at-risk")["matches"]
    ] == ["katherine@example.com"]
    assert [
        m["mentor"]
        for m in status_json(cli, "--today", "2027-03-01", "--sort", "mentor")["matches"]
    ] == ["ada@example.com", "edsger@example.com", "grace@example.com"]
    assert len(status_json(cli, "--today", "2027-03-01", "--person", "grace")["matches"]) == 1
    assert cli("status", "--today", "2027-03-01", "--fail-on", "stalled").exit_code == 4
    ok = cli("status", "--today", "2027-03-01", "--person", "ada", "--fail-on", "stalled")
    assert ok.exit_code == 0
    assert cli("status", "--today", "2027-01-20", "--fail-on", "at-risk").exit_code == 0


def test_status_table_is_plain_without_a_terminal(cli: Cli) -> None:
    matched(cli)
    r = cli("status", "--today", "2027-02-01")
    assert r.exit_code == 0
    assert "\x1b[" not in r.stdout
    assert "Cycle 2027-h1 on 2027-02-01" in r.stdout and "3 match(es): 3 at-risk" in r.stdout
    csv = cli("status", "--today", "2027-02-01", "--csv")
    assert csv.stdout.splitlines()[0].startswith("match_id,mentor,mentee,")


def test_log_meeting_errors(cli: Cli) -> None:
    matched(cli)
    future = cli("log", "meeting", *A, "--date", "2027-03-02", "--today", "2027-03-01")
    assert future.exit_code == 1
    assert future.stderr.strip() == "error: date: 2027-03-02 is in the future (today is 2027-03-01)"
    nobody = cli("log", "meeting", "ada@example.com", "nobody@example.com", "--today", "2027-03-01")
    assert nobody.exit_code == 1 and "nobody@example.com: not in any match" in nobody.stderr
    wrong = cli("log", "meeting", "ada@example.com", "alan@example.com", "--today", "2027-03-01")
    assert "no match ada@example.com -> alan@example.com in cycle 2027-h1" in wrong.stderr
    assert cli("log", "meeting", "a", "b", "c").exit_code == 2
    assert cli("log", "meeting", "nocircle", "--today", "2027-03-01").exit_code == 1


def test_log_import_is_all_or_nothing(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    bad = tmp_path / "meetings.csv"
    bad.write_text(
        "Mentor email,Mentee email,Meeting date,Duration (minutes),Notes\n"
        "ada@example.com,katherine@example.com,2027-01-20,30,first\n"
        "edsger@example.com,alan@example.com,31/02/2027,30,\n"
        "grace@example.com,edsger@example.com,2027-01-21,-5,\n",
        encoding="utf-8",
    )
    r = cli("log", "import", str(bad), "--today", "2027-03-01")
    assert r.exit_code == 1
    assert f"{bad}: 2 problems in 2 row(s); nothing was imported" in r.stderr
    assert f"{bad}:3: Meeting date: '31/02/2027' is not a real date or time" in r.stderr
    assert f"{bad}:4: Duration (minutes): -5 is outside 1-1440 (minutes)" in r.stderr
    assert status_json(cli, "--today", "2027-03-01")["matches"][2]["meetings_held"] == 0
    good = tmp_path / "ok.csv"
    good.write_text(
        "mentor,mentee,date,minutes\n"
        "ada@example.com,katherine@example.com,2027-01-20,30\n"
        "alan@example.com,edsger@example.com,2027-01-22T10:00:00,\n",  # the other way round
        encoding="utf-8",
    )
    out = cli("log", "import", str(good), "--today", "2027-03-01", "--json")
    assert json.loads(out.stdout) | {"file": ""} == {
        "file": "",
        "dry_run": False,
        "rows": 2,
        "added": 2,
        "duplicates": 0,
    }
    again = cli("log", "import", str(good), "--today", "2027-03-01", "--json")
    assert json.loads(again.stdout)["duplicates"] == 2
    unmatched = tmp_path / "x.csv"
    unmatched.write_text("mentor,mentee,date\nada@example.com,alan@example.com,2027-01-20\n")
    r = cli("log", "import", str(unmatched), "--today", "2027-03-01")
    assert f"{unmatched}:2: no match ada@example.com -> alan@example.com" in r.stderr


def test_checkin_import(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    f = tmp_path / "pulse.csv"
    f.write_text(
        "Timestamp,Email address,satisfaction,recommend,progress,comment\n"
        "2027-02-01T10:00:00,katherine@example.com,2,6,30,slow start\n"
        "2027-02-02T10:00:00,ada@example.com,2,7,,\n",
        encoding="utf-8",
    )
    r = cli("checkin", "import", str(f), "--today", "2027-02-10")
    assert r.exit_code == 0 and "added 2 check-in(s)" in r.stderr
    a = next(m for m in status_json(cli, "--today", "2027-02-10")["matches"] if m["mentor"] == A[0])
    assert (a["satisfaction"], a["recommend"], a["goal_progress"], a["checkins"]) == (
        2.0,
        6.5,
        30.0,
        2,
    )
    assert a["health"] == "at-risk" and a["reasons"][-1] == "low satisfaction (2.0 of 5)"
    assert "comment" not in a  # private to the coordinator
    # edsger mentors alan and is mentored by grace: needs a partner column.
    amb = tmp_path / "amb.csv"
    amb.write_text("email,date,satisfaction\nedsger@example.com,2027-02-01,4\n")
    r = cli("checkin", "import", str(amb), "--today", "2027-02-10")
    assert r.exit_code == 1 and "add a 'partner' column" in r.stderr
    rng = tmp_path / "range.csv"
    rng.write_text("email,date,satisfaction,recommend\nalan@example.com,2027-02-01,6,11\n")
    r = cli("checkin", "import", str(rng), "--today", "2027-02-10")
    assert (
        "satisfaction: 6 is outside 1-5" in r.stderr and "recommend: 11 is outside 0-10" in r.stderr
    )


def test_circle_meeting_logs_for_every_member(cli: Cli) -> None:
    matched(cli)
    from sqlalchemy import create_engine, text

    url = cli.db_url or f"sqlite:///{cli.program / 'roster.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE match SET circle = 'Python'"))
    engine.dispose()
    r = cli("log", "meeting", "python", "--date", "2027-01-20", "--today", "2027-01-21")
    assert r.exit_code == 0 and "for 3 match(es)" in r.stderr
    held = [m["meetings_held"] for m in status_json(cli, "--today", "2027-01-21")["matches"]]
    assert held == [1, 1, 1]


def test_status_before_anything_is_stored(cli: Cli) -> None:
    r = cli("status")
    if (cli.db_url or "").startswith("sqlite"):  # no roster file: exit 3, none created
        assert r.exit_code == 3 and "no roster here yet" in r.stderr
    else:
        assert r.exit_code == 1 and "nothing stored yet" in r.stderr
    assert dt.date.today()  # (the real date is never needed when --today is given)
    _ = C
