"""Reading participant files: the canonical CSV, form exports, and XLSX.

:func:`read_participants` reads a file (through :mod:`mentorctl.tables`) and returns every
good record and every bad row, without touching the roster. :func:`plan_import` compares
the records with the people already enrolled and says what would be created, updated,
left alone or refused; :mod:`mentorctl.roster.participants` applies a plan in one
transaction.

Form exports (Google Forms, Microsoft Forms) are recognised by their headers: a column
headed by a question's label (compared without case and extra spaces) or named in the
program's ``survey.columns`` feeds that question (``ignore`` there drops a column); the
submission time (Timestamp, "Completion time") orders a person's answers, the latest
wins; other columns are listed as ignored.

A column absent from the file means "not provided": an enrolled person keeps what is
stored for it. A blank cell in a column that is there clears the value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.program import FIELD_ALIASES, ROSTER_FIELDS, Program
from mentorctl.roster.records import ParticipantRecord, parse_record, parse_role
from mentorctl.tables.columns import closest_header, header_key
from mentorctl.tables.dates import DateFormat, parse_timestamp, settle_order, sort_key
from mentorctl.tables.reader import (
    DEFAULT_MAX_BYTES,
    FORM_BOOKKEEPING,
    Table,
    extra_cells,
    problem_error,
    read_table,
    require_rows,
    submission_column,
)

#: ``survey.columns`` target that drops a column (e.g. Microsoft Forms' own "Name").
IGNORE = "ignore"
#: Roster fields every participant file must have a column for.
REQUIRED_FIELDS = ("email", "name", "role")


@dataclass
class ReadResult:
    records: list[ParticipantRecord]
    problems: list[Problem]
    bad_rows: list[tuple[int, dict[str, str], list[Problem]]]
    headers: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    superseded_rows: int = 0
    total_rows: int = 0
    #: Roster fields and question ids the file has a column for; the rest stay as stored.
    provided: frozenset[str] = frozenset()


def map_headers(program: Program, headers: list[str], source: str) -> dict[int, str]:
    """Column index -> roster field or question id; unknown and ignored columns left out."""
    explicit = {header_key(k): v for k, v in program.survey.columns.items()}
    by_label = {header_key(q.label): q.id for q in program.survey.questions}
    ids = {q.id for q in program.survey.questions}
    mapping: dict[int, str] = {}
    taken: dict[str, str] = {}
    problems: list[Problem] = []
    for i, header in enumerate(headers):
        key = header_key(header)
        target = (
            explicit.get(key)
            or (key if key in ROSTER_FIELDS or key in ids else None)
            or by_label.get(key)
            or FIELD_ALIASES.get(key)
        )
        if target is None or target == IGNORE:
            continue
        if target in taken:
            problems.append(
                Problem(
                    f"feeds {target!r}, as does column {taken[target]!r} "
                    f"(map one of them to 'ignore' in survey.columns)",
                    file=source,
                    line=1,
                    path=header,
                )
            )
            continue
        taken[target] = header
        mapping[i] = target
    if "email" not in taken:
        problems.append(
            Problem(
                "no email column (expected 'email', 'Email address', or a survey.columns entry)",
                file=source,
                line=1,
            )
        )
    if problems:
        raise problem_error(problems, source)
    return mapping


def _unmapped(headers: list[str], mapping: dict[int, str], skip: set[int]) -> list[str]:
    return [h for i, h in enumerate(headers) if i not in mapping and i not in skip and h]


def _missing_columns(
    program: Program,
    table_headers: list[str],
    mapping: dict[int, str],
    roles: set[str],
    source: str,
    skip: set[int],
    answers_only: bool = False,
) -> list[Problem]:
    """One problem per required field or question that no column feeds (and a row needs),
    naming the closest header nobody claimed."""
    provided = set(mapping.values())
    candidates = _unmapped(table_headers, mapping, skip)
    problems: list[Problem] = []

    def missing(what: str, label: str, *alternatives: str) -> None:
        near = None
        for text in (label, *alternatives):
            near = near or closest_header(text, candidates)
        hint = f"; closest: {near!r}" if near else ""
        problems.append(
            Problem(f"no column for {what}{hint} (name it in survey.columns)", file=source, line=1)
        )

    for name in REQUIRED_FIELDS:
        if name not in provided and name != "email" and not answers_only:
            missing(f"required field {name!r}", name)  # email is checked by map_headers
    for q in program.survey.questions:
        if q.id in provided or not q.required or answers_only:
            continue
        if any(q.asks(role) for role in roles):
            missing(f"required question {q.id!r}", q.id, q.label)
    return problems


def read_participants(
    program: Program,
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Iterable[Any], int], Iterator[Any]] | None = None,
    date_format: DateFormat | None = None,
    enrolled: Mapping[str, Mapping[str, Any]] | None = None,
) -> ReadResult:
    """Read and check every row of a participant file; never touches the roster.

    ``date_format`` (``--date-format``) states how the submission time is written when its
    values leave the day/month order open; it is only needed when someone answered twice.

    ``enrolled`` (email -> stored values) are the people already in the roster. With it,
    a file without ``name`` and ``role`` columns (a ranking form's export: a timestamp,
    the email and the answer) updates those people's answers, and refuses a row of
    anyone else; person codes in email-list answers (program/codes.py) become the
    emails of the people they stand for, and a code of nobody is a bad row.
    """
    table = read_table(path, max_bytes=max_bytes)
    mapping = map_headers(program, table.headers, table.source)
    ts_col = submission_column(table.headers)
    ignore = {header_key(k) for k, v in program.survey.columns.items() if v == IGNORE}
    explicit_ignore = {i for i, h in enumerate(table.headers) if header_key(h) in ignore}
    bookkeeping = {i for i, h in enumerate(table.headers) if header_key(h) in FORM_BOOKKEEPING}
    skip = explicit_ignore | bookkeeping | ({ts_col} if ts_col is not None else set())
    role_col = next((i for i, t in mapping.items() if t == "role"), None)
    roles = (
        {r for r in (parse_role(v) for v in table.column(role_col)) if r}
        if role_col is not None
        else set()
    )
    given = set(mapping.values())
    answers_only = bool(enrolled) and "role" not in given
    header_problems = _missing_columns(
        program, table.headers, mapping, roles, table.source, skip, answers_only
    )
    if header_problems:
        raise problem_error(header_problems, table.source)
    require_rows(table)
    provided = frozenset(mapping.values())
    columns = {target: table.headers[i] for i, target in mapping.items()}
    ignored = _unmapped(table.headers, mapping, skip)

    codes = None
    if enrolled is not None:
        from mentorctl.program.codes import CodeBook

        codes = CodeBook(program.slug, enrolled)
    rows: Iterable[tuple[int, list[str]]] = table.rows
    if progress is not None:
        rows = progress(table.rows, len(table.rows))
    parsed: list[tuple[int, list[str], ParticipantRecord]] = []
    problems: list[Problem] = []
    bad_rows: list[tuple[int, dict[str, str], list[Problem]]] = []

    def reject(line: int, values: list[str], found: list[Problem]) -> None:
        problems.extend(found)
        bad_rows.append((line, dict(zip(table.headers, values, strict=False)), found))

    for line, values in rows:
        p = extra_cells(table, line, values)
        if p is not None:
            reject(line, values, [p])
            continue
        raw = {target: values[i] if i < len(values) else "" for i, target in mapping.items()}
        if answers_only:
            stored = _enrolled_values(enrolled or {}, raw, table.source, line, columns)
            if isinstance(stored, Problem):
                reject(line, values, [stored])
                continue
            raw = {"name": stored.get("name") or "", **raw, "role": stored.get("role") or ""}
        record, row_problems = parse_record(
            program, raw, file=table.source, row=line, columns=columns, provided=provided
        )
        if record is not None and codes is not None:
            row_problems = _codes_to_emails(program, record, codes, table.source, line, columns)
            if row_problems:
                record = None
        if record is None:
            reject(line, values, row_problems)
            continue
        parsed.append((line, values, record))

    when = _submission_times(table, parsed, ts_col, date_format, reject)
    # A person who answered twice: the latest submission wins, unless the roles conflict.
    latest: dict[str, tuple[int, ParticipantRecord]] = {}
    superseded = 0
    for line, values, record in parsed:
        seen = latest.get(record.email)
        if seen is None:
            latest[record.email] = (line, record)
            continue
        if seen[1].role != record.role:
            reject(
                line,
                values,
                [
                    Problem(
                        f"{record.email} is a {record.role} here but a {seen[1].role} "
                        f"at row {seen[0]}",
                        file=table.source,
                        line=line,
                        path=columns.get("role", "role"),
                    )
                ],
            )
            continue
        superseded += 1
        older = when.get(line) is not None and when.get(seen[0]) is not None
        if not (older and when[line] < when[seen[0]]):  # type: ignore[operator]
            latest[record.email] = (line, record)
    records = [r for _, r in sorted(latest.values(), key=lambda t: t[0])]
    return ReadResult(
        records=records,
        problems=problems,
        bad_rows=bad_rows,
        headers=table.headers,
        ignored_columns=ignored,
        superseded_rows=superseded,
        total_rows=len(table.rows),
        provided=provided,
    )


def _enrolled_values(
    enrolled: Mapping[str, Mapping[str, Any]],
    raw: Mapping[str, str],
    source: str,
    line: int,
    columns: Mapping[str, str],
) -> Mapping[str, Any] | Problem:
    """The stored values of the enrolled person a row of an answers-only file is about."""
    from mentorctl.roster.records import normalise_email

    email = normalise_email(raw.get("email") or "")
    stored = enrolled.get(email)
    if stored is None:
        return Problem(
            f"{email or '(empty)'!r} is not enrolled (a file without name and role columns "
            "only updates enrolled people)",
            file=source,
            line=line,
            path=columns.get("email", "email"),
        )
    return stored


def _codes_to_emails(
    program: Program,
    record: ParticipantRecord,
    codes: Any,
    source: str,
    line: int,
    columns: Mapping[str, str],
) -> list[Problem]:
    """Replace person codes in ``record``'s email-list answers by emails (in place)."""
    from mentorctl.enums import QuestionType
    from mentorctl.program.codes import looks_like_code

    problems = []
    for q in program.survey.questions:
        items = record.answers.get(q.id)
        if q.type is not QuestionType.EMAIL_LIST or not items:
            continue
        out = []
        for item in items:
            if "@" in item or not looks_like_code(item):
                out.append(item)
                continue
            email = codes.email(item)
            if email is None:
                problems.append(
                    Problem(
                        f"{item!r} is not the code of anyone enrolled",
                        file=source,
                        line=line,
                        path=columns.get(q.id, q.id),
                    )
                )
            else:
                out.append(email)
        record.answers[q.id] = list(dict.fromkeys(out))
    return problems


