"""Reading tabular files: CSV (any delimiter), form exports and XLSX, as rows of text.

Every import (participants, meetings, check-ins, HR records, pairs) reads its file here:
the size limit, encoding, binary and empty-file checks, and the row numbers every
problem names, are the same for all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.errors import ImportProblemError, Problem

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

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
