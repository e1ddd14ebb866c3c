"""Check-ins: import pulse-survey answers (a form's CSV/XLSX export) against each match.

:func:`read_checkins` turns an export into plain :class:`CheckinRecord` rows, listing every
bad row (file, row, column); :func:`import_checkins` stores them against each respondent's
match, all-or-nothing, skipping answers already stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ImportProblemError, Problem
from mentorctl.tables.columns import _columns, _int_in
from mentorctl.tables.dates import as_date, parse_day

if TYPE_CHECKING:
    from sqlmodel import Session


CHECKIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "e-mail", "your email", "respondent"),
    "partner": ("partner", "partner email", "mentor", "mentee", "with"),
    "date": ("date", "timestamp", "completion time", "submitted at", "submitted"),
    "satisfaction": ("satisfaction", "satisfaction (1-5)", "how satisfied are you?"),
    "recommend": (
        "recommend",
        "would recommend",
        "would_recommend",
        "would recommend (0-10)",
        "how likely are you to recommend the program?",
    ),
    "progress": ("progress", "goal progress", "goal_progress", "goal progress (%)"),
    "comment": ("comment", "comments", "anything else?"),
}


@dataclass(frozen=True)
class CheckinRecord:
    """One pulse-survey answer: who answered, about which match, and what they said."""

    email: str
    date: dt.date
    partner: str | None = None
    satisfaction: int | None = None
    recommend: int | None = None
    progress: int | None = None
    comment: str | None = None
    line: int | None = None


def read_checkins(path: Path) -> list[CheckinRecord]:
    """Check-ins from a form export; raises ImportProblemError listing every bad row.

    Columns: ``email`` (who answered), ``date`` (or the form's ``Timestamp``),
    ``satisfaction`` (1-5), ``recommend`` (0-10), ``progress`` (0-100), ``comment``, and
    ``partner`` (the other person's email) when someone has several matches.
    """
    from mentorctl.tables.reader import extra_cells, read_table, require_rows, summarise

    table = read_table(path)
    cols, twice = _columns(table.headers, CHECKIN_COLUMNS, table.source)
    missing = [n for n in ("email", "date") if n not in cols]
    answers = [n for n in ("satisfaction", "recommend", "progress", "comment") if n in cols]
    header_problems = twice + [
        Problem(
            f"no {n} column (expected one of: {', '.join(CHECKIN_COLUMNS[n][:3])})", table.source, 1
        )
        for n in missing
    ]
    if not answers:
        header_problems.append(
            Problem(
                "no answer columns (satisfaction, recommend, progress, comment)", table.source, 1
            )
        )
    if header_problems:
        raise ImportProblemError(str(header_problems[0]), header_problems)
    require_rows(table)
    ranges = {"satisfaction": (1, 5), "recommend": (0, 10), "progress": (0, 100)}
    records: list[CheckinRecord] = []
    problems: list[Problem] = []
    for line, values in table.rows:

        def cell(name: str, values: list[str] = values) -> str:
            i = cols.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        wide = extra_cells(table, line, values)
        row_problems: list[Problem] = [wide] if wide else []
        email = cell("email").lower()
        if "@" not in email:
            row_problems.append(
                Problem(
                    f"{email or '(empty)'!r} is not an email",
                    table.source,
                    line,
                    table.headers[cols["email"]],
                )
            )
        try:
            day = parse_day(cell("date"))
        except ValueError as exc:
            row_problems.append(Problem(str(exc), table.source, line, table.headers[cols["date"]]))
            day = dt.date.min
        numbers: dict[str, int | None] = {}
        for name, (low, high) in ranges.items():
            numbers[name] = None
            if cell(name):
                try:
                    numbers[name] = _int_in(cell(name), low, high, name)
                except ValueError as exc:
                    row_problems.append(
                        Problem(str(exc), table.source, line, table.headers[cols[name]])
                    )
        if row_problems:
            problems += row_problems
            continue
        records.append(
            CheckinRecord(
                email=email,
                date=day,
                partner=cell("partner").lower() or None,
                comment=cell("comment") or None,
                line=line,
                **numbers,
            )
        )
    if problems:
        raise ImportProblemError(summarise(problems, table.source, "imported"), problems)
    return records


@dataclass
class CheckinResult:
    added: int = 0
    duplicates: int = 0


def import_checkins(
    session: Session,
    cycle: Any,
    records: Iterable[CheckinRecord],
    today: dt.date,
    source: str | None = None,
) -> CheckinResult:
    """Store check-ins against each respondent's match; all-or-nothing.

    A respondent with one match in the cycle needs no ``partner``; with several, the
    partner's email picks the match. An answer already stored (same match, person, day)
    is skipped, so re-importing a form export changes nothing.
    """
    from sqlalchemy import insert, or_, select

    from mentorctl.roster.models import Checkin, MatchRow, Participant, utcnow
    from mentorctl.tables.reader import summarise

    m, p = MatchRow.__table__, Participant.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    by_person: dict[str, list[tuple[int, int, str]]] = {}  # email -> [(match, pid, partner)]
    for mid, a_id, a, b_id, b in session.execute(
        select(m.c.id, mentor.c.id, mentor.c.email, mentee.c.id, mentee.c.email)
        .select_from(m)
        .join(mentor, mentor.c.id == m.c.mentor_id)
        .join(mentee, mentee.c.id == m.c.mentee_id)
        .where(m.c.cycle_id == cycle.id, or_(m.c.status == "active", m.c.status == "ended"))
    ):
        by_person.setdefault(a, []).append((mid, a_id, b))
        by_person.setdefault(b, []).append((mid, b_id, a))
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for r in records:
        options = by_person.get(r.email, [])
        if r.partner:
            options = [o for o in options if o[2] == r.partner]
        if r.date > today:
            problems.append(
                Problem(f"{r.date} is in the future (today is {today})", source, r.line, "date")
            )
            continue
        if not options:
            what = f"{r.email} with {r.partner}" if r.partner else r.email
            problems.append(
                Problem(f"{what}: no match in cycle {cycle.name}", source, r.line, "email")
            )
            continue
        if len(options) > 1:
            partners = ", ".join(sorted(o[2] for o in options))
            problems.append(
                Problem(
                    f"{r.email} has {len(options)} matches ({partners}); "
                    "add a 'partner' column naming the other person",
                    source,
                    r.line,
                    "partner",
                )
            )
            continue
        mid, pid, _ = options[0]
        rows.append(
            {
                "match_id": mid,
                "participant_id": pid,
                "date": r.date,
                "satisfaction": r.satisfaction,
                "recommend": r.recommend,
                "progress": r.progress,
                "comment": r.comment,
            }
        )
    if problems:
        raise ImportProblemError(summarise(problems, source, "imported"), problems)
    ck = Checkin.__table__  # type: ignore[attr-defined]
    existing = {
        (a, b, as_date(c))
        for a, b, c in session.execute(
            select(ck.c.match_id, ck.c.participant_id, ck.c.date).where(
                ck.c.match_id.in_(sorted({r["match_id"] for r in rows}) or [0])
            )
        )
    }
    result = CheckinResult()
    fresh = []
    now = utcnow()
    for row in rows:
        key = (row["match_id"], row["participant_id"], row["date"])
        if key in existing:
            result.duplicates += 1
            continue
        existing.add(key)
        fresh.append({**row, "created_at": now})
    if fresh:
        session.execute(insert(ck), fresh)
    result.added = len(fresh)
    return result
