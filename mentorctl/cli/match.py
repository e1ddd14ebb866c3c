"""``mentorctl match ...``, ``explain`` and ``scores``: propose, review and accept matches."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.options import JsonOpt
from mentorctl.cli.output import Column, Fmt
from mentorctl.enums import Mode

if TYPE_CHECKING:
    from mentorctl.matching.engine import MatchInput, Proposal
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster
    from mentorctl.roster.matches import RosterMatches

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


@dataclass
class Context:
    program: Program
    directory: Path
    roster: Roster
    cycle_id: int
    cycle_name: str
    known: RosterMatches
    program_id: int
    priority: frozenset[str] = frozenset()


def _parse_pairs(values: list[str] | None, flag: str) -> list[tuple[str, str]]:
    from mentorctl.errors import UsageError

    out = []
    for v in values or []:
        mentor, sep, mentee = v.partition(":")
        if not sep or not mentor.strip() or not mentee.strip():
            raise UsageError(f"{flag} {v!r}: expected MENTOR:MENTEE")
        out.append((mentor.strip().lower(), mentee.strip().lower()))
    return out


def _pairs_file(directory: Path, name: str | None) -> tuple[list[tuple[str, str]], set]:
    """Locks and forbidden pairs from the CSV named in matching.constraints.pairs_file."""
    from mentorctl.errors import ImportProblemError, Problem

    if name is None:
        return [], set()
    path = directory / name
    locks: list[tuple[str, str]] = []
    forbid: set[tuple[str, str]] = set()
    problems = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                line = reader.line_num
                mentor = (row.get("mentor") or "").strip().lower()
                mentee = (row.get("mentee") or "").strip().lower()
                action = (row.get("action") or "").strip().lower()
                if not mentor or not mentee:
                    problems.append(Problem("needs mentor and mentee", file=str(path), line=line))
                elif action not in ("lock", "forbid"):
                    problems.append(
                        Problem(
                            f"{action!r} must be lock or forbid",
                            file=str(path),
                            line=line,
                            path="action",
                        )
                    )
                elif action == "lock":
                    locks.append((mentor, mentee))
                else:
                    forbid.add((mentor, mentee))
    except FileNotFoundError:
        raise ImportProblemError(
            f"{path}: no such file (matching.constraints.pairs_file)"
        ) from None
    if problems:
        raise ImportProblemError(f"{path}: {len(problems)} bad row(s)", problems)
    return locks, forbid


def _open(ctx: typer.Context, overrides: list[str] | None) -> Context:
    from mentorctl.roster import matches
    from mentorctl.roster.participants import ensure_cycle, ensure_program
    from mentorctl.tracking.cycles import priority_mentees

    state = ctx.obj
    directory, program = state.load(tuple(overrides or ()))
    roster = state.open_roster()
    # Reading needs the program's and cycle's rows; on a new roster they are made in a
    # transaction that is rolled back: commands that write make them again in their own.
    with roster.session(dry_run=True) as session:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        assert row.id is not None and cycle.id is not None
        program_id, cycle_id, cycle_name = row.id, cycle.id, cycle.name
        known = matches.load(session, program_id, cycle_id)
        priority = priority_mentees(session, program_id, cycle)
    return Context(program, directory, roster, cycle_id, cycle_name, known, program_id, priority)


def _input(
    c: Context, mode: Mode | None, lock: list[str] | None, forbid: list[str] | None
) -> MatchInput:
    from mentorctl.errors import NotFoundError
    from mentorctl.matching.engine import MatchInput

    cons = c.program.matching.constraints
    file_locks, file_forbid = _pairs_file(c.directory, cons.pairs_file)
    flag_locks, flag_forbid = _parse_pairs(lock, "--lock"), _parse_pairs(forbid, "--forbid")
    enrolled = {p["email"] for p in c.known.people}
    for flag, pairs in (("--lock", flag_locks), ("--forbid", flag_forbid)):
        for pair in pairs:
            for email in pair:
                if email not in enrolled:  # a typo must not silently lock or forbid nothing
                    raise NotFoundError(f"{flag} {':'.join(pair)}: {email} is not enrolled")
    locks = [(p.mentor, p.mentee) for p in cons.lock] + file_locks + flag_locks
    refused = (
        {(p.mentor, p.mentee) for p in cons.forbid}
        | file_forbid
        | set(flag_forbid)
        | set(c.known.rejected)
    )
    active_mentees = {e for _, e in c.known.active}
    return MatchInput(
        program=c.program,
        people=c.known.people,
        cycle=c.cycle_name,
        mode=mode,
        previous_pairs=c.known.previous_pairs,
        kept=c.known.active,
        locks=[p for p in locks if p[1] not in active_mentees],
        forbid=frozenset(refused),
        priority=c.priority,
    )


def _compute(inp: MatchInput) -> Proposal:
    from mentorctl.matching.engine import propose

    console = output.err()
    if output.is_quiet() or not console.is_terminal or len(inp.people) < 500:
        return propose(inp)
    with console.status("matching ...") as status:
        return propose(inp, progress=lambda msg: status.update(msg))


MATCH_COLUMNS = [
    Column("mentor_name", "Mentor"),
    Column("mentee_name", "Mentee"),
    Column("score", "Score", justify="right"),
    Column("why", "Why"),
]


def _names(people: list[dict[str, Any]]) -> dict[str, str]:
    return {p["email"]: p["name"] for p in people}


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
        rows.append(
            {
                "mentor_name": f"{names.get(m.mentor, m.mentor)}",
                "mentee_name": f"{names.get(m.mentee, m.mentee)}{tag}",
                "score": m.score,
                "why": "; ".join(m.reasons),
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
        output.print_table(
            [Column("email", "Unmatched"), Column("role", "Role"), Column("reason", "Reason")],
            [vars(u) for u in proposal.unmatched],
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
    for gap in proposal.supply_gaps[:5]:
        out.print(f"supply gap ({gap.criterion}): {gap}", markup=False, soft_wrap=True)


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
) -> None:
    """Compute a proposal for the current cycle and store it (replacing an earlier one)."""
    if ctx.invoked_subcommand is not None:
        return
    from mentorctl.roster.matches import store_proposal
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    c = _open(ctx, set_)
    try:
        proposal = _compute(_input(c, mode, lock, forbid))
        if not dry_run:
            with c.roster.session(write=True) as session:
                cycle = ensure_cycle(session, ensure_program(session, c.program), c.program)
                store_proposal(session, cycle.id or 0, proposal, c.known.ids)
    finally:
        c.roster.dispose()
    render_proposal(proposal, c.known.people, as_json, dry_run)
    if not dry_run and not as_json:
        output.info("stored as a proposal; `mentorctl match review` or `match accept --all`")


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
            accepted = matches.accept(session, c.cycle_id, c.known.ids, pairs)
    finally:
        c.roster.dispose()
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
        c.roster.dispose()
    output.info(f"{'would reject' if dry_run else 'rejected'} {mentor.lower()} -> {mentee.lower()}")


@app.command("diff")
def diff(
    ctx: typer.Context,
    mode: ModeOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare the stored proposal with a new run (with --set what-ifs); stores nothing."""
    c = _open(ctx, set_)
    c.roster.dispose()
    proposal = _compute(_input(c, mode, None, None))
    old = {r["mentee"]: r for r in c.known.proposed}
    old.update({e: {"mentor": m, "score": None} for m, e in c.known.active if e not in old})
    new = {m.mentee: m for m in proposal.matches}
    rows = []
    for mentee in sorted(set(old) | set(new)):
        before, after = old.get(mentee), new.get(mentee)
        if before and after and before["mentor"] == after.mentor:
            continue
        rows.append(
            {
                "mentee": mentee,
                "old_mentor": before["mentor"] if before else None,
                "new_mentor": after.mentor if after else None,
                "old_score": before["score"] if before else None,
                "new_score": after.score if after else None,
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


@app.command("review")
def review(ctx: typer.Context) -> None:
    """Step through the proposal on a terminal: accept, reject, swap mentor or skip.

    Every choice is also a command: `match accept`, `match reject`.
    """
    from rich.markup import escape

    from mentorctl.cli import prompts
    from mentorctl.errors import UsageError
    from mentorctl.matching.engine import candidates
    from mentorctl.matching.scoring import explain_pair
    from mentorctl.roster import matches

    if not prompts.interactive():
        raise UsageError("review needs a terminal; use `mentorctl match accept|reject` instead")
    c = _open(ctx, None)
    names = _names(c.known.people)
    by_email = {p["email"]: p for p in c.known.people}
    try:
        for row in c.known.proposed:
            mentor, mentee = row["mentor"], row["mentee"]
            output.out().print(
                f"\n[bold]{escape(names[mentee])}[/bold] <{escape(mentee)}> with "
                f"[bold]{escape(names[mentor])}[/bold] <{escape(mentor)}>: score {row['score']:.3f}"
            )
            for reason in row["explanation"].get("reasons", []):
                output.out().print(f"  - {reason}", markup=False)
            choice = prompts.select(
                "Decision", ["accept", "reject", "swap mentor", "skip", "quit"], "accept"
            )
            if choice == "quit":
                break
            with c.roster.session(write=True) as session:
                if choice == "accept":
                    matches.accept(session, c.cycle_id, c.known.ids, [(mentor, mentee)])
                elif choice == "reject":
                    matches.reject(session, c.cycle_id, c.known.ids, mentor, mentee)
                elif choice == "swap mentor":
                    inp = _input(c, None, None, None)
                    best, _ = candidates(inp, mentee)
                    options = [r["mentor"] for r in best if r["mentor"] != mentor][:10]
                    if not options:
                        output.warn(f"no other eligible mentor for {mentee}")
                        continue
                    pick = prompts.select("New mentor", options)
                    pair = explain_pair(c.program, by_email[pick], by_email[mentee])
                    matches.swap(
                        session,
                        c.cycle_id,
                        c.known.ids,
                        mentor,
                        pick,
                        mentee,
                        score=round(pair.score, 6),
                        explanation={"criteria": pair.values, "reasons": pair.top_reasons(2)},
                    )
    finally:
        c.roster.dispose()


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
    from mentorctl.errors import MatchingError, NotFoundError
    from mentorctl.matching.engine import candidates, is_mentor, pair_exclusions
    from mentorctl.matching.scoring import explain_pair

    c = _open(ctx, None)
    c.roster.dispose()
    inp = _input(c, None, None, None)
    by_email = {p["email"]: p for p in inp.people}
    good, excluded = candidates(inp, mentee)
    who = by_email[mentee.strip().lower()]

    if mentor is not None:
        m = by_email.get(mentor.strip().lower())
        if m is None:
            raise NotFoundError(f"{mentor}: no such participant in this program")
        if not is_mentor(m):
            raise MatchingError(f"{m['email']}: is a {m['role']}, not a mentor")
        pair = explain_pair(c.program, m, who)
        data = {
            "mentor": m["email"],
            "mentee": who["email"],
            "score": round(pair.score, 6),
            "excluded_by": pair_exclusions(inp, m, who, by_email),
            "criteria": [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "weight": r.weight,
                    "value": None if r.value is None else round(r.value, 6),
                    "contribution": round(r.contribution, 6),
                    "reason": r.reason,
                }
                for r in pair.criteria
            ],
        }
        if as_json:
            output.print_json(data)
            return
        output.print_table(
            [
                Column("name", "Criterion"),
                Column("value", "Value", justify="right"),
                Column("weight", "Weight", justify="right"),
                Column("contribution", "Contribution", justify="right"),
                Column("reason", "Reason"),
            ],
            data["criteria"],
            title=f"{m['name']} -> {who['name']}: score {data['score']:.3f}",
        )
        for r in data["excluded_by"]:
            output.out().print(f"excluded: {r}", markup=False)
        return

    data = {
        "mentee": who["email"],
        "candidates": good[:top],
        "eligible": len(good),
        "excluded": excluded,
    }
    if as_json:
        output.print_json(data)
        return
    output.print_table(
        [
            Column("name", "Mentor"),
            Column("mentor", "Email"),
            Column("score", "Score", justify="right"),
            Column("why", "Why"),
        ],
        good[:top],
        title=f"Best mentors for {who['name']} ({len(good)} eligible)",
    )
    if excluded:
        output.print_table(
            [Column("mentor", "Excluded mentor"), Column("reasons", "Because")],
            [{"mentor": e["mentor"], "reasons": "; ".join(e["reasons"])} for e in excluded],
        )


def scores(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")] = False,
) -> None:
    """Every eligible (mentor, mentee) pair with its score and per-criterion values."""
    import numpy as np

    from mentorctl.matching.engine import mentors_and_mentees, score_candidates

    c = _open(ctx, None)
    c.roster.dispose()
    inp = _input(c, None, None, None)
    mentors, mentees = mentors_and_mentees(inp)
    rows: list[dict[str, Any]] = []
    if mentors and mentees:
        from mentorctl.matching.scoring import score_matrix

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
