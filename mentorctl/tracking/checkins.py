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
from mentorctl.tables.columns import find_columns, whole_number
from mentorctl.tables.dates import DateFormat, as_date, parse_date, settle_order

if TYPE_CHECKING:
    from sqlmodel import Session


CHECKIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "e-mail", "your email", "respondent"),
    "partner": ("partner", "partner email", "mentor", "mentee", "with"),
    # Microsoft Forms' "Start time" is when the form was opened: never the answer's date.
    "date": ("date", "completion time", "timestamp", "submitted at", "submitted"),
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
    # The one-click "we met" / "not yet" links (forms.checkin_url) answer these two.
    "met": ("met", "we met", "did you meet?", "did you meet", "have you met?", "have you met"),
    "match": ("match", "match id"),
}


@dataclass(frozen=True)
class MetWords:
    """How the check-in form's "we met" question is headed and answered (``forms:``)."""

    header: str | None = None
    met: tuple[str, ...] = ("we met", "met", "yes")
    not_yet: tuple[str, ...] = ("not yet", "no")

    @classmethod
    def of(cls, header: str | None, met: str, not_yet: str) -> MetWords:
        """The program's own header and answers, beside the defaults."""
        base = cls()
        return cls(
            header=header,
            met=(" ".join(met.split()).lower(), *base.met),
            not_yet=(" ".join(not_yet.split()).lower(), *base.not_yet),
        )

    def read(self, text: str) -> bool | None:
        """True for "we met", False for "not yet"; ValueError for anything else."""
        key = " ".join(text.split()).lower()
        if key in self.met:
            return True
        if key in self.not_yet:
            return False
        raise ValueError(f"{text!r} is neither {self.met[0]!r} nor {self.not_yet[0]!r}")


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
    met: bool | None = None  # "we met" / "not yet"
    match_id: int | None = None  # the link's {match}: which match the answer is about


def read_checkins(
    path: Path, date_format: DateFormat | None = None, words: MetWords | None = None
) -> list[CheckinRecord]:
    """Check-ins from a form export; raises ImportProblemError listing every bad row.

    Columns: ``email`` (who answered), ``date`` (or the form's ``Timestamp``),
    ``satisfaction`` (1-5), ``recommend`` (0-10), ``progress`` (0-100), ``comment``, and
    ``partner`` (the other person's email) when someone has several matches. Day/month
    order comes from the file's dates (or ``date_format``, ``--date-format``).

    A check-in form reached through the "we met" / "not yet" links adds ``met`` (headed
    as ``words.header``, or "Did you meet?", "met" ...) and ``match`` (the link's match
    id) columns.
    """
    from mentorctl.tables.columns import header_key
    from mentorctl.tables.reader import extra_cells, problem_error, read_table, require_rows

    words = words or MetWords()
    wanted = dict(CHECKIN_COLUMNS)
    if words.header:
        wanted["met"] = (header_key(words.header), *wanted["met"])
    table = read_table(path)
    cols, twice = find_columns(table.headers, wanted, table.source)
    missing = [n for n in ("email", "date") if n not in cols]
    answers = [n for n in ("satisfaction", "recommend", "progress", "comment", "met") if n in cols]
    header_problems = twice + [
        Problem(
            f"no {n} column (expected one of: {', '.join(CHECKIN_COLUMNS[n][:3])})", table.source, 1
        )
        for n in missing
    ]
    if not answers:
        header_problems.append(
            Problem(
                "no answer columns (satisfaction, recommend, progress, comment, met)",
                table.source,
                1,
            )
        )
    if header_problems:
        raise ImportProblemError(str(header_problems[0]), header_problems)
    require_rows(table)
    date_header = table.headers[cols["date"]]
    fmt = settle_order(
        table.column(cols["date"]), date_format, column=date_header, source=table.source
    )
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
            day = parse_date(cell("date"), fmt)
        except ValueError as exc:
            row_problems.append(Problem(str(exc), table.source, line, table.headers[cols["date"]]))
            day = dt.date.min
        numbers: dict[str, int | None] = {}
        for name, (low, high) in ranges.items():
            numbers[name] = None
            if cell(name):
                try:
                    numbers[name] = whole_number(cell(name), low, high, name)
                except ValueError as exc:
                    row_problems.append(
                        Problem(str(exc), table.source, line, table.headers[cols[name]])
                    )
        met = None
        if cell("met"):
            try:
                met = words.read(cell("met"))
            except ValueError as exc:
                row_problems.append(
                    Problem(str(exc), table.source, line, table.headers[cols["met"]])
                )
        match_id = None
        if cell("match"):
            try:
                match_id = whole_number(cell("match"), 1, 2**62, "match")
            except ValueError as exc:
                row_problems.append(
                    Problem(str(exc), table.source, line, table.headers[cols["match"]])
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
                met=met,
                match_id=match_id,
                **numbers,
            )
        )
    if problems:
        raise problem_error(problems, table.source)
    return records


@dataclass(frozen=True)
class _Option:
    """One match a respondent is in: the match, their own id, the other person, its span."""

    match_id: int
    person_id: int
    partner: str
    started: dt.date | None
    ended: dt.date | None

    def running_on(self, day: dt.date) -> bool:
        return (self.started is None or self.started <= day) and (
            self.ended is None or day <= self.ended
        )

    def describe(self) -> str:
        end = f" to {self.ended}" if self.ended else ""
        return f"with {self.partner} from {self.started or '?'}{end}"


