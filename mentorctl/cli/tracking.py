"""``mentorctl log``, ``checkin`` and ``status``: what happens in each match, and its health."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mentorctl.cli import output
from mentorctl.cli.enrol import DateFormatOpt
from mentorctl.cli.options import DryRunOpt, JsonOpt, TodayOpt
from mentorctl.cli.options import today as today_
from mentorctl.cli.status import FailOn, HealthChoice, SortKey, show_status

if TYPE_CHECKING:
    pass

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
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        _, cycle = current_cycle(session, program)
        resolved = resolve_meetings(session, cycle, [record], day)
        result = log_meetings(session, resolved)
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
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        _, cycle = current_cycle(session, program)
        resolved = resolve_meetings(session, cycle, records, day, str(file))
        result = log_meetings(session, resolved)
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
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        _, cycle = current_cycle(session, program)
        result = import_checkins(session, cycle, records, day, str(file))
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
