"""The participant's fields are described once (``mentorctl.program.person``): the roster
table, the importer's record, the canonical CSV and the CLI's options must all agree."""

from __future__ import annotations

import dataclasses

from mentorctl.program import PERSON_FIELDS, ROSTER_FIELDS, canonical_headers, load_program
from mentorctl.roster.models import Participant
from mentorctl.roster.records import ParticipantRecord
from tests.conftest import DATA


def test_record_has_exactly_the_roster_fields_and_answers() -> None:
    names = [f.name for f in dataclasses.fields(ParticipantRecord)]
    assert names == [*ROSTER_FIELDS, "answers"]


def test_record_types_follow_the_description() -> None:
    hints = {f.name: str(f.type) for f in dataclasses.fields(ParticipantRecord)}
    for field in PERSON_FIELDS:
        expected = {str: "str", int: "int", float: "float", list: "list[str]"}[field.kind]
        assert hints[field.name].startswith(expected), (field.name, hints[field.name])


def test_roster_table_stores_every_field() -> None:
    columns = set(Participant.__table__.columns.keys())  # type: ignore[attr-defined]
    assert set(ROSTER_FIELDS) <= columns


def test_canonical_csv_starts_with_the_fields_in_order() -> None:
    program = load_program(DATA / "program.yaml")
    headers = canonical_headers(program)
    assert headers[: len(ROSTER_FIELDS)] == list(ROSTER_FIELDS)
    assert headers[len(ROSTER_FIELDS) :] == [q.id for q in program.survey.questions]


def test_every_field_has_help_for_people() -> None:
    for field in PERSON_FIELDS:
        assert field.help.endswith(".") and len(field.help) > 5, field.name
