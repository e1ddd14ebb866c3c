"""``mentorctl agreements``: render one mentoring agreement (and .ics) per active match."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from mentorctl.cli import output
from mentorctl.cli.output import Column
from mentorctl.enums import DocFormat
from mentorctl.roster.ids import id_of

T = TypeVar("T")

COLUMNS = [
    Column("who", "Agreement"),
    Column("kind", "Kind"),
    Column("file", "File"),
    Column("status", "Status"),
    Column("calendar", ".ics"),
]


def agreements(
    ctx: typer.Context,
    mentor: Annotated[
        str | None, typer.Argument(help="Only this mentor's (or facilitator's) agreements.")
    ] = None,
    mentee: Annotated[
        str | None, typer.Argument(help="Only the agreement with this mentee.")
    ] = None,
    format_: Annotated[
        DocFormat, typer.Option("--format", "-f", help="md, html (self-contained) or pdf.")
    ] = DocFormat.MD,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output directory. Default: agreements/ beside program.yaml."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be written; write nothing.")
    ] = False,
    template_check: Annotated[
        bool,
        typer.Option(
            "--template-check",
            help="Check the templates named in program.yaml (or the defaults) against the "
            "fields an agreement has, and render nothing.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (docs/agreements.md).")
    ] = False,
) -> None:
    """Render a mentoring agreement and a calendar file for each active match (or circle).

    Files go to OUT/<cycle>/<mentor>--<mentee>.<format> with the meeting series beside
    them as .ics; re-running rewrites only what changed. Exit 1 when a template is wrong.
    """
    from mentorctl.agreements import render as core

    directory, program = ctx.obj.load()
    if template_check:
        checked = core.check_templates(program, directory)
        problems = [p for _, ps in checked for p in ps]
        if as_json:
            output.print_json(
                {
                    "ok": not problems,
                    "fields": sorted(core.known_fields(program)),
                    "templates": [
                        {"template": name, "problems": [str(p) for p in ps]} for name, ps in checked
                    ],
                }
            )
        else:
            for name, ps in checked:
                output.out().print(
                    f"{name}: {'ok' if not ps else f'{len(ps)} problem(s)'}", markup=False
                )
        if problems:
            raise core.TemplateError(
                f"{len(problems)} problem(s) in the templates or agreement clauses",
                [p for _, ps in checked for p in ps],
            )
        return
    out_dir = out if out is not None else directory / "agreements"
    renderer = core.Renderer(program, directory, format_.value)
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    # A read: the program and cycle rows are looked up, never stored, from here.
    with ctx.obj.roster() as roster, roster.session(dry_run=True) as session:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        docs = core.build_agreements(
            session, program, id_of(row), cycle, mentor=mentor, mentee=mentee
        )
    if not docs:
        output.warn("no active matches this cycle: run `mentorctl match` and `match accept`")
    results = core.write_agreements(
        docs, renderer, out_dir, dry_run=dry_run, progress=progress_after(1.0, "Rendering")
    )
    for warning in renderer.warnings:
        output.warn(warning)
    _show(results, out_dir, format_.value, dry_run, as_json, renderer.warnings)


def progress_after(seconds: float, label: str) -> Callable[[Iterable[T], int], Iterator[T]]:
    """A progress bar on stderr once the work has taken ``seconds``; none under cron
    (no terminal), with --quiet, or when the work is over sooner."""

    def wrap(items: Iterable[T], total: int) -> Iterator[T]:
        if output.is_quiet() or not output.err().is_terminal:
            yield from items
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        start = time.monotonic()
        bar: Progress | None = None
        task = None
        try:
            for done, item in enumerate(items):
                if bar is None and time.monotonic() - start > seconds:
                    bar = Progress(
                        TextColumn(label),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeRemainingColumn(),
                        console=output.err(),
                        transient=True,
                    )
                    bar.start()
                    task = bar.add_task(label, total=total, completed=done)
                yield item
                if bar is not None and task is not None:
                    bar.advance(task)
        finally:
            if bar is not None:
                bar.stop()

    return wrap


def _show(
    results: list[Any],
    out_dir: Path,
    fmt: str,
    dry_run: bool,
    as_json: bool,
    warnings: list[str],
) -> None:
    if as_json:
        output.print_json(
            {
                "out": str(out_dir),
                "format": fmt,
                "dry_run": dry_run,
                "warnings": warnings,
                "agreements": [
                    {
                        "kind": doc.kind,
                        "cycle": doc.cycle,
                        "mentor": doc.mentor,
                        "mentees": doc.mentees,
                        "circle": doc.circle,
                        "match_ids": doc.match_ids,
                        "files": [{"path": w.path, "status": w.status} for w in written],
                    }
                    for doc, written in results
                ],
            }
        )
        return
    prefix = "would be " if dry_run else ""
    rows = [
        {
            "who": doc.summary(),
            "kind": doc.kind,
            "file": written[0].path,
            "status": prefix + written[0].status,
            "calendar": prefix + written[1].status,
        }
        for doc, written in results
    ]
    output.print_table(
        COLUMNS, rows, title=f"Agreements in {out_dir}" + (" (dry run)" if dry_run else "")
    )
    counts: dict[str, int] = {}
    for _, written in results:
        for w in written:
            key = prefix + w.status
            counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing"
    output.info(f"{len(results)} agreement(s); files: {summary}")
