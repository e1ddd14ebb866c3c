"""From a roster to a proposal: who mentors whom, why, and why not.

:func:`propose` takes plain data (:class:`MatchInput`: the program, the people as dicts,
earlier pairs, kept and locked pairs) and returns a :class:`Proposal`: the matches with
their scores and per-criterion explanations, every unmatched person with a reason, a
summary that compares the chosen solver with the greedy baseline, and the supply gaps.
It never touches the roster or the terminal; :mod:`mentorctl.matching.store` does the
former and :mod:`mentorctl.cli.match` the latter.

Guarantees: the result depends only on the input's content (people are sorted by email
first, never by row order or hash order), no hard constraint or capacity is broken, and
kept and locked pairs are always in the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from mentorctl.enums import Format, Mode, Objective
from mentorctl.errors import MatchingError
from mentorctl.matching.scored import (
    Scored,
    _people,
    check_fixed,
    mentors_and_mentees,
    reason_kind,
    score_candidates,
    solve,
    supply_gaps,
)
from mentorctl.matching.types import (
    DECIMALS,
    Circle,
    MatchInput,
    Pair,
    Person,
    Proposal,
    ProposedMatch,
    ScoreColumns,
    SupplyGap,
    Unmatched,
    is_mentee,
    is_mentor,
    rounded,
)
from mentorctl.program import Program

__all__ = [
    "DECIMALS",
    "Circle",
    "MatchInput",
    "Pair",
    "Person",
    "Proposal",
    "ProposedMatch",
    "Scored",
    "SupplyGap",
    "Unmatched",
    "candidates",
    "is_mentee",
    "is_mentor",
    "mentors_and_mentees",
    "pair_exclusions",
    "propose",
    "score_candidates",
    "supply_gaps",
]


def propose(
    inp: MatchInput,
    progress: Callable[[str], None] | None = None,
    *,
    with_tradeoffs: bool = True,
) -> Proposal:
    """Match the program's mentees to mentors under every hard constraint.

    Kept (already accepted) and locked pairs are taken as they are and use up capacity;
    the rest is solved by the program's mode (or ``inp.mode``). The greedy baseline is
    solved too, on the same candidates, for the summary's comparison. In optimal mode,
    ``with_tradeoffs`` adds :attr:`Proposal.tradeoffs` (:func:`mentorctl.matching.fair.
    tradeoffs`: what fairness and the priority rule cost, at most two more solves).
    """
    from mentorctl.matching import constraints

    program = inp.program
    mode = inp.mode or program.matching.mode
    if program.format is Format.CIRCLES:
        from mentorctl.matching.circles import propose_circles

        return propose_circles(inp, mode)
    if program.format is Format.PEER:
        from mentorctl.matching.peer import propose_peers

        return propose_peers(inp, mode)
    mentors, mentees = _people(inp)
    by_email = {p["email"]: p for p in inp.people}
    capacity = np.array([constraints.capacity_of(program, m) for m in mentors], dtype=np.int64)
    index_m = {m["email"]: i for i, m in enumerate(mentors)}

    fixed: list[tuple[Pair, bool, bool]] = []  # (pair, kept, locked)
    broken: dict[Pair, tuple[str, ...]] = {}  # locks kept despite a constraint, by override
    # Dicts and sets, not scans of `fixed`: thousands of kept pairs made this quadratic.
    from mentorctl.matching.tracks import fixed_problem, mentee_places, rule_out_fixed

    places = {e["email"]: mentee_places(program, e) for e in mentees}  # mentors each takes
    held: dict[str, list[Person]] = {}  # mentee -> their kept and locked mentors
    kept_pairs: set[Pair] = set()
    for pairs, kept in ((inp.kept, True), (inp.locks, False)):
        for mentor, mentee in sorted(set(pairs)):
            check_fixed(mentor, mentee, by_email, kept)
            if (mentor, mentee) in kept_pairs:
                continue  # a lock on an accepted pair
            why = fixed_problem(program, by_email[mentor], held.get(mentee, []), places[mentee])
            if why is not None:
                if kept:  # accepted earlier, beyond what program.yaml now allows
                    raise MatchingError(
                        f"accepted match {mentor} -> {mentee}: {why}; `mentorctl validate` "
                        "lists such matches"
                    )
                raise MatchingError(f"lock {mentor} -> {mentee}: {why}")
            if not kept:
                broken[(mentor, mentee)] = constraints.check_lock(
                    program,
                    by_email[mentor],
                    by_email[mentee],
                    people_by_email=by_email,
                    previous_pairs=inp.avoided_pairs,
                    forbid=inp.forbid,
                    override=inp.overrides.get((mentor, mentee)),
                )
            elif (mentor, mentee) in inp.overrides:  # accepted with a reason: still shown
                broken[(mentor, mentee)] = tuple(
                    constraints.hard_reasons(
                        program,
                        by_email[mentor],
                        by_email[mentee],
                        people_by_email=by_email,
                        previous_pairs=inp.avoided_pairs,
                        forbid=inp.forbid,
                    )
                )
            i = index_m[mentor]
            if capacity[i] <= 0:
                if kept:  # accepted earlier, beyond what program.yaml now allows
                    raise MatchingError(
                        f"{mentor} has more accepted matches this cycle than their capacity "
                        f"({constraints.capacity_of(program, by_email[mentor])}); `mentorctl "
                        "validate` lists them"
                    )
                raise MatchingError(f"lock {mentor} -> {mentee}: {mentor} has no capacity left")
            capacity[i] -= 1
            fixed.append(((mentor, mentee), kept, not kept))
            held.setdefault(mentee, []).append(by_email[mentor])
            if kept:
                kept_pairs.add((mentor, mentee))
    # Kept and locked pairs use up their mentee's places (a mentee of one place is done).
    left = {e: n - len(held.get(e, ())) for e, n in places.items()}
    free_mentees = [e for e in mentees if e["email"] not in held or left[e["email"]] > 0]

    if progress:
        progress("scoring pairs")
    scored = score_candidates(
        inp,
        mentors,
        free_mentees,
        capacity,
        np.array([left[e["email"]] for e in free_mentees], dtype=np.int64),
    )
    rule_out_fixed(program, mentors, free_mentees, [scored.allowed, scored.before_min_score], held)
    scored.mentee_held = np.array([e["email"] in held for e in free_mentees], dtype=bool)
    if progress:
        progress(f"solving ({mode.value})")
    from mentorctl.matching.continuity import previous_reason, with_previous_bonus

    objective = with_previous_bonus(inp, scored)  # prefer_previous: objective only
    optimal = mode is Mode.OPTIMAL
    baseline = None  # fair: the max-matches solution it started from, for the tradeoffs
    if optimal and program.matching.objective is Objective.FAIR and free_mentees:
        from mentorctl.matching.fair import solve_fair

        fair = solve_fair(objective, inp, own=scored.raw)
        chosen, baseline = fair.pairs, fair.baseline
    else:
        chosen = solve(mode, objective, inp) if free_mentees else []
    greedy = (
        chosen
        if mode is Mode.GREEDY
        else (solve(Mode.GREEDY, objective, inp) if free_mentees else [])
    )

    from mentorctl.matching.scoring import shared_values

    matches: list[ProposedMatch] = []
    with shared_values():  # each person's answers are read once, not once per pair
        for (mentor, mentee), kept, locked in fixed:
            match = _match(program, by_email[mentor], by_email[mentee], kept, locked)
            if broken.get((mentor, mentee)):
                match = replace(
                    match,
                    override=inp.overrides[(mentor, mentee)],
                    overridden=broken[(mentor, mentee)],
                )
            matches.append(match)
    matches += _explained(program, scored, chosen)
    matches.sort(key=lambda m: (m.mentor, m.mentee))
    for k, m in enumerate(matches):
        line = previous_reason(inp, m.mentor, m.mentee)
        if line is not None:
            matches[k] = replace(m, reasons=[*m.reasons, line])

    def total(pairs: Sequence[tuple[int, int]]) -> float:
        return sum(rounded(scored.raw[i, j]) for i, j in pairs)

    fixed_total = sum(m.score for m in matches if m.kept or m.locked)
    matched_mentees = {m.mentee for m in matches}
    scores = [m.score for m in matches]
    summary = {
        "matched": len(matches),
        "mentees": len(mentees),
        "mentors": len(mentors),
        "total_score": rounded(sum(scores)),
        "mean_score": rounded(float(np.mean(scores))) if scores else 0.0,
        "lowest_score": rounded(min(scores)) if scores else 0.0,
        "greedy_matched": len(greedy) + len(fixed),
        "greedy_total_score": rounded(total(greedy) + fixed_total),
        "unmatched": 0,
    }
    if program.mentee_capacity.top > 1:  # "matched" counts pairs; this counts mentees
        summary["mentees_matched"] = len(matched_mentees)
    unmatched = _unmatched(inp, scored, chosen, matched_mentees, matches)
    summary["unmatched"] = len(unmatched)
    unplaced = {u.email for u in unmatched if u.role == "mentee"}
    columns = [j for j, e in enumerate(scored.mentees) if e["email"] in unplaced]
    kept_scores = ScoreColumns(
        tuple(m["email"] for m in scored.mentors),
        {scored.mentees[j]["email"]: k for k, j in enumerate(columns)},
        scored.raw[:, columns],
    )
    price = None
    # What fairness and the priority rule cost; fair is defined for one mentor per mentee
    # (program.yaml refuses objective: fair with mentee_capacity above 1).
    if optimal and with_tradeoffs and program.mentee_capacity.top <= 1:
        from mentorctl.matching.fair import tradeoffs

        if progress:
            progress("weighing fairness")
        price = tradeoffs(objective, inp, chosen, own=scored.raw, baseline=baseline)
    return Proposal(
        mode=mode,
        cycle=inp.cycle,
        matches=matches,
        unmatched=unmatched,
        summary=summary,
        supply_gaps=supply_gaps(program, scored),
        tradeoffs=price,
        scores=kept_scores,
    )


def _explained(
    program: Program, scored: Scored, chosen: Sequence[tuple[int, int]]
) -> list[ProposedMatch]:
    """The solver's pairs with their scores and reasons, from the criteria prepared for
    the score matrix (what :func:`_match` gives each, number for number, word for word)."""
    if scored.scorer is None:  # pragma: no cover - score_candidates always sets it
        return [
            _match(program, scored.mentors[i], scored.mentees[j], False, False) for i, j in chosen
        ]
    names = [c.name for c in program.matching.criteria]
    explained = scored.scorer.explain([i for i, _ in chosen], [j for _, j in chosen])
    # e.values are Python floats already: round() is what rounded() does with them.
    return [
        ProposedMatch(
            mentor=scored.mentors[i]["email"],
            mentee=scored.mentees[j]["email"],
            score=rounded(e.score),
            criteria={
                n: None if v is None else round(v, DECIMALS)
                for n, v in zip(names, e.values, strict=True)
            },
            reasons=e.reasons,
            kept=False,
            locked=False,
        )
        for (i, j), e in zip(chosen, explained, strict=True)
    ]


def _match(
    program: Program, mentor: Person, mentee: Person, kept: bool, locked: bool
) -> ProposedMatch:
    from mentorctl.matching.scoring import explain_pair

    pair = explain_pair(program, mentor, mentee)
    return ProposedMatch(
        mentor=mentor["email"],
        mentee=mentee["email"],
        score=rounded(pair.score),
        criteria={c.name: None if c.value is None else rounded(c.value) for c in pair.criteria},
        reasons=pair.top_reasons(2),
        kept=kept,
        locked=locked,
    )


def _unmatched(
    inp: MatchInput,
    s: Scored,
    chosen: Sequence[tuple[int, int]],
    matched_mentees: set[str],
    matches: Sequence[ProposedMatch],
) -> list[Unmatched]:
    """A reason for every mentee left without a mentor and every mentor left idle."""
    program = inp.program
    out: list[Unmatched] = []
    min_score = program.matching.constraints.min_score
    by_email = {p["email"]: p for p in inp.people}
    hard = s.before_min_score
    for j, e in enumerate(s.mentees):
        if e["email"] in matched_mentees:
            continue
        column = s.allowed[:, j]
        if s.mentee_capacity is not None and s.mentee_capacity[j] <= 0:
            reason = "takes no mentor (their capacity is 0)"
        elif column.any():
            n = int(column.sum())
            reason = f"all {n} eligible mentor(s) are full"
        elif hard[:, j].any():
            reason = f"every eligible mentor scores below min_score {min_score or 0:g}"
        else:
            reason = "no eligible mentor: " + _why_none(inp, s, j, by_email)
        out.append(Unmatched(e["email"], "mentee", reason))
    busy = {m.mentor for m in matches}
    for m in s.mentors:
        email = m["email"]
        if email in busy or (m["role"] == "both" and email in matched_mentees):
            continue
        if email in s.ineligible:
            reason = f"not eligible to mentor: {s.ineligible[email]}"
        else:
            reason = "no mentee left who fits"
        out.append(Unmatched(email, "mentor", reason))
    out.sort(key=lambda u: (u.role != "mentee", u.email))
    return out


def _why_none(inp: MatchInput, s: Scored, j: int, by_email: Mapping[str, Person]) -> str:
    """The most common reasons mentors are excluded for mentee ``j``, counted."""
    counts: Counter[str] = Counter()
    for m in s.mentors:
        reasons = pair_exclusions(inp, m, s.mentees[j], by_email, with_min_score=False)
        for r in reasons[:1]:
            counts[reason_kind(r)] += 1
    parts = [f"{kind} ({n})" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "; ".join(parts[:3]) or "no mentor can be paired"


def pair_exclusions(
    inp: MatchInput,
    mentor: Person,
    mentee: Person,
    by_email: Mapping[str, Person] | None = None,
    *,
    with_min_score: bool = True,
) -> list[str]:
    """Every hard constraint that keeps ``mentor`` from ``mentee`` (empty: they may pair)."""
    from mentorctl.matching import constraints

    by_email = by_email if by_email is not None else {p["email"]: p for p in inp.people}
    # exclusion_reasons already names an ineligible mentor: said once, not twice.
    return constraints.hard_reasons(
        inp.program,
        mentor,
        mentee,
        people_by_email=by_email,
        previous_pairs=inp.avoided_pairs,
        forbid=inp.forbid,
        with_min_score=with_min_score,
    )


def taking_part(by_email: dict[str, Person], email: str, role: str) -> Person:
    """The enrolled person ``email`` (any case) taking part as ``role`` (``mentor`` or
    ``mentee``); NotFoundError or MatchingError in the coordinator's words otherwise."""
    from mentorctl.errors import NotFoundError

    person = by_email.get(email.strip().lower())
    if person is None:
        raise NotFoundError(f"{email}: no such participant in this program")
    if not (is_mentee if role == "mentee" else is_mentor)(person):
        raise MatchingError(f"{person['email']}: is a {person['role']}, not a {role}")
    return person


def candidates(
    inp: MatchInput, mentee_email: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A mentee's eligible mentors, best first, and everyone else with their exclusions."""
    from mentorctl.matching.scoring import explain_pair

    by_email = {p["email"]: p for p in inp.people}
    mentee = taking_part(by_email, mentee_email, "mentee")
    good, excluded = [], []
    for m in sorted(inp.people, key=lambda p: p["email"]):
        if not is_mentor(m) or m["email"] == mentee["email"]:
            continue
        reasons = pair_exclusions(inp, m, mentee, by_email)
        if reasons:
            excluded.append({"mentor": m["email"], "reasons": reasons})
            continue
        pair = explain_pair(inp.program, m, mentee)
        good.append(
            {
                "mentor": m["email"],
                "name": m["name"],
                "score": rounded(pair.score),
                "why": pair.top_reasons(2),
            }
        )
    good.sort(key=lambda r: (-r["score"], r["mentor"]))
    return good, excluded
