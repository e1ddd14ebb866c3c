"""Circles: members gathered around a topic, each circle run by one facilitator.

Every eligible facilitator (a mentor) runs one circle on their first-choice topic from
``matching.circles.topic_question``. A member fits a circle by how high they ranked its
topic (1, 1/2, 1/3 ...; a single choice counts as first) and, secondarily, by the
program's pair criteria with the facilitator:

    fit = 0.8 x topic preference + 0.2 x pair score

A member is only placed in a circle whose topic they chose, and every hard constraint
holds between a member and their facilitator. A circle holds at most ``max_size``
members (and the facilitator's capacity), and a circle that cannot reach ``min_size`` is
not formed: it is reported among the small circles, never silently formed.

Guarantee (``mode: optimal``): among all placements in which every circle formed has at
least ``min_size`` members, the result seats the most members, then has the best total
fit (``objective: max-score``: the best total fit, then the most members). Members left
unmatched last cycle (priority) come first: the most of them are seated before anything
else counts. :func:`seat_members` computes it: an exact flow when the best placement
without ``min_size`` already respects it, else a CP-SAT model (which circles to open is
a choice a flow cannot make; a greedy "drop the smallest circle and solve again" can
leave a member out while a 4/2 split seats everyone). CP-SAT has a work budget per
objective (:data:`CP_SAT_BUDGET`): small programs (tens of members, as the tests check
against brute force) are proven optimal; a large one that runs out of budget gets the
best placement found, never worse than the drop-the-smallest heuristic it starts from.

``stable`` and ``greedy`` (and the summary's greedy baseline) solve as their one-to-one
counterparts, then drop the smallest circle below ``min_size`` and solve again until every
circle formed is large enough. Accepted and locked memberships are kept as they are (a
circle that has any is running, so it is never dropped), and a lock is held to the hard
constraints unless the coordinator recorded an override.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from mentorctl.enums import Mode, Objective
from mentorctl.errors import MatchingError
from mentorctl.matching.scored import (
    Scored,
    _people,
    check_fixed,
    score_candidates,
    solve,
    supply_gaps,
)
from mentorctl.matching.types import Circle, MatchInput, Proposal, ProposedMatch, Unmatched, rounded

TOPIC_WEIGHT = 0.8


def _choices(person: Mapping[str, Any], qid: str) -> list[str]:
    value = person.get("answers", {}).get(qid)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def topic_fit(topic: str, choices: Sequence[str]) -> float:
    for rank, choice in enumerate(choices, start=1):
        if choice.lower() == topic.lower():
            return 1.0 / rank
    return 0.0


def propose_circles(inp: MatchInput, mode: Mode) -> Proposal:
    """Assign members to circles (see the module docstring for the rules)."""
    from mentorctl.matching import constraints
    from mentorctl.matching.scoring import explain_pair

    program = inp.program
    settings = program.matching.circles
    if settings is None:
        raise MatchingError("a circles program needs matching.circles in program.yaml")
    facilitators, members = _people(inp)
    qid = settings.topic_question
    topics: list[str | None] = [next(iter(_choices(f, qid)), None) for f in facilitators]
    capacity = np.array(
        [
            min(settings.max_size, constraints.capacity_of(program, f)) if t else 0
            for f, t in zip(facilitators, topics, strict=True)
        ],
        dtype=np.int64,
    )
    scored = score_candidates(inp, facilitators, members, capacity)
    fit = np.zeros_like(scored.raw)
    for j, m in enumerate(members):
        choices = _choices(m, qid)
        for i, topic in enumerate(topics):
            if topic:
                fit[i, j] = topic_fit(topic, choices)
    scored.allowed &= fit > 0
    scored.raw = TOPIC_WEIGHT * fit + (1 - TOPIC_WEIGHT) * scored.raw
    fixed, broken = _fix(inp, scored, facilitators, members)
    fixed_sizes = np.bincount([i for i, _, _ in fixed], minlength=len(facilitators))
    running = fixed_sizes > 0
    baseline = _copy(scored)  # the greedy baseline solves the same candidates, untouched
    if mode is Mode.OPTIMAL:
        chosen = seat_members(
            scored,
            settings.min_size,
            running=running,
            priority=np.array([m["email"] in inp.priority for m in members], dtype=bool),
            max_matches=program.matching.objective is Objective.MAX_MATCHES,
        )
    else:
        chosen = _solve_dropping(mode, scored, inp, settings.min_size, running)
    sizes = np.bincount([i for i, _ in chosen], minlength=len(facilitators)) + fixed_sizes
    dropped = _not_formed(scored, baseline, sizes, topics, facilitators, settings.min_size)

    by_circle: dict[int, list[str]] = {}
    matches = []
    flags = {(i, j): (kept, not kept) for i, j, kept in fixed}
    for i, j in [*chosen, *((i, j) for i, j, _ in fixed)]:
        kept, locked = flags.get((i, j), (False, False))
        by_circle.setdefault(i, []).append(members[j]["email"])
        pair = explain_pair(program, facilitators[i], members[j])
        topic = topics[i] or ""
        reason = (
            f"ranked {topic} {_ordinal(round(1 / fit[i, j]))}"
            if fit[i, j] > 0
            else f"placed in {topic} by the coordinator"
        )
        matches.append(
            ProposedMatch(
                mentor=facilitators[i]["email"],
                mentee=members[j]["email"],
                score=rounded(scored.raw[i, j]),
                criteria={
                    "topic": rounded(fit[i, j]),
                    **{
                        c.name: None if c.value is None else rounded(c.value) for c in pair.criteria
                    },
                },
                reasons=[reason, *pair.top_reasons(1)],
                kept=kept,
                locked=locked,
                circle=topic,
                override=inp.overrides.get((facilitators[i]["email"], members[j]["email"]))
                if broken.get((i, j))
                else None,
                overridden=broken.get((i, j), ()),
            )
        )
    matches.sort(key=lambda m: (m.mentor, m.mentee))
    circles = [
        Circle(topics[i] or "", facilitators[i]["email"], sorted(emails))
        for i, emails in sorted(by_circle.items(), key=lambda kv: facilitators[kv[0]]["email"])
    ]
    placed = {m.mentee for m in matches}
    formed = set(by_circle)
    # Once, not per member / facilitator: both loops were quadratic on large programs.
    in_formed = np.zeros(len(members), dtype=bool)
    if formed:
        in_formed = np.asarray(scored.allowed[sorted(formed)].any(axis=0), dtype=bool)
    dropped_facilitators = {d["facilitator"] for d in dropped}
    unmatched = []
    for j, m in enumerate(members):
        if m["email"] in placed:
            continue
        if not _choices(m, qid):
            reason = f"chose no topic ({qid})"
        elif not (fit[:, j] > 0).any():
            reason = "no facilitator leads a topic they chose"
        elif not in_formed[j]:
            reason = "every circle on their topics was not formed or is excluded by a constraint"
        else:
            reason = "every circle on their topics is full"
        unmatched.append(Unmatched(m["email"], "member", reason))
    for i, f in enumerate(facilitators):
        if i in formed:
            continue
        if f["email"] in scored.ineligible:
            reason = f"not eligible to facilitate: {scored.ineligible[f['email']]}"
        elif not topics[i]:
            reason = f"chose no topic ({qid})"
        elif f["email"] in dropped_facilitators:
            reason = f"circle on {topics[i]} not formed (too few members)"
        else:
            reason = f"nobody chose {topics[i]}"
        unmatched.append(Unmatched(f["email"], "facilitator", reason))
    unmatched.sort(key=lambda u: (u.role != "member", u.email))
    greedy = _solve_dropping(Mode.GREEDY, baseline, inp, settings.min_size, running)
    scores = [m.score for m in matches]
    summary = {
        "matched": len(matches),
        "mentees": len(members),
        "mentors": len(facilitators),
        "circles": len(circles),
        "total_score": rounded(sum(scores)),
        "mean_score": rounded(float(np.mean(scores))) if scores else 0.0,
        "lowest_score": rounded(min(scores)) if scores else 0.0,
        "greedy_matched": len(greedy) + len(fixed),
        "greedy_total_score": rounded(
            sum(rounded(baseline.raw[i, j]) for i, j in greedy)
            + sum(m.score for m in matches if m.kept or m.locked)
        ),
        "unmatched": len(unmatched),
    }
    return Proposal(
        mode=mode,
        cycle=inp.cycle,
        matches=matches,
        unmatched=unmatched,
        summary=summary,
        supply_gaps=supply_gaps(program, scored),
        circles=circles,
        small_circles=dropped,
    )


def _fix(
    inp: MatchInput, scored: Scored, facilitators: list[Any], members: list[Any]
) -> tuple[list[tuple[int, int, bool]], dict[tuple[int, int], tuple[str, ...]]]:
    """Accepted (kept) and locked memberships: taken as they are, using up capacity.

    Returns ``(facilitator index, member index, kept)`` (those members are not solved
    for) and, for locks kept by an override, the constraints they break.
    """
    from mentorctl.matching import constraints

    index_f = {f["email"]: i for i, f in enumerate(facilitators)}
    index_m = {m["email"]: j for j, m in enumerate(members)}
    by_email = {p["email"]: p for p in inp.people}
    fixed: list[tuple[int, int, bool]] = []
    broken: dict[tuple[int, int], tuple[str, ...]] = {}
    placed: set[str] = set()
    for pairs, kept in ((inp.kept, True), (inp.locks, False)):
        for facilitator, member in sorted(set(pairs)):
            check_fixed(facilitator, member, by_email, kept)
            if member in placed:
                if kept:
                    continue
                raise MatchingError(f"lock {facilitator} -> {member}: the member is already placed")
            i, j = index_f[facilitator], index_m[member]
            if not kept:
                broken[(i, j)] = constraints.check_lock(
                    inp.program,
                    by_email[facilitator],
                    by_email[member],
                    people_by_email=by_email,
                    previous_pairs=inp.avoided_pairs,
                    forbid=inp.forbid,
                    override=inp.overrides.get((facilitator, member)),
                )
            if scored.capacity[i] <= 0:
                raise MatchingError(
                    f"lock {facilitator} -> {member}: {facilitator}'s circle is full"
                )
            scored.capacity[i] -= 1
            scored.allowed[:, j] = False
            placed.add(member)
            fixed.append((i, j, kept))
    return fixed, broken


def _copy(s: Scored) -> Scored:
    return replace(s, capacity=s.capacity.copy(), allowed=s.allowed.copy())


def _solve_dropping(
    mode: Mode, scored: Scored, inp: MatchInput, min_size: int, running: np.ndarray
) -> list[tuple[int, int]]:
    """Solve, drop the smallest circle below ``min_size``, solve again, until none is.

    Used by ``stable`` and ``greedy`` (and the greedy baseline), whose one-to-one
    solvers know nothing of a minimum. Works on a copy of ``scored``.
    """
    s = _copy(scored)
    fixed_sizes = running.astype(np.int64)  # a running circle is never dropped
    while True:
        chosen = solve(mode, s, inp)
        sizes = np.bincount([i for i, _ in chosen], minlength=len(s.mentors))
        small = [
            i
            for i in range(len(s.mentors))
            if 0 < sizes[i] < min_size and s.capacity[i] > 0 and not fixed_sizes[i]
        ]
        if not small:
            return chosen
        worst = min(small, key=lambda i: (sizes[i], s.mentors[i]["email"]))
        s.capacity[worst] = 0
        s.allowed[worst, :] = False


def _not_formed(
    scored: Scored,
    candidates: Scored,
    sizes: np.ndarray,
    topics: Sequence[str | None],
    facilitators: Sequence[Any],
    min_size: int,
) -> list[dict[str, Any]]:
    """Circles some member could join that were not formed, with why (``small_circles``)."""
    out = []
    for i, f in enumerate(facilitators):
        could = int(candidates.allowed[i].sum())
        if sizes[i] > 0 or could == 0 or candidates.capacity[i] <= 0:
            continue
        if could < min_size:
            reason = f"only {could} member(s) could join; min_size is {min_size}"
        else:
            reason = (
                f"fewer than min_size ({min_size}) members left for it once the others were seated"
            )
        out.append(
            {"topic": topics[i], "facilitator": f["email"], "members": could, "reason": reason}
        )
    return out


#: CP-SAT's work budget per objective tier, in its deterministic time units. Small
#: programs (tens of members) are solved to proven optimality well within it; past it,
#: the best placement found is used, never worse than the drop-the-smallest heuristic.
CP_SAT_BUDGET = 0.5
#: Wall-clock cap per tier, in seconds (see :func:`_cp_sat`).
CP_SAT_WALL_SECONDS = 5.0

#: Fit is made an integer for CP-SAT as round(fit x FIT_SCALE): scores are rounded to
#: six decimals anyway (:data:`mentorctl.matching.types.DECIMALS`).
FIT_SCALE = 1_000_000


def seat_members(
    scored: Scored,
    min_size: int,
    *,
    running: np.ndarray,
    priority: np.ndarray,
    max_matches: bool = True,
) -> list[tuple[int, int]]:
    """The exact placement of the module docstring's guarantee, as ``(circle, member)``.

    ``scored.allowed`` says who may join which circle, ``scored.capacity`` how many more
    each takes, ``scored.raw`` the fit; ``running`` circles (with kept members) need no
    minimum. Objectives, in order: priority members seated; then members seated and
    total fit (fit first under ``max_matches=False``).
    """
    n_c = scored.allowed.shape[0]
    usable = scored.allowed & (scored.capacity[:, None] > 0)
    # Fast path: the best placement without a minimum is the best with it, if it fits.
    free = replace(scored, allowed=usable)
    chosen = _flow(free, priority, max_matches)
    sizes = np.bincount([i for i, _ in chosen], minlength=n_c)
    if all(running[i] or sizes[i] == 0 or sizes[i] >= min_size for i in range(n_c)):
        return chosen
    fallback = _drop_smallest(free, min_size, running, priority, max_matches)
    best = _cp_sat(scored, usable, min_size, running, priority, max_matches, fallback)
    key = _tiers_key(scored, priority, max_matches)
    return best if key(best) >= key(fallback) else fallback


def _tiers_key(
    s: Scored, priority: np.ndarray, max_matches: bool
) -> Callable[[list[tuple[int, int]]], tuple[float, ...]]:
    def key(pairs: list[tuple[int, int]]) -> tuple[float, ...]:
        seated = len(pairs)
        fit = sum(round(rounded(s.raw[i, j]) * FIT_SCALE) for i, j in pairs)
        first = sum(bool(priority[j]) for _, j in pairs)
        return (first, seated, fit) if max_matches else (first, fit, seated)

    return key


def _drop_smallest(
    s: Scored, min_size: int, running: np.ndarray, priority: np.ndarray, max_matches: bool
) -> list[tuple[int, int]]:
    """The old heuristic (drop the smallest circle, solve again): CP-SAT's starting point."""
    s = _copy(s)
    while True:
        chosen = _flow(s, priority, max_matches)
        sizes = np.bincount([i for i, _ in chosen], minlength=len(s.capacity))
        small = [
            i
            for i in range(len(s.capacity))
            if 0 < sizes[i] < min_size and s.capacity[i] > 0 and not running[i]
        ]
        if not small:
            return chosen
        worst = min(small, key=lambda i: (sizes[i], i))
        s.capacity[worst] = 0
        s.allowed[worst, :] = False


