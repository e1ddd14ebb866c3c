"""``mentorctl log``, ``checkin`` and ``status``: what happens in each match, and its health."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.enrol import DateFormatOpt
from mentorctl.cli.options import DryRunOpt, JsonOpt, TodayOpt
from mentorctl.cli.options import today as today_

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.tracking import MatchHealth

log_app = typer.Typer(
    rich_markup_mode=None, help="Record meetings held by matches.", no_args_is_help=True
)
checkin_app = typer.Typer(
    rich_markup_mode=None, help="Import pulse-survey check-ins.", no_args_is_help=True
)


# --------------------------------------------------------------------------- log


@log_app.command("meeting")
def log_meeting(
    ctx: typer.Context,
    who: Annotated[
        list[str],
        typer.Argument(help="MENTOR MENTEE (emails), or the name of a circle.", metavar="WHO..."),
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="When they met (YYYY-MM-DD). Default: today.")
    ] = None,
    minutes: Annotated[
        int | None, typer.Option("--minutes", min=1, max=1440, help="How long they met.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A private note (seen by the coordinator only).")
    ] = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Log one meeting of a pair (MENTOR MENTEE) or of a whole circle (its name).

    A meeting already logged for the same match and day is not added twice.
    """
    from mentorctl.errors import UsageError
    from mentorctl.tracking import (
        MeetingRecord,
        current_cycle,
        log_meetings,
        parse_day,
        resolve_meetings,
    )

    day = today_(today)
    if len(who) not in (1, 2):
        raise UsageError("give MENTOR MENTEE (two emails) or one circle name")
    try:
        when = parse_day(date) if date else day
    except ValueError as exc:
        raise UsageError(f"--date: {exc}") from None
    if len(who) == 2:
        record = MeetingRecord(date=when, mentor=who[0], mentee=who[1], minutes=minutes, note=note)
    else:
        record = MeetingRecord(date=when, circle=who[0], minutes=minutes, note=note)
    state = ctx.obj
    _, program = state.load()
    roster = state.open_roster()
    try:
        with roster.session(write=True, dry_run=dry_run) as session:
            _, cycle = current_cycle(session, program)
            resolved = resolve_meetings(session, cycle, [record], day)
            result = log_meetings(session, resolved)
    finally:
        roster.dispose()
    label = " ".join(who)
    if result.added:
        verb = "would log" if dry_run else "logged"
        extra = f" for {len(result.added)} match(es)" if record.circle else ""
        output.info(f"{verb} a meeting of {label} on {when}{extra}")
    else:
        output.info(f"a meeting of {label} on {when} is already logged; nothing added")


@log_app.command("import")
def log_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX: mentor, mentee (or circle), date, minutes, note.")
    ],
    today: TodayOpt = None,
    date_format: DateFormatOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Import meetings exported from a form or a calendar; all rows or none.

    Any bad row (unknown person, no such match, bad or future date) is reported with its
    row number and column, and nothing is imported. Meetings already logged (same match
    and day) are skipped, so re-importing the same export changes nothing.
    """
    from mentorctl.tables.dates import parse_date_format
    from mentorctl.tracking import current_cycle, log_meetings, read_meeting_log, resolve_meetings

    day = today_(today)
    records = read_meeting_log(file, parse_date_format(date_format))
    state = ctx.obj
    _, program = state.load()
    roster = state.open_roster()
    try:
        with roster.session(write=True, dry_run=dry_run) as session:
            _, cycle = current_cycle(session, program)
            resolved = resolve_meetings(session, cycle, records, day, str(file))
            result = log_meetings(session, resolved)
    finally:
        roster.dispose()
    summary = {
        "file": str(file),
        "dry_run": dry_run,
        "rows": len(records),
        "added": len(result.added),
        "duplicates": len(result.duplicates),
    }
    if as_json:
        output.print_json(summary)
        return
    verb = "would add" if dry_run else "added"
    output.info(
        f"{file}: {verb} {summary['added']} meeting(s) from {summary['rows']} row(s); "
        f"{summary['duplicates']} already logged"
    )


@checkin_app.command("import")
def checkin_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Form export (CSV/XLSX): email, date, satisfaction, recommend, progress, comment."
        ),
    ],
    today: TodayOpt = None,
    date_format: DateFormatOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Import pulse-survey answers; all rows or none.

    Columns: email (who answered), date or Timestamp, satisfaction (1-5), recommend
    (0-10), progress (0-100), comment (kept private to the coordinator), and partner (the
    other person's email) for people in several matches running on the answer's date.
    A check-in form reached by the "we met" / "not yet" links (forms.checkin_url) adds
    met (We met / Not yet) and match (the link's match id). Answers already imported
    are skipped.
    """
    from mentorctl.tables.dates import parse_date_format
    from mentorctl.tracking import current_cycle, import_checkins, read_checkins
    from mentorctl.tracking.checkins import MetWords

    day = today_(today)
    state = ctx.obj
    _, program = state.load()
    forms = program.forms
    words = MetWords.of(forms.checkin_question, forms.met_answer, forms.not_yet_answer)
    records = read_checkins(file, parse_date_format(date_format), words)
    roster = state.open_roster()
    try:
        with roster.session(write=True, dry_run=dry_run) as session:
            _, cycle = current_cycle(session, program)
            result = import_checkins(session, cycle, records, day, str(file))
    finally:
        roster.dispose()
    summary = {
        "file": str(file),
        "dry_run": dry_run,
        "rows": len(records),
        "added": result.added,
        "duplicates": result.duplicates,
        "updated": result.updated,
    }
    if as_json:
        output.print_json(summary)
        return
    verb = "would add" if dry_run else "added"
    output.info(
        f"{file}: {verb} {result.added} check-in(s) from {len(records)} row(s); "
        f"{result.duplicates} already imported"
        + (f" ({result.updated} with a changed we-met answer)" if result.updated else "")
    )


