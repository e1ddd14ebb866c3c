"""Meetings: log them one at a time or import a calendar export (CSV/XLSX).

:func:`read_meeting_log` turns an export into plain :class:`MeetingRecord` rows, listing
every bad row (file, row, column); :func:`resolve_meetings` finds each record's match;
:func:`log_meetings` writes them, skipping a meeting already logged, so an import is
all-or-nothing and re-importing changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.tables.columns import find_columns, whole_number
from mentorctl.tables.dates import DateFormat, as_date, parse_date, settle_order

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting to log: a pair (mentor, mentee emails) or a circle by its topic."""

    date: dt.date
    mentor: str | None = None
    mentee: str | None = None
    circle: str | None = None
    minutes: int | None = None
    note: str | None = None
    line: int | None = None  # row in the source file, for messages


@dataclass
class LogResult:
    """What logging did (or would do): meetings added and duplicates skipped."""

    added: list[tuple[int, dt.date]] = field(default_factory=list)  # (match id, date)
    duplicates: list[tuple[int, dt.date]] = field(default_factory=list)


def _match_index(session: Session, cycle_id: int) -> dict[str, Any]:
    """Pairs and circles of the cycle that can take a meeting (active or ended matches)."""
    from sqlalchemy import select

    from mentorctl.roster.models import MatchRow, Participant

    m = MatchRow.__table__  # type: ignore[attr-defined]
    p = Participant.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    pairs: dict[tuple[str, str], tuple[int, str, Any]] = {}
    circles: dict[str, list[tuple[int, str, Any]]] = {}
    for mid, status, started, circle, a, b in session.execute(
        select(m.c.id, m.c.status, m.c.started_at, m.c.circle, mentor.c.email, mentee.c.email)
        .select_from(m)
        .outerjoin(mentor, mentor.c.id == m.c.mentor_id)
        .outerjoin(mentee, mentee.c.id == m.c.mentee_id)
        .where(m.c.cycle_id == cycle_id, m.c.status.in_(("active", "ended")))
    ):
        entry = (mid, status, as_date(started))
        if a and b:
            pairs[(a, b)] = entry
        if circle:
            circles.setdefault(circle.strip().lower(), []).append(entry)
    emails = set(
        session.execute(select(p.c.email).where(p.c.id.in_(select(m.c.mentor_id)))).scalars()
    ) | set(session.execute(select(p.c.email).where(p.c.id.in_(select(m.c.mentee_id)))).scalars())
    return {"pairs": pairs, "circles": circles, "emails": emails}


def resolve_meetings(
    session: Session,
    cycle: Any,
    records: Iterable[MeetingRecord],
    today: dt.date,
    source: str | None = None,
) -> list[tuple[int, MeetingRecord]]:
    """(match id, record) for every record; raises ImportProblemError listing every bad one.

    A pair must have an active (or ended) match in the cycle; a circle name logs the
    meeting for each of its members. Dates must fall within the cycle and not after today.
    """
    from mentorctl.tables.reader import problem_error

    index = _match_index(session, cycle.id)
    out: list[tuple[int, MeetingRecord]] = []
    problems: list[Problem] = []

    def bad(r: MeetingRecord, message: str, column: str | None = None) -> None:
        problems.append(Problem(message, file=source, line=r.line, path=column))

    for r in records:
        if r.date > today:
            bad(r, f"{r.date} is in the future (today is {today})", "date")
            continue
        if r.date < cycle.start:
            bad(r, f"{r.date} is before cycle {cycle.name} starts ({cycle.start})", "date")
            continue
        if r.circle:
            entries = index["circles"].get(r.circle.strip().lower())
            if not entries:
                known = ", ".join(sorted(index["circles"])) or "none"
                bad(
                    r,
                    f"no circle named {r.circle!r} in cycle {cycle.name} (circles: {known})",
                    "circle",
                )
                continue
            out += [(e[0], r) for e in entries]
            continue
        mentor, mentee = (r.mentor or "").strip().lower(), (r.mentee or "").strip().lower()
        entry = index["pairs"].get((mentor, mentee))
        if entry is None and (mentee, mentor) in index["pairs"]:
            entry = index["pairs"][(mentee, mentor)]  # names given the other way round
        if entry is None:
            unknown = [e for e in (mentor, mentee) if e not in index["emails"]]
            if unknown:
                bad(
                    r,
                    f"{unknown[0]}: not in any match of cycle {cycle.name}",
                    "mentor" if unknown[0] == mentor else "mentee",
                )
            else:
                bad(r, f"no match {mentor} -> {mentee} in cycle {cycle.name}")
            continue
        out.append((entry[0], r))
    if problems:
        raise problem_error(problems, source, "logged")
    return out


