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
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.program import ROSTER_FIELDS, Program
from mentorctl.roster.records import ParticipantRecord, parse_record

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

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
#: Columns that order a person's submissions (latest wins).
TIMESTAMP_HEADERS = ("timestamp", "completion time", "start time", "submitted at")


def header_key(text: str) -> str:
    """A column header compared without case, a BOM or runs of spaces."""
    return " ".join(text.strip().strip("\ufeff").lower().split())


@dataclass
class Table:
    """Rows of a file with the line/row number each came from (1 = header)."""

    source: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class ReadResult:
    records: list[ParticipantRecord]
    problems: list[Problem]
    bad_rows: list[tuple[int, dict[str, str], list[Problem]]]
    headers: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    superseded_rows: int = 0
    total_rows: int = 0


def read_table(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Read a CSV (any delimiter the sniffer recognises) or XLSX file into a Table."""
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportProblemError(f"{source}: no such file") from None
    except OSError as exc:
        raise ImportProblemError(f"{source}: cannot read: {exc.strerror}") from None
    if path.is_dir():
        raise ImportProblemError(f"{source}: is a directory, not a CSV or XLSX file")
    if size > max_bytes:
        raise ImportProblemError(
            f"{source}: the file is {size / 2**20:.1f} MB, "
            f"above the {max_bytes / 2**20:.0f} MB limit "
            "(is it the right file? raise the limit with --max-size)"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportProblemError(f"{source}: cannot read: {exc.strerror}") from None
    if b"\x00" in raw[:4096]:
        raise ImportProblemError(f"{source}: looks like a binary file, not CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportProblemError(
            f"{source}:{line}: not UTF-8 text (save the file as 'CSV UTF-8' and try again)"
        ) from None
    return parse_csv(text, source)


def require_rows(table: Table) -> None:
    """Refuse a file with a header and nothing under it: a failed export, not "no change".

    Readers call this after checking the header, whose problems say more."""
    if not table.rows:
        raise ImportProblemError(f"{table.source}: only a header, no rows; nothing was imported")


def extra_cells(table: Table, line: int, values: list[str]) -> Problem | None:
    """A problem if a row has more non-empty cells than the header has columns."""
    width = len(table.headers)
    if len(values) > width and any(v.strip() for v in values[width:]):
        return Problem(
            f"{len(values)} cells but the header has {width}", file=table.source, line=line
        )
    return None


def parse_csv(text: str, source: str) -> Table:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        headers = next(reader)
    except StopIteration:
        raise ImportProblemError(f"{source}: the file is empty") from None
    except csv.Error as exc:
        raise ImportProblemError(f"{source}:1: {exc}") from None
    rows: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if any(v.strip() for v in values):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise ImportProblemError(f"{source}:{reader.line_num}: malformed CSV: {exc}") from None
    return Table(source, [h.strip().strip("\ufeff") for h in headers], rows)


def _read_xlsx(path: Path) -> Table:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportProblemError(f"{path}: cannot read as XLSX: {exc}") from None
    sheet = wb.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        raise ImportProblemError(f"{path}: the first sheet is empty")

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    rows = [
        (i, [cell(v) for v in values])
        for i, values in enumerate(it, start=2)
        if any(v is not None and str(v).strip() for v in values)
    ]
    return Table(str(path), [cell(h).strip() for h in header], rows)


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


def summarise(problems: list[Problem], source: str | None, verb: str = "imported") -> str:
    """The one-line error for a file's problems (each is listed below it)."""
    if len(problems) == 1:
        return str(problems[0])
    rows = {p.line for p in problems}
    where = f"{source}: " if source else ""
    return f"{where}{len(problems)} problems in {len(rows)} row(s); nothing was {verb}"


def _timestamp_column(headers: list[str]) -> int | None:
    for i, h in enumerate(headers):
        if header_key(h) in TIMESTAMP_HEADERS:
            return i
    return None


def _parse_time(text: str) -> dt.datetime | None:
    text = text.strip()
    for fmt in (
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%Y/%m/%d %I:%M:%S %p %Z",
        "%m/%d/%Y %I:%M:%S %p",
        "%Y/%m/%d %H:%M:%S",
        "%m/%d/%y %H:%M:%S",
    ):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


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
    from mentorctl.csvsafe import safe_cell

    headers = [*result.headers, "problems"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", *headers])
        for line, values, problems in result.bad_rows:
            cells = [values.get(h, "") for h in result.headers]
            reasons = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
            writer.writerow([line, *(safe_cell(c) for c in cells), safe_cell(reasons)])


def canonical_headers(program: Program) -> list[str]:
    """Headers of the canonical participants CSV: roster fields, then question ids."""
    return [*ROSTER_FIELDS, *(q.id for q in program.survey.questions)]


def require_clean(result: ReadResult, source: str) -> None:
    if result.problems:
        raise ImportProblemError(summarise(result.problems, source), result.problems)