def _flow(s: Scored, priority: np.ndarray, max_matches: bool) -> list[tuple[int, int]]:
    from mentorctl.matching import solvers
    from mentorctl.matching.types import DECIMALS, priority_weight

    n_m = s.allowed.shape[1]
    objective = s.raw + np.where(priority, priority_weight(n_m), 0.0)[np.newaxis, :]
    score = np.where(s.allowed, np.round(objective, DECIMALS), np.nan)
    ids_c = [str(i) for i in range(s.allowed.shape[0])]
    ids_m = [str(j) for j in range(n_m)]
    return solvers.solve_optimal_dense(ids_c, ids_m, s.capacity, score, max_matches)


def _cp_sat(
    scored: Scored,
    usable: np.ndarray,
    min_size: int,
    running: np.ndarray,
    priority: np.ndarray,
    max_matches: bool,
    start: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Which circles to open and who sits where, solved tier by tier (lexicographic).

    Each tier has a deterministic work budget (:data:`CP_SAT_BUDGET`, the solver's own
    "deterministic time", so the same input gives the same answer on any machine), and
    starts from ``start`` (the heuristic's placement) or the previous tier's answer.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    for i, j in zip(*np.nonzero(usable), strict=True):
        x[(int(i), int(j))] = model.new_bool_var(f"x{i}_{j}")
    by_circle: dict[int, list[Any]] = {}
    by_member: dict[int, list[Any]] = {}
    for (i, j), var in x.items():
        by_circle.setdefault(i, []).append(var)
        by_member.setdefault(j, []).append(var)
    for vars_ in by_member.values():
        model.add_at_most_one(vars_)
    opened: dict[int, Any] = {}
    for i, vars_ in by_circle.items():
        cap = int(scored.capacity[i])
        if running[i]:
            model.add(sum(vars_) <= cap)
            continue
        opened[i] = model.new_bool_var(f"open{i}")
        model.add(sum(vars_) <= cap * opened[i])
        model.add(sum(vars_) >= min_size * opened[i])
    seated = sum(x.values())
    fit = sum(round(rounded(scored.raw[i, j]) * FIT_SCALE) * v for (i, j), v in x.items())
    tiers = []
    if priority.any():
        tiers.append(sum(v for (_, j), v in x.items() if priority[j]))
    tiers += [seated, fit] if max_matches else [fit, seated]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker: the same input gives the same answer
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = CP_SAT_BUDGET
    # A wall-clock cap too, as a safety net on a loaded machine: past it (rare) the answer
    # is the best found so far, which may then depend on the machine's speed.
    solver.parameters.max_time_in_seconds = CP_SAT_WALL_SECONDS
    best = sorted(start)

    def hint(pairs: list[tuple[int, int]]) -> None:  # a complete, feasible start
        model.clear_hints()
        chosen = set(pairs)
        for key, var in x.items():
            model.add_hint(var, int(key in chosen))
        used = {i for i, _ in pairs}
        for i, var in opened.items():
            model.add_hint(var, int(i in used))

    for tier in tiers:
        hint(best)
        model.maximize(tier)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break  # out of budget before a placement: keep the last tier's (or the start)
        best = sorted(key for key, var in x.items() if solver.value(var))
        # The next tiers may not give up what this one reached.
        model.add(tier >= round(solver.objective_value))
    return best


def _ordinal(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10 :: 4]}"
