"""One participant's values, checked against the program's survey.

:func:`parse_record` turns raw values (strings from a CSV cell or a prompt, or lists)
into a :class:`ParticipantRecord`, or into :class:`~mentorctl.errors.Problem` s naming
the row and column. Import, ``participants add`` and ``participants edit`` all use it, so
a value is accepted or refused the same way wherever it comes from.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from mentorctl.enums import QuestionType
from mentorctl.errors import Problem
from mentorctl.program import Program, Question

ROLES = ("mentor", "mentee", "both")
#: Numbers beyond this are typos (and would overflow a database integer).
MAX_NUMBER = 1e9
_ROLE_ALIASES = {
    "mentor": "mentor",
    "mentee": "mentee",
    "both": "both",
    "mentor and mentee": "both",
    "mentee and mentor": "both",
    "a mentor": "mentor",
    "a mentee": "mentee",
}
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")

Raw = str | list[str] | int | float | None


@dataclass
class ParticipantRecord:
    """A participant as the roster stores them (emails lower-case, lists as lists)."""

    email: str
    name: str
    role: str
    department: str | None = None
    title: str | None = None
    level: str | None = None
    manager_email: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: list[str] = field(default_factory=list)
    tenure_months: int | None = None
    years_experience: float | None = None
    capacity: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The record's values; lists and answers are copied (shallowly: values are plain)."""
        out = dict(self.__dict__)
        out["languages"] = list(self.languages)
        out["answers"] = dict(self.answers)
        return out


def parse_role(text: str) -> str | None:
    """``mentor``, ``mentee`` or ``both`` from how a form writes it ("Mentor and mentee")."""
    return _ROLE_ALIASES.get(text.strip().lower())


def normalise_email(value: str) -> str:
    return value.strip().lower()


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def split_list(raw: Raw, options: list[str] | None = None) -> list[str]:
    """Split a list answer: ``;``-separated, or ``, ``-separated as form exports write it.

    With ``options``, comma-split pieces are glued back together when together they are
    an option (so "Public speaking, presenting" survives as one option).
    """
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v).strip() for v in raw if str(v).strip()]
    text = str(raw).strip()
    if not text:
        return []
    if ";" in text:
        return [p.strip() for p in text.split(";") if p.strip()]
    pieces = [p.strip() for p in text.split(",")]
    if not options:
        return [p for p in pieces if p]
    known = {o.lower() for o in options}
    out: list[str] = []
    i = 0
    while i < len(pieces):
        # take the longest run of pieces that forms an option, else the piece alone
        best = i
        for j in range(len(pieces) - 1, i, -1):
            if ", ".join(pieces[i : j + 1]).lower() in known:
                best = j
                break
        out.append(", ".join(pieces[i : best + 1]))
        i = best + 1
    return [p for p in out if p]


class _RowChecker:
    """Collects problems for one row, each naming the row and the column it came from."""

    def __init__(self, file: str | None, row: int | None, columns: Mapping[str, str]) -> None:
        self.file, self.row, self.columns = file, row, columns
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(
            Problem(message, file=self.file, line=self.row, path=self.columns.get(key, key))
        )


