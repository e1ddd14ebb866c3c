"""One participant's stored row, on the plain read path (:mod:`mentorctl.roster.read`).

``participants show`` and ``explain`` read a person or two, not the roster: a query by
email (the unique ``(program_id, email)`` index), SQL text on a :class:`Reader`, no ORM
object and no SQLAlchemy import on SQLite. Values are normalised to what the models give
(JSON columns as lists and dicts, ``active`` as a bool), so output is the same whichever
path read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from mentorctl.program.person import ROSTER_FIELDS
from mentorctl.roster.read import as_reader, bool_of, json_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from mentorctl.program import Program
    from mentorctl.roster.read import Reader

    Source = Reader | Connection | Session

__all__ = [
    "PERSON_FIELDS",
    "STORED_FIELDS",
    "Stored",
    "find_participant",
    "person_of",
    "program_id",
    "select_people",
    "stored_of",
]

#: A person as matching reads them (the fields of ParticipantRecord, in its order).
PERSON_FIELDS = (*ROSTER_FIELDS, "answers")
_JSON = frozenset({"languages", "answers"})


class Stored(NamedTuple):
    """A participant as stored: the roster fields, answers, and whether they take part."""

    id: int
    email: str
    name: str
    role: str
    department: str | None
    title: str | None
    level: str | None
    manager_email: str | None
    location: str | None
    timezone: str | None
    languages: list[str]
    tenure_months: int | None
    years_experience: float | None
    capacity: int | None
    answers: dict[str, Any]
    active: bool


#: The columns of a :class:`Stored` row, in its order.
STORED_FIELDS = ("id", *PERSON_FIELDS, "active")


def stored_of(row: Sequence[Any]) -> Stored:
    """A row of :data:`STORED_FIELDS` as a :class:`Stored` participant."""
    values = person_of(row, STORED_FIELDS)
    values["active"] = bool_of(values["active"])
    return Stored(**values)


def select_people(where: str, fields: Sequence[str] = PERSON_FIELDS, alias: str = "") -> str:
    """``SELECT`` of ``fields`` from participant (every name quoted: ``timezone`` and
    friends are keywords somewhere) with ``where`` appended."""
    prefix = f"{alias}." if alias else ""
    columns = ", ".join(f'{prefix}"{name}"' for name in fields)
    return f"SELECT {columns} FROM participant {alias} WHERE {where}"


def person_of(row: Sequence[Any], fields: Sequence[str] = PERSON_FIELDS) -> dict[str, Any]:
    """A stored row of ``fields`` as matching's person dict (JSON columns decoded;
    ``years_experience`` a float as the ORM's Float column gives it)."""
    out = dict(zip(fields, row, strict=True))
    for name in _JSON.intersection(out):
        out[name] = json_of(out[name])
    if out.get("years_experience") is not None:
        out["years_experience"] = float(out["years_experience"])
    return out


def program_id(source: Source, program: Program) -> int | None:
    """The program's id in the roster, or None if nothing was stored for it yet."""
    row = as_reader(source).first("SELECT id FROM program WHERE slug = :slug", slug=program.slug)
    return None if row is None else int(row[0])


def find_participant(source: Source, program_id: int, email: str) -> Stored | None:
    """The participant of ``program_id`` with ``email`` (any case), whether active,
    withdrawn or forgotten; None if there is none."""
    row = as_reader(source).first(
        select_people("program_id = :pid AND email = :email", STORED_FIELDS),
        pid=program_id,
        email=email.strip().lower(),
    )
    return None if row is None else stored_of(row)