@dataclass
class CheckinResult:
    added: int = 0
    duplicates: int = 0
    updated: int = 0  # stored same-day answers whose "we met" / "not yet" changed


def import_checkins(
    session: Session,
    cycle: Any,
    records: Iterable[CheckinRecord],
    today: dt.date,
    source: str | None = None,
) -> CheckinResult:
    """Store check-ins against each respondent's match; all-or-nothing.

    A check-in belongs to the respondent's match that was running on its date (started on
    or before it, not ended before it): someone whose first match ended and who was
    matched again needs no ``partner``. Only when several matches ran that day does the
    partner's email pick one; a respondent with a single match in the cycle is always
    taken to mean it. An answer already stored (same match, person, day) is skipped, so
    re-importing a form export changes nothing.
    """
    from sqlalchemy import insert, or_, select, update

    from mentorctl.roster.models import Checkin, MatchRow, Participant, utcnow
    from mentorctl.tables.reader import problem_error

    m, p = MatchRow.__table__, Participant.__table__  # type: ignore[attr-defined]
    mentor, mentee = p.alias("mentor"), p.alias("mentee")
    by_person: dict[str, list[_Option]] = {}
    for mid, started, ended, a_id, a, b_id, b in session.execute(
        select(
            m.c.id,
            m.c.started_at,
            m.c.ended_at,
            mentor.c.id,
            mentor.c.email,
            mentee.c.id,
            mentee.c.email,
        )
        .select_from(m)
        .join(mentor, mentor.c.id == m.c.mentor_id)
        .join(mentee, mentee.c.id == m.c.mentee_id)
        .where(m.c.cycle_id == cycle.id, or_(m.c.status == "active", m.c.status == "ended"))
    ):
        span = (as_date(started), as_date(ended))
        by_person.setdefault(a, []).append(_Option(mid, a_id, b, *span))
        by_person.setdefault(b, []).append(_Option(mid, b_id, a, *span))
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for r in records:
        options = by_person.get(r.email, [])
        if r.partner:
            options = [o for o in options if o.partner == r.partner]
        if r.match_id is not None:
            options = [o for o in options if o.match_id == r.match_id]
        if r.date > today:
            problems.append(
                Problem(f"{r.date} is in the future (today is {today})", source, r.line, "date")
            )
            continue
        if not options:
            what = f"{r.email} with {r.partner}" if r.partner else r.email
            what += f" (match {r.match_id})" if r.match_id is not None else ""
            problems.append(
                Problem(f"{what}: no match in cycle {cycle.name}", source, r.line, "email")
            )
            continue
        if len(options) > 1:
            running = [o for o in options if o.running_on(r.date)]
            if not running:
                spans = ", ".join(sorted(o.describe() for o in options))
                problems.append(
                    Problem(
                        f"{r.email} had no match running on {r.date} ({spans})",
                        source,
                        r.line,
                        "date",
                    )
                )
                continue
            options = running
        if len(options) > 1:
            partners = ", ".join(sorted(o.partner for o in options))
            problems.append(
                Problem(
                    f"{r.email} has {len(options)} matches running on {r.date} ({partners}); "
                    "add a 'partner' column naming the other person",
                    source,
                    r.line,
                    "partner",
                )
            )
            continue
        chosen = options[0]
        rows.append(
            {
                "match_id": chosen.match_id,
                "participant_id": chosen.person_id,
                "date": r.date,
                "satisfaction": r.satisfaction,
                "recommend": r.recommend,
                "progress": r.progress,
                "comment": r.comment,
                "met": r.met,
            }
        )
    if problems:
        raise problem_error(problems, source)
    ck = Checkin.__table__  # type: ignore[attr-defined]
    existing = {
        (a, b, as_date(c)): (i, met)
        for i, a, b, c, met in session.execute(
            select(ck.c.id, ck.c.match_id, ck.c.participant_id, ck.c.date, ck.c.met).where(
                ck.c.match_id.in_(sorted({r["match_id"] for r in rows}) or [0])
            )
        )
    }
    result = CheckinResult()
    fresh: dict[tuple[int, int, dt.date], dict[str, Any]] = {}
    changed: dict[int, bool] = {}
    now = utcnow()
    for row in rows:
        key = (row["match_id"], row["participant_id"], row["date"])
        if key in fresh:
            # Clicked twice the same day: the later answer (lower in the export) stands.
            if row["met"] is not None:
                fresh[key]["met"] = row["met"]
            result.duplicates += 1
            continue
        if key in existing:
            row_id, stored_met = existing[key]
            if row["met"] is not None and row["met"] != stored_met:
                changed[row_id] = row["met"]  # "not yet" in the morning, "we met" at night
            result.duplicates += 1
            continue
        fresh[key] = {**row, "created_at": now}
    if fresh:
        session.execute(insert(ck), list(fresh.values()))
    for row_id, met in changed.items():
        session.execute(update(ck).where(ck.c.id == row_id).values(met=met))
    result.updated = len(changed)
    result.added = len(fresh)
    return result
