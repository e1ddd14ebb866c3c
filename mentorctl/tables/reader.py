"""Reading tabular files: CSV (comma, semicolon or tab), form exports and XLSX, as rows of text.

Every import (participants, meetings, check-ins, HR records) reads its file here: the size
limit, encoding, binary and empty-file checks, and the row numbers every problem names,
are the same for all of them.

A CSV file is read with the standard dialect (RFC 4180: ``"`` quotes a cell, ``""`` is a
quote inside one). Only the delimiter is detected, from the header and the first rows:
guessing the quote character as well (what :class:`csv.Sniffer` does) can pick ``'`` and
split an answer like ``"Grow, then lead"`` across two columns without a word.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.tables.columns import header_key

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

#: Columns that hold when a form was submitted, best first. Microsoft Forms' "Start time"
#: is when the person opened the form, so it never orders submissions.
SUBMISSION_HEADERS = (
    "completion time",
    "timestamp",
    "submitted at",
    "submission time",
    "submitted",
    "date submitted",
)
#: Form columns that are neither answers nor the submission time: ignored without a word.
FORM_BOOKKEEPING = ("id", "start time", "last modified time")

#: Delimiters a CSV may use, in order of preference when two fit equally.
DELIMITERS = (",", ";", "\t")

#: Above this many problems an error lists the first ones and then a count per column.
SHOWN_PROBLEMS = 20


@dataclass
class Table:
    """Rows of a file with the line/row number each came from (1 = header)."""

    source: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def column(self, index: int) -> list[str]:
        """Every row's cell in one column (blank where a row is short)."""
        return [values[index] if index < len(values) else "" for _, values in self.rows]


def read_table(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Read a CSV (comma, semicolon or tab separated) or XLSX file into a Table."""
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


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first rows most consistently.

    Each candidate reads the start of the file with standard quoting; one that leaves the
    header a single column is out; of the rest, the one whose rows most often have the
    header's width wins, then the widest header, then the order of :data:`DELIMITERS`.
    """
    sample = text[:65536]
    if len(sample) < len(text):
        sample = sample[: sample.rfind("\n") + 1] or sample  # no half-read last record
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = []
            for values in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if any(v.strip() for v in values):
                    rows.append(len(values))
                if len(rows) > 50:
                    break
        except csv.Error:
            continue
        if not rows or rows[0] < 2:
            continue
        body = rows[1:] or rows
        score = (sum(1 for w in body if w == rows[0]) / len(body), rows[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_csv(text: str, source: str) -> Table:
    """Rows of CSV text, standard quoting, with the delimiter from :func:`detect_delimiter`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
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


def _cell(v: Any) -> str:
    """An XLSX cell as text; date cells become ISO 8601, which the date parser reads."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


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
    rows = [
        (i, [_cell(v) for v in values])
        for i, values in enumerate(it, start=2)
        if any(v is not None and str(v).strip() for v in values)
    ]
    return Table(str(path), [_cell(h).strip() for h in header], rows)


def submission_column(headers: list[str]) -> int | None:
    """The column saying when each form response was submitted (never "Start time")."""
    keys = [header_key(h) for h in headers]
    for wanted in SUBMISSION_HEADERS:
        if wanted in keys:
            return keys.index(wanted)
    return None


def summarise(problems: list[Problem], source: str | None, verb: str = "imported") -> str:
    """The one-line error for a file's problems (each is listed below it)."""
    if len(problems) == 1:
        return str(problems[0])
    rows = {p.line for p in problems}
    where = f"{source}: " if source else ""
    return f"{where}{len(problems)} problems in {len(rows)} row(s); nothing was {verb}"


def by_column(problems: list[Problem]) -> list[str]:
    """One line per column: how many rows it failed in, with the first problem as example."""
    rows: dict[str, set[int | None]] = {}
    first: dict[str, Problem] = {}
    for p in problems:
        column = p.path or "(whole row)"
        rows.setdefault(column, set()).add(p.line)
        first.setdefault(column, p)
    order = Counter({c: len(r) for c, r in rows.items()}).most_common()
    return [
        f"{column}: {n} row(s), e.g. row {first[column].line}: {first[column].message}"
        for column, n in order
    ]


def listed(problems: list[Problem]) -> list[Problem]:
    """The problems an error shows: all of a short list; of a long one, the first
    :data:`SHOWN_PROBLEMS` and then a per-column summary, so the end of the output says
    what is wrong with the file as a whole."""
    if len(problems) <= SHOWN_PROBLEMS:
        return problems
    rest = len(problems) - SHOWN_PROBLEMS
    return [
        *problems[:SHOWN_PROBLEMS],
        Problem(f"... and {rest} more; by column:"),
        *(Problem("  " + line) for line in by_column(problems)),
    ]


def problem_error(
    problems: list[Problem], source: str | None, verb: str = "imported"
) -> ImportProblemError:
    """The error refusing a file: a summary line, then :func:`listed` problems."""
    return ImportProblemError(summarise(problems, source, verb), listed(problems))
