"""``mentorctl match ...``, ``explain`` and ``scores``: propose, accept, reject and compare
matches. The interactive review is :mod:`mentorctl.cli.review`; what the commands read
(program, roster, locks and overrides) is :mod:`mentorctl.cli.match_input`; ``match``'s
own work (shared with :mod:`mentorctl.cli.fast`) is :mod:`mentorctl.cli.proposing`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli import review as review_cmd
from mentorctl.cli.match_input import match_input as _input
from mentorctl.cli.match_input import open_context as _open
from mentorctl.cli.options import JsonOpt
from mentorctl.cli.output import Column, Fmt
from mentorctl.cli.proposing import compute, run_match
from mentorctl.enums import Mode

app = typer.Typer(
    rich_markup_mode=None,
    help="Propose matches for the current cycle, then review, accept or reject them.\n\n"
    "With no subcommand: compute and store a proposal (kept: accepted and locked pairs).",
    invoke_without_command=True,
)


ModeOpt = Annotated[
    Mode | None,
    typer.Option(
        "--mode",
        help="optimal (most matches, then best total), stable, greedy. "
        "Default: matching.mode in program.yaml.",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="What-if override of program.yaml, e.g. "
        "matching.criteria.skills.weight=3. Repeatable.",
    ),
]
PairOpt = Annotated[
    list[str] | None,
    typer.Option(help="MENTOR:MENTEE (emails). Repeatable."),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--override",
        metavar="REASON",
        help="Why the --lock pairs may break a hard constraint (forbid, management chain, "
        "eligibility, min_score ...). Shown by explain, the proposal and the report.",
    ),
]


@app.callback()
def match(
    ctx: typer.Context,
    mode: ModeOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compute and print; store nothing.")
    ] = False,
    as_json: JsonOpt = False,
    set_: SetOpt = None,
    lock: PairOpt = None,
    forbid: PairOpt = None,
    override: OverrideOpt = None,
    fill: Annotated[
        bool,
        typer.Option(
            "--fill",
            help="Keep every accepted and proposed match as it is; place only people "
            "without one (new joiners, matches ended early) in the free capacity.",
        ),
    ] = False,
) -> None:
    """Compute a proposal for the current cycle and store it (replacing an earlier one).

    A lock that breaks a hard constraint is refused unless it carries an override
    (program.yaml `override:`, the pairs file's override column, or --override)."""
    if ctx.invoked_subcommand is not None:
        return
    code = run_match(
        ctx.obj,
        mode=mode,
        dry_run=dry_run,
        as_json=as_json,
        set_=set_,
        lock=lock,
        forbid=forbid,
        override=override,
        fill=fill,
    )
    if code:
        raise typer.Exit(code)


app.command("review")(review_cmd.review)


@app.command("accept")
def accept(
    ctx: typer.Context,
    mentor: Annotated[str | None, typer.Argument(help="Mentor's email.")] = None,
    mentee: Annotated[str | None, typer.Argument(help="Mentee's email.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Accept every proposed match.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
) -> None:
    """Turn proposed matches into active ones: one pair, or --all."""
    from mentorctl.errors import UsageError
    from mentorctl.roster import matches

    if all_ == (mentor is not None):
        raise UsageError("give either MENTOR MENTEE or --all")
    if mentor is not None and mentee is None:
        raise UsageError("give the mentee's email too")
    c = _open(ctx.obj, None)
    try:
        with c.roster.session(write=True, dry_run=dry_run) as session:
            pairs = None if all_ else [(mentor or "", mentee or "")]
            accepted = matches.accept(
                session, c.cycle_id, c.known.ids, pairs, review_cmd.capacities(c),
                places=review_cmd.mentee_places(c),
            )  # fmt: skip
    finally:
        c.close()
    output.info(f"{'would accept' if dry_run else 'accepted'} {len(accepted)} match(es)")


@app.command("reject")
def reject(
    ctx: typer.Context,
    mentor: Annotated[str, typer.Argument(help="Mentor's email.")],
    mentee: Annotated[str, typer.Argument(help="Mentee's email.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
) -> None:
    """Refuse a proposed pair; the next `match` run will not propose it again."""
    from mentorctl.roster import matches

    c = _open(ctx.obj, None)
    try:
        with c.roster.session(write=True, dry_run=dry_run) as session:
            matches.reject(session, c.cycle_id, c.known.ids, mentor, mentee)
    finally:
        c.close()
    output.info(f"{'would reject' if dry_run else 'rejected'} {mentor.lower()} -> {mentee.lower()}")


@app.command("diff")
def diff(
    ctx: typer.Context,
    mode: ModeOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
    lock: PairOpt = None,
    override: OverrideOpt = None,
    capacity: Annotated[
        list[str] | None,
        typer.Option(
            "--capacity",
            metavar="EMAIL=N",
            help="What-if capacity for one mentor (a relaxation `match` suggests). Repeatable.",
        ),
    ] = None,
) -> None:
    """Compare the stored proposal with a new run (with --set, --lock, --capacity
    what-ifs, such as the relaxations `match` suggests); stores nothing."""
    c = _open(ctx.obj, set_)
    c.close()
    inp = _input(c, mode, lock, None, override)
    if capacity:
        from mentorctl.matching.relax import with_capacities

        inp = with_capacities(inp, capacity)
    proposal = compute(inp, with_tradeoffs=False)  # diff shows changes, not the price
    import itertools

    # By pair, not by mentee: a mentee may have several mentors (mentee_capacity).
    old = {(r["mentor"], r["mentee"]): r["score"] for r in c.known.proposed}
    old.update({pair: None for pair in c.known.active if pair not in old})
    new = {(m.mentor, m.mentee): m.score for m in proposal.matches}
    rows = []
    gone: dict[str, list[str]] = {}
    came: dict[str, list[str]] = {}
    for pairs, other, out in ((old, new, gone), (new, old, came)):
        for m, e in sorted(pairs):
            if (m, e) not in other:
                out.setdefault(e, []).append(m)
    for mentee in sorted(gone.keys() | came.keys()):
        for before, after in itertools.zip_longest(gone.get(mentee, []), came.get(mentee, [])):
            rows.append(
                {
                    "mentee": mentee,
                    "old_mentor": before,
                    "new_mentor": after,
                    "old_score": old[(before, mentee)] if before else None,
                    "new_score": new[(after, mentee)] if after else None,
                }
            )
    old_total = sum(r["score"] or 0 for r in c.known.proposed)
    summary = {
        "changed": len(rows),
        "old_total_score": round(old_total, 6),
        "new_total_score": proposal.summary["total_score"],
        "old_matched": len(old),
        "new_matched": len(new),
    }
    if as_json:
        output.print_json({"changes": rows, "summary": summary})
        return
    output.print_table(
        [
            Column("mentee", "Mentee"),
            Column("old_mentor", "Stored mentor"),
            Column("new_mentor", "New mentor"),
            Column("old_score", "Old", justify="right"),
            Column("new_score", "New", justify="right"),
        ],
        rows,
        title="Changes against the stored proposal",
    )
    output.out().print(
        f"{summary['changed']} mentee(s) change partner; total score "
        f"{summary['old_total_score']:.3f} -> {summary['new_total_score']:.3f}; matched "
        f"{summary['old_matched']} -> {summary['new_matched']}",
        markup=False,
    )


# --------------------------------------------------------------------------- explain / scores


def explain(
    ctx: typer.Context,
    mentee: Annotated[str, typer.Argument(help="Mentee's email.")],
    mentor: Annotated[
        str | None, typer.Argument(help="Mentor's email (omit: best candidates).")
    ] = None,
    top: Annotated[int, typer.Option(help="How many candidates to list.", min=1)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Why a pair scores as it does; or, for a mentee alone, the best candidates and
    which constraint excluded everyone else."""
    from mentorctl.cli.explain import explain_command

    explain_command(ctx.obj, mentee, mentor, top, as_json)  # read-only: the plain read path


def scores(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")] = False,
) -> None:
    """Every eligible (mentor, mentee) pair with its score and per-criterion values."""
    import numpy as np

    from mentorctl.matching.engine import mentors_and_mentees, score_candidates

    c = _open(ctx.obj, None)
    c.close()
    inp = _input(c, None, None, None)
    mentors, mentees = mentors_and_mentees(inp)
    rows: list[dict[str, Any]] = []
    if mentors and mentees:
        from mentorctl.matching.matrix import score_matrix

        cap = np.ones(len(mentors), dtype=np.int64)
        scored = score_candidates(inp, mentors, mentees, cap)
        _, per = score_matrix(c.program, mentors, mentees)
        names = list(per)
        for i, j in zip(*np.nonzero(scored.allowed), strict=True):
            crit = {
                n: (None if np.isnan(per[n][i, j]) else round(float(per[n][i, j]), 6))
                for n in names
            }
            rows.append(
                {
                    "mentor": mentors[i]["email"],
                    "mentee": mentees[j]["email"],
                    "score": round(float(scored.raw[i, j]), 6),
                    "criteria": crit,
                }
            )
    rows.sort(key=lambda r: (r["mentee"], -r["score"], r["mentor"]))
    if as_json:
        output.print_json(rows)
        return
    crit_names = [cr.name for cr in c.program.matching.criteria]
    flat = [r | {f"c_{k}": v for k, v in r["criteria"].items()} for r in rows]
    columns = [
        Column("mentee", "Mentee"),
        Column("mentor", "Mentor"),
        Column("score", "Score", justify="right"),
    ] + [Column(f"c_{n}", n, justify="right") for n in crit_names]
    output.render(
        Fmt.CSV if as_csv else Fmt.TABLE, columns, flat, caption=f"{len(rows)} eligible pair(s)"
    )
