"""``mentorctl match ...``, ``explain`` and ``scores``: propose, accept, reject and compare
matches. The interactive review is :mod:`mentorctl.cli.review`; what the commands read
(program, roster, locks and overrides) is :mod:`mentorctl.cli.match_input`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli import review as review_cmd
from mentorctl.cli.match_input import match_input as _input
from mentorctl.cli.match_input import names as _names
from mentorctl.cli.match_input import open_context as _open
from mentorctl.cli.options import JsonOpt
from mentorctl.cli.output import Column, Fmt
from mentorctl.enums import Mode

if TYPE_CHECKING:
    from mentorctl.matching.engine import MatchInput, Proposal

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


def _compute(inp: MatchInput, with_tradeoffs: bool = True) -> Proposal:
    from mentorctl.matching.engine import propose

    console = output.err()
    if output.is_quiet() or not console.is_terminal or len(inp.people) < 500:
        return propose(inp, with_tradeoffs=with_tradeoffs)
    with console.status("matching ...") as status:
        return propose(inp, progress=lambda msg: status.update(msg), with_tradeoffs=with_tradeoffs)


MATCH_COLUMNS = [
    Column("mentor_name", "Mentor"),
    Column("mentee_name", "Mentee"),
    Column("score", "Score", justify="right"),
    Column("why", "Why"),
]


def render_proposal(
    proposal: Proposal, people: list[dict[str, Any]], as_json: bool, dry_run: bool
) -> None:
    if as_json:
        output.print_json(proposal.as_json())
        return
    names = _names(people)
    rows = []
    for m in proposal.matches:
        tag = " (kept)" if m.kept else " (locked)" if m.locked else ""
        why = "; ".join(m.reasons)
        if m.override is not None:
            tag += " (override)"
            why = f"override: {m.override} (breaks: {'; '.join(m.overridden)}); {why}"
        rows.append(
            {
                "mentor_name": f"{names.get(m.mentor, m.mentor)}",
                "mentee_name": f"{names.get(m.mentee, m.mentee)}{tag}",
                "score": m.score,
                "why": why,
            }
        )
    title = f"{proposal.mode.value} matching, cycle {proposal.cycle}" + (
        " (dry run)" if dry_run else ""
    )
    output.print_table(MATCH_COLUMNS, rows, title=title)
    if proposal.circles is not None:
        output.print_table(
            [
                Column("topic", "Circle"),
                Column("facilitator", "Facilitator"),
                Column("members", "Members", justify="right"),
            ],
            [
                {
                    "topic": c.topic,
                    "facilitator": names.get(c.facilitator, c.facilitator),
                    "members": len(c.members),
                }
                for c in proposal.circles
            ],
        )
    if proposal.unmatched:
        from mentorctl.matching.relax import describe

        columns = [Column("email", "Unmatched"), Column("role", "Role"), Column("reason", "Reason")]
        if proposal.relaxations:
            columns.append(Column("relax", "Would be matched"))
        output.print_table(
            columns,
            [
                vars(u) | {"relax": describe(proposal.relaxations.get((u.email, u.role), []))}
                for u in proposal.unmatched
            ],
        )
    s = proposal.summary
    gain = s["total_score"] - s["greedy_total_score"]
    out = output.out()
    out.print(
        f"matched {s['matched']} of {s['mentees']} mentee(s); "
        f"mean score {s['mean_score']:.3f}, lowest {s['lowest_score']:.3f}; "
        f"total {s['total_score']:.3f} vs greedy {s['greedy_total_score']:.3f} "
        f"({'+' if gain >= 0 else ''}{gain:.3f}, greedy matched {s['greedy_matched']}); "
        f"{s['unmatched']} unmatched",
        markup=False,
        soft_wrap=True,
    )
    from mentorctl.matching.fair import describe as describe_price

    for line in describe_price(proposal.tradeoffs):  # what fairness and priority cost
        out.print(line, markup=False, soft_wrap=True)
    for gap in proposal.supply_gaps[:5]:
        out.print(f"supply gap ({gap.criterion}): {gap}", markup=False, soft_wrap=True)


def _relaxations(inp: MatchInput, proposal: Proposal) -> None:
    """For each unmatched person, the smallest changes that would place them."""
    from mentorctl.matching.relax import suggest

    if proposal.unmatched:
        pairs = [(m.mentor, m.mentee) for m in proposal.matches]
        found = suggest(inp, pairs, scores=proposal.scores)  # the run's scores, reused
        proposal.relaxations = {
            (u.email, u.role): [r for r in found[u.email] if r.as_mentee == (u.role == "mentee")]
            for u in proposal.unmatched
            if u.email in found
        }


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
    # A dry run (a what-if) reads a snapshot on the plain read path and writes nothing.
    c = _open(ctx, set_, read_only=dry_run)
    try:
        inp = _input(c, mode, lock, forbid, override)
        if fill:
            from mentorctl.matching.continuity import fill_input, restore_pending

            enrolled = {p["email"] for p in c.known.people}
            pending = {
                (r["mentor"], r["mentee"]): bool(r["locked"])
                for r in c.known.proposed
                if r["mentor"] in enrolled and r["mentee"] in enrolled
            }
            proposal = restore_pending(_compute(fill_input(inp, list(pending))), pending)
        else:
            proposal = _compute(inp)
        _relaxations(inp, proposal)
        if not dry_run:
            from mentorctl.roster.matches import store_proposal
            from mentorctl.roster.participants import ensure_cycle, ensure_program

            with c.roster.session(write=True) as session:
                cycle = ensure_cycle(session, ensure_program(session, c.program), c.program)
                store_proposal(session, cycle.id or 0, proposal, c.known.ids)
    finally:
        c.close()
    render_proposal(proposal, c.known.people, as_json, dry_run)
    if not dry_run and not as_json:
        output.info("stored as a proposal; `mentorctl match review` or `match accept --all`")


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
    c = _open(ctx, None)
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

    c = _open(ctx, None)
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
    c = _open(ctx, set_)
    c.close()
    inp = _input(c, mode, lock, None, override)
    if capacity:
        from mentorctl.matching.relax import with_capacities

        inp = with_capacities(inp, capacity)
    proposal = _compute(inp, with_tradeoffs=False)  # diff shows changes, not the price
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

    explain_command(ctx, mentee, mentor, top, as_json)  # read-only: the plain read path


def scores(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")] = False,
) -> None:
    """Every eligible (mentor, mentee) pair with its score and per-criterion values."""
    import numpy as np

    from mentorctl.matching.engine import mentors_and_mentees, score_candidates

    c = _open(ctx, None)
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