def _submission_times(
    table: Table,
    parsed: list[tuple[int, list[str], ParticipantRecord]],
    ts_col: int | None,
    date_format: DateFormat | None,
    reject: Callable[[int, list[str], list[Problem]], None],
) -> dict[int, dt.datetime | None]:
    """Row -> submission time, for the rows of people who answered more than once.

    Nobody else needs one, so a file whose timestamps leave day and month open is only an
    error (naming the column and ``--date-format``) when the order of answers matters.
    A bad timestamp on such a row rejects the row: which answer is the latest is unknown.
    """
    twice = {e for e, n in Counter(r.email for _, _, r in parsed).items() if n > 1}
    if not twice or ts_col is None:
        return {}
    column = table.headers[ts_col]
    fmt = settle_order(table.column(ts_col), date_format, column=column, source=table.source)
    out: dict[int, dt.datetime | None] = {}
    kept = []
    for line, values, record in parsed:
        if record.email in twice:
            text = values[ts_col] if ts_col < len(values) else ""
            if text.strip():
                try:
                    out[line] = sort_key(parse_timestamp(text, fmt))
                except ValueError as exc:
                    reject(line, values, [Problem(str(exc), table.source, line, column)])
                    continue
        kept.append((line, values, record))
    parsed[:] = kept
    return out


