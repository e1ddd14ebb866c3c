"""The light read tables (roster/tables.py) agree with the models; ``participants list``
reads through them without importing the ORM, with what the models hold."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from sqlalchemy.types import TypeDecorator

from mentorctl.roster import models
from mentorctl.roster.tables import tables
from tests.cli.test_remind import matched
from tests.conftest import Cli


def test_every_light_column_is_a_model_column_of_the_same_type() -> None:
    light = tables()
    for name, table in vars(light).items():
        full = models.SQLModel.metadata.tables[table.name]
        for column in table.columns:
            assert column.name in full.columns, f"{name}.{column.name} is not in the models"
            model_type = full.columns[column.name].type
            if isinstance(model_type, TypeDecorator):  # SQLModel's AutoString is a String
                model_type = model_type.impl_instance
            assert isinstance(model_type, type(column.type)), (name, column.name, model_type)


def test_participants_list_imports_no_orm_and_lists_what_the_models_hold(sqlite_cli: Cli) -> None:
    matched(sqlite_cli)
    cmd = [sys.executable, "-X", "importtime", "-m", "mentorctl", "-p", str(sqlite_cli.program)]
    proc = subprocess.run(
        [*cmd, "participants", "list", "--json", "--matched"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    imported = {m.group(1) for m in re.finditer(r"\|\s+([\w.]+)\s*$", proc.stderr, re.M)}
    assert not {"sqlmodel", "sqlalchemy.orm", "mentorctl.roster.models"} & imported
    listed = json.loads(proc.stdout)

    # The same people, read through the models.
    from sqlmodel import select

    from mentorctl.roster.db import default_url, open_roster
    from mentorctl.roster.models import Participant

    roster = open_roster(default_url(sqlite_cli.program))
    try:
        with roster.session() as session:
            people = session.exec(select(Participant).order_by(Participant.email)).all()
            stored = {p.email: (p.name, p.role, list(p.languages), dict(p.answers)) for p in people}
    finally:
        roster.dispose()
    assert len(listed) == 5 and all(person["matched"] for person in listed)  # edsger is both
    for person in listed:
        values = (person["name"], person["role"], person["languages"], person["answers"])
        assert stored[person["email"]] == values
