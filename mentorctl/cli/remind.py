"""``mentorctl remind``: the cron job that nudges pairs that stopped meeting.

Without ``--send`` it previews what is due (to stdout) and changes nothing. With
``--send`` it sends each message due through the outbox (``mentorctl.notify.outbox``),
and writes one line per action to ``reminders.log_file`` (beside program.yaml) or,
without one, to stderr (silenced by ``--quiet``). See docs/tracking.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli import output
from mentorctl.cli.options import TodayOpt
from mentorctl.cli.output import Column


def _logger(directory: Path, log_file: str | None, today: dt.date):  # type: ignore[no-untyped-def]
    path = None
    if log_file:
        path = Path(log_file).expanduser()
        if not path.is_absolute():
            path = directory / path

    def log(message: str) -> None:
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        line = f"{stamp} remind[{today}] {message}"
        if path is not None:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        else:
            from rich.markup import escape

            output.info(escape(line))

    return log


def remind(
    ctx: typer.Context,
    send: Annotated[
        bool, typer.Option("--send", help="Record and send the messages due (else: preview).")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what would be sent; send and record nothing (wins over --send)."
        ),
    ] = False,
    today: TodayOpt = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", min=0, help="Seconds to wait for another running remind before giving up."
        ),
    ] = 60.0,
    resend_unknown: Annotated[
        bool,
        typer.Option(
            "--resend-unknown",
            help="With --send: send again, if still due today, the messages an interrupted "
            "run may or may not have delivered (status unknown).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (docs/tracking.md).")] = False,
) -> None:
    """Nudge pairs that are due a reminder, and send the coordinator a digest.

    Cron-safe: non-interactive, no colour off a terminal, one log line per action, a lock
    against overlapping runs, and nothing is ever sent twice. Exit codes: 0 ok (also when
    nothing was due), 1 bad program or some messages failed (see the log), 3 roster
    unavailable or another remind still running after --wait.
    """
    from mentorctl.errors import MentorctlError
    from mentorctl.notify.reminders import RemindFailures, run_reminders
    from mentorctl.tracking import check_today, parse_today

    day = check_today(parse_today(today))
    state = ctx.obj
    directory, program = state.load()
    really = send and not dry_run
    log = _logger(directory, program.reminders.log_file, day)
    with state.roster() as roster:
        try:
            res = run_reminders(
                roster,
                program,
                directory,
                day,
                send=really,
                log=log,
                wait=wait,
                resend_unknown=resend_unknown,
            )
        except MentorctlError as exc:
            if really:
                log(f"error: {exc.message}")
            raise
    if as_json:
        output.print_json(res.as_json())
    elif not really:
        rows = [m.as_json() for m in res.planned]
        if res.digest is not None:
            rows.append(res.digest.as_json())
        for r in rows:
            r["to"] = ", ".join(r["to"])
        output.print_table(
            [
                Column("kind", "Message"),
                Column("pair", "Pair"),
                Column("to", "To"),
                Column("subject", "Subject"),
            ],
            rows,
            title=f"Due on {day} (preview: nothing sent; use --send)",
        )
    if really:
        summary = (
            f"sent {len(res.sent)}, failed {len(res.failed)}, queued {len(res.queued)} "
            f"escalation(s), digest {res.digest_status or 'not needed'}"
        )
        log(summary)
        if res.failed:
            raise RemindFailures(
                f"{len(res.failed)} message(s) failed or may not have been delivered "
                "(recorded, not retried): "
                + "; ".join(f"{r.kind} match {r.match_id}: {e}" for r, e in res.failed[:3])
            )