@dataclass
class ImportPlan:
    """What an import would do to the roster."""

    create: list[ParticipantRecord] = field(default_factory=list)
    update: list[tuple[int, ParticipantRecord, list[str]]] = field(default_factory=list)
    unchanged: list[ParticipantRecord] = field(default_factory=list)
    skipped: list[ParticipantRecord] = field(default_factory=list)
    conflicts: list[ParticipantRecord] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.create) + len(self.update)


def keep_unprovided(
    record: ParticipantRecord, stored: dict[str, Any], provided: Iterable[str] | None
) -> ParticipantRecord:
    """``record`` with every field and answer the file had no column for taken from
    ``stored``: an absent column is "not provided", never "erase"."""
    if provided is None:
        return record
    given = set(provided)
    values = record.as_dict()
    for key in values:
        if key not in ("email", "answers") and key not in given:
            values[key] = stored.get(key)
    answers = dict(stored.get("answers") or {})
    for key in given:
        if key in values:
            continue  # a roster field, not a question
        if key in record.answers:
            answers[key] = record.answers[key]
        else:
            answers.pop(key, None)  # a blank cell in a column that is there clears
    values["answers"] = answers
    values["languages"] = list(values.get("languages") or [])
    return ParticipantRecord(**values)


def plan_import(
    records: Iterable[ParticipantRecord],
    existing: dict[str, tuple[int, dict[str, Any]]],
    on_existing: str = "update",
    provided: Iterable[str] | None = None,
) -> ImportPlan:
    """Compare records with enrolled people (email -> (id, stored values)).

    ``on_existing``: ``update`` changes people whose values differ, ``skip`` leaves them,
    ``error`` lists them as conflicts (the caller then imports nothing). ``provided``
    (:attr:`ReadResult.provided`) names what the file had columns for; everything else
    keeps its stored value. None means the records are complete.
    """
    plan = ImportPlan()
    given = None if provided is None else frozenset(provided)
    for record in records:
        found = existing.get(record.email)
        if found is None:
            plan.create.append(record)
            continue
        pid, stored = found
        record = keep_unprovided(record, stored, given)
        new = record.as_dict()
        changed = [k for k, v in new.items() if stored.get(k) != v]
        if not changed:
            plan.unchanged.append(record)
        elif on_existing == "skip":
            plan.skipped.append(record)
        elif on_existing == "error":
            plan.conflicts.append(record)
        else:
            plan.update.append((pid, record, changed))
    return plan


def rejects_rows(result: ReadResult) -> tuple[list[str], list[list[Any]]]:
    """The bad rows as a CSV: row number, the file's cells, and what is wrong."""
    headers = ["row", *result.headers, "problems"]
    rows = []
    for line, values, problems in result.bad_rows:
        cells = [values.get(h, "") for h in result.headers]
        reasons = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
        rows.append([line, *cells, reasons])
    return headers, rows


def write_rejects(path: Path, result: ReadResult) -> None:
    """Write the bad rows, with a column saying what is wrong, as a spreadsheet-safe CSV."""
    from mentorctl.tables.csvsafe import StagedCsv

    staged = StagedCsv(path)
    staged.write(*rejects_rows(result))
    staged.commit()


def require_clean(result: ReadResult, source: str) -> None:
    if result.problems:
        raise problem_error(result.problems, source)


__all__ = [
    "IGNORE",
    "ImportPlan",
    "ImportProblemError",
    "ReadResult",
    "keep_unprovided",
    "map_headers",
    "plan_import",
    "read_participants",
    "rejects_rows",
    "require_clean",
    "write_rejects",
]
