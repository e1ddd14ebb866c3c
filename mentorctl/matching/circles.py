"""Circles: members gathered around a topic, each circle run by one facilitator.

Every eligible facilitator (a mentor) runs one circle on their first-choice topic from
``matching.circles.topic_question``. A member fits a circle by how high they ranked its
topic (1, 1/2, 1/3 ...; a single choice counts as first) and, secondarily, by the
program's pair criteria with the facilitator:

    fit = 0.8 x topic preference + 0.2 x pair score

A member is only placed in a circle whose topic they chose. Circles are filled by the
same exact solver as one-to-one matching (capacity = ``max_size``). A circle that cannot
reach ``min_size`` is not formed: the smallest such circle is dropped, its facilitator
freed, and the rest solved again, until every circle formed is large enough. Dropped
circles are reported, never silently formed. Accepted and locked memberships are kept as
they are (a circle that has any is running, so it is never dropped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mentorctl.enums import Mode
from mentorctl.errors import MatchingError
from mentorctl.matching.scored import _people, check_fixed, score_candidates, solve, supply_gaps
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
    fixed = _fix(inp, scored, facilitators, members)
    fixed_sizes = np.bincount([i for i, _, _ in fixed], minlength=len(facilitators))

    dropped: list[dict[str, Any]] = []
    while True:
        chosen = solve(mode, scored, inp)
        sizes = np.bincount([i for i, _ in chosen], minlength=len(facilitators)) + fixed_sizes
        small = [  # a circle with accepted or locked members is running: never dropped
            i
            for i in range(len(facilitators))
            if 0 < sizes[i] < settings.min_size and scored.capacity[i] > 0 and not fixed_sizes[i]
        ]
        if not small:
            break
        worst = min(small, key=lambda i: (sizes[i], facilitators[i]["email"]))
        dropped.append(
            {
                "topic": topics[worst],
                "facilitator": facilitators[worst]["email"],
                "members": int(sizes[worst]),
                "reason": f"only {int(sizes[worst])} member(s); min_size is {settings.min_size}",
            }
        )
        scored.capacity[worst] = 0
        scored.allowed[worst, :] = False

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
            )
        )
    matches.sort(key=lambda m: (m.mentor, m.mentee))
    circles = [
        Circle(topics[i] or "", facilitators[i]["email"], sorted(emails))
        for i, emails in sorted(by_circle.items(), key=lambda kv: facilitators[kv[0]]["email"])
    ]
    placed = {m.mentee for m in matches}
    unmatched = []
    for j, m in enumerate(members):
        if m["email"] in placed:
            continue
        if not _choices(m, qid):
            reason = f"chose no topic ({qid})"
        elif not (fit[:, j] > 0).any():
            reason = "no facilitator leads a topic they chose"
        elif not scored.allowed[:, j].any():
            reason = "every circle on their topics was not formed or is excluded by a constraint"
        else:
            reason = "every circle on their topics is full"
        unmatched.append(Unmatched(m["email"], "member", reason))
    running = set(by_circle)
    for i, f in enumerate(facilitators):
        if i in running:
            continue
        if f["email"] in scored.ineligible:
            reason = f"not eligible to facilitate: {scored.ineligible[f['email']]}"
        elif not topics[i]:
            reason = f"chose no topic ({qid})"
        elif any(d["facilitator"] == f["email"] for d in dropped):
            reason = f"circle on {topics[i]} not formed (too few members)"
        else:
            reason = f"nobody chose {topics[i]}"
        unmatched.append(Unmatched(f["email"], "facilitator", reason))
    unmatched.sort(key=lambda u: (u.role != "member", u.email))
    greedy = solve(Mode.GREEDY, scored, inp)
    scores = [m.score for m in matches]
    summary = {
        "matched": len(matches),
        "mentees": len(members),
        "mentors": len(facilitators),
        "circles": len(circles),
        "total_score": rounded(sum(scores)),
        "mean_score": rounded(float(np.mean(scores))) if scores else 0.0,
        "lowest_score": rounded(min(scores)) if scores else 0.0,
        "greedy_matched": len(greedy),
        "greedy_total_score": rounded(sum(rounded(scored.raw[i, j]) for i, j in greedy)),
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
    inp: MatchInput, scored: Any, facilitators: list[Any], members: list[Any]
) -> list[tuple[int, int, bool]]:
    """Accepted (kept) and locked memberships: taken as they are, using up capacity.

    Returns ``(facilitator index, member index, kept)``; those members are not solved for.
    """
    index_f = {f["email"]: i for i, f in enumerate(facilitators)}
    index_m = {m["email"]: j for j, m in enumerate(members)}
    by_email = {p["email"]: p for p in inp.people}
    fixed: list[tuple[int, int, bool]] = []
    placed: set[str] = set()
    for pairs, kept in ((inp.kept, True), (inp.locks, False)):
        for facilitator, member in sorted(set(pairs)):
            check_fixed(facilitator, member, by_email, kept)
            if member in placed:
                if kept:
                    continue
                raise MatchingError(f"lock {facilitator} -> {member}: the member is already placed")
            i, j = index_f[facilitator], index_m[member]
            if scored.capacity[i] <= 0:
                raise MatchingError(
                    f"lock {facilitator} -> {member}: {facilitator}'s circle is full"
                )
            scored.capacity[i] -= 1
            scored.allowed[:, j] = False
            placed.add(member)
            fixed.append((i, j, kept))
    return fixed


def _ordinal(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10 :: 4]}"