# --------------------------------------------------------------------------- status


class HealthChoice(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    STALLED = "stalled"
    ENDED = "ended"


class FailOn(StrEnum):
    AT_RISK = "at-risk"
    STALLED = "stalled"


class SortKey(StrEnum):
    HEALTH = "health"
    PAIR = "pair"
    MENTOR = "mentor"
    MENTEE = "mentee"
    LAST_MET = "last-met"
    DAYS = "days"
    MEETINGS = "meetings"
    PROGRESS = "progress"
    SATISFACTION = "satisfaction"


_STYLE = {"on-track": "green", "at-risk": "yellow", "stalled": "bold red", "ended": "dim"}


def _sort_key(key: SortKey):  # type: ignore[no-untyped-def]
    from mentorctl.tracking import health_rank

    def none_last(x: Any) -> tuple[bool, Any]:
        return (x is None, x)

    pair = lambda r: (r.circle or "", r.mentor or "", r.mentee or "")  # noqa: E731
    return {
        # Worst first; ended matches last; then the longest silence.
        SortKey.HEALTH: lambda r: (
            -health_rank(r.health) if r.health != "ended" else 9,
            -r.days_since,
            pair(r),
        ),
        SortKey.PAIR: pair,
        SortKey.MENTOR: lambda r: (r.mentor or "", r.mentee or ""),
        SortKey.MENTEE: lambda r: (r.mentee or "", r.mentor or ""),
        SortKey.LAST_MET: lambda r: (none_last(r.last_met), pair(r)),
        SortKey.DAYS: lambda r: (-r.days_since, pair(r)),
        SortKey.MEETINGS: lambda r: (r.meetings_held - r.meetings_expected, pair(r)),
        SortKey.PROGRESS: lambda r: (none_last(r.goal_progress), pair(r)),
        SortKey.SATISFACTION: lambda r: (none_last(r.satisfaction), pair(r)),
    }[key]


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _cells(r: MatchHealth) -> list[str]:
    names = f"{r.mentor_name or r.mentor} -> {r.mentee_name or r.mentee}"
    if r.circle:
        names = f"{r.circle}: {names}"
    return [
        names,
        f"{r.meetings_held}/{r.meetings_expected}",
        str(r.last_met) if r.last_met else "never",
        str(r.days_since),
        "-" if r.goal_progress is None else f"{r.goal_progress:.0f}%",
        _fmt_num(r.satisfaction),
        r.health,
        # A "not yet" from the check-in form's links, with nothing newer since.
        "; ".join([*r.reasons, *([f"said not yet on {r.not_yet}"] if r.not_yet else [])]),
    ]


_HEADERS = ("Pair", "Meetings", "Last met", "Days", "Goals", "Satisfaction", "Health", "Why")
_RIGHT = {1, 3, 4, 5}
#: Above this many rows (or off a terminal) the table is plain aligned text: Rich lays
#: out every cell, which takes seconds for 10,000 matches.
RICH_MAX_ROWS = 300


def _print_plain(rows: list[MatchHealth], title: str, caption: str) -> None:
    import sys

    table = [list(_HEADERS), *(_cells(r) for r in rows)]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    pad = [str.rjust if i in _RIGHT else str.ljust for i in range(len(_HEADERS))]
    lines = [title]
    for row in table:
        cells = (p(c, w) for c, w, p in zip(row, widths, pad, strict=True))
        lines.append("  ".join(cells).rstrip())
    lines.append(caption)
    sys.stdout.write("\n".join(lines) + "\n")


def _print_status(rows: list[MatchHealth], title: str, caption: str) -> None:
    """A Rich table with the health coloured on a terminal; plain aligned text otherwise."""
    console = output.out()
    if not console.is_terminal or len(rows) > RICH_MAX_ROWS:
        _print_plain(rows, title, caption)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, header_style="bold")
    for header, justify in (
        ("Pair", "left"),
        ("Meetings", "right"),
        ("Last met", "left"),
        ("Days", "right"),
        ("Goals", "right"),
        ("Satisfaction", "right"),
        ("Health", "left"),
        ("Why", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        cells = _cells(r)
        table.add_row(
            Text(cells[0]),
            *cells[1:6],
            Text(r.health, style=_STYLE.get(r.health, "")),
            Text(cells[7]),
        )
    console.print(table)


def status(
    ctx: typer.Context,
    sort: Annotated[SortKey, typer.Option("--sort", help="Order of the rows.")] = SortKey.HEALTH,
    health: Annotated[
        list[HealthChoice] | None,
        typer.Option("--health", help="Only matches with this health. Repeatable."),
    ] = None,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only matches of this person (email, or part of a name)."),
    ] = None,
    include_ended: Annotated[
        bool, typer.Option("--all", help="Include ended matches (default: active only).")
    ] = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 4 if any listed match is at or below this health (for monitoring).",
        ),
    ] = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")] = False,
) -> None:
    """Each active match's health: meetings held, last met, goals, satisfaction.

    Health is on-track, at-risk, stalled or ended (definitions in docs/tracking.md;
    thresholds in program.yaml's health: section). Exit codes: 0 ok, 4 with --fail-on when
    a listed match is at or below the given health.
    """
    code = show_status(
        ctx.obj,
        sort=sort,
        health=health or [],
        person=person,
        include_ended=include_ended,
        fail_on=fail_on,
        today=today,
        as_json=as_json,
        as_csv=as_csv,
    )
    if code:
        raise typer.Exit(code)


