"""Reading participant files: the canonical CSV, form exports, and XLSX.

:func:`read_participants` reads a file and returns every good record and every bad row,
without touching the roster. :func:`plan_import` compares the records with the people
already enrolled and says what would be created, updated, left alone or refused;
:mod:`mentorctl.roster.participants` applies a plan in one transaction.

Form exports (Google Forms, Microsoft Forms) are recognised by their headers: a column
headed by a question's label (compared without case and extra spaces) or named in the
program's ``survey.columns`` feeds that question; columns nobody asked for (Timestamp,
"Start time" ...) are ignored, and a person who answered twice is taken from their latest
row.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.program import ROSTER_FIELDS, Program
from mentorctl.roster.records import ParticipantRecord, parse_record
from mentorctl.tables.reader import (
    DEFAULT_MAX_BYTES,
    _parse_time,
    _timestamp_column,
    extra_cells,
    header_key,
    read_table,
    require_rows,
    summarise,
)

#: Headers that form tools use for roster fields, beside the field names themselves.
FIELD_ALIASES: dict[str, str] = {
    "email address": "email",
    "e-mail": "email",
    "e-mail address": "email",
    "your email": "email",
    "full name": "name",
    "your name": "name",
    "first and last name": "name",
    "manager": "manager_email",
    "manager email": "manager_email",
    "manager's email": "manager_email",
    "time zone": "timezone",
    "tenure (months)": "tenure_months",
    "months at the company": "tenure_months",
    "years of experience": "years_experience",
    "max mentees": "capacity",
}


@dataclass
class ReadResult:
    records: list[ParticipantRecord]
    problems: list[Problem]
    bad_rows: list[tuple[int, dict[str, str], list[Problem]]]
    headers: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    superseded_rows: int = 0
    total_rows: int = 0


def map_headers(program: Program, headers: list[str], source: str) -> dict[int, str]:
    """Column index -> roster field or question id; unknown columns are left out."""
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
        if target is None:
            continue
        if target in taken:
            problems.append(
                Problem(
                    f"feeds {target!r}, as does column {taken[target]!r}",
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
        raise ImportProblemError(summarise(problems, source), problems)
    return mapping


def read_participants(
    program: Program,
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Iterable[Any], int], Iterator[Any]] | None = None,
) -> ReadResult:
    """Read and check every row of a participant file; never touches the roster."""
    table = read_table(path, max_bytes=max_bytes)
    mapping = map_headers(program, table.headers, table.source)
    require_rows(table)
    ts_col = _timestamp_column(table.headers)
    columns = {target: table.headers[i] for i, target in mapping.items()}
    ignored = [h for i, h in enumerate(table.headers) if i not in mapping and i != ts_col and h]

    rows: Iterable[tuple[int, list[str]]] = table.rows
    if progress is not None:
        rows = progress(table.rows, len(table.rows))
    parsed: list[tuple[int, dt.datetime | None, ParticipantRecord]] = []
    problems: list[Problem] = []
    bad_rows: list[tuple[int, dict[str, str], list[Problem]]] = []
    for line, values in rows:
        p = extra_cells(table, line, values)
        if p is not None:
            problems.append(p)
            bad_rows.append((line, dict(zip(table.headers, values, strict=False)), [p]))
            continue
        raw = {target: values[i] if i < len(values) else "" for i, target in mapping.items()}
        record, row_problems = parse_record(
            program, raw, file=table.source, row=line, columns=columns
        )
        if record is None:
            problems += row_problems
            bad_rows.append((line, dict(zip(table.headers, values, strict=False)), row_problems))
            continue
        when = _parse_time(values[ts_col]) if ts_col is not None and ts_col < len(values) else None
        parsed.append((line, when, record))

    # A person who answered twice: the latest row wins, unless the roles conflict.
    latest: dict[str, tuple[int, dt.datetime | None, ParticipantRecord]] = {}
    superseded = 0
    for line, when, record in parsed:
        seen = latest.get(record.email)
        if seen is None:
            latest[record.email] = (line, when, record)
            continue
        if seen[2].role != record.role:
            p = Problem(
                f"{record.email} is a {record.role} here but a {seen[2].role} at row {seen[0]}",
                file=table.source,
                line=line,
                path=columns.get("role", "role"),
            )
            problems.append(p)
            bad_rows.append((line, {"email": record.email, "role": record.role}, [p]))
            continue
        superseded += 1
        newer = when is not None and seen[1] is not None and when < seen[1]
        if not newer:
            latest[record.email] = (line, when, record)
    records = [r for _, _, r in sorted(latest.values(), key=lambda t: t[0])]
    return ReadResult(
        records=records,
        problems=problems,
        bad_rows=bad_rows,
        headers=table.headers,
        ignored_columns=ignored,
        superseded_rows=superseded,
        total_rows=len(table.rows),
    )


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


def plan_import(
    records: Iterable[ParticipantRecord],
    existing: dict[str, tuple[int, dict[str, Any]]],
    on_existing: str = "update",
) -> ImportPlan:
    """Compare records with enrolled people (email -> (id, stored values)).

    ``on_existing``: ``update`` changes people whose values differ, ``skip`` leaves them,
    ``error`` lists them as conflicts (the caller then imports nothing).
    """
    plan = ImportPlan()
    for record in records:
        found = existing.get(record.email)
        if found is None:
            plan.create.append(record)
            continue
        pid, stored = found
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


def write_rejects(path: Path, result: ReadResult) -> None:
    """Write the bad rows, with a column saying what is wrong, as a spreadsheet-safe CSV."""
    from mentorctl.tables.csvsafe import safe_cell

    headers = [*result.headers, "problems"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", *headers])
        for line, values, problems in result.bad_rows:
            cells = [values.get(h, "") for h in result.headers]
            reasons = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
            writer.writerow([line, *(safe_cell(c) for c in cells), safe_cell(reasons)])


def require_clean(result: ReadResult, source: str) -> None:
    if result.problems:
        raise ImportProblemError(summarise(result.problems, source), result.problems)
