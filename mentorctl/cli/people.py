"""One person as ``participants list`` and ``show`` print them, and ``show``'s work once
its options are parsed: by Typer (:mod:`mentorctl.cli.participants`) or, in its plain
form, by :mod:`mentorctl.cli.fast` before Typer is imported. Both call
:func:`show_person`, so they cannot answer differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.cli import output
from mentorctl.cli.output import Column

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.roster.models import Participant


def person_row(p: Participant | Any, matched: bool) -> dict[str, Any]:
    """A person as list/show print them; ``p`` is a model or a listing's row."""
    return {
        "email": p.email,
        "name": p.name,
        "role": p.role,
        "department": p.department,
        "title": p.title,
        "level": p.level,
        "manager_email": p.manager_email,
        "location": p.location,
        "timezone": p.timezone,
        "languages": list(p.languages),
        "tenure_months": p.tenure_months,
        "years_experience": p.years_experience,
        "capacity": p.capacity,
        "active": p.active,
        "matched": matched,
        "answers": dict(p.answers),
    }


def show_person(state: State, email: str, as_json: bool) -> int:
    """One person's details and survey answers; returns the exit code."""
    from mentorctl.errors import NotFoundError
    from mentorctl.roster.person import find_participant, program_id

    _, program = state.load()
    # One person's row through the plain reader: no ORM, no SQLAlchemy on SQLite.
    with state.reading() as reader:
        pid = program_id(reader, program)
        if pid is None:
            raise NotFoundError(f"{email}: no such participant in this program")
        found = find_participant(reader, pid, email)
    if found is None:
        raise NotFoundError(f"{email.strip().lower()}: no such participant in this program")
    person = person_row(found, False)
    person.pop("matched")
    if as_json:
        output.print_json(person)
        return 0
    rows = [{"field": k, "value": v} for k, v in person.items() if k != "answers"]
    labels = {q.id: q.label for q in program.survey.questions}
    rows += [{"field": labels.get(k, k), "value": v} for k, v in person["answers"].items()]
    output.print_table([Column("field", "Field", style="bold"), Column("value", "Value")], rows)
    return 0
