"""``mentorctl participants import``: enrol people from a CSV/XLSX file or a form export.

Registered on the ``participants`` group by :mod:`mentorctl.cli.participants`; kept apart
because checking a file, staging the rejects file and reporting what changed is a job of
its own. Also declares ``--date-format``, shared by every import command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.options import DryRunOpt, JsonOpt
from mentorctl.roster.ids import id_of

#: ``--date-format`` for every import command (participants, meetings, check-ins, HR).
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="How the file writes dates when its values leave day/month order open: DMY "
        "(20/01/2027), MDY (01/20/2027), YMD, or a strftime pattern such as '%d.%m.%Y %H:%M'. "
        "Default: settled from the file's own dates.",
        show_default=False,
    ),
]


class OnExisting(StrEnum):
    UPDATE = "update"
    SKIP = "skip"
    ERROR = "error"


def import_participants(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Canonical CSV, a form export (CSV), or XLSX.")],
    dry_run: DryRunOpt = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the good rows; write the bad ones to a CSV."),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where --skip-invalid writes bad rows. Default: FILE.rejects.csv"),
    ] = None,
    on_existing: Annotated[
        OnExisting,
        typer.Option(help="What to do with people already enrolled whose answers changed."),
    ] = OnExisting.UPDATE,
    max_size: Annotated[
        int, typer.Option(help="Refuse files larger than this many MB.", min=1)
    ] = 20,
    date_format: DateFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enrol people from a CSV/XLSX file: the canonical template or a form export.

    Every row is checked against the survey. By default nothing is imported if any row is
    bad; re-importing the same file changes nothing. A column the file does not have
    leaves what is stored for it; a blank cell in a column it has clears the value. A
    file without a role column (a ranking form's export: email and answers) updates
    enrolled people only; person codes in its email-list answers are read as their emails.
    """
    from mentorctl.errors import ImportProblemError
    from mentorctl.roster.importer import (
        plan_import,
        read_participants,
        rejects_rows,
        require_clean,
    )
    from mentorctl.roster.participants import apply_import, ensure_program, existing_index
    from mentorctl.tables.csvsafe import StagedCsv
    from mentorctl.tables.dates import parse_date_format

    state = ctx.obj
    fmt = parse_date_format(date_format)
    _, program = state.load()
    result = read_participants(
        program,
        file,
        max_bytes=max_size * 1024 * 1024,
        progress=output.progress("Checking rows"),
        date_format=fmt,
        enrolled=_enrolled(state, program),
    )
    if not skip_invalid:
        require_clean(result, str(file))
    staged: StagedCsv | None = None
    if skip_invalid and (result.bad_rows or rejects is not None):
        # Staged before the roster is touched: a path that cannot be written stops here.
        target = rejects or file.with_name(file.name + ".rejects.csv")
        staged = StagedCsv(target, flag="--rejects" if rejects is not None else None)
        staged.write(*rejects_rows(result))
    try:
        with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
            row = ensure_program(session, program)
            plan = plan_import(
                result.records,
                existing_index(session, id_of(row)),
                on_existing.value,
                provided=result.provided,
            )
            if plan.conflicts:
                raise ImportProblemError(
                    f"{file}: {len(plan.conflicts)} person(s) already enrolled with other answers "
                    f"(e.g. {plan.conflicts[0].email}); use --on-existing update or skip"
                )
            apply_import(session, id_of(row), plan)
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    rejects_path = None
    if staged is not None:
        if dry_run or not result.bad_rows:
            staged.discard()
        else:
            staged.commit()
            rejects_path = staged.path
    kept = _not_in_file(program, result.provided) if plan.update or plan.unchanged else []
    _report(file, result, plan, rejects_path, kept, dry_run=dry_run, as_json=as_json)


def _enrolled(state: Any, program: Any) -> dict[str, dict[str, Any]]:
    """Email -> stored values of everyone enrolled (empty before the roster exists): a
    ranking form's export (email and answers only) updates them, and the person codes
    in its answers are read as their emails.

    A read on the plain read path: it stores nothing (a program not stored yet has nobody
    enrolled), so it never contends with another import writing the same new roster."""
    from mentorctl.roster.db import sqlite_path
    from mentorctl.roster.person import person_of, program_id, select_people

    path = sqlite_path(state.roster_url())
    if path is not None and not path.exists():
        return {}  # reading must not create the roster: a bad file leaves nothing behind
    with state.reading() as db:
        pid = program_id(db, program)
        rows = [] if pid is None else db.all(select_people("program_id = :pid"), pid=pid)
    people = (person_of(row) for row in rows)
    return {person["email"]: person for person in people}


def _not_in_file(program: Any, provided: frozenset[str]) -> list[str]:
    """Fields and questions the file has no column for (enrolled people keep them)."""
    from mentorctl.program import ROSTER_FIELDS

    keys = [*ROSTER_FIELDS, *(q.id for q in program.survey.questions)]
    return [k for k in keys if k not in provided]


def _report(
    file: Path,
    result: Any,
    plan: Any,
    rejects_path: Path | None,
    kept: list[str],
    *,
    dry_run: bool,
    as_json: bool,
) -> None:
    from mentorctl.tables.reader import by_column

    summary: dict[str, Any] = {
        "file": str(file),
        "dry_run": dry_run,
        "rows": result.total_rows,
        "created": len(plan.create),
        "updated": len(plan.update),
        "unchanged": len(plan.unchanged),
        "skipped": len(plan.skipped),
        "invalid": len(result.bad_rows),
        "superseded": result.superseded_rows,
        "ignored_columns": result.ignored_columns,
        "kept_as_stored": kept,
        "rejects": str(rejects_path) if rejects_path else None,
        "changes": [{"email": r.email, "action": "create"} for r in plan.create]
        + [{"email": r.email, "action": "update", "fields": f} for _, r, f in plan.update],
    }
    if as_json:
        output.print_json(summary)
        return
    verb = "would enrol" if dry_run else "enrolled"
    output.info(
        f"{file}: {verb} {summary['created']}, "
        f"{'would update' if dry_run else 'updated'} {summary['updated']}, "
        f"unchanged {summary['unchanged']}"
        + (f", skipped {summary['skipped']}" if plan.skipped else "")
        + (
            f", {summary['superseded']} earlier submission(s) replaced by later ones"
            if result.superseded_rows
            else ""
        )
    )
    if result.bad_rows:
        output.warn(
            f"{len(result.bad_rows)} bad row(s) not imported"
            + (f"; written to {rejects_path}" if rejects_path else "")
        )
        for p in result.problems[:20]:
            output.warn(str(p))
        if len(result.problems) > 20:
            output.warn(f"... and {len(result.problems) - 20} more; by column:")
            for line in by_column(result.problems):
                output.warn("  " + line)
    if result.ignored_columns:
        output.info("ignored columns: " + ", ".join(result.ignored_columns))
    if kept:
        # A reworded question label lands here: say so, rather than let it pass unseen.
        output.info("not in the file, kept as stored for enrolled people: " + ", ".join(kept))
    if dry_run:
        for change in summary["changes"][:50]:
            fields = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
            output.info(f"  {change['action']} {change['email']}{fields}")
