"""``mentorctl cycle ...`` and ``match end``: close a cycle (or reopen it), open the next,
end a match early.

program.yaml's ``cycle:`` block names the current cycle; ``cycle new`` rewrites that block
(keeping comments) and records the cycle in the roster in one step.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Annotated

import typer

from mentorctl.cli import output
from mentorctl.cli.options import DryRunOpt, JsonOpt, TodayOpt, YesOpt
from mentorctl.cli.output import Column
from mentorctl.enums import Cadence

if TYPE_CHECKING:
    from mentorctl.tracking.cycles import CloseResult

app = typer.Typer(
    rich_markup_mode=None, help="Close the current cycle and open the next.", no_args_is_help=True
)


@app.command("close")
def close(
    ctx: typer.Context,
    today: TodayOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """End the current cycle: every active match ends with its outcome recorded.

    Outcomes: completed, incomplete, no-meetings (from meetings held against the cadence;
    see docs/tracking.md). Proposals never accepted are dropped. Shows what it will do and
    asks first (--yes for scripts; --dry-run to only look). `mentorctl cycle reopen`
    undoes a close made by mistake.
    """
    from mentorctl.cli import prompts
    from mentorctl.tracking import check_today, parse_today

    day = check_today(parse_today(today))
    preview = _close(ctx, day, dry_run=True)
    if not dry_run:
        if not yes and not as_json:
            _print_close(preview, dry_run=True)
        n = len(preview.matches)
        prompts.confirm_or_flag(
            yes,
            f"Close cycle {preview.cycle}, ending {n} active match(es)"
            + (
                f" and dropping {preview.dropped_proposals} proposal(s)"
                if preview.dropped_proposals
                else ""
            )
            + "?",
        )
        preview = _close(ctx, day, dry_run=False)
    data = {
        "cycle": preview.cycle,
        "dry_run": dry_run,
        "outcomes": preview.outcomes,
        "matches": preview.matches,
        "dropped_proposals": preview.dropped_proposals,
    }
    if as_json:
        output.print_json(data)
        return
    if dry_run or yes:
        _print_close(preview, dry_run=dry_run)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(preview.outcomes.items()))
    verb = "would close" if dry_run else "closed"
    output.info(
        f"{verb} cycle {preview.cycle}: {summary or 'no active matches'}"
        + (
            f"; {preview.dropped_proposals} proposal(s) dropped"
            if preview.dropped_proposals
            else ""
        )
        + (
            "; nothing changed (--dry-run)"
            if dry_run
            else "; next: `mentorctl cycle new NAME` (or `mentorctl cycle reopen` to undo)"
        )
    )


def _close(ctx: typer.Context, day: dt.date, *, dry_run: bool) -> CloseResult:
    from mentorctl.tracking import current_cycle
    from mentorctl.tracking.cycles import close_cycle

    state = ctx.obj
    _, program = state.load()
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        _, cycle = current_cycle(session, program, create=False)
        return close_cycle(session, program, cycle, day)


def _print_close(res: CloseResult, *, dry_run: bool) -> None:
    output.print_table(
        [
            Column("mentor", "Mentor"),
            Column("mentee", "Mentee"),
            Column("meetings", "Meetings", justify="right"),
            Column("outcome", "Outcome"),
        ],
        [m | {"meetings": f"{m['meetings_held']}/{m['meetings_expected']}"} for m in res.matches],
        title=f"Cycle {res.cycle} {'would close' if dry_run else 'closed'}",
    )


@app.command("reopen")
def reopen(ctx: typer.Context, dry_run: DryRunOpt = False, as_json: JsonOpt = False) -> None:
    """Undo `cycle close` of the current cycle: its matches active again, outcomes cleared.

    Matches ended early with `match end` stay ended; proposals the close dropped are
    proposed again. Not possible once a later cycle was opened with `cycle new`.
    """
    from mentorctl.tracking import current_cycle
    from mentorctl.tracking.cycles import reopen_cycle

    state = ctx.obj
    _, program = state.load()
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        pid, cycle = current_cycle(session, program, create=False)
        res = reopen_cycle(session, pid, cycle)
    data = {
        "cycle": res.cycle,
        "dry_run": dry_run,
        "matches": res.matches,
        "proposals": res.proposals,
    }
    if as_json:
        output.print_json(data)
        return
    verb = "would reopen" if dry_run else "reopened"
    output.info(
        f"{verb} cycle {res.cycle}: {res.matches} match(es) active again, "
        f"{res.proposals} proposal(s) restored"
    )


@app.command("new")
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new cycle's name, e.g. 2027-h2.")],
    start: Annotated[
        str | None,
        typer.Option("--start", help="First day (YYYY-MM-DD). Default: the day the last ended."),
    ] = None,
    weeks: Annotated[
        int | None, typer.Option("--weeks", min=1, max=260, help="Length. Default: unchanged.")
    ] = None,
    cadence: Annotated[
        Cadence | None, typer.Option("--cadence", help="Meeting cadence. Default: unchanged.")
    ] = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Open the next cycle: participants carry over, earlier pairs are not repeated.

    Rewrites the cycle: block of program.yaml (comments kept) and records the cycle in the
    roster. The current cycle must be closed first. Mentees left unmatched last cycle are
    listed: matching gives them priority.
    """
    from mentorctl.errors import UsageError
    from mentorctl.program import PROGRAM_FILE, parse_program
    from mentorctl.tracking import current_cycle
    from mentorctl.tracking.cycles import (
        new_cycle,
        priority_mentees,
        rewrite_cycle_block,
        stale_locks,
    )

    state = ctx.obj
    directory, program = state.load()
    path = directory / PROGRAM_FILE
    original: str | None = None
    try:
        with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
            pid, old = current_cycle(session, program)
            try:
                first = dt.date.fromisoformat(start) if start else old.end
            except ValueError:
                raise UsageError(f"--start {start!r}: expected a date like 2027-07-12") from None
            length = weeks or program.cycle.length_weeks
            row = new_cycle(session, pid, name, first, length)
            priority = sorted(priority_mentees(session, pid, row))
            locks = stale_locks(session, program, pid, old)
            end, old_name = row.end, old.name  # read now: a dry run's rollback expires rows
            values = {"name": name.strip(), "start": first.isoformat()}
            if weeks:
                values["length_weeks"] = str(weeks)
            if cadence:
                values["cadence"] = cadence.value
            text = path.read_text(encoding="utf-8")
            updated = rewrite_cycle_block(text, values)
            parse_program(updated, str(path))  # never write a program.yaml that does not load
            if not dry_run:
                tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
                tmp.write_text(updated, encoding="utf-8")
                os.replace(tmp, path)  # atomic; a failed commit puts the old text back
                original = text
    except BaseException:
        if original is not None:
            path.write_text(original, encoding="utf-8")
        raise
    data = {
        "cycle": name.strip(),
        "start": first.isoformat(),
        "end": end.isoformat(),
        "previous": old_name,
        "dry_run": dry_run,
        "priority_mentees": priority,
        "stale_locks": [{"mentor": m, "mentee": e} for m, e in locks],
    }
    if as_json:
        output.print_json(data)
        return
    verb = "would open" if dry_run else "opened"
    output.info(
        f"{verb} cycle {data['cycle']} ({data['start']} to {data['end']}); "
        f"{'would update' if dry_run else 'updated'} {path}"
    )
    if priority:
        output.info(
            f"{len(priority)} mentee(s) unmatched in {old_name} get priority: "
            + ", ".join(priority[:10])
            + (" ..." if len(priority) > 10 else "")
        )
    for m, e in locks:
        output.warn(
            f"lock {m} -> {e} in {path} was a pair in {old_name}: the next match refuses it "
            "(avoid_previous_pairs); remove the lock, or give it an override with the reason"
        )
    output.info("next: `mentorctl match` (earlier pairs are not proposed again)")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every cycle of the program, with its dates, status and matches."""
    from mentorctl.roster.participants import find_program_id
    from mentorctl.tracking.cycles import list_cycles

    state = ctx.obj
    _, program = state.load()
    with state.roster() as roster, roster.session() as session:
        pid = find_program_id(session, program)
        cycles = list_cycles(session, pid) if pid is not None else []
    for c in cycles:
        c["current"] = c["name"] == program.cycle.name
    if as_json:
        output.print_json(cycles)
        return
    rows = [
        c
        | {"marker": "*" if c["current"] else "", **{f"n_{k}": v for k, v in c["matches"].items()}}
        for c in cycles
    ]
    output.print_table(
        [
            Column("marker", ""),
            Column("name", "Cycle"),
            Column("start", "Start"),
            Column("end", "End"),
            Column("status", "Status"),
            Column("n_active", "Active", justify="right"),
            Column("n_ended", "Ended", justify="right"),
            Column("n_proposed", "Proposed", justify="right"),
        ],
        rows,
        caption="* current (program.yaml)" if rows else "no cycles yet",
    )


def end_match(
    ctx: typer.Context,
    mentor: Annotated[str, typer.Argument(help="Mentor's email.")],
    mentee: Annotated[str, typer.Argument(help="Mentee's email.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it ended (kept for the report).")],
    dry_run: DryRunOpt = False,
) -> None:
    """End a match early, freeing the mentor's capacity.

    The next `mentorctl match` proposes partners for the people affected only: every
    other accepted match is kept as it is.
    """
    from mentorctl.tracking import current_cycle
    from mentorctl.tracking.cycles import end_match as end

    state = ctx.obj
    _, program = state.load()
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        pid, cycle = current_cycle(session, program, create=False)
        end(session, pid, cycle, mentor, mentee, reason)
    output.info(
        f"{'would end' if dry_run else 'ended'} {mentor.lower()} -> {mentee.lower()}; "
        "run `mentorctl match` to propose new partners for them"
    )