def log_meetings(session: Session, resolved: Iterable[tuple[int, MeetingRecord]]) -> LogResult:
    """Add meetings; one already logged for the same match and day is skipped, not doubled.

    So re-importing the same calendar export, or logging a meeting twice, changes nothing.
    """
    from sqlalchemy import insert, select

    from mentorctl.roster.models import Meeting, utcnow

    items = list(resolved)
    mt = Meeting.__table__  # type: ignore[attr-defined]
    match_ids = sorted({mid for mid, _ in items})
    existing: set[tuple[int, dt.date]] = set()
    for chunk in range(0, len(match_ids), 500):
        ids = match_ids[chunk : chunk + 500]
        existing |= {
            (mid, as_date(d) or d)
            for mid, d in session.execute(
                select(mt.c.match_id, mt.c.date).where(mt.c.match_id.in_(ids))
            )
        }
    result = LogResult()
    now = utcnow()
    rows = []
    for mid, r in items:
        key = (mid, r.date)
        if key in existing:
            result.duplicates.append(key)
            continue
        existing.add(key)
        result.added.append(key)
        rows.append(
            {
                "match_id": mid,
                "date": r.date,
                "minutes": r.minutes,
                "note": r.note,
                "created_at": now,
            }
        )
    if rows:
        session.execute(insert(mt), rows)
    return result


MEETING_COLUMNS: dict[str, tuple[str, ...]] = {
    "mentor": ("mentor", "mentor email", "mentor_email", "organizer", "organiser"),
    "mentee": ("mentee", "mentee email", "mentee_email", "attendee"),
    "circle": ("circle", "circle name", "group"),
    "date": ("date", "meeting date", "met on", "start", "start date", "start time"),
    "minutes": ("minutes", "duration", "duration (minutes)", "length", "length (minutes)"),
    "note": ("note", "notes", "comment", "summary"),
}


def read_meeting_log(path: Path, date_format: DateFormat | None = None) -> list[MeetingRecord]:
    """Meetings from a CSV/XLSX export; raises ImportProblemError listing every bad row.

    Columns (header case and spacing do not matter): ``mentor`` and ``mentee`` emails, or
    ``circle``; ``date``; optional ``minutes`` and ``note``. Other columns are ignored.
    Day/month order comes from the file's dates (or ``date_format``, ``--date-format``).
    """
    from mentorctl.tables.reader import extra_cells, problem_error, read_table, require_rows

    table = read_table(path)
    cols, twice = find_columns(table.headers, MEETING_COLUMNS, table.source)
    header_problems = []
    if "date" not in cols:
        header_problems.append("no date column (expected 'date' or 'meeting date')")
    if "circle" not in cols and not ("mentor" in cols and "mentee" in cols):
        header_problems.append("needs 'mentor' and 'mentee' columns (emails), or 'circle'")
    if header_problems or twice:
        found = twice + [Problem(m, file=table.source, line=1) for m in header_problems]
        raise ImportProblemError(str(found[0]), found)
    require_rows(table)
    date_header = table.headers[cols["date"]]
    fmt = settle_order(
        table.column(cols["date"]), date_format, column=date_header, source=table.source
    )
    records: list[MeetingRecord] = []
    problems: list[Problem] = []

    def cell(values: list[str], name: str) -> str:
        i = cols.get(name)
        return values[i].strip() if i is not None and i < len(values) else ""

    for line, values in table.rows:
        wide = extra_cells(table, line, values)
        row_problems: list[Problem] = [wide] if wide else []
        try:
            day = parse_date(cell(values, "date"), fmt)
        except ValueError as exc:
            row_problems.append(Problem(str(exc), table.source, line, table.headers[cols["date"]]))
            day = dt.date.min
        minutes = None
        if cell(values, "minutes"):
            try:
                minutes = whole_number(cell(values, "minutes"), 1, 24 * 60, "minutes")
            except ValueError as exc:
                row_problems.append(
                    Problem(str(exc), table.source, line, table.headers[cols["minutes"]])
                )
        circle = cell(values, "circle") or None
        mentor, mentee = cell(values, "mentor") or None, cell(values, "mentee") or None
        if circle is None and not (mentor and mentee):
            row_problems.append(
                Problem("needs both a mentor and a mentee email (or a circle)", table.source, line)
            )
        if row_problems:
            problems += row_problems
            continue
        records.append(
            MeetingRecord(
                date=day,
                mentor=mentor,
                mentee=mentee,
                circle=circle,
                minutes=minutes,
                note=cell(values, "note") or None,
                line=line,
            )
        )
    if problems:
        raise problem_error(problems, table.source)
    return records
