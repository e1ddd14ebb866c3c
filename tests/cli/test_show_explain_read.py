"""`participants show` and `explain` on the plain read path (roster/person.py,
roster/explaining.py): no ORM and no SQLAlchemy imported, and the same answers as the
whole roster read through the ORM (what the commands read before).

The roster is the onboarding sample after a cycle closed and a second one was matched:
earlier pairs, a lock kept with an override, accepted, proposed and rejected pairs, a
withdrawn and an erased participant, and management chains.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.imports import run_cli

HEAVY = {"sqlalchemy", "sqlmodel", "mentorctl.roster.models", "alembic", "scipy", "ortools"}


def _run(program: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    return run_cli(program, *args)


def _emails(program: Path, where: str) -> list[str]:
    with sqlite3.connect(program / "roster.db") as conn:
        rows = conn.execute(f"SELECT email FROM participant WHERE {where} ORDER BY email")
        return [email for (email,) in rows]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The onboarding sample, two cycles in (built once for the module)."""
    d = tmp_path_factory.mktemp("show-explain") / "onboarding"
    cli = Cli(d, None)
    assert Cli(None, None)("init", str(d), "--from-sample", "onboarding").exit_code == 0
    for args in (
        ("match",),
        ("match", "accept", "--all"),
        ("cycle", "close", "--yes", "--today", "2030-01-01"),
        ("cycle", "new", "2027-h2"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    # The CEO's lock now repeats an earlier pair: kept, with the coordinator's reason.
    yaml = (d / "program.yaml").read_text()
    lock = "        mentee: ravi.krishnan@example.com\n"
    assert lock in yaml
    (d / "program.yaml").write_text(yaml.replace(lock, lock + "        override: CEO asked\n"))
    assert cli("match").exit_code == 0
    with sqlite3.connect(d / "roster.db") as conn:
        proposed = conn.execute(
            "SELECT a.email, b.email FROM match m JOIN participant a ON a.id = m.mentor_id "
            "JOIN participant b ON b.id = m.mentee_id WHERE m.status = 'proposed' ORDER BY 1, 2"
        ).fetchall()
    for mentor, mentee in proposed[:3]:
        assert cli("match", "accept", mentor, mentee).exit_code == 0
    assert cli("match", "reject", *proposed[4]).exit_code == 0
    assert cli("match").exit_code == 0
    assert cli("participants", "remove", "--yes", proposed[5][1]).exit_code == 0  # withdrawn
    assert cli("participants", "forget", "--yes", proposed[6][0]).exit_code == 0
    return d


# --------------------------------------------------------------------------- show


def _show_through_the_orm(program: Path, email: str) -> dict[str, Any]:
    """What `participants show --json` printed when it read the person as a model."""
    from mentorctl.cli.participants import person_row
    from mentorctl.program import load_program
    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.participants import find_program_id, get_participant

    roster = open_roster(default_url(program), create=False)
    try:
        with roster.session() as session:
            pid = find_program_id(session, load_program(program))
            assert pid is not None
            row = person_row(get_participant(session, pid, email), False)
    finally:
        roster.dispose()
    row.pop("matched")
    return row


def test_show_imports_no_orm_and_prints_what_the_model_holds(history: Path) -> None:
    withdrawn = _emails(history, "active = 0 AND forgotten_at IS NULL")
    forgotten = _emails(history, "forgotten_at IS NOT NULL")
    mentor = _emails(history, "role = 'mentor' AND active = 1")[0]
    assert withdrawn and forgotten
    for email in (mentor, withdrawn[0], forgotten[0]):
        proc, modules = _run(history, "participants", "show", f" {email.upper()} ", "--json")
        assert proc.returncode == 0, proc.stderr
        assert "mentorctl.roster.read" in modules and not HEAVY & modules
        # Byte for byte what the JSON of the model gave (key order, floats, lists).
        expected = _show_through_the_orm(history, email)
        assert proc.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_show_table_and_errors(history: Path) -> None:
    email = "ravi.krishnan@example.com"
    proc, _ = _run(history, "participants", "show", email)
    assert proc.returncode == 0
    assert email in proc.stdout and "Which skills would you most like help" in proc.stdout
    proc, modules = _run(history, "participants", "show", "Nobody@Example.org")
    assert proc.returncode == 1 and not HEAVY & modules
    assert proc.stderr == "error: nobody@example.org: no such participant in this program\n"


def test_show_in_a_roster_without_the_program_and_without_a_roster(
    history: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    yaml = (history / "program.yaml").read_text().replace("\nslug: ", "\nslug: other-", 1)
    assert "\nslug: other-" in yaml
    (other / "program.yaml").write_text(yaml)
    proc, _ = _run(other, "participants", "show", "A@x.org")
    assert proc.returncode == 3 and "no roster here yet" in proc.stderr
    assert not (other / "roster.db").exists()  # a read never creates a roster
    (other / "roster.db").write_bytes((history / "roster.db").read_bytes())
    proc, _ = _run(other, "participants", "show", "A@x.org")
    assert proc.returncode == 1
    assert proc.stderr == "error: A@x.org: no such participant in this program\n"


# --------------------------------------------------------------------------- explain


def _explain_through_the_orm(
    program: Path, mentee: str, mentor: str | None, state: Any = None
) -> dict[str, Any]:
    """`explain --json` as it was computed before: every person and match of the cycle
    read through the ORM session (cli/match_input.py), then the engine."""
    from mentorctl.cli.explain import pair_data
    from mentorctl.cli.match_input import match_input, open_context
    from mentorctl.cli.state import State
    from mentorctl.matching.engine import candidates
    from mentorctl.matching.relax import suggest

    state = state or State(program_location=program)
    c = open_context(state, None)
    c.roster.dispose()
    inp = match_input(c, None, None, None)
    good, excluded = candidates(inp, mentee)
    for e in excluded:
        if (e["mentor"], mentee) in inp.overrides:
            e["override"] = inp.overrides[(e["mentor"], mentee)]
    if mentor is not None:
        return pair_data(inp, mentee, mentor)  # explain's own figures, on the whole roster
    data: dict[str, Any] = {
        "mentee": mentee,
        "candidates": good[:5],
        "eligible": len(good),
        "excluded": excluded,
    }
    placed = [(r["mentor"], r["mentee"]) for r in c.known.proposed] + list(c.known.active)
    if all(e != mentee for _, e in placed):
        found = suggest(inp, placed).get(mentee, [])
        data["relaxations"] = [r.as_json() for r in found if r.as_mentee]
    return data


def _explain(program: Path, *args: str) -> tuple[dict[str, Any], set[str]]:
    proc, modules = _run(program, "explain", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), modules


def test_explain_a_mentee_reads_no_orm_and_answers_as_the_whole_roster_did(
    history: Path,
) -> None:
    placed = set(_emails(history, "id IN (SELECT mentee_id FROM match m JOIN cycle c ON "
                                  "c.id = m.cycle_id WHERE c.name = '2027-h2' AND "
                                  "m.status IN ('proposed', 'active'))"))  # fmt: skip
    mentees = _emails(history, "role <> 'mentor' AND active = 1 AND forgotten_at IS NULL")
    unplaced = [e for e in mentees if e not in placed]
    assert unplaced and len(unplaced) < len(mentees)
    for mentee in ("ravi.krishnan@example.com", unplaced[0], unplaced[-1], mentees[0]):
        data, modules = _explain(history, mentee)
        assert "mentorctl.roster.explaining" in modules and not HEAVY & modules
        assert data == _explain_through_the_orm(history, mentee, None)
    assert "relaxations" in data or mentees[0] in placed


def test_explain_a_pair_reads_no_orm_and_answers_as_the_whole_roster_did(
    history: Path,
) -> None:
    mentors = _emails(history, "role <> 'mentee' AND active = 1 AND forgotten_at IS NULL")
    mentees = _emails(history, "role <> 'mentor' AND active = 1 AND forgotten_at IS NULL")
    pairs = [("hannah.schmidt@example.com", "ravi.krishnan@example.com")]  # lock, override
    with sqlite3.connect(history / "roster.db") as conn:
        for status in ("ended", "rejected"):  # an earlier cycle's pair; a refused one
            pairs += conn.execute(
                "SELECT a.email, b.email FROM match m JOIN participant a ON a.id = m.mentor_id "
                "JOIN participant b ON b.id = m.mentee_id WHERE m.status = ? "
                "AND a.active = 1 AND b.active = 1 AND a.forgotten_at IS NULL "
                "AND b.forgotten_at IS NULL ORDER BY 1, 2 LIMIT 1",
                (status,),
            ).fetchall()
    pairs += [(m, e) for m in mentors[::12] for e in mentees[::14]]
    seen: set[str] = set()
    cli = Cli(history, None)
    for k, (mentor, mentee) in enumerate(pairs):
        if k < 3:  # the special pairs in a process of their own: what it imports
            data, modules = _explain(history, mentee, mentor)
            assert "mentorctl.roster.explaining" in modules and not HEAVY & modules
        else:
            data = json.loads(cli("explain", mentee, mentor, "--json").stdout)
        assert data == _explain_through_the_orm(history, mentee, mentor)
        seen.update(r.split(":")[0] for r in data["excluded_by"])
        seen.update(k for k in ("override", "continuity") if data[k])
    # The rules the light read must feed: chains, forbids, earlier pairs, overrides.
    assert {"override", "paired in an earlier cycle", "forbidden pair"} <= seen
    assert any("manager" in reason or "management chain" in reason for reason in seen)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Nobody@Example.org",), "Nobody@Example.org: no such participant in this program"),
        (("nobody@example.org", "x@example.org"), "nobody@example.org: no such participant"),
        (("ravi.krishnan@example.com", "Nobody@x.org"), "Nobody@x.org: no such participant"),
        (
            ("ravi.krishnan@example.com", "ravi.krishnan@example.com"),
            "ravi.krishnan@example.com: is a mentee, not a mentor",
        ),
        (("hannah.schmidt@example.com",), "hannah.schmidt@example.com: is a mentor, not a mentee"),
    ],
)
def test_explain_names_who_is_missing_or_in_the_wrong_role(
    history: Path, args: tuple[str, ...], message: str
) -> None:
    proc, modules = _run(history, "explain", *args)
    assert proc.returncode == 1 and not HEAVY & modules
    assert proc.stderr.startswith(f"error: {message}") and proc.stderr.count("\n") == 1


def test_show_and_explain_answer_alike_on_sqlite_and_postgresql(cli: Cli, db_url: str) -> None:
    """The same SQL text through SQLAlchemy on PostgreSQL (and sqlite3 on SQLite) gives
    what the ORM read gave, for every person and every mentee."""
    from tests.cli.test_match import enrolled

    enrolled(cli)
    assert cli("match").exit_code == 0
    proposal = json.loads(cli("match", "--dry-run", "--json").stdout)["matches"]
    first = proposal[0]
    assert cli("match", "accept", first["mentor"], first["mentee"]).exit_code == 0
    from mentorctl.cli.state import State

    state = State(program_location=cli.program, database_url=db_url)
    people = json.loads(cli("participants", "list", "--json").stdout)
    for person in people:
        shown = cli("participants", "show", person["email"], "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout) == {k: v for k, v in person.items() if k != "matched"}
    mentees = [p["email"] for p in people if p["role"] != "mentor"]
    mentors = [p["email"] for p in people if p["role"] != "mentee"]
    for mentee in mentees:
        for mentor in (None, *mentors):
            args = (mentee,) if mentor is None else (mentee, mentor)
            result = cli("explain", *args, "--json")
            assert result.exit_code == 0, result.output
            expected = _explain_through_the_orm(cli.program, mentee, mentor, state)
            assert json.loads(result.stdout) == expected
