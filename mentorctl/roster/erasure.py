"""Erasure beyond the roster's participant row: every other place mentorctl wrote a person.

:func:`mentorctl.roster.participants.forget_participant` scrubs the person's own rows. A
person also appears in text the tool wrote elsewhere: message recipients and subjects,
HR records, migration backups of the roster (``roster.db.bak-*``), rendered agreements
and calendars, the reminder log and rejects CSVs. This module finds and erases those:

* :func:`scrub_tables` replaces the person's email and name in every text column of every
  table of an open roster (so a column added later is covered without a change here);
* :func:`scrub_sqlite_file` does the same in an SQLite file of any schema version (the
  migration backups), then ``VACUUM`` so no freed page keeps the old text;
* :func:`erase_documents` deletes rendered files (an agreement is between two people:
  half of one is no use) whose name or content mentions the person;
* :func:`scrub_text_file` rewrites a log, :func:`scrub_csv_file` drops a CSV's rows
  that mention the person.

Matching is case-insensitive. A name shorter than :data:`MIN_NAME` characters is not
searched for on its own (it would erase unrelated words); the email always is. Every
rewrite is atomic (a temporary file renamed over the original) and leaves the file
private to its owner (0600). Each function returns the paths it changed (or would
change, with ``dry_run``), for ``forget`` to list.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

MIN_NAME = 4
FORGOTTEN_NAME = "(forgotten)"
#: Rendered files looked at in an agreements folder (documents and calendars).
DOCUMENT_SUFFIXES = (".md", ".html", ".htm", ".pdf", ".ics", ".txt")


@dataclass(frozen=True)
class Needles:
    """What to look for (email, name) and what replaces it."""

    email: str
    name: str | None
    anon_email: str

    def terms(self) -> list[tuple[str, str]]:
        out = [(self.email.lower(), self.anon_email)]
        if self.name and len(self.name.strip()) >= MIN_NAME:
            out.append((self.name.strip(), FORGOTTEN_NAME))
        return out

    def pattern(self) -> re.Pattern[str]:
        # Whole words only: forgetting al@example.com must not touch hal@example.com,
        # nor "Anna Berg" touch "Joanna Bergström".
        alternatives = "|".join(re.escape(t) for t, _ in self.terms())
        return re.compile(rf"(?<![\w.+-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def scrub(self, text: str) -> str:
        subs = {t.casefold(): r for t, r in self.terms()}
        return self.pattern().sub(lambda m: subs[m.group(0).casefold()], text)

    def found_in(self, text: str) -> bool:
        return self.pattern().search(text) is not None


def scrub_tables(session: Session, needles: Needles) -> list[str]:
    """Replace the person's email and name in every text or JSON column of the roster.

    Rows are found in SQL (a case-insensitive match) and rewritten in Python, so case
    and JSON are handled the same on SQLite and PostgreSQL. Returns ``table.column``
    names where something was replaced.
    """
    import json

    from sqlalchemy import JSON, Text, cast, func, or_, select, update

    from mentorctl.roster.models import SQLModel

    changed = []
    for table in SQLModel.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if not keys:
            continue
        for column in table.columns:
            is_json = isinstance(column.type, JSON)
            if column.primary_key or not (is_json or _holds_text(column.type)):
                continue
            text = func.lower(cast(column, Text) if is_json else column)
            hits = or_(
                *(text.contains(term.lower(), autoescape=True) for term, _ in needles.terms())
            )
            rows = session.execute(select(*keys, column).where(hits)).all()
            touched = False
            for *key, value in rows:
                if is_json:
                    new = json.loads(needles.scrub(json.dumps(value, ensure_ascii=False)))
                else:
                    new = needles.scrub(value)
                if new == value:
                    continue  # a longer word that merely contains the term
                touched = True
                where = [k == v for k, v in zip(keys, key, strict=True)]
                session.execute(update(table).where(*where).values({column.name: new}))
            if touched:
                changed.append(f"{table.name}.{column.name}")
    return changed


def _holds_text(column_type: object) -> bool:
    """Whether a column type stores text (SQLModel's AutoString wraps a String)."""
    from sqlalchemy import String

    return isinstance(column_type, String) or isinstance(getattr(column_type, "impl", None), String)


def scrub_sqlite_file(path: Path, needles: Needles, *, dry_run: bool = False) -> bool:
    """Erase the person from an SQLite file of any schema (a migration backup).

    Every text column of every table is searched; the file is vacuumed afterwards, so
    the old text is not left in free pages. Returns whether it held the person.
    """
    # Read-write even for a dry run: a WAL-mode file cannot be opened read-only without
    # its -shm file, and a dry run only reads.
    con = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    found = False
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        terms = [t.lower() for t, _ in needles.terms()]
        for table in tables:
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                where = " OR ".join(f'instr(lower(CAST("{column}" AS TEXT)), ?) > 0' for _ in terms)
                rows = con.execute(
                    f'SELECT rowid, "{column}" FROM "{table}" WHERE {where}', terms
                ).fetchall()
                for rowid, value in rows:
                    if not isinstance(value, str) or not needles.found_in(value):
                        continue
                    found = True
                    if not dry_run:
                        con.execute(
                            f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
                            (needles.scrub(value), rowid),
                        )
        if found and not dry_run:
            con.commit()
            con.execute("VACUUM")  # freed pages would still hold the old text
    finally:
        con.close()
    if found and not dry_run:
        os.chmod(path, 0o600)
    return found


def erase_documents(folder: Path, needles: Needles, *, dry_run: bool = False) -> list[Path]:
    """Delete rendered agreements and calendars under ``folder`` that name the person."""
    if not folder.is_dir():
        return []
    erased = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        if needles.found_in(path.name) or needles.found_in(_read_loose(path)):
            erased.append(path)
            if not dry_run:
                path.unlink()
    return erased


def scrub_text_file(path: Path, needles: Needles, *, dry_run: bool = False) -> bool:
    """Rewrite a text file (a log) with the person's email and name replaced."""
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    if not needles.found_in(text):
        return False
    if not dry_run:
        write_private(path, needles.scrub(text))
    return True


def scrub_csv_file(path: Path, needles: Needles, *, dry_run: bool = False) -> bool:
    """Drop the rows of a CSV (a rejects file) that mention the person; keep the header."""
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines(keepends=True)
    import csv
    import io

    rows = list(csv.reader(io.StringIO("".join(lines))))
    kept = [rows[0]] if rows else []
    kept += [r for r in rows[1:] if not any(needles.found_in(cell) for cell in r)]
    if len(kept) == len(rows):
        return False
    if not dry_run:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(kept)
        write_private(path, buf.getvalue())
    return True


def find_files(folder: Path, patterns: Sequence[str], *, depth: int = 3) -> list[Path]:
    """Files under ``folder`` (at most ``depth`` levels down) matching any glob pattern."""
    out: set[Path] = set()
    for level in range(depth):
        prefix = "*/" * level
        for pattern in patterns:
            out.update(p for p in folder.glob(prefix + pattern) if p.is_file())
    return sorted(out)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by its owner only (0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_loose(path: Path) -> str:
    """A file's text for searching: UTF-8 where it is, bytes as Latin-1 otherwise (PDF)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def describe(paths: Iterable[Path]) -> list[str]:
    return [str(p) for p in paths]
