"""``mentorctl report`` and ``hr import``: cycle-end figures, outcomes and charts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mentorctl.cli import output
from mentorctl.cli.enrol import DateFormatOpt
from mentorctl.cli.options import TodayOpt
from mentorctl.cli.reporting import show_report
from mentorctl.roster.ids import id_of

if TYPE_CHECKING:
    pass

hr_app = typer.Typer(
    rich_markup_mode=None, help="Import HR outcomes (retention, promotion).", no_args_is_help=True
)


def report(
    ctx: typer.Context,
    cycle: Annotated[
        str | None,
        typer.Option(help="Cycle name. Default: the current cycle (cycle.name in program.yaml)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (docs/reports.md).")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print spreadsheet-safe CSV: section,group,figure,value.")
    ] = False,
    as_md: Annotated[bool, typer.Option("--md", help="Print Markdown.")] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Write one self-contained HTML page with charts to FILE.", metavar="FILE"
        ),
    ] = None,
    all_cycles: Annotated[
        bool, typer.Option("--all-cycles", help="Add trends: key figures of every cycle so far.")
    ] = False,
    greedy: Annotated[
        bool | None,
        typer.Option(
            "--greedy/--no-greedy",
            help="Recompute the greedy baseline for 'gain over greedy'. "
            "Default: only up to 1,000,000 candidate pairs.",
            show_default=False,
        ),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline",
            help="Add health at every cadence step (health_timeline); always on with --html.",
        ),
    ] = False,
    today: TodayOpt = None,
) -> None:
    """Cycle-end report: participation, match quality, engagement, goals, satisfaction,
    supply gaps, the previous cycle, and outcomes from HR data.

    Works for a cycle in progress too (figures so far). Definitions: docs/reports.md.
    """
    code = show_report(
        ctx.obj,
        cycle=cycle,
        as_json=as_json,
        as_csv=as_csv,
        as_md=as_md,
        html=html,
        all_cycles=all_cycles,
        greedy=greedy,
        timeline=timeline,
        today=today,
    )
    if code:
        raise typer.Exit(code)


@hr_app.command("import")
def hr_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV/XLSX: email, employed, left_date, promotion_date.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    max_size: Annotated[
        int, typer.Option(help="Refuse files larger than this many MB.", min=1)
    ] = 20,
    date_format: DateFormatOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Import an HR extract (email, still employed / left date, promotion date).

    Every row is checked first; if any is bad nothing is imported. People already
    imported are updated; the report then compares mentored and non-mentored people.
    """
    from mentorctl.reports.hr import apply_hr, plan_hr, read_hr, require_clean
    from mentorctl.roster.participants import ensure_program

    state = ctx.obj
    _, program = state.load()
    from mentorctl.tables.dates import parse_date_format

    result = read_hr(
        file, max_bytes=max_size * 1024 * 1024, date_format=parse_date_format(date_format)
    )
    require_clean(result, str(file))
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        plan = plan_hr(session, id_of(row), result.rows)
        apply_hr(session, id_of(row), plan)
    summary = {
        "file": str(file),
        "dry_run": dry_run,
        "rows": result.total_rows,
        "created": len(plan.create),
        "updated": len(plan.update),
        "unchanged": len(plan.unchanged),
        "ignored_columns": result.ignored_columns,
    }
    if as_json:
        output.print_json(summary)
        return
    would = "would " if dry_run else ""
    output.info(
        f"{file}: {would}add {summary['created']}, {would}update {summary['updated']}, "
        f"unchanged {summary['unchanged']}"
    )
    if result.ignored_columns:
        output.warn("ignored columns: " + ", ".join(result.ignored_columns))
