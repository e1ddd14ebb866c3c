"""`mentorctl agreements` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import icalendar

from tests.conftest import DATA, Cli

HOSTILE = Path(__file__).parent.parent / "agreements" / "data" / "hostile.csv"


def matched(cli: Cli, people: Path = DATA / "people.csv") -> Cli:
    for args in (("participants", "import", str(people)), ("match",), ("match", "accept", "--all")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    return cli


def run_json(cli: Cli, *args: str) -> dict:
    result = cli("agreements", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_one_agreement_and_calendar_per_match(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    out = tmp_path / "out"
    data = run_json(cli, "--out", str(out))
    assert data["format"] == "md" and data["dry_run"] is False
    files = sorted(f["path"] for a in data["agreements"] for f in a["files"])
    assert files == [
        "2027-h1/ada-lovelace--katherine-johnson.ics",
        "2027-h1/ada-lovelace--katherine-johnson.md",
        "2027-h1/edsger-dijkstra--alan-turing.ics",
        "2027-h1/edsger-dijkstra--alan-turing.md",
        "2027-h1/grace-hopper--edsger-dijkstra.ics",
        "2027-h1/grace-hopper--edsger-dijkstra.md",
    ]
    assert {a["kind"] for a in data["agreements"]} == {"group"}
    assert all(f["status"] == "created" for a in data["agreements"] for f in a["files"])
    text = (out / "2027-h1/edsger-dijkstra--alan-turing.md").read_text()
    assert "# Group mentoring agreement" in text
    assert "- **Mentee:** Alan Turing (Researcher, Research), alan@example.com" in text
    assert "### 1. Learn to lead a team" in text  # the survey answer is the first goal
    edsger = (out / "2027-h1/grace-hopper--edsger-dijkstra.md").read_text()
    assert '### 1. =HYPERLINK("http://evil")' in edsger
    cal = icalendar.Calendar.from_ical(
        (out / "2027-h1/edsger-dijkstra--alan-turing.ics").read_bytes()
    )
    [event] = cal.walk("VEVENT")
    assert event["RRULE"]["COUNT"] == [13]
    assert oct(os.stat(out / "2027-h1/edsger-dijkstra--alan-turing.md").st_mode & 0o777) == "0o600"


def test_rerun_rewrites_only_what_changed(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    out = str(tmp_path / "out")
    run_json(cli, "--out", out)
    again = run_json(cli, "--out", out)
    assert {f["status"] for a in again["agreements"] for f in a["files"]} == {"unchanged"}
    assert cli("goals", "add", "alan@example.com", "--title", "Ship a feature").exit_code == 0
    third = run_json(cli, "--out", out)
    changed = {f["path"]: f["status"] for a in third["agreements"] for f in a["files"]}
    assert changed["2027-h1/edsger-dijkstra--alan-turing.md"] == "updated"
    assert changed["2027-h1/edsger-dijkstra--alan-turing.ics"] == "unchanged"
    assert list(changed.values()).count("unchanged") == 5


def test_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    out = tmp_path / "out"
    result = cli("agreements", "--out", str(out), "--dry-run", "-f", "html")
    assert result.exit_code == 0, result.output
    assert "would be created" in result.stdout and not out.exists()
    assert "3 agreement(s); files: 6 would be created" in result.stderr


def test_one_pair_and_formats(cli: Cli, tmp_path: Path) -> None:
    matched(cli)
    out = tmp_path / "out"
    data = run_json(cli, "ADA@example.com", "katherine@example.com", "-f", "pdf", "-o", str(out))
    assert [a["mentees"] for a in data["agreements"]] == [["katherine@example.com"]]
    pdf = (out / "2027-h1/ada-lovelace--katherine-johnson.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    html = run_json(cli, "grace@example.com", "-f", "html", "-o", str(out))
    assert [a["mentor"] for a in html["agreements"]] == ["grace@example.com"]
    page = (out / "2027-h1/grace-hopper--edsger-dijkstra.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<link" not in page
    missing = cli("agreements", "ada@example.com", "alan@example.com")
    assert missing.exit_code == 1
    assert "no active match ada@example.com -> alan@example.com in this cycle" in missing.stderr


def test_no_matches_warns(cli: Cli, tmp_path: Path) -> None:
    assert cli("participants", "import", str(DATA / "people.csv")).exit_code == 0
    result = cli("agreements", "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["agreements"] == []
    assert "no active matches" in result.stderr


def test_hostile_participants_stay_inside_out(cli: Cli, program_dir: Path, tmp_path: Path) -> None:
    text = (program_dir / "program.yaml").read_text().replace("default: 2", "default: 3")
    (program_dir / "program.yaml").write_text(text)
    matched(cli, HOSTILE)
    out = tmp_path / "out"
    for fmt in ("md", "html", "pdf"):
        result = cli("agreements", "-f", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
    written = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*") if p.is_file()
    )
    stems = {p.rsplit(".", 1)[0] for p in written if p.startswith("out/")}
    assert stems == {
        "out/2027-h1/etc-passwd--" + "l" + "x" * 59,
        "out/2027-h1/etc-passwd--mrym-lhsn",  # مريم الحسن, transliterated
        "out/2027-h1/etc-passwd--script-alert-1-script-bcc-evil-example-org",
    }
    assert not (tmp_path / "etc").exists() and not Path("/etc/passwd.md").exists()
    page = (out / "2027-h1/etc-passwd--script-alert-1-script-bcc-evil-example-org.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Bcc:" in page
    assert "{{ 7*7 }}" in page and ">49<" not in page
    rtl = (out / "2027-h1/etc-passwd--mrym-lhsn.md").read_text()
    assert "مريم الحسن 🎉" in rtl and "أريد أن أتعلم القيادة 🚀" in rtl


def test_template_check(cli: Cli, program_dir: Path) -> None:
    ok = cli("agreements", "--template-check")
    assert ok.exit_code == 0
    assert ok.stdout == (
        "agreements/group.md.j2: ok\nagreements/group.html.j2: ok\n"
        "program.yaml agreement clauses: ok\n"
    )
    (program_dir / "mine.md.j2").write_text("{{ mentor.name }} and {{ buddy }}\n{% if %}\n")
    text = (program_dir / "program.yaml").read_text() + "agreement:\n  template: mine.md.j2\n"
    (program_dir / "program.yaml").write_text(text)
    bad = cli("agreements", "--template-check", "--json")
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data["ok"] is False and "mentees" in data["fields"]
    [mine, default, clauses] = data["templates"]
    assert clauses == {"template": "program.yaml agreement clauses", "problems": []}
    assert mine["template"] == str(program_dir / "mine.md.j2")
    assert mine["problems"][0].startswith(f"{program_dir / 'mine.md.j2'}:2: ")
    assert default == {"template": "agreements/group.html.j2", "problems": []}
    assert "1 problem(s) in the templates or agreement clauses" in bad.stderr
    matched(cli)
    render = cli("agreements", "-o", "out")
    assert render.exit_code == 1 and "mine.md.j2:2:" in render.stderr
    assert not Path("out").exists()  # nothing half-written


def test_circles_get_one_agreement_per_circle(tmp_path: Path) -> None:
    src = Path(__file__).parent.parent.parent / "mentorctl" / "sample_programs" / "tech-circles"
    shutil.copytree(src, tmp_path / "prog")
    cli = matched(Cli(tmp_path / "prog", None), tmp_path / "prog" / "participants.csv")
    data = run_json(cli, "-o", str(tmp_path / "out"))
    assert {a["kind"] for a in data["agreements"]} == {"circle"}
    assert sum(len(a["mentees"]) for a in data["agreements"]) == 48  # every accepted member
    first = data["agreements"][0]
    assert first["files"][0]["path"].startswith("2027-autumn/circle-")
    text = (tmp_path / "out" / first["files"][0]["path"]).read_text()
    assert text.startswith("# Mentoring circle agreement\n")
    assert text.count("- **Member:**") == len(first["mentees"]) == len(first["match_ids"])
    assert text.count("Signature: ") == len(first["mentees"]) + 1


def _people_named(tmp_path: Path, names: dict[str, str]) -> Path:
    """tests/data/people.csv with some people renamed (email -> new name)."""
    import csv

    with (DATA / "people.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["name"] = names.get(row["email"], row["name"])
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_file_names_keep_peoples_names_readable(cli: Cli, tmp_path: Path) -> None:
    people = _people_named(
        tmp_path,
        {
            "ada@example.com": "Łukasz Weiß",
            "alan@example.com": "李伟",
            "grace@example.com": "Michał Wójcik",
            "edsger@example.com": "Ольга 🎉",
        },
    )
    matched(cli, people)
    out = tmp_path / "out"
    data = run_json(cli, "-o", str(out))
    files = sorted(
        f["path"] for a in data["agreements"] for f in a["files"] if f["path"].endswith(".md")
    )
    assert files == [
        "2027-h1/lukasz-weiss--katherine-johnson.md",
        "2027-h1/michal-wojcik--olga.md",
        "2027-h1/olga--li-wei.md",
    ]
    assert all((out / f).is_file() for f in files)


def test_validate_reports_a_clause_that_contradicts_the_terms(cli: Cli, program_dir: Path) -> None:
    text = (program_dir / "program.yaml").read_text()
    text += "agreement:\n  meeting_minutes: 60\n  clauses:\n    - We meet weekly for 30 minutes.\n"
    (program_dir / "program.yaml").write_text(text)
    result = cli("validate")
    assert result.exit_code == 1
    assert (
        "agreement.clauses[0]: says meetings happen every week, but cycle.cadence is biweekly"
        in (result.stderr)
    )
    assert "agreement.clauses[0]: says meetings last 30 minutes" in result.stderr
    check = cli("agreements", "--template-check")
    assert check.exit_code == 1 and "program.yaml agreement clauses: 2 problem(s)" in check.stdout


def test_agreement_states_participant_reasons_and_one_first_meeting(
    cli: Cli, tmp_path: Path
) -> None:
    matched(cli)
    out = tmp_path / "out"
    run_json(cli, "-o", str(out))
    text = (out / "2027-h1/edsger-dijkstra--alan-turing.md").read_text()
    assert "- Alan wants to grow in Python, which Edsger offers" in text
    assert "- You both speak English" in text
    assert "covers" not in text and "max" not in text and "same language:" not in text
    assert "- **First meeting:** Monday 11 January 2027 at 10:00" in text
    assert "by Monday 25 January 2027 instead" in text
    assert "from Monday 11 January 2027 to Monday 28 June 2027" in text


def test_pdf_warns_once_per_document_naming_the_field(cli: Cli, tmp_path: Path) -> None:
    people = _people_named(tmp_path, {"alan@example.com": "Alan 🦩 Turing"})
    matched(cli, people)
    result = cli("agreements", "-f", "pdf", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "no installed font has" in line]
    assert len(warnings) == 1, result.stderr
    assert "edsger-dijkstra--alan-turing.pdf" in warnings[0] and "(in mentee.name)" in warnings[0]
