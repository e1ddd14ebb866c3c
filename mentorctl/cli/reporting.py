"""``report``'s work once its options are parsed: build the report, then print it as
tables, JSON, CSV or Markdown, or write it as HTML.

Kept apart from the Typer command (:mod:`mentorctl.cli.report`) so that
:mod:`mentorctl.cli.fast` can answer ``report`` in its plain forms without importing
Typer: both parsers call :func:`show_report`, so they cannot answer differently.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mentorctl.cli import output

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.reports import Report


def show_report(
    state: State,
    *,
    cycle: str | None,
    as_json: bool,
    as_csv: bool,
    as_md: bool,
    html: Path | None,
    all_cycles: bool,
    greedy: bool | None,
    timeline: bool,
    today: str | None,
) -> int:
    """What ``report`` does once its options are parsed (by Typer, or by
    :mod:`mentorctl.cli.fast` for its plain forms); returns the exit code."""
    from mentorctl.errors import UsageError
    from mentorctl.reports import build_report
    from mentorctl.tracking import parse_today

    if sum((as_json, as_csv, as_md, html is not None)) > 1:
        raise UsageError("choose one of --json, --csv, --md and --html")
    _, program = state.load()
    as_of = parse_today(today)
    with state.reading() as reader:  # plain SQL over one snapshot; no ORM, no SQLAlchemy
        data = build_report(
            reader,
            program,
            cycle=cycle,
            as_of=as_of,
            all_cycles=all_cycles,
            greedy=greedy,
            timeline=timeline or html is not None,
        )
    if as_json:
        output.print_json(data.as_json())
    elif as_csv:
        _print_csv(data)
    elif as_md:
        from mentorctl.reports.html import render_markdown

        sys.stdout.write(render_markdown(data))
    elif html is not None:
        from mentorctl.reports.html import write_html

        write_html(data, html)
        output.info(f"wrote {html}")
    else:
        _print_tables(data)
    return 0


def _print_csv(data: Report) -> None:
    from mentorctl.reports import flat_rows
    from mentorctl.tables.csvsafe import to_csv

    keys = ("section", "group", "figure", "value")
    sys.stdout.write(to_csv(keys, ([row[k] for k in keys] for row in flat_rows(data))))


def _print_tables(data: Report) -> None:
    from rich.markup import escape as rich_escape
    from rich.table import Table

    from mentorctl.reports import cell_kind, display, sections

    def escape(text: str) -> str:  # markup and control characters both made inert
        return rich_escape(output.safe_text(text))

    console = output.out()
    state = "in progress" if data.in_progress else "ended"
    console.print(
        f"[bold]{escape(data.program)}[/bold]: cycle {escape(data.cycle)} "
        f"({data.cycle_start} to {data.cycle_end}, {state}), as of {data.as_of}"
    )
    for sec in sections(data):
        table = Table(title=sec.title, title_justify="left", header_style="bold")
        for col in sec.columns:
            table.add_column(escape(col.header), justify="left" if col.kind == "text" else "right")
        for row in sec.rows:
            table.add_row(
                *(escape(display(row.get(c.key), cell_kind(c, row))) for c in sec.columns)
            )
        console.print()
        if sec.rows:
            output.print_wide(table)
        else:
            console.print(f"[bold]{escape(sec.title)}[/bold]")
        for note in sec.notes:
            console.print(escape(note))