def show_status(
    state: State,
    *,
    sort: SortKey,
    health: list[HealthChoice],
    person: str | None,
    include_ended: bool,
    fail_on: FailOn | None,
    today: str | None,
    as_json: bool,
    as_csv: bool,
) -> int:
    """What ``status`` does once its options are parsed (by Typer, or by
    :mod:`mentorctl.cli.fast` for its plain forms); returns the exit code."""
    from mentorctl.errors import ExitCode, NotFoundError, UsageError
    from mentorctl.tracking.health import health_rank, health_rows, stored_cycle

    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    day = today_(today)
    _, program = state.load()
    # The plain read path: on SQLite, status imports neither SQLAlchemy nor the ORM.
    with state.reading() as db:
        cycle = stored_cycle(db, program)
        rows = health_rows(db, program, cycle.id, day)
    needle = (person or "").strip().lower()
    if "@" in needle and not any(needle in (r.mentor, r.mentee) for r in rows):
        # A mistyped email would list nothing, and make --fail-on pass: say so instead.
        raise NotFoundError(f"--person {person}: {needle} is in no match of cycle {cycle.name}")
    wanted = {h.value for h in health}
    if not include_ended and "ended" not in wanted:
        rows = [r for r in rows if r.status != "ended"]
    if wanted:
        rows = [r for r in rows if r.health in wanted]
    if needle:
        rows = [
            r
            for r in rows
            if needle in (r.mentor or "", r.mentee or "")
            or needle in (r.mentor_name or "").lower()
            or needle in (r.mentee_name or "").lower()
        ]
    rows.sort(key=_sort_key(sort))
    counts = {
        h: sum(1 for r in rows if r.health == h)
        for h in ("on-track", "at-risk", "stalled", "ended")
    }
    if as_json:
        document = {"cycle": cycle.name, "today": day.isoformat(), "counts": counts}
        output.print_json(document | {"matches": [r.as_json() for r in rows]})
    elif as_csv:
        from mentorctl.cli.output import Column, print_csv

        data = [r.as_json() | {"reasons": "; ".join(r.reasons)} for r in rows]
        keys = list(data[0]) if data else list(_EMPTY_KEYS)
        print_csv([Column(k, k) for k in keys], data)
    else:
        caption = ", ".join(f"{n} {h}" for h, n in counts.items() if n) or "no matches"
        _print_status(rows, f"Cycle {cycle.name} on {day}", f"{len(rows)} match(es): {caption}")
    if fail_on is not None:
        bad = [r for r in rows if health_rank(r.health) >= health_rank(fail_on.value)]
        if bad:
            output.info(f"{len(bad)} match(es) {fail_on.value} or worse (--fail-on)")
            return int(ExitCode.UNHEALTHY)
    return 0


_EMPTY_KEYS = (
    "match_id",
    "mentor",
    "mentee",
    "mentor_name",
    "mentee_name",
    "circle",
    "status",
    "started",
    "ended",
    "end_reason",
    "outcome",
    "meetings_held",
    "meetings_expected",
    "meetings_expected_total",
    "minutes",
    "last_met",
    "days_since",
    "goal_progress",
    "satisfaction",
    "recommend",
    "checkins",
    "last_checkin",
    "health",
    "reasons",
    "said_met",
    "not_yet",
)
