"""Relaxations: each suggested change, applied, really places the person.

"Applied" means: the change made (a mentor's capacity, ``min_score``, or the one rule
lifted: the program without it), every other match kept as it is, and the person locked
with the named partner *without* an override: the engine refuses a lock that breaks any
hard rule or capacity, so an accepted lock is a placement that breaks nothing.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.errors import MatchingError
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.relax import KINDS, _rules, _without_eligibility, relaxed_program, suggest
from mentorctl.program import parse_program

PROGRAM = """\
version: 1
name: Relax
slug: relax
format: FORMAT
cycle: {name: c1, start: 2027-01-04}
capacity: {default: 1, maximum: 3}
eligibility: {mentor: {min_tenure_months: 6}}
survey:
  questions:
    - {id: wants, label: W, type: multiple_choice, options: [a, b, c, d]}
    - {id: offers, label: O, type: multiple_choice, options: [a, b, c, d]}
matching:
  criteria:
    - {name: skills, kind: overlap, mentee: wants, mentor: offers, weight: 2}
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 6}
  constraints:
    management_chain: 1
    exclude_same_manager: true
    require_same: [languages]
    require_different: [department]
    avoid_previous_pairs: true
    min_score: MIN
"""

NAMES = ["ann", "bob", "cat", "dan", "eve", "fox", "gil", "hal", "ivy"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[dict], frozenset]:
    n = draw(st.integers(3, 9))
    names = draw(st.permutations(NAMES))[:n]
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    people = []
    for k, name in enumerate(names):
        others = [f"{o}@example.org" for o in names if o != name] + ["boss@example.org"]
        people.append(
            {
                "email": f"{name}@example.org",
                "name": name.title(),
                "role": "mentor"
                if k < max(1, n // 3)
                else rng.choice(["mentee", "mentee", "both"]),
                "department": rng.choice(["x", "y", None]),
                "title": None,
                "level": None,
                "manager_email": rng.choice([None, None, *others]),
                "location": None,
                "timezone": rng.choice(["Europe/London", "Asia/Tokyo", None]),
                "languages": rng.sample(["en", "fr"], rng.randint(0, 2)),
                "tenure_months": rng.choice([3, 12, 12]),
                "years_experience": None,
                "capacity": rng.choice([None, 1, 2]),
                "answers": {
                    "wants": rng.sample("abcd", rng.randint(0, 3)),
                    "offers": rng.sample("abcd", rng.randint(0, 3)),
                },
            }
        )
    emails = [p["email"] for p in people]
    previous = frozenset((rng.choice(emails), rng.choice(emails)) for _ in range(rng.randint(0, 3)))
    text = PROGRAM.replace("FORMAT", draw(st.sampled_from(["group", "one-to-one"]))).replace(
        "MIN", draw(st.sampled_from(["null", "0.3", "0.6"]))
    )
    return text, people, previous


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_each_relaxation_places_the_person(case) -> None:
    text, people, previous = case
    program = parse_program(text)
    inp = MatchInput(program=program, people=people, previous_pairs=previous)
    try:
        result = propose(inp)
    except MatchingError:
        return
    pairs = [(m.mentor, m.mentee) for m in result.matches]
    found = suggest(inp, pairs)
    unmatched = {u.email for u in result.unmatched}
    assert set(found) <= unmatched
    for relaxations in found.values():
        for r in relaxations:
            assert r.kind in KINDS
            mentor, mentee = r.pair
            applied_people = people
            applied = relaxed_program(program, r)
            if r.kind == "capacity":
                applied_people = [
                    {**p, "capacity": int(r.value or 0)} if p["email"] == r.partner else p
                    for p in people
                ]
            elif r.kind == "rule":
                applied = next(prog for key, _, prog in _rules(program) if key == r.rule)
            elif r.kind == "eligibility":
                applied = _without_eligibility(program)
            try:
                placed = propose(
                    MatchInput(
                        program=applied,
                        people=applied_people,
                        previous_pairs=previous,
                        kept=pairs,
                        locks=[(mentor, mentee)],
                    )
                )
            except MatchingError as exc:
                raise AssertionError(f"{r}: {exc}") from None
            assert (mentor, mentee) in {(m.mentor, m.mentee) for m in placed.matches}, r


def _pick_by_objects(blocks, raw, mentors, cols, idle, out, limit) -> None:
    """The plain reading of the rule ``relax._pick`` implements with arrays: every
    candidate an object, sorted by (person, kind, best score, partner), the first
    ``limit`` distinct changes kept."""
    from mentorctl.matching.relax import Relaxation

    found = []
    for block in blocks:
        for i, j in zip(*np.nonzero(block.mask), strict=True):
            i, j = int(i), int(j)
            change, apply, extra = block.words(i, j)
            score = round(float(raw[i, j]), 6)
            sides = [(cols[j], mentors[i], True)] + (
                [(mentors[i], cols[j], False)] if idle[i] else []
            )
            for me, them, as_mentee in sides:
                r = Relaxation(me["email"], them["email"], block.kind, change, score, apply,
                               **extra, as_mentee=as_mentee)  # fmt: skip
                found.append((KINDS.index(block.kind), -score, r))
    found.sort(key=lambda f: (f[2].person, f[0], f[1], f[2].partner))
    for _, _, r in found:
        bucket = out[r.person]
        if len(bucket) < limit and not any(b.change == r.change for b in bucket):
            bucket.append(r)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(1, 6), st.booleans())
def test_suggestions_are_the_first_distinct_changes_in_order(case, limit, same_names) -> None:
    """The array version keeps exactly what sorting every candidate as an object keeps:
    ties (a person who is both mentor and mentee, equal scores) and equal words (two
    people with the same name) included."""
    from mentorctl.matching import relax

    text, people, previous = case
    if same_names:
        people = [{**p, "name": "Sam"} for p in people]
    inp = MatchInput(program=parse_program(text), people=people, previous_pairs=previous)
    try:
        pairs = [(m.mentor, m.mentee) for m in propose(inp).matches]
    except MatchingError:
        return
    fast = suggest(inp, pairs, limit=limit)
    original = relax._pick
    try:
        relax._pick = _pick_by_objects
        plain = suggest(inp, pairs, limit=limit)
    finally:
        relax._pick = original
    assert fast == plain
