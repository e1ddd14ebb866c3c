"""Every bundled sample, as a new user runs it: init, match, accept, agreements, intros.

What participants receive must agree with itself (the clauses, the meeting terms, the
calendar and the email state the same cadence, length and dates) and hold no
coordinator-only wording: scores, limits ("max 4", "0 h apart"), weights, criterion ids.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import icalendar
import pytest

from mentorctl.agreements.terms import clause_contradictions, terms_of
from mentorctl.agreements.values import long_date
from mentorctl.program import load_program
from tests.conftest import Cli

SAMPLES = ["onboarding", "engineering-group", "tech-circles"]
#: Words that belong to the coordinator's `explain`, never to participants.
JARGON = re.compile(
    r"\bmax\b|\bh apart\b|\d\s*%|\bscore|\bweight|\bcriteri|renormal|left out|\bcovers (all|\d)"
    r"|\bmentee's \d|\(preferred \d|\bvs\b",
    re.IGNORECASE,
)
RRULE_DAYS = {"weekly": 7, "biweekly": 14}


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%A %d %B %Y").date()


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp(request.param) / "program"
    init = Cli(None, None)("init", str(directory), "--from-sample", request.param)
    assert init.exit_code == 0, init.output
    cli = Cli(directory, None)
    for args in (("match",), ("match", "accept", "--all")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    return directory


def test_agreements_calendar_and_email_agree(sample: Path) -> None:
    program = load_program(sample / "program.yaml")
    terms = terms_of(program)
    assert clause_contradictions(program) == []
    cli = Cli(sample, None)
    out = sample / "out"
    result = cli("agreements", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)["agreements"]
    assert docs
    for doc in docs:
        md_path, ics_path = (out / f["path"] for f in doc["files"])
        text = md_path.read_text(encoding="utf-8")
        first = re.search(r"\*\*First meeting:\*\* (\w+ \d+ \w+ \d{4}) at (\d\d:\d\d)", text)
        series = re.search(
            r"\*\*Series:\*\* (\d+) meetings, ([a-z ]+), (about [a-z0-9 ]+) each, "
            r"from (\w+ \d+ \w+ \d{4}) to (\w+ \d+ \w+ \d{4}), at (\d\d:\d\d)",
            text,
        )
        assert first and series, text
        assert _date(first[1]) == _date(series[4]) == terms.first_date
        assert first[2] == series[6] == terms.time
        assert int(series[1]) == terms.count and series[2] == terms.cadence_text
        assert series[3] == terms.length_text and f"for {terms.length_text} each time" in text
        assert _date(series[5]) == terms.last_date < terms.cycle_end
        [event] = icalendar.Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")
        assert event["DTSTART"].dt.date() == terms.first_date
        assert event["DTSTART"].dt.strftime("%H:%M") == terms.time
        assert event["DURATION"].dt == dt.timedelta(minutes=terms.minutes)
        assert event["RRULE"]["COUNT"] == [terms.count]
        freq = event["RRULE"]["FREQ"][0].lower()
        if freq == "weekly":
            days = 7 * event["RRULE"].get("INTERVAL", [1])[0]
            assert days == RRULE_DAYS[program.cycle.cadence.value]
        else:
            assert freq == program.cycle.cadence.value == "monthly"
        assert terms.length_text in str(event["DESCRIPTION"])
        _no_jargon(program, text, md_path.name)

    _html_and_pdf_agree(cli, sample, program, len(docs))

    intros = cli("notify", "intro")
    assert intros.exit_code == 0, intros.output
    email = intros.stdout
    assert email.count("What happens next:") == len(docs)
    assert email.count(f"{long_date(terms.first_date)} at {terms.time}") == len(docs)
    assert "propose a first meeting by" not in email
    assert email.count(f"{terms.cadence_text}, {terms.length_text} each") == len(docs)
    _no_jargon(program, email, "intro emails")


def _no_jargon(program: object, text: str, where: str) -> None:
    # The program's own objectives and clauses are the coordinator's words to participants
    # ("check-in score of 4 or more"): only what mentorctl writes is checked.
    for own in [*program.objectives, *program.agreement.clauses]:  # type: ignore[attr-defined]
        text = text.replace(own, "")
    found = JARGON.search(text)
    assert found is None, f"{where}: coordinator-only wording {found[0]!r} in {text!r}"
    for c in program.matching.criteria:  # type: ignore[attr-defined]
        if "-" in c.name or "_" in c.name:  # ids like time-zone, wished-for-buddy
            assert c.name not in text, f"{where}: criterion id {c.name!r} in the text"


def _html_and_pdf_agree(cli: Cli, sample: Path, program: Any, count: int) -> None:
    """The HTML agreements (their own template) and the PDFs (text extracted with
    poppler, when installed) state the same terms, with no coordinator-only wording."""
    terms = terms_of(program)
    series = (
        f"{terms.count} meetings, {terms.cadence_text}, {terms.length_text} each, from "
        f"{long_date(terms.first_date)} to {long_date(terms.last_date)}, at {terms.time}"
    )
    first = f"{long_date(terms.first_date)} at {terms.time}"
    for fmt in ("html", "pdf"):
        if fmt == "pdf" and shutil.which("pdftotext") is None:
            continue  # tests/agreements/test_pdf_names.py says why (and fails under CI)
        out = sample / f"out-{fmt}"
        result = cli("agreements", "-f", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        files = sorted(out.rglob(f"*.{fmt}"))
        assert len(files) == count
        for path in files:
            if fmt == "html":
                raw = re.sub(r"<style.*?</style>|<[^>]+>", " ", path.read_text("utf-8"), flags=re.S)
            else:
                raw = subprocess.run(
                    ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
                ).stdout.decode()
            text = " ".join(html.unescape(raw).split())
            assert series in text, f"{path.name}: {text}"
            assert f"First meeting {first}" in text or f"First meeting: {first}" in text, text
            _no_jargon(program, text, path.name)
