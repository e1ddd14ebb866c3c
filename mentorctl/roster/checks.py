"""Checks of the roster against the program: what ``mentorctl validate`` reports.

The program file is checked when it is loaded (:func:`mentorctl.program.load_program`);
these checks need the people too: stored answers that no longer fit the survey (an
option was renamed), matching settings that rely on a field or question nobody
answered, and mentors whose answer names none of the program's tracks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mentorctl.errors import Problem
from mentorctl.program import DERIVED_FIELDS, PreferenceCriterion, Program, SimilarityCriterion
from mentorctl.program.schema import _TwoSided
from mentorctl.roster.records import parse_record


def _value(person: dict[str, Any], source: str) -> Any:
    if source in person:
        return person[source]
    return person.get("answers", {}).get(source)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _sources(program: Program) -> list[tuple[str, str]]:
    """(path in program.yaml, field or question id) for everything matching relies on."""
    out: list[tuple[str, str]] = []
    for i, c in enumerate(program.matching.criteria):
        where = f"matching.criteria[{i}]"
        if isinstance(c, _TwoSided):
            for side in ("field", "mentee", "mentor"):
                if getattr(c, side):
                    out.append((f"{where}.{side}", getattr(c, side)))
        elif isinstance(c, SimilarityCriterion):
            out += [(f"{where}.questions[{j}]", q) for j, q in enumerate(c.questions)]
        elif isinstance(c, PreferenceCriterion):
            out.append((f"{where}.mentee", c.mentee))
    cons = program.matching.constraints
    for key in ("require_same", "require_different"):
        out += [(f"matching.constraints.{key}[{j}]", s) for j, s in enumerate(getattr(cons, key))]
    if program.matching.tracks is not None:
        out.append(("matching.tracks.field", program.matching.tracks.field))
    return out


def roster_problems(
    program: Program, people: Sequence[dict[str, Any]], source: str = "roster"
) -> list[Problem]:
    """Everything wrong with the enrolled ``people`` (dicts of stored values) under ``program``."""
    problems: list[Problem] = []
    for person in people:
        raw = {k: v for k, v in person.items() if k != "answers"}
        raw.update(person.get("answers", {}))
        _, found = parse_record(program, raw, file=source)
        for p in found:
            problems.append(Problem(p.message, file=source, path=f"{person['email']}: {p.path}"))
    if people:
        for path, src in _sources(program):
            if src in DERIVED_FIELDS:
                src = "timezone"
            if all(_blank(_value(p, src)) for p in people):
                problems.append(
                    Problem(f"nobody in the roster has answered {src!r}", file=source, path=path)
                )
    if program.matching.tracks is not None:
        from mentorctl.matching.tracks import track_problem

        field = program.matching.tracks.field
        for person in people:
            if person.get("role") not in ("mentor", "both"):
                continue
            why = track_problem(program, person)
            if why is not None:
                problems.append(
                    Problem(
                        f"{why}: they cannot be matched",
                        file=source,
                        path=f"{person['email']}: {field}",
                    )
                )
    return problems
