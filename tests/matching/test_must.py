"""Must-have rules (``must: true``, ``at_least``) on random small rosters.

Each rule is re-derived here from the criterion's value in ``explain_pair`` and the raw
numbers, independently of :mod:`mentorctl.matching.must`: the allowed matrix and the
per-pair reasons must agree with it, no proposed pair may break it (one-to-one, group,
peer both ways, circles), the optimum must equal brute force over the pairs it allows,
and each relaxation must really place the person.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.enums import Mode
from mentorctl.errors import MatchingError
from mentorctl.matching import constraints, relax
from mentorctl.matching.engine import MatchInput, pair_exclusions, propose
from mentorctl.matching.relax import KINDS, _rules, relaxed_program, suggest
from mentorctl.matching.scoring import explain_pair, utc_offset
from mentorctl.matching.solvers import Instance
from mentorctl.program import (
    ClosenessCriterion,
    OverlapCriterion,
    PreferenceCriterion,
    SimilarityCriterion,
    parse_program,
)
from tests.matching.reference import exhaustive_optima
from tests.matching.test_relax import _pick_by_objects

HEAD = """\
version: 1
name: Must
slug: must
format: FORMAT
cycle: {name: c1, start: 2027-01-04}
capacity: {default: 1, maximum: 3}
levels: [L1, L2, L3, L4]
survey:
  questions:
    - {id: wants, label: W, type: multiple_choice, options: [a, b, c, d]}
    - {id: offers, label: O, type: multiple_choice, options: [a, b, c, d]}
    - {id: calm, label: C, type: likert}
    - {id: picks, label: P, type: email_list}
matching:
  criteria:
"""

#: (criterion without its rule, whether ``must: true`` is defined for it)
CRITERIA = [
    ("{name: skills, kind: overlap, mentee: wants, mentor: offers, weight: W}", True),
    ("{name: lang, kind: same, field: languages, weight: W}", True),
    ("{name: dept, kind: different, field: department, weight: W}", True),
    ("{name: tz, kind: closeness, field: utc_offset, max_diff: 6, weight: W}", True),
    ("{name: level, kind: seniority_gap, min_gap: 1, max_gap: 2, weight: W}", True),
    ("{name: calm, kind: similarity, questions: [calm], weight: W}", False),
    ("{name: pref, kind: preference, mentee: picks, weight: W}", True),
]

TAIL = """\
  constraints:
    management_chain: 1
    avoid_previous_pairs: false
    min_score: MIN
