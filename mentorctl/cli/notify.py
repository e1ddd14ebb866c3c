"""``mentorctl notify ...``: introduction emails for new matches."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.options import ResendOpt, SendOpt, WaitOpt
from mentorctl.enums import DocFormat
from mentorctl.roster.ids import id_of

app = typer.Typer(
    rich_markup_mode=None,
    help="Compose and send emails to participants (introductions, shortlists).",
    no_args_is_help=True,
)


@app.command("intro")
def intro(
    ctx: typer.Context,
    mentor: Annotated[
        str | None, typer.Argument(help="Only this mentor's (or facilitator's) matches.")
    ] = None,
    mentee: Annotated[str | None, typer.Argument(help="Only the match with this mentee.")] = None,
    send: SendOpt = False,
    to_coordinator_only: Annotated[
        bool,
        typer.Option(
            "--to-coordinator-only",
            help="Address every email to the coordinator instead (a preview in their inbox).",
        ),
    ] = False,
    resend: ResendOpt = False,
    attach: Annotated[
        DocFormat, typer.Option("--attach", help="Format of the attached agreement.")
    ] = DocFormat.PDF,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --send: say what would be sent; send nothing.")
    ] = False,
    wait: WaitOpt = 60.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="One line per email, including skipped ones.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (docs/agreements.md).")
    ] = False,
) -> None:
    """Introduce each active match (or circle) by email: who, why they were matched, what
    happens next, with the agreement and the .ics meeting series attached.

    Without --send, prints the emails. With --send, sends each one once: a re-run sends
    nothing twice (--resend to force) and prints one summary line. Exit 1 when any email
    failed or may not have been delivered; re-run to retry the failed ones.
    """
    state = ctx.obj
    plain_rerun = send and not (resend or dry_run or as_json or verbose or to_coordinator_only)
    if plain_rerun and mentor is None and mentee is None:
        # Cron's usual case, answered without loading the schema or SQLAlchemy.
        from mentorctl.notify.quick import quick_all_sent

        already = quick_all_sent(state.program_location, state.database_url)
        if already is not None:
            output.info(all_sent(already))
            return

    from mentorctl.agreements import render as agreements
    from mentorctl.notify import intro as core
    from mentorctl.notify.batch import load_previous
    from mentorctl.notify.transport import smtp_password
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    directory, program = state.load()
    with state.roster() as roster:
        with roster.session(dry_run=True) as session:
            row = ensure_program(session, program)
            cycle = ensure_cycle(session, row, program)
            docs = agreements.build_agreements(
                session, program, id_of(row), cycle, mentor=mentor, mentee=mentee
            )
        intros = core.compose(
            program, docs, attach=attach.value, coordinator_only=to_coordinator_only
        )
        load_previous(roster, intros)
        if not intros:
            output.warn("no active matches this cycle: run `mentorctl match` and `match accept`")
        if not send:
            for warning in core.attach(program, directory, intros, attach.value):
                output.warn(warning)
            show_emails(intros, core.iter_preview(intros), as_json)
            if not as_json and intros:
                output.info(f"{len(intros)} email(s) shown; add --send to send them")
            return
        # Messages refer to the program's row: store it (a no-op when it exists).
        with roster.session(write=True, dry_run=dry_run) as session:
            program_id = ensure_program(session, program).id or 0
        password = None if dry_run else smtp_password(program.email, directory)
        with progress(len(intros), quiet=as_json) as advance:
            results, warnings = core.send(
                roster,
                program,
                directory,
                program_id,
                intros,
                password=password,
                attach_as=attach.value,
                resend=resend,
                dry_run=dry_run,
                wait=wait,
                on_result=None if as_json else logger(verbose, advance),
            )
    for warning in warnings:
        output.warn(warning)
    report(results, as_json, dry_run, noun="introduction(s)")


def all_sent(n: int, noun: str = "introduction(s)") -> str:
    return f"all {n} {noun} already sent; nothing to send (--resend to send again)"


@contextlib.contextmanager
def progress(
    total: int, *, quiet: bool, label: str = "Introductions"
) -> Iterator[Callable[[], None]]:
    """A progress bar over the emails on a terminal; nothing under cron, pipes or --quiet."""
    if quiet or total < 2 or output.is_quiet() or not output.err().is_terminal:
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=output.err(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def show_emails(items: list[Any], texts: Iterable[str], as_json: bool) -> None:
    """Emails as they would be read (``texts``: headers and body), or their JSON."""
    if as_json:
        output.print_json({"sent": False, "emails": [i.as_json() for i in items]})
        return
    out = output.out()
    for n, text in enumerate(texts):
        if n:
            out.print("\n" + "-" * 72 + "\n", markup=False, highlight=False)
        out.print(text, markup=False, highlight=False, soft_wrap=True, end="")


def logger(verbose: bool, advance: Callable[[], None]) -> Callable[[Any], None]:
    """One line per email that was sent or not (skipped ones only with --verbose)."""

    def log(result: Any) -> None:
        advance()
        if result.status == "skipped" and not verbose:
            return
        who = ", ".join(result.item.message().recipients())
        detail = f": {result.detail}" if result.detail else ""
        if result.status in ("failed", "unknown"):
            output.warn(f"{result.status} {who}{detail}")
        else:
            output.info(escape(f"{result.status} {who}{detail}"))

    return log


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def report(results: list[Any], as_json: bool, dry_run: bool, *, noun: str) -> None:
    """What a sending run did: counts on one line (or JSON); MentorctlError when any email
    failed or may not have been delivered."""
    _summary(results, as_json, dry_run, noun)
    bad = [r for r in results if r.status in ("failed", "unknown")]
    if bad:
        from mentorctl.errors import MentorctlError

        unknown = sum(r.status == "unknown" for r in bad)
        what = "failed" if not unknown else "failed or may not have been delivered"
        raise MentorctlError(
            f"{len(bad)} of {len(results)} {noun} {what}; the others are recorded; "
            "re-run to retry the failed ones"
            + (" (those that may have been delivered only with --resend)" if unknown else "")
        )


def _summary(results: list[Any], as_json: bool, dry_run: bool, noun: str) -> None:
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
    if (
        results
        and counts.get("skipped") == len(results)
        and all(r.detail.startswith("already sent") for r in results)
    ):
        output.info(all_sent(len(results), noun))
        return
    words = {"would-send": "would be sent"}
    parts = [f"{n} {words.get(st, st)}" for st, n in sorted(counts.items()) if st != "skipped"]
    why: dict[str, int] = {}
    for r in results:
        if r.status == "skipped":
            reason = (
                "already sent"
                if r.detail.startswith("already sent")
                else "maybe delivered by an interrupted run (not resent; --resend after checking)"
                if "may have delivered" in r.detail
                else "being sent by another run"
            )
            why[reason] = why.get(reason, 0) + 1
    parts += [
        f"{n} {reason}" for reason, n in sorted(why.items(), key=lambda kv: kv[0][:2] != "al")
    ]
    summary = ", ".join(parts)
    output.info(("dry run: " if dry_run else "") + (summary or "nothing to send"))
