"""Peer matching (``format: peer``) against brute force on small random pools.

Eligibility and scores are re-derived one pair at a time (``exclusion_reasons`` both
ways, ``explain_pair`` both ways, averaged); the best matching is found by trying every
matching of the pool. The engine must break no hard rule and reach the same optimum.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Mode
from mentorctl.errors import MatchingError
from mentorctl.matching import constraints
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.peer import max_weight_pairs
from mentorctl.matching.scoring import explain_pair
from mentorctl.program import parse_program

PROGRAM = """\
version: 1
name: Peers
slug: peers
format: peer
cycle: {name: c1, start: 2027-01-04}
levels: [L1, L2, L3]
eligibility: {mentor: {min_tenure_months: 6}}
survey:
  questions:
    - {id: wants, label: W, type: multiple_choice, options: [a, b, c, d]}
    - {id: offers, label: O, type: multiple_choice, options: [a, b, c, d]}
matching:
  objective: OBJECTIVE
  criteria:
    - {name: skills, kind: overlap, mentee: wants, mentor: offers, weight: 2}
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 6}
  constraints:
    management_chain: 1
    exclude_same_manager: SAME
    require_different: [department]
    min_score: MIN
"""

ZONES = ["Europe/London", "Asia/Tokyo", "America/New_York", None]
NAMES = ["ann", "bob", "cat", "dan", "eve", "fox", "gil", "hal"]


@st.composite
def pools(draw: st.DrawFn, max_size: int = 7) -> tuple[str, list[dict]]:
    n = draw(st.integers(2, max_size))
    names = draw(st.permutations(NAMES))[:n]
    people = []
    for name in names:
        others = [f"{o}@example.org" for o in names if o != name] + ["boss@example.org"]
        people.append(
            {
                "email": f"{name}@example.org",
                "name": name.title(),
                "role": draw(st.sampled_from(["mentor", "mentee", "both"])),
                "department": draw(st.sampled_from(["x", "y", None])),
                "title": None,
                "level": None,
                "manager_email": draw(st.sampled_from([None, *others])),
                "location": None,
                "timezone": draw(st.sampled_from(ZONES)),
                "languages": [],
                "tenure_months": draw(st.sampled_from([None, 12, 12, 40])),
                "years_experience": None,
                "capacity": None,
                "answers": {
                    "wants": draw(st.lists(st.sampled_from("abcd"), max_size=3, unique=True)),
                    "offers": draw(st.lists(st.sampled_from("abcd"), max_size=3, unique=True)),
                },
            }
        )
    text = (
        PROGRAM.replace("OBJECTIVE", draw(st.sampled_from(["max-matches", "max-score"])))
        .replace("SAME", draw(st.sampled_from(["true", "false"])))
        .replace("MIN", draw(st.sampled_from(["null", "0.3"])))
    )
    return text, people


def independent(program, people) -> dict[tuple[str, str], int]:
    """Allowed pairs (a < b) and their weights in millionths, one pair at a time."""
    by_email = {p["email"]: p for p in people}
    out = {}
    for a, b in itertools.combinations(sorted(people, key=lambda p: p["email"]), 2):
        if any(
            constraints.exclusion_reasons(program, x, y, people_by_email=by_email)
            for x, y in ((a, b), (b, a))
        ):
            continue
        score = (explain_pair(program, a, b).score + explain_pair(program, b, a).score) / 2
        floor = program.matching.constraints.min_score
        if floor is not None and score < floor - 1e-9:
            continue
        out[(a["email"], b["email"])] = round(score * 1_000_000)
    return out


def brute_force(edges: dict[tuple[str, str], int], max_cardinality: bool) -> tuple[int, int]:
    """The best (pairs, weight) over every matching (or (0, weight) without cardinality)."""
    best = (0, 0)
    items = sorted(edges.items())

    def walk(k: int, used: frozenset[str], count: int, weight: int) -> None:
        nonlocal best
        key = (count if max_cardinality else 0, weight)
        best = max(best, key)
        for i in range(k, len(items)):
            (a, b), w = items[i]
            if a not in used and b not in used:
                walk(i + 1, used | {a, b}, count + 1, weight + w)

    walk(0, frozenset(), 0, 0)
    return best


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pools())
def test_peer_optimum_equals_brute_force_and_breaks_no_rule(pool) -> None:
    text, people = pool
    program = parse_program(text)
    result = propose(MatchInput(program=program, people=people))
    edges = independent(program, people)
    links = [tuple(sorted((m.mentor, m.mentee))) for m in result.matches]
    assert all(link in edges for link in links), "a pair breaks a hard rule"
    trio = result.summary.get("trio")
    if trio is not None:
        assert len(people) % 2 == 1
        assert (trio[0], trio[2]) in edges, (
            "the trio's third member breaks a hard rule with the first"
        )
    # Without the trio's extra link, the pairs are a matching: compare with brute force.
    pairs = [link for link in links if trio is None or tuple(link) != (trio[1], trio[2])]
    people_in = [e for link in pairs for e in link]
    assert len(people_in) == len(set(people_in))
    if trio is not None:
        # The trio's own pair is one of (a, b), (b, c), (a, c); the joiner was added after.
        pairs = [p for p in pairs if not set(p) & set(trio)]
        pair_options = [(trio[0], trio[1]), (trio[1], trio[2]), (trio[0], trio[2])]
        got = max(
            (len(pairs) + 1, sum(edges[p] for p in pairs) + edges[q])
            for q in pair_options
            if q in edges
        )
    else:
        got = (len(pairs), sum(edges[p] for p in pairs))
    maximize = program.matching.objective.value == "max-matches"
    want = brute_force(edges, maximize)
    if maximize:
        assert got == want
    else:
        assert got[1] == want[1]
    matched = {e for link in links for e in link}
    assert {u.email for u in result.unmatched} == {p["email"] for p in people} - matched


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 8),
    data=st.data(),
    max_cardinality=st.booleans(),
)
def test_max_weight_pairs_equals_brute_force(n: int, data, max_cardinality: bool) -> None:
    all_pairs = list(itertools.combinations(range(n), 2))
    chosen = data.draw(
        st.lists(st.sampled_from(all_pairs), unique=True) if all_pairs else st.just([])
    )
    weights = [data.draw(st.integers(0, 5)) for _ in chosen]
    rows = np.array([a for a, _ in chosen], dtype=np.int64)
    cols = np.array([b for _, b in chosen], dtype=np.int64)
    got = max_weight_pairs(n, rows, cols, np.array(weights), max_cardinality=max_cardinality)
    w = {(str(a), str(b)): x for (a, b), x in zip(chosen, weights, strict=True)}
    flat = [e for p in got for e in p]
    assert len(flat) == len(set(flat))
    total = sum(w[(str(a), str(b))] for a, b in got)
    want = brute_force(w, max_cardinality)
    assert (len(got) if max_cardinality else 0, total) == want


def test_stable_mode_is_refused_with_a_reason() -> None:
    program = parse_program(
        PROGRAM.replace("OBJECTIVE", "max-matches").replace("SAME", "false").replace("MIN", "null")
    )
    people = [
        {"email": f"{n}@example.org", "name": n, "role": "both", "tenure_months": 12, "answers": {}}
        for n in ("ann", "bob")
    ]
    with pytest.raises(MatchingError, match="stable roommates"):
        propose(MatchInput(program=program, people=people, mode=Mode.STABLE))


def test_odd_pool_forms_one_trio() -> None:
    program = parse_program(
        PROGRAM.replace("OBJECTIVE", "max-matches").replace("SAME", "false").replace("MIN", "null")
    )
    people = [
        {
            "email": f"{n}@example.org",
            "name": n,
            "role": "mentee",
            "tenure_months": 12,
            "department": d,
            "answers": {"wants": ["a"], "offers": ["a"]},
        }
        for n, d in (("ann", "x"), ("bob", "y"), ("cat", "z"), ("dan", "w"), ("eve", "v"))
    ]
    result = propose(MatchInput(program=program, people=people))
    assert result.summary["matched"] == 5
    assert len(result.summary["trio"]) == 3
    assert not result.unmatched