"""

NAMES = ["ann", "bob", "cat", "dan", "eve", "fox", "gil", "hal"]
ZONES = ["Europe/London", "Asia/Tokyo", "America/New_York", "Europe/Athens", None]


@st.composite
def programs(draw: st.DrawFn, fmt: str = "group") -> str:
    """A program where one to three criteria carry a random must-have rule."""
    ruled = draw(st.sets(st.integers(0, len(CRITERIA) - 1), min_size=1, max_size=3))
    lines = []
    for k, (text, must_ok) in enumerate(CRITERIA):
        rule = ""
        if k in ruled:
            choices = [", at_least: 0.25", ", at_least: 0.34", ", at_least: 0.5", ", at_least: 1"]
            rule = draw(st.sampled_from(choices + ([", must: true"] if must_ok else [])))
        weight = draw(st.sampled_from(["0", "1", "2"]))
        lines.append("    - " + text.replace("W", weight)[:-1] + rule + "}\n")
    floor = draw(st.sampled_from(["null", "null", "0.3"]))
    return (HEAD.replace("FORMAT", fmt) + "".join(lines) + TAIL).replace("MIN", floor)


def roster(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = rng.sample(NAMES, n)
    emails = [f"{name}@example.org" for name in names]
    return [
        {
            "email": email,
            "name": name.title(),
            "role": rng.choice(["mentor", "mentee", "both"]),
            "department": rng.choice(["x", "y", None]),
            "level": rng.choice(["L1", "L2", "L3", "L4", None]),
            "manager_email": rng.choice([None, None, *emails]),
            "timezone": rng.choice(ZONES),
            "languages": rng.sample(["en", "fr", "de"], rng.randint(0, 2)),
            "capacity": rng.choice([None, 1, 2]),
            "answers": {
                "wants": rng.sample("abcd", rng.randint(0, 3)),
                "offers": rng.sample("abcd", rng.randint(0, 3)),
                "calm": rng.choice([1, 2, 3, 4, 5, None]),
                "picks": rng.sample(emails, rng.randint(0, 2)),
            },
        }
        for name, email in zip(names, emails, strict=True)
    ]


def broken_rules(program: Any, mentor: dict, mentee: dict) -> list[str]:
    """The must-have rules the pair breaks, from the definitions in docs/matching.md."""
    values = explain_pair(program, mentor, mentee).values
    out = []
    for c in program.matching.criteria:
        if not c.must and c.at_least is None:
            continue
        v = values[c.name]
        if v is None:
            ok = False
        elif c.at_least is not None:
            ok = v >= c.at_least - 1e-9
        elif isinstance(c, ClosenessCriterion):
            a = utc_offset(mentee.get("timezone"), program.cycle.start)
            b = utc_offset(mentor.get("timezone"), program.cycle.start)
            ok = abs(a - b) <= c.max_diff
        elif isinstance(c, OverlapCriterion | PreferenceCriterion):
            ok = v > 0
        else:
            ok = v == 1.0
        if not ok:
            out.append(c.name)
    return out


def without_must(program: Any) -> Any:
    criteria = [
        c.model_copy(update={"must": False, "at_least": None}) for c in program.matching.criteria
    ]
    matching = program.matching.model_copy(update={"criteria": criteria})
    return program.model_copy(update={"matching": matching})


def is_mentor(p: dict) -> bool:
    return p["role"] in ("mentor", "both")


def is_mentee(p: dict) -> bool:
    return p["role"] in ("mentee", "both")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=programs(), seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8))
def test_matrix_and_reasons_agree_with_the_definitions(text: str, seed: int, n: int) -> None:
    program = parse_program(text)
    plain = without_must(program)
    people = roster(seed, n)
    by_email = {p["email"]: p for p in people}
    allowed = constraints.allowed_matrix(program, people, people, people=people)
    for i, a in enumerate(people):
        for j, b in enumerate(people):
            why = constraints.exclusion_reasons(program, a, b, people_by_email=by_email)
            assert allowed[i, j] == (not why), (a, b, why)
            broken = broken_rules(program, a, b)
            named = [r.split("'")[1] for r in why if r.startswith("must-have '")]
            assert named == broken, (why, broken)
            # The other rules are as they were without the must-have rules.
            others = constraints.exclusion_reasons(plain, a, b, people_by_email=by_email)
            assert [r for r in why if not r.startswith("must-have '")] == others


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=programs(fmt="group") | programs(fmt="one-to-one"),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 8),
)
def test_optimum_equals_brute_force_over_the_allowed_pairs(text: str, seed: int, n: int) -> None:
    program = parse_program(text)
    plain = without_must(program)
    people = roster(seed, n)
    try:
        result = propose(MatchInput(program=program, people=people))
    except MatchingError:
        return
    by_email = {p["email"]: p for p in people}
    floor = program.matching.constraints.min_score
    mentors = [p for p in people if is_mentor(p)]
    mentees = [p for p in people if is_mentee(p)]
    scores = {}
    for m in mentors:
        for e in mentees:
            if broken_rules(program, m, e):
                continue
            if constraints.exclusion_reasons(plain, m, e, people_by_email=by_email):
                continue
            score = explain_pair(program, m, e).score
            if floor is not None and score < floor - 1e-9:
                continue
            scores[(m["email"], e["email"])] = round(score, 6)
    got = [(m.mentor, m.mentee) for m in result.matches]
    for pair in got:
        assert not broken_rules(program, by_email[pair[0]], by_email[pair[1]]), pair
        assert pair in scores, pair
    for mode in (Mode.STABLE, Mode.GREEDY):  # the other solvers read the same matrix
        other = propose(MatchInput(program=program, people=people, mode=mode))
        assert {(m.mentor, m.mentee) for m in other.matches} <= scores.keys(), mode
    inst = Instance(
        mentors=tuple(m["email"] for m in mentors),
        mentees=tuple(e["email"] for e in mentees),
        capacity={m["email"]: constraints.capacity_of(program, m) for m in mentors},
        scores=scores,
    )
    (best_count, best_total), _ = exhaustive_optima(inst)
    assert len(got) == best_count
    assert np.isclose(sum(scores[p] for p in got), float(best_total), atol=1e-5 * (1 + n))
    # An unmatched mentee whom must-have rules alone keep from every mentor is told so.
    for u in result.unmatched:
        e = by_email[u.email]
        others = [m for m in mentors if m is not e]
        if (
            u.role == "mentee"
            and others
            and all(
                broken_rules(program, m, e)
                and not constraints.exclusion_reasons(plain, m, e, people_by_email=by_email)
                for m in others
            )
        ):
            assert "must-have '" in u.reason, u


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=programs(fmt="peer"), seed=st.integers(0, 2**32 - 1), n=st.integers(2, 7))
def test_peer_pairs_meet_every_rule_both_ways(text: str, seed: int, n: int) -> None:
    program = parse_program(text.replace("min_score: 0.3", "min_score: null"))
    people = roster(seed, n)
    try:
        result = propose(MatchInput(program=program, people=people))
    except MatchingError:
        return
    by_email = {p["email"]: p for p in people}
    for m in result.matches:
        a, b = by_email[m.mentor], by_email[m.mentee]
        assert not broken_rules(program, a, b) and not broken_rules(program, b, a), m


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=programs(fmt="group") | programs(fmt="one-to-one"),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 8),
)
def test_each_relaxation_places_the_person(text: str, seed: int, n: int) -> None:
    program = parse_program(text)
    people = roster(seed, n)
    inp = MatchInput(program=program, people=people)
    try:
        result = propose(inp)
    except MatchingError:
        return
    pairs = [(m.mentor, m.mentee) for m in result.matches]
    found = suggest(inp, pairs)
    for relaxations in found.values():
        for r in relaxations:
            assert r.kind in KINDS
            applied, applied_people = relaxed_program(program, r), people
            if r.kind == "capacity":
                applied_people = [
                    {**p, "capacity": int(r.value or 0)} if p["email"] == r.partner else p
                    for p in people
                ]
            elif r.kind == "rule":
                applied = next(prog for key, _, prog in _rules(program) if key == r.rule)
            if r.kind == "must":
                name = (r.rule or "").removeprefix("must:")
                rule = next(c for c in applied.matching.criteria if c.name == name)
                assert (rule.must, rule.at_least) == (False, r.value)
                assert f"matching.criteria.{name}.at_least={r.value:g}" in r.apply
            try:
                placed = propose(
                    MatchInput(program=applied, people=applied_people, kept=pairs, locks=[r.pair])
                )
            except MatchingError as exc:
                raise AssertionError(f"{r}: {exc}") from None
            assert r.pair in {(m.mentor, m.mentee) for m in placed.matches}, r


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=programs(fmt="group"), seed=st.integers(0, 2**32 - 1), n=st.integers(3, 8))
def test_must_suggestions_are_the_first_distinct_changes_in_order(
    text: str, seed: int, n: int
) -> None:
    """The array picking of relaxations keeps what sorting every candidate keeps, with
    the ``must`` kind's words (which depend only on the pair's value) among them."""
    inp = MatchInput(program=parse_program(text), people=roster(seed, n))
    try:
        pairs = [(m.mentor, m.mentee) for m in propose(inp).matches]
    except MatchingError:
        return
    fast = suggest(inp, pairs, limit=2)
    original = relax._pick
    try:
        relax._pick = _pick_by_objects
        plain = suggest(inp, pairs, limit=2)
    finally:
        relax._pick = original
    assert fast == plain


# --------------------------------------------------------------------------- worked examples

EXAMPLE = (
    HEAD.replace("FORMAT", "group")
    + """\
    - {name: skills, kind: overlap, mentee: wants, mentor: offers, weight: 2}
    - {name: tz, kind: closeness, field: utc_offset, max_diff: 3, must: true, weight: 0}
    - {name: lang, kind: same, field: languages, at_least: 1}
