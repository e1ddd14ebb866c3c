"""Hostile and malformed input to every command: a clear one-line error, a documented exit
code, no traceback, and nothing stored.

Each case runs on a copy of one roster (people enrolled, three accepted matches, a goal)
and compares a dump of every table, program.yaml and the program directory's files
before and after. Exit codes: 1 bad input or data, 2 usage error, 3 roster unavailable.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_remind import A, matched
from tests.conftest import DATA, Cli

KATE, ALAN = "katherine@example.com", "alan@example.com"
NOBODY = "nobody@example.com"
TODAY = ("--today", "2027-03-01")


def _build(root: Path, *, people: bool) -> Path:
    d = root / "prog"
    d.mkdir()
    shutil.copy(DATA / "program.yaml", d / "program.yaml")
    cli = Cli(d, None)
    if people:
        matched(cli)
        r = cli("goals", "add", ALAN, "--title", "Lead a team")
        assert r.exit_code == 0, r.output
    else:
        from mentorctl.roster.db import default_url, open_roster

        open_roster(default_url(d)).dispose()  # an empty roster, as `init` leaves it
    return d


@pytest.fixture(scope="module")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "full": _build(tmp_path_factory.mktemp("full"), people=True),
        "empty": _build(tmp_path_factory.mktemp("empty"), people=False),
    }


def snapshot(d: Path) -> dict:
    """Every row of every table, and every file in the program directory."""
    conn = sqlite3.connect(f"file:{d / 'roster.db'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows: dict | bytes = {
            t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables
        }
    except sqlite3.DatabaseError:  # not a database at all: compare its bytes
        rows = (d / "roster.db").read_bytes()
    finally:
        conn.close()
    files = {
        str(p.relative_to(d)): p.read_bytes() if p.is_file() else None
        for p in sorted(d.rglob("*"))
        if not p.name.startswith("roster.db")
    }
    return {"tables": rows, "files": files}


# --------------------------------------------------------------------------- files


def write(content: str | bytes) -> Callable[[Path, Path], None]:
    def setup(_d: Path, f: Path) -> None:
        if isinstance(content, bytes):
            f.write_bytes(content)
        else:
            f.write_text(content, encoding="utf-8")

    return setup


def program_text(old: str, new: str) -> Callable[[Path, Path], None]:
    def setup(d: Path, _f: Path) -> None:
        p = d / "program.yaml"
        text = p.read_text()
        assert old in text
        p.write_text(text.replace(old, new))

    return setup


def append_program(extra: str) -> Callable[[Path, Path], None]:
    def setup(d: Path, _f: Path) -> None:
        with (d / "program.yaml").open("a", encoding="utf-8") as fh:
            fh.write(extra)

    return setup


def make_dir(_d: Path, f: Path) -> None:
    f.mkdir()


BINARY = bytes(range(256)) * 4
LATIN1 = "email,name,role\nj\xe9r\xf4me@example.com,J\xe9r\xf4me,mentee\n".encode("latin-1")

#: (command, a header the command accepts, a good row, a row with too many cells,
#:  a header with a column twice, a header missing what the command needs)
IMPORTS = {
    "participants import": (
        "email,name,role,skills_wanted",
        "new@example.com,New,mentee,SQL",
        "new@example.com,New,mentee,SQL,extra,more",
        "email,name,role,email",
        "name,role",
    ),
    "log import": (
        "mentor,mentee,date,minutes",
        f"{A[0]},{A[1]},2027-01-20,30",
        f"{A[0]},{A[1]},2027-01-20,30,extra",
        "mentor,mentee,date,date",
        "mentor,date",
    ),
    "checkin import": (
        "email,date,satisfaction",
        f"{ALAN},2027-02-01,4",
        f"{ALAN},2027-02-01,4,5",
        "email,date,satisfaction,satisfaction",
        "email,satisfaction",
    ),
    "hr import": (
        "email,employed",
        "new@example.com,yes",
        "new@example.com,yes,no",
        "email,employed,employed",
        "employed,left_date",
    ),
}


@dataclass
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    needle: str  # in the error: line ({f} is the case's file, {p} the program directory)
    setup: Callable[[Path, Path], None] | None = None
    roster: str = "full"


def _import_cases() -> list[Case]:
    out = []
    for cmd, (header, good, wide, twice, missing) in IMPORTS.items():
        args = (*cmd.split(), "{f}", *(TODAY if cmd in ("log import", "checkin import") else ()))
        key = cmd.split()[0]
        out += [
            Case(f"{key}-empty", args, 1, "{f}: the file is empty", write("")),
            Case(
                f"{key}-header-only", args, 1, "{f}: only a header, no rows", write(header + "\n")
            ),
            Case(f"{key}-binary", args, 1, "{f}: looks like a binary file", write(BINARY)),
            Case(f"{key}-latin1", args, 1, "{f}:2: not UTF-8 text", write(LATIN1)),
            Case(f"{key}-missing-column", args, 1, "{f}:1: ", write(f"{missing}\nx,y\n")),
            Case(f"{key}-duplicate-column", args, 1, "{f}:1: ", write(f"{twice}\n{good},x\n")),
            Case(
                f"{key}-too-many-cells",
                args,
                1,
                "{f}:2: ",
                write(f"{header}\n{wide}\n"),
            ),
            Case(f"{key}-directory", args, 1, "{f}: is a directory", make_dir),
            Case(f"{key}-no-such-file", args, 1, "{f}: no such file"),
        ]
    return out


def _wide_detail(case_id: str) -> str | None:
    return "cells but the header has" if case_id.endswith("too-many-cells") else None


CASES: list[Case] = [
    *_import_cases(),
    # Unknown emails, wherever a command takes one.
    Case("show-unknown", ("participants", "show", NOBODY), 1, f"{NOBODY}: no such participant"),
    Case(
        "edit-unknown",
        ("participants", "edit", NOBODY, "--name", "X"),
        1,
        f"{NOBODY}: no such participant",
    ),
    Case("remove-unknown", ("participants", "remove", NOBODY, "--yes"), 1, NOBODY),
    Case("forget-unknown", ("participants", "forget", NOBODY, "--yes"), 1, NOBODY),
    Case("accept-unknown", ("match", "accept", NOBODY, KATE), 1, NOBODY),
    Case("reject-unknown", ("match", "reject", NOBODY, KATE), 1, NOBODY),
    Case("end-unknown", ("match", "end", NOBODY, KATE, "--reason", "x"), 1, NOBODY),
    Case("explain-unknown", ("explain", NOBODY), 1, f"{NOBODY}: no such participant"),
    Case("explain-unknown-mentor", ("explain", ALAN, NOBODY), 1, NOBODY),
    Case("explain-a-mentor", ("explain", A[0]), 1, f"{A[0]}: is a mentor, not a mentee"),
    Case("explain-a-mentee-as-mentor", ("explain", KATE, ALAN), 1, f"{ALAN}: is a mentee"),
    Case("goals-add-unknown", ("goals", "add", NOBODY, "--title", "x"), 1, NOBODY),
    Case("goals-list-unknown", ("goals", "list", NOBODY), 1, NOBODY),
    Case("goals-progress-unknown", ("goals", "progress", NOBODY, "1", "50"), 1, NOBODY),
    Case("goals-progress-no-goal", ("goals", "progress", ALAN, "9", "50"), 1, "no goal #9"),
    Case("agreements-unknown", ("agreements", NOBODY, KATE), 1, NOBODY),
    Case("notify-unknown", ("notify", "intro", NOBODY, KATE), 1, NOBODY),
    Case("log-meeting-unknown", ("log", "meeting", NOBODY, KATE, *TODAY), 1, NOBODY),
    Case("status-person-unknown", ("status", "--person", NOBODY, *TODAY), 1, NOBODY),
    Case("lock-unknown", ("match", "--lock", f"{NOBODY}:{ALAN}"), 1, f"{NOBODY} is not enrolled"),
    Case("forbid-malformed", ("match", "--forbid", "a:b:c"), 1, "--forbid a:b:c"),
    Case("lock-no-colon", ("match", "--lock", "garbage"), 2, "--lock 'garbage'"),
    Case(
        "answer-unknown-question",
        ("participants", "edit", A[0], "--answer", "nosuch=1"),
        2,
        "no question 'nosuch'",
    ),
    # Dates and numbers.
    Case(
        "meeting-bad-date",
        ("log", "meeting", *A, "--date", "2027-13-40", *TODAY),
        2,
        "--date: '2027-13-40'",
    ),
    Case("meeting-bad-today", ("log", "meeting", *A, "--today", "yesterday"), 2, "--today"),
    Case("status-bad-today", ("status", "--today", "yesterday"), 2, "--today 'yesterday'"),
    Case("remind-bad-today", ("remind", "--today", "yesterday"), 2, "--today 'yesterday'"),
    Case("report-bad-today", ("report", "--today", "2027-02-30"), 2, "--today"),
    Case("close-bad-today", ("cycle", "close", "--today", "yesterday"), 2, "--today"),
    Case("cycle-new-bad-start", ("cycle", "new", "x", "--start", "2027-13-40"), 2, "--start"),
    Case("meeting-negative-minutes", ("log", "meeting", *A, "--minutes", "-5", *TODAY), 2, ""),
    Case(
        "meeting-future",
        ("log", "meeting", *A, "--date", "2099-01-01", *TODAY),
        1,
        "2099-01-01 is in the future",
    ),
    Case("goal-progress-150", ("goals", "progress", ALAN, "1", "150"), 2, ""),
    Case(
        "tenure-overflow",
        ("participants", "edit", A[0], "--tenure-months", "99999999999999999999999"),
        1,
        "tenure_months: '99999999999999999999999' is out of range",
    ),
    Case(
        "experience-infinite",
        ("participants", "edit", A[0], "--years-experience", "inf"),
        1,
        "years_experience: 'inf' is out of range",
    ),
    Case(
        "checkin-infinite",
        ("checkin", "import", "{f}", *TODAY),
        1,
        "{f}:2: satisfaction: 'inf' is not a whole number",
        write(f"email,date,satisfaction\n{ALAN},2027-02-01,inf\n"),
    ),
    Case(
        "checkin-huge",
        ("checkin", "import", "{f}", *TODAY),
        1,
        "{f}:2: satisfaction: '4e300' is outside 1-5",
        write(f"email,date,satisfaction\n{ALAN},2027-02-01,4e300\n"),
    ),
    # Matches in the wrong state, cycles and reports.
    Case("accept-twice", ("match", "accept", *A), 1, "no proposed match"),
    Case("end-not-active", ("match", "end", A[0], ALAN, "--reason", "x"), 1, "no active match"),
    Case("cycle-new-open", ("cycle", "new", "2027-h2"), 1, "still open"),
    Case("cycle-new-existing", ("cycle", "new", "2027-h1"), 1, "2027-h1 already exists"),
    Case("report-no-cycle", ("report", "--cycle", "nosuch", *TODAY), 1, "'nosuch': no such cycle"),
    Case(
        "report-html-missing-dir",
        ("report", "--html", "{f}/nowhere/r.html", *TODAY),
        2,
        "cannot write the report",
    ),
    Case("explain-empty-roster", ("explain", ALAN), 1, "no such participant", roster="empty"),
    Case("scores-empty-roster", ("scores",), 1, "nobody is enrolled yet", roster="empty"),
    Case("scores-json-empty-roster", ("scores", "--json"), 1, "nobody", roster="empty"),
    Case("match-empty-roster", ("match",), 1, "nobody is enrolled yet", roster="empty"),
    # What-ifs.
    Case("set-no-equals", ("match", "diff", "--set", "garbage"), 2, "--set 'garbage': expected"),
    Case("set-empty-path", ("match", "diff", "--set", "=1"), 2, "expected PATH=VALUE"),
    Case("set-empty-part", ("match", "diff", "--set", "matching..x=1"), 2, "expected PATH=VALUE"),
    Case(
        "set-bad-yaml",
        ("match", "diff", "--set", "matching.criteria.skills.weight=[x"),
        2,
        "not valid YAML",
    ),
    Case(
        "set-bad-date",
        ("match", "diff", "--set", "cycle.start=2027-13-40"),
        2,
        "'2027-13-40' is not a valid date",
    ),
    Case(
        "set-no-item",
        ("match", "diff", "--set", "matching.criteria[9].weight=1"),
        1,
        "no item named '9'",
    ),
    Case("set-unknown-key", ("match", "diff", "--set", "nosuch=1"), 1, "--set 'nosuch=1': nosuch"),
    Case(
        "set-bad-value",
        ("match", "--set", "matching.criteria.skills.weight=-1"),
        1,
        "--set 'matching.criteria.skills.weight=-1': matching.criteria[0].weight",
    ),
    # Agreements.
    Case("agreements-out-file", ("agreements", "--out", "{p}/program.yaml"), 2, "not a directory"),
    Case(
        "agreements-out-unwritable",
        ("agreements", "--out", "{f}/sub"),
        2,
        "cannot write agreements here",
        write("a file, not a directory"),
    ),
    Case(
        "template-syntax-error",
        ("agreements", "--template-check"),
        1,
        "1 problem(s) in the templates or agreement clauses",
        lambda d, f: (
            (d / "mine.md.j2").write_text("{{ mentor.name\n{% for x in %}\n"),
            append_program("agreement: {template: mine.md.j2}\n")(d, f),
        ),
    ),
    Case(
        "template-not-utf8",
        ("agreements",),
        1,
        "mine.md.j2: not UTF-8 text",
        lambda d, f: (
            (d / "mine.md.j2").write_bytes(b"caf\xe9 {{ mentor.name }}"),
            append_program("agreement: {template: mine.md.j2}\n")(d, f),
        ),
    ),
    Case(
        "template-raises",
        ("agreements",),
        1,
        "mine.md.j2:1: ZeroDivisionError",
        lambda d, f: (
            (d / "mine.md.j2").write_text("{{ 1 / 0 }}"),
            append_program("agreement: {template: mine.md.j2}\n")(d, f),
        ),
    ),
    Case(
        "template-recursion",
        ("agreements", "--template-check"),
        1,
        "1 problem(s) in the templates or agreement clauses",
        lambda d, f: (
            (d / "mine.md.j2").write_text("{% extends 'mine.md.j2' %}"),
            append_program("agreement: {template: mine.md.j2}\n")(d, f),
        ),
    ),
    # Nothing listening for SMTP: fail cleanly, record nothing as sent.
    Case(
        "notify-smtp-down",
        ("notify", "intro", "--send", "--attach", "md"),
        1,
        "SMTP 127.0.0.1:1",
        append_program(
            "email: {host: 127.0.0.1, port: 1, security: none, sender: m@example.com}\n"
        ),
    ),
    # Roster and database URL.
    Case(
        "roster-not-sqlite",
        ("participants", "list"),
        3,
        "roster.db: file is not a database",
        lambda d, f: (d / "roster.db").write_bytes(b"not a database " * 100),
    ),
    Case(
        "roster-is-directory",
        ("participants", "list"),
        3,
        "roster.db: is a directory",
        lambda d, f: ((d / "roster.db").unlink(), (d / "roster.db").mkdir()),
    ),
]

#: Commands that load program.yaml (and what else they need to get that far).
PROGRAM_COMMANDS: list[tuple[str, ...]] = [
    ("validate",),
    ("participants", "list"),
    ("participants", "show", ALAN),
    ("participants", "import", str(DATA / "people.csv")),
    ("match",),
    ("match", "diff"),
    ("match", "accept", "--all"),
    ("explain", ALAN),
    ("scores",),
    ("goals", "list"),
    ("agreements", "--dry-run"),
    ("notify", "intro"),
    ("log", "meeting", *A, *TODAY),
    ("status", *TODAY),
    ("remind", *TODAY),
    ("cycle", "list"),
    ("cycle", "close", *TODAY),
    ("report", *TODAY),
]

BROKEN_PROGRAMS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "yaml-syntax": (program_text("name: Test Mentoring", "name: [unclosed"), "YAML syntax error"),
    "unknown-key": (append_program("colour: blue\n"), "colour: unknown key"),
    "wrong-type": (
        program_text("length_weeks: 26", "length_weeks: lots"),
        "cycle.length_weeks: Input should be a valid integer",
    ),
    "impossible-date": (
        program_text("start: 2027-01-11", "start: 2027-13-40"),
        "'2027-13-40' is not a valid date",
    ),
    "recursive-alias": (
        append_program("objectives2: &loop [*loop]\n"),
        "alias *loop is inside the node it refers to",
    ),
    "directory": (
        lambda d, f: ((d / "program.yaml").unlink(), (d / "program.yaml").mkdir()),
        "cannot read",
    ),
    "not-utf8": (lambda d, f: (d / "program.yaml").write_bytes(b"name: caf\xe9\n"), "not UTF-8"),
}


def _empty_program(d: Path, _f: Path) -> None:
    (d / "program.yaml").write_text("")


BROKEN_PROGRAMS["empty"] = (_empty_program, "must be a YAML mapping")


def _run(templates: dict[str, Path], tmp_path: Path, case: Case, extra: tuple[str, ...] = ()):
    d = tmp_path / "case"
    shutil.copytree(templates[case.roster], d)
    f = tmp_path / "input.csv"
    if case.setup is not None:
        case.setup(d, f)
    before = snapshot(d) if (d / "roster.db").is_file() else None
    args = [a.replace("{f}", str(f)).replace("{p}", str(d)) for a in case.args]
    result = Cli(d, None)(*extra, *args)
    after = snapshot(d) if (d / "roster.db").is_file() else None
    return d, f, result, before, after


def check(result, code: int, needle: str) -> None:
    out = result.output
    assert result.exit_code == code, out
    assert "Traceback" not in out and "internal error" not in out, out
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error:") or line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert needle in result.stderr, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, _templates: dict[str, Path], tmp_path: Path) -> None:
    d, f, result, before, after = _run(_templates, tmp_path, case)
    needle = case.needle.replace("{f}", str(f)).replace("{p}", str(d))
    check(result, case.code, needle)
    detail = _wide_detail(case.id)
    if detail:
        assert detail in result.stderr
    assert before == after, "the roster or the program directory changed"


@pytest.mark.parametrize("broken", list(BROKEN_PROGRAMS))
@pytest.mark.parametrize("command", PROGRAM_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_broken_program_yaml(
    command: tuple[str, ...], broken: str, _templates: dict[str, Path], tmp_path: Path
) -> None:
    setup, needle = BROKEN_PROGRAMS[broken]
    case = Case(broken, command, 1, needle, setup)
    d, _, result, before, after = _run(_templates, tmp_path, case)
    check(result, 1, needle)
    assert str(d / "program.yaml") in result.stderr
    assert before == after


def test_program_that_does_not_exist(tmp_path: Path) -> None:
    result = Cli(tmp_path / "nowhere", None)("participants", "list")
    check(result, 1, str(tmp_path / "nowhere" / "program.yaml"))
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    "url",
    ["nosuchdb://x", "postgresql+psycopg://u:secret@127.0.0.1:1/x", "sqlite:///{p}/program.yaml/r"],
)
def test_database_url_garbage(url: str, _templates: dict[str, Path], tmp_path: Path) -> None:
    d = tmp_path / "case"
    shutil.copytree(_templates["full"], d)
    before = snapshot(d)
    url = url.replace("{p}", str(d))
    result = Cli(d, None)("--database-url", url, "participants", "list")
    check(result, 3, "")
    assert "secret" not in result.output
    assert snapshot(d) == before


def test_remind_with_smtp_down_records_nothing_as_sent(
    _templates: dict[str, Path], tmp_path: Path
) -> None:
    case = Case(
        "remind-smtp-down",
        ("remind", "--send", *TODAY),
        1,
        "SMTP 127.0.0.1:1",
        append_program(
            "email: {host: 127.0.0.1, port: 1, security: none, sender: m@example.com}\n"
            "reminders: {checkin_every_days: 60}\n"
        ),
    )
    _, _, result, before, after = _run(_templates, tmp_path, case)
    check(result, 1, case.needle)
    assert before is not None and after is not None
    # Escalations may wait in the outbox for the next digest; nothing counts as sent.
    sent = [r for r in after["tables"]["message"] if "'sent'" in r]
    assert sent == []
    assert {t: r for t, r in after["tables"].items() if t != "message"} == {
        t: r for t, r in before["tables"].items() if t != "message"
    }


def test_postgres_roster_unchanged_by_bad_imports(cli: Cli, tmp_path: Path) -> None:
    """The same all-or-nothing guarantee on PostgreSQL (and SQLite), through --json views."""
    matched(cli)

    def views() -> tuple:
        people = cli("participants", "list", "--json")
        status = cli("status", "--json", *TODAY)
        assert people.exit_code == 0 and status.exit_code == 0
        return json.loads(people.stdout), json.loads(status.stdout)

    before = views()
    f = tmp_path / "bad.csv"
    for cmd, (header, good, wide, twice, _) in IMPORTS.items():
        for content in (f"{header}\n{good}\n{wide}\n", f"{twice}\n{good},x\n", header + "\n"):
            f.write_text(content)
            extra = TODAY if cmd in ("log import", "checkin import") else ()
            result = cli(*cmd.split(), str(f), *extra)
            check(result, 1, str(f))
    check(cli("match", "accept", *A), 1, "no proposed match")
    check(cli("match", "--lock", f"{NOBODY}:{ALAN}"), 1, "is not enrolled")
    assert views() == before
