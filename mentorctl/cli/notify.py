"""``mentorctl notify ...``: introduction emails for new matches."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.output import Column
from mentorctl.enums import DocFormat

app = typer.Typer(
    rich_markup_mode=None,
    help="Compose and send emails to participants (introductions).",
    no_args_is_help=True,
)


RESULT_COLUMNS = [
    Column("to", "To"),
    Column("subject", "Subject"),
    Column("status", "Status"),
    Column("detail", "Detail"),
]


@app.command("intro")
def intro(
    ctx: typer.Context,
    mentor: Annotated[
        str | None, typer.Argument(help="Only this mentor's (or facilitator's) matches.")
    ] = None,
    mentee: Annotated[str | None, typer.Argument(help="Only the match with this mentee.")] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send them (SMTP settings: `email:` in program.yaml).")
    ] = False,
    to_coordinator_only: Annotated[
        bool,
        typer.Option(
            "--to-coordinator-only",
            help="Address every email to the coordinator instead (a preview in their inbox).",
        ),
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Send again what was already sent (or is pending).")
    ] = False,
    attach: Annotated[
        DocFormat, typer.Option("--attach", help="Format of the attached agreement.")
    ] = DocFormat.PDF,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --send: say what would be sent; send nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (docs/agreements.md).")
    ] = False,
) -> None:
    """Introduce each active match (or circle) by email: who, why they were matched, what
    happens next, with the agreement and the .ics meeting series attached.

    Without --send, prints the emails. With --send, sends each one once: a re-run sends
    nothing twice (--resend to force). Exit 1 when any email failed; re-run to retry.
    """
    from mentorctl.agreements import render as agreements
    from mentorctl.errors import MentorctlError
    from mentorctl.notify import intro as core
    from mentorctl.notify.transport import smtp_password
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    directory, program = ctx.obj.load()
    roster = ctx.obj.open_roster()
    try:
        with roster.session(dry_run=True) as session:
            row = ensure_program(session, program)
            cycle = ensure_cycle(session, row, program)
            assert row.id is not None
            docs = agreements.build_agreements(
                session, program, row.id, cycle, mentor=mentor, mentee=mentee
            )
            intros = core.compose(
                program,
                directory,
                docs,
                attach=attach.value,
                coordinator_only=to_coordinator_only,
            )
            core.load_previous(session, intros)
        if not intros:
            output.warn("no active matches this cycle: run `mentorctl match` and `match accept`")
        if not send:
            _preview(intros, as_json)
            if not as_json and intros:
                output.info(f"{len(intros)} email(s) shown; add --send to send them")
            return
        # Messages refer to the program's row: store it (a no-op when it exists).
        with roster.session(write=True, dry_run=dry_run) as session:
            program_id = ensure_program(session, program).id or 0
        password = None if dry_run else smtp_password(program.email, directory)
        results = core.send(
            roster,
            program,
            program_id,
            intros,
            password=password,
            resend=resend,
            dry_run=dry_run,
            on_result=None if as_json else _log,
        )
    finally:
        roster.dispose()
    _report(results, as_json, dry_run)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise MentorctlError(
            f"{len(failed)} of {len(results)} introduction(s) failed; "
            "the others are recorded; re-run to retry the failed ones"
        )


def _preview(intros: list[Any], as_json: bool) -> None:
    from mentorctl.notify.intro import iter_preview

    if as_json:
        output.print_json({"sent": False, "emails": [i.as_json() for i in intros]})
        return
    out = output.out()
    for n, text in enumerate(iter_preview(intros)):
        if n:
            out.print("\n" + "-" * 72 + "\n", markup=False, highlight=False)
        out.print(text, markup=False, highlight=False, soft_wrap=True, end="")


def _log(result: Any) -> None:
    who = ", ".join(result.intro.recipients())
    detail = f": {result.detail}" if result.detail else ""
    if result.status == "failed":
        output.warn(f"failed {who}{detail}")
    else:
        output.info(f"{result.status} {who}{detail}")


def _report(results: list[Any], as_json: bool, dry_run: bool) -> None:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if as_json:
        output.print_json(
            {
                "sent": not dry_run,
                "dry_run": dry_run,
                "counts": counts,
                "results": [r.as_json() for r in results],
            }
        )
        return
    output.print_table(
        RESULT_COLUMNS,
        [
            {
                "to": ", ".join(r.intro.recipients()),
                "subject": r.intro.subject,
                "status": r.status,
                "detail": r.detail,
            }
            for r in results
        ],
        title="Introductions" + (" (dry run)" if dry_run else ""),
    )
    output.info(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to send")
