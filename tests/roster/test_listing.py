"""roster/listing.py and roster/person.py: one set of SQL text, read alike through the plain
sqlite3 reader, a Core connection and an ORM session, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mentorctl.program import load_program
from mentorctl.roster.db import open_roster
from mentorctl.roster.listing import list_participants, program_and_cycle
from mentorctl.roster.participants import get_participant, stored_values
from mentorctl.roster.person import find_participant
from mentorctl.roster.read import reading
from tests.cli.test_match import enrolled
from tests.conftest import Cli


def _listed(source, program, **filters):
    pid, cycle_id = program_and_cycle(source, program)
    assert pid is not None
    return [
        (stored_values(p), p.id, p.active, m)
        for p, m in list_participants(source, pid, cycle_id=cycle_id, **filters)
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"role": "mentor"},
        {"role": "mentee", "matched": False},
        {"department": "ENGINEERING", "matched": True},
    ],
)
def test_the_reader_a_connection_and_a_session_list_the_same(
    cli: Cli, db_url: str, filters: dict
) -> None:
    enrolled(cli)
    assert cli("match").exit_code == 0
    assert cli("participants", "remove", "--yes", "katherine@example.com").exit_code == 0
    program = load_program(cli.program)
    roster = open_roster(db_url, create=False)
    try:
        with roster.session() as session:
            through_orm = _listed(session, program, **filters)
            model = get_participant(session, program_and_cycle(session, program)[0] or 0,
                                    "katherine@example.com")  # fmt: skip
            expected_one = (stored_values(model), model.id, model.active)
        with roster.reading() as conn:
            assert _listed(conn, program, **filters) == through_orm
    finally:
        roster.dispose()
    with reading(db_url) as reader:
        assert _listed(reader, program, **filters) == through_orm
        pid = program_and_cycle(reader, program)[0] or 0
        one = find_participant(reader, pid, " KATHERINE@example.com")
        assert one is not None and (stored_values(one), one.id, one.active) == expected_one
        assert one.active is False and find_participant(reader, pid, "x@example.com") is None
    assert through_orm, filters
    every = {row[0]["email"] for row in through_orm}
    if filters.get("role") == "mentor":
        assert every == {"ada@example.com", "grace@example.com", "edsger@example.com"}


def test_listing_through_the_reader_imports_no_sqlalchemy(sqlite_cli: Cli) -> None:
    enrolled(sqlite_cli)
    code = (
        "import sys; from pathlib import Path\n"
        "from mentorctl.program import load_program\n"
        "from mentorctl.roster.listing import list_participants, program_and_cycle\n"
        "from mentorctl.roster.read import reading\n"
        "p = load_program(Path(sys.argv[1]))\n"
        "with reading(sys.argv[2]) as r:\n"
        "    pid, cid = program_and_cycle(r, p)\n"
        "    print(len(list_participants(r, pid, cycle_id=cid)))\n"
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\n"
    )
    url = f"sqlite:///{sqlite_cli.program / 'roster.db'}"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(sqlite_cli.program), url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "5"