"""
    + TAIL.replace("MIN", "null")
)


def person(email: str, role: str, tz: str, langs: list[str], **answers: Any) -> dict:
    return {
        "email": email,
        "name": email.split("@")[0].title(),
        "role": role,
        "timezone": tz,
        "languages": langs,
        "answers": answers,
    }


PEOPLE = [
    person("ana@x.org", "mentor", "Europe/London", ["en"], offers=["a"]),
    person("bo@x.org", "mentor", "Asia/Tokyo", ["en"], offers=["a", "b"]),
    person("cy@x.org", "mentor", "Europe/Athens", ["fr"], offers=["a", "b"]),
    person("di@x.org", "mentee", "Europe/Berlin", ["en", "fr"], wants=["a", "b"]),
    person("ed@x.org", "mentee", "America/New_York", ["en"], wants=["a"]),
]


def test_worked_example_reasons_and_relaxations() -> None:
    program = parse_program(EXAMPLE)
    inp = MatchInput(program=program, people=PEOPLE)
    by_email = {p["email"]: p for p in PEOPLE}
    assert pair_exclusions(inp, by_email["bo@x.org"], by_email["di@x.org"]) == [
        "must-have 'tz': time zones 8 h apart (at most 3 h)"
    ]
    assert pair_exclusions(inp, by_email["cy@x.org"], by_email["ed@x.org"]) == [
        "must-have 'tz': time zones 7 h apart (at most 3 h)",
        "must-have 'lang': no language in common (mentor: fr; mentee: en) (must match)",
    ]
    result = propose(inp)
    # cy (Athens, French) covers both of di's skills: di gets cy; ana stays for nobody,
    # as ed (New York) is 5 hours from London.
    assert {(m.mentor, m.mentee) for m in result.matches} == {("cy@x.org", "di@x.org")}
    ed = next(u for u in result.unmatched if u.email == "ed@x.org")
    assert ed.reason == "no eligible mentor: must-have 'tz' (3)"
    found = suggest(inp, [("cy@x.org", "di@x.org")])
    assert [(r.partner, r.kind, r.change) for r in found["ed@x.org"]] == [
        ("ana@x.org", "rule", "if the must-have 'tz' rule were lifted for Ed and Ana"),
        ("bo@x.org", "rule", "if the must-have 'tz' rule were lifted for Ed and Bo"),
    ]
    # As a threshold, the same rule loosens program-wide: 5 hours of a max_diff of 6.
    loose = parse_program(EXAMPLE.replace("max_diff: 3, must: true", "max_diff: 6, at_least: 0.5"))
    found = suggest(MatchInput(program=loose, people=PEOPLE), [("cy@x.org", "di@x.org")])
    first = found["ed@x.org"][0]
    assert (first.partner, first.kind, first.change, first.value, first.apply) == (
        "ana@x.org",
        "must",
        "if the must-have 'tz' rule allowed 5 h",
        0.16,
        "--set matching.criteria.tz.at_least=0.16",
    )


def test_a_lock_that_breaks_a_must_rule_needs_an_override() -> None:
    program = parse_program(EXAMPLE)
    lock = [("bo@x.org", "di@x.org")]
    try:
        propose(MatchInput(program=program, people=PEOPLE, locks=lock))
    except MatchingError as exc:
        assert "must-have 'tz': time zones 8 h apart (at most 3 h)" in str(exc)
    else:
        raise AssertionError("the lock was accepted without an override")
    kept = propose(
        MatchInput(program=program, people=PEOPLE, locks=lock, overrides={lock[0]: "asked for"})
    )
    match = next(m for m in kept.matches if (m.mentor, m.mentee) == lock[0])
    assert match.overridden == ("must-have 'tz': time zones 8 h apart (at most 3 h)",)


def test_blank_values_never_meet_a_must_rule() -> None:
    program = parse_program(EXAMPLE)
    mentor = person("fa@x.org", "mentor", "", ["en"], offers=["a"])
    mentee = person("go@x.org", "mentee", "Europe/London", [], wants=["a"])
    inp = MatchInput(program=program, people=[mentor, mentee])
    assert pair_exclusions(inp, mentor, mentee) == [
        "must-have 'tz': mentor has no time zone",
        "must-have 'lang': mentee has no languages",
    ]


def test_circles_keep_must_rules() -> None:
    text = (
        HEAD.replace("FORMAT", "circles").replace(
            "    - {id: calm",
            "    - {id: topic, label: T, type: single_choice, options: [x]}\n    - {id: calm",
        )
        + "    - {name: tz, kind: closeness, field: utc_offset, max_diff: 2, must: true}\n"
        + TAIL.replace("MIN", "null")
        + "  circles: {topic_question: topic, min_size: 1, max_size: 4}\n"
    )
    program = parse_program(text)
    people = [
        {**person("f1@x.org", "mentor", "Europe/London", []), "answers": {"topic": "x"}},
        {**person("m1@x.org", "mentee", "Europe/Paris", []), "answers": {"topic": "x"}},
        {**person("m2@x.org", "mentee", "Asia/Tokyo", []), "answers": {"topic": "x"}},
    ]
    result = propose(MatchInput(program=program, people=people))
    assert {(m.mentor, m.mentee) for m in result.matches} == {("f1@x.org", "m1@x.org")}
    assert [u.email for u in result.unmatched] == ["m2@x.org"]
    inp = MatchInput(program=program, people=people)
    assert pair_exclusions(inp, people[0], people[2]) == [
        "must-have 'tz': time zones 9 h apart (at most 2 h)"
    ]


# --------------------------------------------------------------------------- schema


def test_weight_zero_must_rule_is_a_pure_filter() -> None:
    program = parse_program(EXAMPLE)
    tz = next(c for c in program.matching.criteria if c.name == "tz")
    assert (tz.weight, tz.must) == (0.0, True)
    assert isinstance(program.matching.criteria[0], OverlapCriterion)
    assert not isinstance(tz, SimilarityCriterion)
