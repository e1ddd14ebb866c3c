"""``mentorctl explain``: why a pair scores as it does, or a mentee's best candidates.

A read-only command on the plain read path: :mod:`mentorctl.roster.explaining` reads the
pair (or every mentor and the mentee) with SQL text, with no ORM and, on SQLite, no
SQLAlchemy; the scoring and the rules are the matching engine's own, so the figures are
those ``match`` computes. (:mod:`mentorctl.cli.match` declares the command's options.)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.cli import output
from mentorctl.cli.output import Column

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.matching.types import MatchInput
    from mentorctl.program import Program
    from mentorctl.roster.explaining import Explained

__all__ = ["explain_command"]


def _input(program: Program, directory: Path, known: Explained) -> MatchInput:
    """The engine's input for an explanation: the people read, and every forbidden pair
    and lock override (program.yaml, its pairs file, this cycle's refusals), as
    :func:`mentorctl.cli.match_input.match_input` gathers them for ``match``."""
    from mentorctl.cli.match_input import pairs_file
    from mentorctl.matching.types import MatchInput

    cons = program.matching.constraints
    from_file = pairs_file(directory, cons.pairs_file)
    reasons = dict(known.overrides)  # accepted earlier, with a reason
    reasons.update({(p.mentor, p.mentee): p.override for p in cons.lock if p.override})
    reasons.update(from_file.overrides)
    refused = {(p.mentor, p.mentee) for p in cons.forbid} | from_file.forbid | known.rejected
    return MatchInput(
        program=program,
        people=known.people,
        cycle=program.cycle.name,
        previous_pairs=known.previous_pairs,
        forbid=frozenset(refused),
        overrides=reasons,
    )


def explain_command(state: State, mentee: str, mentor: str | None, top: int, as_json: bool) -> None:
    """``explain MENTEE [MENTOR]``: see :func:`mentorctl.cli.match.explain`."""
    from mentorctl.roster import explaining

    directory, program = state.load()
    with state.reading() as reader:
        if mentor is None:
            known = explaining.read_for_mentee(reader, program, mentee)
        else:
            known = explaining.read_for_pair(reader, program, mentee, mentor)
    inp = _input(program, directory, known)
    if mentor is None:
        _candidates(inp, known, mentee, top, as_json)
    else:
        _pair(inp, mentee, mentor, as_json)


def pair_data(inp: MatchInput, mentee: str, mentor: str) -> dict[str, Any]:
    """``explain MENTEE MENTOR --json``: the pair's score, criteria and exclusions."""
    from mentorctl.matching.continuity import previous_reason
    from mentorctl.matching.engine import pair_exclusions, taking_part
    from mentorctl.matching.scoring import explain_pair

    by_email = {p["email"]: p for p in inp.people}
    who = taking_part(by_email, mentee, "mentee")
    m = taking_part(by_email, mentor, "mentor")
    pair = explain_pair(inp.program, m, who)
    return {
        "mentor": m["email"],
        "mentee": who["email"],
        "score": round(pair.score, 6),
        "excluded_by": pair_exclusions(inp, m, who, by_email),
        # A lock the coordinator kept despite the exclusions, and why.
        "override": inp.overrides.get((m["email"], who["email"])),
        # prefer_previous: the objective's bonus for an earlier cycle's pair (or None).
        "continuity": previous_reason(inp, m["email"], who["email"]),
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


def _pair(inp: MatchInput, mentee: str, mentor: str, as_json: bool) -> None:
    data = pair_data(inp, mentee, mentor)
    names = {p["email"]: p["name"] for p in inp.people}
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
        title=f"{names[data['mentor']]} -> {names[data['mentee']]}: score {data['score']:.3f}",
    )
    for r in data["excluded_by"]:
        output.out().print(f"excluded: {r}", markup=False)
    if data["continuity"] is not None:
        output.out().print(f"continuity: {data['continuity']}", markup=False)
    if data["override"] is not None:
        output.out().print(
            f"override: locked by the coordinator anyway: {data['override']}", markup=False
        )


def _candidates(inp: MatchInput, known: Explained, mentee: str, top: int, as_json: bool) -> None:
    from mentorctl.matching.engine import candidates

    good, excluded = candidates(inp, mentee)
    who = next(p for p in inp.people if p["email"] == mentee.strip().lower())
    for e in excluded:
        reason = inp.overrides.get((e["mentor"], who["email"]))
        if reason is not None:
            e["override"] = reason
    data: dict[str, Any] = {
        "mentee": who["email"],
        "candidates": good[:top],
        "eligible": len(good),
        "excluded": excluded,
    }
    if not known.mentee_placed:  # unmatched: what would place them
        from mentorctl.matching.relax import suggest

        # Only this mentee's column is asked about: every mentor is read, and another
        # mentee's suggestions never change theirs (relax.py: one column each).
        found = suggest(inp, known.placed).get(who["email"], [])
        data["relaxations"] = [r.as_json() for r in found if r.as_mentee]
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
            [
                {
                    "mentor": e["mentor"],
                    "reasons": "; ".join(e["reasons"])
                    + (f" (override: {e['override']})" if "override" in e else ""),
                }
                for e in excluded
            ],
        )
    for r in data.get("relaxations", []):
        output.out().print(
            f"would be matched with {r['partner']} {r['change']} (try: mentorctl match diff "
            f"{r['apply']})",
            markup=False,
            soft_wrap=True,
        )
