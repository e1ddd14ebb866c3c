"""``match``'s work once its options are parsed: compute a proposal, add what would
place the unmatched, store it (unless a dry run) and print it.

Kept apart from the Typer command (:mod:`mentorctl.cli.match`) so that
:mod:`mentorctl.cli.fast` can answer ``match`` in its plain forms without importing
Typer: both parsers call :func:`run_match`, so they cannot answer differently.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from mentorctl.cli import output
from mentorctl.cli.match_input import match_input, open_context
from mentorctl.cli.match_input import names as names_of
from mentorctl.cli.output import Column

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.enums import Mode
    from mentorctl.matching.engine import MatchInput, Proposal


def run_match(
    state: State,
    *,
    mode: Mode | None,
    dry_run: bool,
    as_json: bool,
    set_: list[str] | None,
    lock: list[str] | None,
    forbid: list[str] | None,
    override: str | None,
    fill: bool,
) -> int:
    """What ``match`` does once its options are parsed (by Typer, or by
    :mod:`mentorctl.cli.fast` for its plain forms); returns the exit code."""
    # A dry run (a what-if) reads a snapshot on the plain read path and writes nothing.
    c = open_context(state, set_, read_only=dry_run)
    try:
        inp = match_input(c, mode, lock, forbid, override)
        if fill:
            from mentorctl.matching.continuity import fill_input, restore_pending

            enrolled = {p["email"] for p in c.known.people}
            pending = {
                (r["mentor"], r["mentee"]): bool(r["locked"])
                for r in c.known.proposed
                if r["mentor"] in enrolled and r["mentee"] in enrolled
            }
            proposal = restore_pending(compute(fill_input(inp, list(pending))), pending)
        else:
            proposal = compute(inp)
        add_relaxations(inp, proposal)
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
    return 0


def compute(inp: MatchInput, with_tradeoffs: bool = True) -> Proposal:
    from mentorctl.matching.engine import propose

    # The cheap tests first: a small or quiet run, or one whose stderr is not a real
    # terminal (a pipe, a log, even with FORCE_COLOR), shows no spinner and needs no Rich.
    quiet = output.is_quiet() or len(inp.people) < 500 or not sys.stderr.isatty()
    if quiet or not output.err().is_terminal:
        return propose(inp, with_tradeoffs=with_tradeoffs)
    with output.err().status("matching ...") as status:
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
    names = names_of(people)
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


def add_relaxations(inp: MatchInput, proposal: Proposal) -> None:
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
