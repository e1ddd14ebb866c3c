"""``mentorctl report`` in every format, and ``hr import``, through the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO, Cli
from tests.imports import run_cli
from tests.reports.fixture import AS_OF, PROGRAM_YAML, build_roster

TODAY = ("--today", AS_OF.isoformat())


@pytest.fixture
def rcli(tmp_path: Path, db_url: str) -> Cli:
    d = tmp_path / "fixture"
    d.mkdir()
    (d / "program.yaml").write_text(PROGRAM_YAML, encoding="utf-8")
    build_roster(db_url)
    return Cli(d, db_url)


def test_json(rcli: Cli) -> None:
    res = rcli("report", *TODAY, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == [
        "program", "cycle", "cycle_start", "cycle_end", "as_of", "in_progress",
        "min_group_size", "participation", "match_quality", "engagement", "goals",
        "satisfaction", "supply_gaps", "comparison", "outcomes", "health_timeline", "trends",
        "by_group",
    ]  # fmt: skip
    assert data["participation"]["match_rate"] == 0.8333
    assert data["outcomes"]["groups"][0]["retention_ci"] == [0.4365, 0.9699]
    assert data["trends"] is None
    trends = json.loads(rcli("report", *TODAY, "--json", "--all-cycles").stdout)["trends"]
    assert [t["cycle"] for t in trends] == ["2026-h2", "2027-h1"]


HEAVY = {
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "mentorctl.roster.models",
    "numpy",
    "scipy",
    "ortools",
    "jinja2",
    "matplotlib",
}


def test_report_json_reads_sqlite_without_orm_or_sqlalchemy(tmp_path: Path) -> None:
    """`report --json` on SQLite reads through the plain reader: no SQLAlchemy, no ORM
    models, no matching engine (the greedy baseline is not recomputed here)."""
    d = tmp_path / "fixture"
    d.mkdir()
    (d / "program.yaml").write_text(PROGRAM_YAML, encoding="utf-8")
    build_roster(f"sqlite:///{d / 'roster.db'}")
    before = (d / "roster.db").read_bytes()
    proc, modules = run_cli(d, "report", "--json", "--no-greedy", *TODAY)
    assert proc.returncode == 0, proc.stderr
    assert sorted(HEAVY & modules) == []
    data = json.loads(proc.stdout)
    assert data["participation"]["match_rate"] == 0.8333  # the figures of test_json
    assert data["outcomes"]["groups"][0]["retention_ci"] == [0.4365, 0.9699]
    assert data["match_quality"]["greedy_note"] == "not computed (--no-greedy)"
    assert (d / "roster.db").read_bytes() == before  # a read changes nothing


def test_csv_is_long_and_spreadsheet_safe(rcli: Cli) -> None:
    res = rcli("report", *TODAY, "--csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["section", "group", "figure", "value"]
    assert ["participation", "", "Match rate", "0.8333"] in rows
    assert ["by_department", "HR", "enrolled", "suppressed"] in rows
    assert ["outcomes", "mentored", "retention_ci_low", "0.4365"] in rows
    assert ["comparison", "change", "matched", "6"] in rows
    assert not any(cell.startswith(("=", "+", "@")) for row in rows[1:] for cell in row)


def test_markdown_is_pinned(rcli: Cli) -> None:
    res = rcli("report", *TODAY, "--md")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(
        "# Report Fixture: cycle 2027-h1\n\n"
        "2027-01-11 to 2027-07-12 (in progress), as of 2027-04-05.\n\n"
        "## Participation\n\n"
        "| Figure | Value |\n"
        "| --- | ---: |\n"
        "| Enrolled | 12 |\n"
        "| Matched | 10 |\n"
        "| Match rate | 83.3% |\n"
    )
    assert (
        "## Participation by department\n\n"
        "| Group | Enrolled | Matched | Match rate |\n"
        "| --- | ---: | ---: | ---: |\n"
        "| Engineering | 5 | 5 | 100.0% |\n"
        "| HR | suppressed | suppressed | suppressed |\n"
        "| Operations | suppressed | suppressed | suppressed |\n"
        "| Sales | 4 | 2 | 50.0% |\n\n"
        "groups under 3 people are suppressed\n"
    ) in res.stdout
    assert "| mentored | 6 | 5 | 83.3% | 43.6–97.0% | 1 | 16.7% | 3.0–56.4% |\n" in res.stdout
    assert (
        "Retention: too small to conclude anything: each group needs at least 10 people "
        "(mentored: 6, not mentored: 12).\n" in res.stdout
    )
    assert res.stdout.endswith("Definitions of every figure: docs/reports.md.\n")


def test_table_is_pinned(rcli: Cli) -> None:
    res = rcli("report", *TODAY)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.startswith(
        "Report Fixture: cycle 2027-h1 (2027-01-11 to 2027-07-12, in progress), as of 2027-04-05\n"
    )
    assert "│ Gain over greedy (total score)      │ +1.00 │" in out
    assert "│ Held / expected            │ 67.7% │" in out
    assert "│ HR          │ suppressed │ suppressed │ suppressed │" in out
    assert "Compared with 2026-h2" in out


def test_html_is_self_contained(rcli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    res = rcli("report", *TODAY, "--all-cycles", "--html", str(page))
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 6  # five charts + trends
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert "https://" not in html and "<img" not in html and "<script" not in html
    assert "@media print" in html
    assert "<title>Report Fixture: cycle 2027-h1 report</title>" in html
    assert page.stat().st_mode & 0o777 == 0o600  # it names people: owner only


def test_html_escapes_names(sqlite_cli: Cli, program_dir: Path, tmp_path: Path) -> None:
    from tests.conftest import DATA

    text = (
        (program_dir / "program.yaml")
        .read_text()
        .replace("name: Test Mentoring", "name: '<b>Ops & Co</b>'")
    )
    (program_dir / "program.yaml").write_text(text)
    sqlite_cli("participants", "import", str(DATA / "people.csv"))
    page = tmp_path / "r.html"
    res = sqlite_cli("report", "--today", "2027-02-01", "--html", str(page))
    assert res.exit_code == 0, res.output
    html = page.read_text()
    assert "&lt;b&gt;Ops &amp; Co&lt;/b&gt;" in html and "<b>Ops" not in html


def test_usage_and_data_errors(rcli: Cli) -> None:
    res = rcli("report", "--json", "--csv")
    assert res.exit_code == 2
    assert "choose one of --json, --csv, --md and --html" in res.stderr
    res = rcli("report", "--cycle", "2030-x")
    assert res.exit_code == 1
    assert "cycle '2030-x': no such cycle in the roster (cycles: 2026-h2, 2027-h1)" in res.stderr


# --------------------------------------------------------------------------- hr import


def test_hr_import_dry_run_then_real(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "hr.csv"
    f.write_text(
        "Email,Still employed,Left date,Promotion date,Notes\n"
        "ADA@example.com,yes,,2027-03-01,x\n"
        "alan@example.com,,2027-02-01,,\n"
        "grace@example.com,no,,,\n"
    )
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    res = cli("hr", "import", str(f), "--dry-run", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {
        "file": str(f), "dry_run": True, "rows": 3, "created": 3, "updated": 0,
        "unchanged": 0, "ignored_columns": ["Notes"],
    }  # fmt: skip
    res = cli("hr", "import", str(f), "--json")
    assert json.loads(res.stdout)["created"] == 3  # the dry run stored nothing
    f.write_text("email,employed\nada@example.com,yes\nalan@example.com,no\n")
    res = cli("hr", "import", str(f))
    assert res.exit_code == 0, res.output
    assert f"{f}: add 0, update 2, unchanged 0" in res.stderr


def test_hr_import_is_all_or_nothing(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "hr.csv"
    f.write_text(
        "email,employed,left_date,promotion_date\n"
        "ok@example.com,yes,,\n"
        "not-an-email,yes,,\n"
        "b@example.com,yes,2027-01-01,\n"
        "c@example.com,maybe,,2027-13-01\n"
        "ok@example.com,no,,\n"
    )
    res = cli("hr", "import", str(f))
    assert res.exit_code == 1
    err = res.stderr
    assert f"{f}: 5 problems in 4 row(s); nothing was imported" in err
    assert f"{f}:3: email: 'not-an-email' is not an email address" in err
    assert f"{f}:4: employed: says still employed, but the row has a left date" in err
    assert f"{f}:5: promotion_date: '2027-13-01' is not a real date or time" in err
    assert f"{f}:5: employed: 'maybe': expected yes or no" in err
    assert f"{f}:6: email: ok@example.com is also at row 2" in err
    f.write_text("ok@example.com\n")
    res = cli("hr", "import", str(f))
    assert res.exit_code == 1 and "no email column" in res.stderr


# --------------------------------------------------------------------------- chromium


@pytest.mark.slow
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("no chromium installed")
    pytest.importorskip("websocket")
    out = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "screenshot_report.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=180, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "requests: 1 (file)" in proc.stdout
    assert "charts: 6 <svg>, 6 rendered with a size" in proc.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- after close


def _report(cli: Cli, *args: str) -> dict:
    r = cli("report", "--today", "2027-03-10", "--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_the_report_after_close_is_as_complete_as_before(cli: Cli, tmp_path: Path) -> None:
    """After `cycle close`, meetings expected once dropped to 0, held/expected and on-track
    showed "–", the health chart was empty and the outcomes appeared in no format."""
    from tests.cli.test_remind import A, B, matched

    matched(cli)
    for d in ("2027-01-20", "2027-02-03", "2027-02-17", "2027-03-03"):
        assert cli("log", "meeting", *A, "--date", d, "--today", d).exit_code == 0
    assert cli("log", "meeting", *B, "--date", "2027-01-20", "--today", "2027-01-20").exit_code == 0
    before = _report(cli, "--all-cycles", "--timeline")
    closed = cli("cycle", "close", "--today", "2027-03-10", "--yes")
    assert closed.exit_code == 0, closed.output
    after = _report(cli, "--all-cycles", "--timeline")

    e0, e1 = before["engagement"], after["engagement"]
    assert e1["meetings_expected"] == e0["meetings_expected"] > 0
    assert e1["meeting_ratio"] == e0["meeting_ratio"] is not None
    assert e1["health"] == e0["health"] and e1["health_shares"] == e0["health_shares"]
    assert e1["health_shares"]["on_track"] is not None
    assert e0["outcomes"] == {
        "active": 3, "completed": 0, "incomplete": 0, "no_meetings": 0, "ended_early": 0
    }  # fmt: skip
    assert e1["outcomes"] == {
        "active": 0, "completed": 1, "incomplete": 1, "no_meetings": 1, "ended_early": 0
    }  # fmt: skip
    assert after["health_timeline"] == before["health_timeline"]
    assert sum(p["on_track"] + p["at_risk"] + p["stalled"] for p in after["health_timeline"]) > 0
    assert after["trends"] == before["trends"]
    assert after["trends"][-1]["meetings_expected"] > 0
    assert after["trends"][-1]["on_track_share"] is not None

    csv_rows = list(csv.reader(io.StringIO(cli("report", "--today", "2027-03-10", "--csv").stdout)))
    assert ["match_outcomes", "", "Completed", "1"] in csv_rows
    assert ["match_outcomes", "", "No meetings", "1"] in csv_rows
    md = cli("report", "--today", "2027-03-10", "--md").stdout
    assert "Match outcomes" in md and "Incomplete" in md
    table = cli("report", "--today", "2027-03-10").stdout
    assert "Match outcomes" in table and "Completed" in table
    html = tmp_path / "r.html"
    assert cli("report", "--today", "2027-03-10", "--html", str(html)).exit_code == 0
    assert "Match outcomes" in html.read_text()


def test_a_mentee_rematched_after_an_early_end_counts_once(cli: Cli) -> None:
    """The report once counted 76 matches for 75 mentees after one `match end` and rematch."""
    from tests.cli.test_remind import A, matched

    matched(cli)
    assert cli("match", "end", *A, "--reason", "moved team").exit_code == 0
    assert cli("match").exit_code == 0
    accepted = cli("match", "accept", "--all")
    assert accepted.exit_code == 0, accepted.output
    data = _report(cli)
    assert data["match_quality"]["matches"] == data["participation"]["mentees_matched"] == 3
    assert data["engagement"]["matches"] == 3
    assert data["engagement"]["replaced"] == 1
