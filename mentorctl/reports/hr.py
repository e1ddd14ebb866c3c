"""HR outcomes: reading a simple HR extract and storing it as :class:`HrRecord` rows.

The extract is a CSV or XLSX file with one row per person: ``email`` (required), and any of
``employed`` (yes/no), ``left_date`` and ``promotion_date`` (YYYY-MM-DD). A left date
without an ``employed`` column means the person left; dates are read by the one date
parser (:mod:`mentorctl.tables.dates`: ISO, XLSX date cells, ``20/01/2027`` with the
day/month order settled per column or stated with ``--date-format``); ``employed: yes``
beside a left date is a contradiction and an error. People need not be participants: the report's
"not mentored" group is everyone in the extract who was not mentored.

Like the participant import it is all-or-nothing: :func:`read_hr` lists every bad row
(file, row, column) and :func:`require_clean` refuses the file if there is any; then
:func:`apply_hr` inserts new people and updates changed ones, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mentorctl.errors import Problem
from mentorctl.roster.records import is_email, normalise_email
from mentorctl.tables.dates import DateFormat, parse_date, settle_order
from mentorctl.tables.reader import (
    DEFAULT_MAX_BYTES,
    extra_cells,
    problem_error,
    read_table,
    require_rows,
)

if TYPE_CHECKING:
    from sqlmodel import Session

#: Accepted headers (compared without case, spaces, dashes or underscores) -> field.
HEADERS: dict[str, str] = {
    "email": "email",
    "emailaddress": "email",
    "workemail": "email",
    "employed": "employed",
    "stillemployed": "employed",
    "active": "employed",
    "leftdate": "left_date",
    "left": "left_date",
    "leavingdate": "left_date",
    "terminationdate": "left_date",
    "enddate": "left_date",
    "promotiondate": "promotion_date",
    "promoted": "promotion_date",
    "promotedon": "promotion_date",
    "lastpromotion": "promotion_date",
}
_YES = {"yes", "y", "true", "1", "employed", "active"}
_NO = {"no", "n", "false", "0", "left", "inactive"}


@dataclass(frozen=True)
class HrRow:
    """One person's HR facts, as the roster stores them."""

    email: str
    employed: bool
    left_date: dt.date | None
    promotion_date: dt.date | None


@dataclass
class HrRead:
    rows: list[HrRow]
    problems: list[Problem]
    total_rows: int
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class HrPlan:
    create: list[HrRow] = field(default_factory=list)
    update: list[HrRow] = field(default_factory=list)
    unchanged: list[HrRow] = field(default_factory=list)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-()]+", "", header.strip().lower())


def read_hr(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, date_format: DateFormat | None = None
) -> HrRead:
    """Read and check every row of an HR extract; never touches the roster.

    ``date_format`` (``--date-format``) states the day/month order when a date column's
    values leave it open."""
    table = read_table(path, max_bytes=max_bytes)
    source = table.source
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    ignored = []
    for i, header in enumerate(table.headers):
        target = HEADERS.get(_key(header))
        if target is None:
            if header:
                ignored.append(header)
            continue
        if target in mapping:
            problems.append(
                Problem(
                    f"feeds {target!r}, as does column {table.headers[mapping[target]]!r}",
                    file=source,
                    line=1,
                    path=header,
                )
            )
            continue
        mapping[target] = i
    if "email" not in mapping:
        problems.append(Problem("no email column", file=source, line=1))
    if problems:
        raise problem_error(problems, source)
    require_rows(table)
    # One day/month order for the file: "28/02/2027" in one column settles the other.
    date_columns = [mapping[n] for n in ("left_date", "promotion_date") if n in mapping]
    fmt = settle_order(
        [v for i in date_columns for v in table.column(i)],
        date_format,
        column=[table.headers[i] for i in date_columns],
        source=source,
    )

    def cell(values: list[str], name: str) -> str:
        i = mapping.get(name)
        return values[i].strip() if i is not None and i < len(values) else ""

    rows: list[HrRow] = []
    seen: dict[str, int] = {}
    for line, values in table.rows:
        wide = extra_cells(table, line, values)
        row_problems: list[Problem] = [wide] if wide else []

        def bad(
            name: str, message: str, line: int = line, found: list[Problem] = row_problems
        ) -> None:
            header = table.headers[mapping[name]] if name in mapping else name
            found.append(Problem(message, file=source, line=line, path=header))

        email = normalise_email(cell(values, "email"))
        if not email:
            bad("email", "is empty")
        elif not is_email(email):
            bad("email", f"{email!r} is not an email address")
        elif email in seen:
            bad("email", f"{email} is also at row {seen[email]}")
        dates: dict[str, dt.date | None] = {}
        for name in ("left_date", "promotion_date"):
            text = cell(values, name)
            dates[name] = None
            if text:
                try:
                    dates[name] = parse_date(text, fmt)
                except ValueError as exc:
                    bad(name, str(exc))
        employed_text = cell(values, "employed").lower()
        employed = dates["left_date"] is None
        if employed_text:
            if employed_text in _YES:
                employed = True
                if dates["left_date"] is not None:
                    bad("employed", "says still employed, but the row has a left date")
            elif employed_text in _NO:
                employed = False
            else:
                bad("employed", f"{employed_text!r}: expected yes or no")
        if row_problems:
            problems += row_problems
            continue
        seen[email] = line
        rows.append(HrRow(email, employed, dates["left_date"], dates["promotion_date"]))
    return HrRead(rows, problems, len(table.rows), ignored)


def require_clean(result: HrRead, source: str) -> None:
    """Refuse the whole file if any row is bad (all-or-nothing, like participants)."""
    if result.problems:
        raise problem_error(result.problems, source)


def plan_hr(session: Session, program_id: int, rows: list[HrRow]) -> HrPlan:
    """Compare the extract with what the roster holds: new, changed and unchanged people."""
    from sqlalchemy import select
    from sqlmodel import col

    from mentorctl.roster.models import HrRecord

    stored = {
        e: HrRow(e, bool(emp), left, promo)
        for e, emp, left, promo in session.execute(
            select(
                col(HrRecord.email),
                col(HrRecord.employed),
                col(HrRecord.left_date),
                col(HrRecord.promotion_date),
            ).where(col(HrRecord.program_id) == program_id)
        ).all()
    }
    plan = HrPlan()
    for row in rows:
        old = stored.get(row.email)
        if old is None:
            plan.create.append(row)
        elif old == row:
            plan.unchanged.append(row)
        else:
            plan.update.append(row)
    return plan


def apply_hr(session: Session, program_id: int, plan: HrPlan) -> None:
    """Write a plan with bulk statements inside the caller's transaction."""
    from sqlalchemy import insert, update

    from mentorctl.roster.models import HrRecord, utcnow

    now = utcnow()
    if plan.create:
        session.execute(
            insert(HrRecord.__table__),  # type: ignore[attr-defined]
            [{**vars(r), "program_id": program_id, "updated_at": now} for r in plan.create],
        )
    for r in plan.update:
        session.execute(
            update(HrRecord)
            .where(HrRecord.program_id == program_id, HrRecord.email == r.email)  # type: ignore[arg-type]
            .values(
                employed=r.employed,
                left_date=r.left_date,
                promotion_date=r.promotion_date,
                updated_at=now,
            )
        )