def _text(raw: Raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list):
        return "; ".join(str(v) for v in raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(check: _RowChecker, key: str, raw: Raw, *, integer: bool, low: float = 0) -> Any:
    text = _text(raw)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        check.bad(key, f"{text!r} is not a number")
        return None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:  # "inf", "nan", 1e30 ...
        check.bad(key, f"{text!r} is out of range")
        return None
    if integer and not value.is_integer():
        check.bad(key, f"{text!r} is not a whole number")
        return None
    if value < low:
        check.bad(key, f"{text!r} must be at least {low:g}")
        return None
    return int(value) if integer else value


@functools.lru_cache(maxsize=256)
def _option_index(options: tuple[str, ...]) -> dict[str, str]:
    return {o.lower(): o for o in options}


def _choice(check: _RowChecker, key: str, value: str, options: list[str]) -> str | None:
    found = _option_index(tuple(options)).get(value.strip().lower())
    if found is not None:
        return found
    shown = ", ".join(options[:8]) + (" ..." if len(options) > 8 else "")
    check.bad(key, f"{value!r} is not one of the options ({shown})")
    return None


def parse_answer(check: _RowChecker, q: Question, raw: Raw) -> Any:
    """The typed answer to ``q`` (None when blank); problems go to ``check``."""
    t = q.type
    if t is QuestionType.TEXT:
        return _text(raw) or None
    if t is QuestionType.NUMBER:
        return _number(check, q.id, raw, integer=False, low=float("-inf"))
    if t is QuestionType.LIKERT:
        value = _number(check, q.id, raw, integer=True, low=float("-inf"))
        low, high = q.scale
        if value is not None and not low <= value <= high:
            check.bad(q.id, f"{value} is outside the scale {low}-{high}")
            return None
        return value
    if t is QuestionType.SINGLE_CHOICE:
        text = _text(raw)
        return _choice(check, q.id, text, q.options or []) if text else None
    items = split_list(raw, q.options)
    if t is QuestionType.EMAIL_LIST:
        from mentorctl.program.codes import looks_like_code, normalise_code

        # A ranking form sends person codes (program/codes.py) instead of emails; the
        # importer turns those of enrolled people into their emails.
        emails = [normalise_code(v) if looks_like_code(v) else normalise_email(v) for v in items]
        for e in emails:
            if not is_email(e) and not looks_like_code(e):
                what = "an email address" if "@" in e else "an email address or a person code"
                check.bad(q.id, f"{e!r} is not {what}")
        return list(dict.fromkeys(emails)) or None
    chosen = [_choice(check, q.id, v, q.options or []) for v in items]
    values = [c for c in chosen if c is not None]
    if len(set(values)) != len(values):
        check.bad(q.id, "an option is given twice")
    if q.max_choices is not None and len(values) > q.max_choices:
        check.bad(q.id, f"{len(values)} choices; at most {q.max_choices} allowed")
    return values or None


def parse_record(
    program: Program,
    values: Mapping[str, Raw],
    *,
    file: str | None = None,
    row: int | None = None,
    columns: Mapping[str, str] | None = None,
    provided: Collection[str] | None = None,
) -> tuple[ParticipantRecord | None, list[Problem]]:
    """Check one participant's raw values (keys: roster fields and question ids).

    ``columns`` maps each key to the column header it came from, for messages.
    ``provided`` (an import's columns) names the questions the values can answer at all:
    a question outside it is "not provided", neither answered nor missing (the importer
    keeps the stored answer, and reports a required question without a column once).
    Returns the record, or None with every problem found in the row.
    """
    check = _RowChecker(file, row, columns or {})
    email = normalise_email(_text(values.get("email")))
    if not email:
        check.bad("email", "is required")
    elif not is_email(email):
        check.bad("email", f"{email!r} is not an email address")
    name = _text(values.get("name"))
    if not name:
        check.bad("name", "is required")
    role_text = _text(values.get("role")).lower()
    role = _ROLE_ALIASES.get(role_text)
    if role is None:
        check.bad(
            "role", f"{role_text!r} must be mentor, mentee or both" if role_text else "is required"
        )
    manager = normalise_email(_text(values.get("manager_email"))) or None
    if manager is not None and not is_email(manager):
        check.bad("manager_email", f"{manager!r} is not an email address")
    elif manager is not None and manager == email:
        check.bad("manager_email", "a person cannot be their own manager")
    tz = _text(values.get("timezone")) or None
    if tz is not None and not _known_timezone(tz):
        check.bad("timezone", f"{tz!r} is not a time zone name such as Europe/Berlin")
    level = _text(values.get("level")) or None
    if level is not None and program.levels and program.level_rank(level) is None:
        check.bad("level", f"{level!r} is not one of the program's levels")
    elif level is not None and program.levels:
        level = program.levels[int(program.level_rank(level) or 0)]
    capacity = _number(check, "capacity", values.get("capacity"), integer=True)
    top_mentee = program.mentee_capacity.top
    if role == "mentee" and top_mentee > 1:  # a mentee's capacity: how many mentors they take
        if capacity is not None and capacity > top_mentee:
            check.bad(
                "capacity",
                f"{capacity} is above the program's mentee_capacity maximum {top_mentee}",
            )
    elif capacity is not None and capacity > program.capacity.maximum:
        check.bad(
            "capacity", f"{capacity} is above the program's maximum {program.capacity.maximum}"
        )
    record = ParticipantRecord(
        email=email,
        name=name,
        role=role or "",
        department=_text(values.get("department")) or None,
        title=_text(values.get("title")) or None,
        level=level,
        manager_email=manager,
        location=_text(values.get("location")) or None,
        timezone=tz,
        languages=split_list(values.get("languages")),
        tenure_months=_number(check, "tenure_months", values.get("tenure_months"), integer=True),
        years_experience=_number(
            check, "years_experience", values.get("years_experience"), integer=False
        ),
        capacity=capacity,
    )
    for q in program.survey.questions:
        if provided is not None and q.id not in provided:
            continue
        answer = parse_answer(check, q, values.get(q.id))
        if answer is None:
            if q.required and role is not None and q.asks(role):
                check.bad(q.id, "is required")
            continue
        record.answers[q.id] = answer
    if check.problems:
        return None, check.problems
    return record, []


def _known_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
