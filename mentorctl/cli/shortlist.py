"""``mentorctl notify shortlist``: each mentee (or mentor) gets their best candidates to rank.

Registered on the ``notify`` group by :mod:`mentorctl.cli` (beside ``notify intro``);
the work is :mod:`mentorctl.notify.shortlist`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mentorctl.cli import output
from mentorctl.cli.options import ResendOpt, SendOpt, WaitOpt


def shortlist(
    ctx: typer.Context,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            max=20,
            help="Candidates per shortlist. Default: shortlist.top in program.yaml (5).",
            show_default=False,
        ),
    ] = None,
    mentors: Annotated[
        bool,
        typer.Option("--mentors", help="Shortlist mentees for each mentor instead."),
    ] = False,
    person: Annotated[
        list[str] | None,
        typer.Option("--person", metavar="EMAIL", help="Only this person's shortlist. Repeatable."),
    ] = None,
    send: SendOpt = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print each email that would be sent, and send nothing."),
    ] = False,
    resend: ResendOpt = False,
    wait: WaitOpt = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Email each mentee not yet matched this cycle their best eligible mentors (with
    --mentors: each mentor their best mentees), to rank before `match`.

    Each candidate comes with their name, a short code, what the program lets
    participants see (shortlist.fields and questions marked visible) and one or two
    reasons in plain words; never a score. With forms.ranking_url set, each email holds
    the person's pre-filled link to the ranking form, whose export goes back through
    `participants import` (docs/participant-loop.md).

    Without --send (or with --dry-run), prints each email. With --send, sends each one
    once: a re-run sends nothing twice (--resend to force). Exit 1 when any email failed
    or may not have been delivered.
    """
    from mentorctl.cli.match_input import match_input, open_context
    from mentorctl.cli.notify import logger, progress, report, show_emails
    from mentorctl.notify import shortlist as core
    from mentorctl.notify.batch import load_previous, skip_reason
    from mentorctl.notify.transport import smtp_password
    from mentorctl.roster.participants import ensure_program

    c = open_context(ctx.obj, None)
    program = c.program
    from mentorctl.program import PreferenceCriterion

    ranked = [x for x in program.matching.criteria if isinstance(x, PreferenceCriterion)]
    if not any((x.mentor if mentors else x.mentee) for x in ranked):
        # Rankings would come back and count for nothing: say so before anyone answers.
        output.warn(
            "no `preference` criterion reads the "
            + ("mentors'" if mentors else "mentees'")
            + " rankings in program.yaml: answers to this shortlist will not change the "
            "matching (docs/participant-loop.md)"
        )
    try:
        inp = match_input(c, None, None, None)
        people = {p["email"] for p in inp.people}
        for email in person or []:
            if email.strip().lower() not in people:
                from mentorctl.errors import NotFoundError

                raise NotFoundError(f"--person {email}: not enrolled in this program")
        shortlists = core.build(
            inp, top=top or program.shortlist.top, mentors=mentors, only=person or ()
        )
        load_previous(c.roster, shortlists)
        if not shortlists:
            side = "mentor" if mentors else "mentee"
            output.warn(
                f"no {side} to send a shortlist to (everyone is matched, or no "
                "candidate passes the hard constraints)"
            )
        if not send or dry_run:
            todo = [s for s in shortlists if not send or skip_reason(s.previous, resend) is None]
            show_emails(todo, core.preview(todo), as_json)
            if not as_json and send:
                skipped = len(shortlists) - len(todo)
                output.info(
                    f"dry run: {len(todo)} would be sent"
                    + (f", {skipped} already sent" if skipped else "")
                )
            elif not as_json and todo:
                output.info(f"{len(todo)} email(s) shown; add --send to send them")
            return
        with c.roster.session(write=True) as session:
            program_id = ensure_program(session, program).id or 0
        password = smtp_password(program.email, c.directory)
        with progress(len(shortlists), quiet=as_json, label="Shortlists") as advance:
            results = core.send(
                c.roster,
                program,
                program_id,
                shortlists,
                password=password,
                resend=resend,
                wait=wait,
                on_result=None if as_json else logger(False, advance),
            )
    finally:
        c.close()
    report(results, as_json, False, noun="shortlist(s)")
