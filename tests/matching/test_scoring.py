"""Scoring criteria: worked examples per kind, blanks, and matrix == per-pair agreement."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching import matrix, scoring
from mentorctl.matching.matrix import score_matrix
from mentorctl.matching.scoring import explain_pair, ordinal, utc_offset
from mentorctl.program import Program, load_program
from mentorctl.roster.importer import read_participants

SAMPLES = Path(scoring.__file__).parent.parent / "sample_programs"
SAMPLE_DIRS = sorted(p.parent for p in SAMPLES.glob("*/program.yaml"))

QUESTIONS: list[dict[str, Any]] = [
    {"id": "skills_wanted", "label": "Wanted", "type": "multiple_choice",
     "options": ["Python", "SQL", "Leadership", "Writing", "Go"]},
    {"id": "skills_offered", "label": "Offered", "type": "multiple_choice",
     "options": ["Python", "SQL", "Leadership", "Writing", "Go"]},
    {"id": "track", "label": "Track", "type": "single_choice", "options": ["Eng", "Mgmt"]},
    {"id": "q1", "label": "Q1", "type": "likert", "scale": [1, 5]},
    {"id": "q2", "label": "Q2", "type": "likert", "scale": [1, 7]},
    {"id": "prefs", "label": "Preferred mentors", "type": "email_list"},
    {"id": "mentor_prefs", "label": "Preferred mentees", "type": "email_list"},
]  # fmt: skip
LEVELS = ["L1", "L2", "L3", "L4", "L5", "L6"]


def make_program(
    criteria: list[dict[str, Any]], *, start: str = "2027-01-11", **extra: Any
) -> Program:
    data: dict[str, Any] = {
        "name": "Test",
        "slug": "test",
        "format": "group",
        "cycle": {"name": "c1", "start": start},
        "levels": LEVELS,
        "survey": {"questions": QUESTIONS},
        "matching": {"criteria": criteria},
    }
    for key, value in extra.items():
        if key in ("constraints",):
            data["matching"][key] = value
        else:
            data[key] = value
    return Program.model_validate(data)


def person(email: str, **kw: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "email": email,
        "name": email.split("@")[0].title(),
        "role": "both",
        "department": None,
        "title": None,
        "level": None,
        "manager_email": None,
        "location": None,
        "timezone": None,
        "languages": [],
        "tenure_months": None,
        "years_experience": None,
        "capacity": None,
        "answers": {},
    }
    answers = {k: kw.pop(k) for k in list(kw) if k not in p}
    p.update(kw)
    p["answers"] = answers
    return p


def one(program: Program, mentor: dict[str, Any], mentee: dict[str, Any]):
    ps = explain_pair(program, mentor, mentee)
    assert len(ps.criteria) == 1
    return ps.criteria[0]


SKILLS = {
    "name": "skills",
    "kind": "overlap",
    "mentee": "skills_wanted",
    "mentor": "skills_offered",
}


# ----------------------------------------------------------------------------- overlap


def test_overlap_share_of_wants_covered_case_insensitively() -> None:
    prog = make_program([SKILLS])
    mentor = person("m@x.org", skills_offered=["python", "SQL", "leadership", "Go"])
    mentee = person("e@x.org", skills_wanted=["Python", "SQL", "Leadership", "Writing"])
    c = one(prog, mentor, mentee)
    assert c.value == 0.75
    assert c.reason == "covers 3 of 4 wanted skills: Python, SQL, Leadership (missing: Writing)"
    assert explain_pair(prog, mentor, mentee).score == 0.75


@pytest.mark.parametrize(
    ("offers", "wants", "value", "reason"),
    [
        (["Python", "SQL"], ["sql", "python"], 1.0, "covers all 2 wanted skills: sql, python"),
        (["Go"], ["Python", "SQL"], 0.0, "covers none of the 2 wanted skills (Python, SQL)"),
        (["Go"], ["Go"], 1.0, "covers the wanted skills (1 of 1): Go"),
        (["SQL"], ["Go"], 0.0, "does not cover the wanted skills (1 of 1): Go"),
        (
            ["Python"],
            ["Python", "SQL", "Leadership", "Writing", "Go"],
            0.2,
            "covers 1 of 5 wanted skills: Python",  # four missing: too many to name
        ),
    ],
)
def test_overlap_reasons(offers: list[str], wants: list[str], value: float, reason: str) -> None:
    prog = make_program([SKILLS])
    c = one(prog, person("m@x.org", skills_offered=offers), person("e@x.org", skills_wanted=wants))
    assert (c.value, c.reason) == (value, reason)


def test_overlap_blank_on_either_side_is_left_out() -> None:
    prog = make_program([SKILLS])
    c = one(prog, person("m@x.org"), person("e@x.org", skills_wanted=["Go"]))
    assert c.value is None
    assert c.contribution == 0.0
    assert c.reason == "left out: mentor has no answer to skills_offered (weights renormalised)"
    c = one(prog, person("m@x.org", skills_offered=["Go"]), person("e@x.org"))
    assert c.reason == "left out: mentee has no answer to skills_wanted (weights renormalised)"
    c = one(prog, person("m@x.org"), person("e@x.org"))
    assert c.reason == (
        "left out: mentor has no answer to skills_offered and mentee has no answer to "
        "skills_wanted (weights renormalised)"
    )
    assert explain_pair(prog, person("m@x.org"), person("e@x.org")).score == 0.0


def test_blank_criterion_renormalises_weights() -> None:
    prog = make_program(
        [
            {**SKILLS, "weight": 3},
            {"name": "language", "kind": "same", "field": "languages", "weight": 1},
            {"name": "tz", "kind": "closeness", "field": "utc_offset", "max_diff": 8, "weight": 4},
        ]
    )
    mentor = person("m@x.org", languages=["English"], skills_offered=["Python"])
    mentee = person("e@x.org", languages=["French"], skills_wanted=["Python", "SQL"])
    ps = explain_pair(prog, mentor, mentee)
    # tz is blank on both sides: the score is (3 * 0.5 + 1 * 0) / (3 + 1)
    assert ps.score == pytest.approx(0.375, abs=1e-12)
    assert ps.values == {"skills": 0.5, "language": 0.0, "tz": None}
    assert [c.contribution for c in ps.criteria] == [0.375, 0.0, 0.0]
    assert ps.criteria[2].reason == (
        "left out: mentor and mentee have no time zone (weights renormalised)"
    )
    assert math.isclose(sum(c.contribution for c in ps.criteria), ps.score)


def test_no_criteria_or_all_blank_scores_zero() -> None:
    ps = explain_pair(make_program([]), person("m@x.org"), person("e@x.org"))
    assert (ps.score, ps.criteria, ps.mentor, ps.mentee) == (0.0, (), "m@x.org", "e@x.org")
    ps = explain_pair(make_program([SKILLS]), person("m@x.org"), person("e@x.org"))
    assert ps.score == 0.0
    # weight-0 criteria that apply still give 0, not a division by zero
    prog = make_program([{"name": "lang", "kind": "same", "field": "languages", "weight": 0}])
    ps = explain_pair(
        prog, person("m@x.org", languages=["En"]), person("e@x.org", languages=["En"])
    )
    assert (ps.score, ps.criteria[0].value, ps.criteria[0].contribution) == (0.0, 1.0, 0.0)


# ----------------------------------------------------------------------------- same/different


def test_same_languages_share_an_item() -> None:
    prog = make_program([{"name": "language", "kind": "same", "field": "languages"}])
    c = one(
        prog,
        person("m@x.org", languages=["english", "German"]),
        person("e@x.org", languages=["French", "English"]),
    )
    assert (c.value, c.reason) == (1.0, "both speak English")
    c = one(prog, person("m@x.org", languages=["German"]), person("e@x.org", languages=["French"]))
    assert (c.value, c.reason) == (
        0.0,
        "no language in common (mentor: German; mentee: French)",
    )


def test_same_and_different_single_values() -> None:
    prog = make_program(
        [
            {"name": "loc", "kind": "same", "field": "location"},
            {"name": "other-dept", "kind": "different", "field": "department"},
            {"name": "track", "kind": "same", "field": "track"},
        ]
    )
    mentor = person("m@x.org", location="Paris", department="sales", track="Eng")
    mentee = person("e@x.org", location="Berlin", department="Sales ", track="Eng")
    ps = explain_pair(prog, mentor, mentee)
    assert ps.values == {"loc": 0.0, "other-dept": 0.0, "track": 1.0}
    assert [c.reason for c in ps.criteria] == [
        "different location: Paris (mentor) vs Berlin (mentee)",
        "same department: Sales",
        "same track: Eng",
    ]
    mentee["department"] = "Support"
    assert explain_pair(prog, mentor, mentee).values["other-dept"] == 1.0
    mentee["department"] = None
    c = explain_pair(prog, mentor, mentee).criteria[1]
    assert c.value is None
    assert c.reason == "left out: mentee has no department (weights renormalised)"


# ----------------------------------------------------------------------------- closeness


def test_closeness_of_time_zones_at_cycle_start() -> None:
    tz = {"name": "tz", "kind": "closeness", "field": "utc_offset", "max_diff": 8}
    winter = make_program([tz], start="2027-01-11")
    mentor = person("m@x.org", timezone="Europe/Berlin")
    mentee = person("e@x.org", timezone="Europe/London")
    c = one(winter, mentor, mentee)
    assert (c.value, c.reason) == (0.875, "time zones 1 h apart (max 8)")
    # New York is 6 h behind Berlin in January, but only 5 h during the few days
    # in March when the US has switched to summer time and Europe has not.
    ny = person("e@x.org", timezone="America/New_York")
    assert one(winter, mentor, ny).reason == "time zones 6 h apart (max 8)"
    march = make_program([tz], start="2027-03-22")
    assert one(march, mentor, ny).value == pytest.approx(1 - 5 / 8)
    assert utc_offset("Asia/Kolkata", dt.date(2027, 1, 1)) == 5.5
    assert utc_offset("Not/AZone", dt.date(2027, 1, 1)) is None
    assert one(winter, mentor, person("e@x.org", timezone="Pacific/Kiritimati")).value == 0.0


def test_closeness_of_numbers_clips_at_zero() -> None:
    prog = make_program(
        [{"name": "tenure", "kind": "closeness", "field": "tenure_months", "max_diff": 24}]
    )
    c = one(prog, person("m@x.org", tenure_months=30), person("e@x.org", tenure_months=12))
    assert (c.value, c.reason) == (0.25, "tenure months 12 vs 30 (mentor): 18 apart (max 24)")
    c = one(prog, person("m@x.org", tenure_months=60), person("e@x.org", tenure_months=12))
    assert c.value == 0.0
    c = one(prog, person("m@x.org"), person("e@x.org", tenure_months=12))
    assert c.value is None


# ----------------------------------------------------------------------------- similarity


def test_similarity_normalises_by_each_scale() -> None:
    crit = {"name": "personality", "kind": "similarity", "questions": ["q1", "q2"]}
    prog = make_program([crit])
    mentor = person("m@x.org", q1=5, q2=4)
    mentee = person("e@x.org", q1=1, q2=1)
    # distances 4/4 = 1 and 3/6 = 0.5: mean 0.75
    c = one(prog, mentor, mentee)
    assert (c.value, c.reason) == (0.25, "personality answers 25% alike")
    comp = make_program([{**crit, "name": "energy", "complement": True}])
    c = one(comp, mentor, mentee)
    assert (c.value, c.reason) == (0.75, "energy answers 75% apart")
    # only the questions both answered count
    c = one(prog, person("m@x.org", q1=4), person("e@x.org", q1=5, q2=2))
    assert (c.value, c.reason) == (0.75, "personality answers 75% alike (on 1 of 2 questions)")
    c = one(prog, person("m@x.org", q1=4), person("e@x.org", q2=2))
    assert c.value is None
    assert c.reason == ("left out: no personality question answered by both (weights renormalised)")


def test_similarity_percent_is_rounded() -> None:
    prog = make_program([{"name": "personality", "kind": "similarity", "questions": ["q2"]}])
    c = one(prog, person("m@x.org", q2=7), person("e@x.org", q2=6))
    assert c.value == pytest.approx(5 / 6)
    assert c.reason == "personality answers 83% alike"


# ----------------------------------------------------------------------------- seniority


@pytest.mark.parametrize(
    ("mentor_level", "mentee_level", "value", "reason"),
    [
        ("L4", "L2", 1.0, "mentor is 2 levels above (preferred 1-3)"),
        ("L2", "L1", 1.0, "mentor is 1 level above (preferred 1-3)"),
        ("L5", "L2", 1.0, "mentor is 3 levels above (preferred 1-3)"),
        # outside the range: 1/3 lost per level (range width 3)
        ("L3", "L3", 2 / 3, "same level (preferred 1-3)"),
        ("L5", "L1", 2 / 3, "mentor is 4 levels above (preferred 1-3)"),
        ("L6", "L1", 1 / 3, "mentor is 5 levels above (preferred 1-3)"),
        ("L2", "L3", 1 / 3, "mentor is 1 level below (preferred 1-3)"),
        ("L1", "L4", 0.0, "mentor is 3 levels below (preferred 1-3)"),
        ("l4", "L2", 1.0, "mentor is 2 levels above (preferred 1-3)"),
    ],
)
def test_seniority_gap(mentor_level: str, mentee_level: str, value: float, reason: str) -> None:
    prog = make_program([{"name": "seniority", "kind": "seniority_gap"}])
    c = one(prog, person("m@x.org", level=mentor_level), person("e@x.org", level=mentee_level))
    assert c.value == pytest.approx(value, abs=1e-15)
    assert c.reason == reason


def test_seniority_gap_reversed_and_unknown() -> None:
    crit = {"name": "seniority", "kind": "seniority_gap", "min_gap": 2, "max_gap": 6}
    prog = make_program([crit], reverse=True)
    c = one(prog, person("m@x.org", level="L1"), person("e@x.org", level="L4"))
    assert (c.value, c.reason) == (1.0, "mentee is 3 levels above (preferred 2-6)")
    c = one(prog, person("m@x.org", level="L4"), person("e@x.org", level="L1"))
    assert c.value == 0.0  # gap -3: five levels under min_gap, range width 5
    assert c.reason == "mentee is 3 levels below (preferred 2-6)"
    c = one(prog, person("m@x.org", level="L4"), person("e@x.org", level="L3"))
    assert c.value == pytest.approx(1 - 3 / 5)  # gap -1: 3 levels under min_gap 2
    c = one(prog, person("m@x.org", level="Wizard"), person("e@x.org", level="L1"))
    assert (c.value, c.reason) == (None, "left out: mentor has no level (weights renormalised)")


def test_seniority_with_numeric_levels_when_no_ladder() -> None:
    prog = Program.model_validate(
        {
            "name": "T",
            "slug": "t",
            "cycle": {"name": "c", "start": "2027-01-01"},
            "matching": {"criteria": [{"name": "s", "kind": "seniority_gap", "max_gap": 2}]},
        }
    )
    c = one(prog, person("m@x.org", level="7"), person("e@x.org", level="4"))
    assert (c.value, c.reason) == (0.5, "mentor is 3 levels above (preferred 1-2)")


# ----------------------------------------------------------------------------- preference


def test_preference_by_rank_email_or_name() -> None:
    prog = make_program([{"name": "wish", "kind": "preference", "mentee": "prefs"}])
    mentee = person("e@x.org", prefs=["ann@x.org", "BEA MENTOR", "cy@x.org"])
    cases = [
        (person("ANN@x.org"), 1.0, "mentee's 1st choice"),
        (person("bea@x.org", name="Bea Mentor"), 0.5, "mentee's 2nd choice"),
        (person("cy@x.org"), 1 / 3, "mentee's 3rd choice"),
        (person("dov@x.org"), 0.0, "not on the mentee's list"),
    ]
    for mentor, value, reason in cases:
        c = one(prog, mentor, mentee)
        assert (c.value, c.reason) == (value, reason)
    c = one(prog, person("ann@x.org"), person("e@x.org"))
    assert (c.value, c.reason) == (None, "left out: mentee listed nobody (weights renormalised)")


def test_preference_two_sided_averages_when_both_apply() -> None:
    prog = make_program(
        [{"name": "wish", "kind": "preference", "mentee": "prefs", "mentor": "mentor_prefs"}]
    )
    mentor = person("ann@x.org", mentor_prefs=["e@x.org"])
    mentee = person("e@x.org", prefs=["zed@x.org", "ann@x.org"])
    c = one(prog, mentor, mentee)
    assert (c.value, c.reason) == (0.75, "mentee's 2nd choice; mentor's 1st choice")
    c = one(prog, mentor, person("e@x.org"))
    assert (c.value, c.reason) == (1.0, "mentor's 1st choice")
    c = one(prog, person("ann@x.org", mentor_prefs=["x@x.org"]), mentee)
    assert (c.value, c.reason) == (0.25, "mentee's 2nd choice; not on the mentor's list")
    c = one(prog, person("ann@x.org"), person("e@x.org"))
    assert (c.value, c.reason) == (
        None,
        "left out: neither side listed anyone (weights renormalised)",
    )


def test_ordinal() -> None:
    got = [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)]
    assert got == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
        "111th",
    ]  # fmt: skip


# ----------------------------------------------------------------------------- PairScore


def test_top_reasons_by_contribution_then_name() -> None:
    prog = make_program(
        [
            {"name": "b-lang", "kind": "same", "field": "languages", "weight": 1},
            {"name": "a-loc", "kind": "same", "field": "location", "weight": 1},
            {**SKILLS, "weight": 2},
            {"name": "track", "kind": "same", "field": "track", "weight": 1},
        ]
    )
    mentor = person("m@x.org", languages=["En"], location="Oslo", skills_offered=["Go"])
    mentee = person("e@x.org", languages=["en"], location="oslo", skills_wanted=["Go", "SQL"])
    ps = explain_pair(prog, mentor, mentee)
    # skills 2*0.5 ties with a-loc and b-lang (1 each): name order breaks the tie
    assert ps.top_reasons() == ["same location: oslo", "both speak en"]
    assert ps.top_reasons(3)[2] == "covers 1 of 2 wanted skills: Go (missing: SQL)"
    assert len(ps.top_reasons(10)) == 3  # blank track contributes nothing


# ----------------------------------------------------------------------------- matrices

RANDOM_CRITERIA: list[dict[str, Any]] = [
    {**SKILLS, "weight": 3},
    {"name": "lang", "kind": "same", "field": "languages", "weight": 1},
    {"name": "dept", "kind": "different", "field": "department", "weight": 0.5},
    {"name": "loc", "kind": "same", "field": "location", "weight": 0.7},
    {"name": "tz", "kind": "closeness", "field": "utc_offset", "max_diff": 6, "weight": 2},
    {"name": "tenure", "kind": "closeness", "field": "tenure_months", "max_diff": 24, "weight": 0},
    {"name": "years", "kind": "closeness", "mentee": "years_experience", "mentor": "tenure_months",
     "max_diff": 10, "weight": 0.3},
    {"name": "personality", "kind": "similarity", "questions": ["q1", "q2"]},
    {"name": "energy", "kind": "similarity", "questions": ["q1"], "complement": True,
     "weight": 0.5},
    {"name": "seniority", "kind": "seniority_gap", "min_gap": 1, "max_gap": 2},
    {"name": "wish", "kind": "preference", "mentee": "prefs", "mentor": "mentor_prefs",
     "weight": 2},
    {"name": "wish-one-sided", "kind": "preference", "mentee": "prefs", "weight": 0.25},
    {"name": "track", "kind": "same", "field": "track"},
    {"name": "pod", "kind": "overlap", "field": "skills_wanted", "weight": 0.4},
]  # fmt: skip

POOL = [f"p{i}@x.org" for i in range(40)]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Bogus/Zone",
]
NAMES = ["Ann Lee", "Bo Chen", "Cy Park", "Ann Lee", "Di Roy"]  # a name may repeat


def random_person(rng: random.Random, email: str) -> dict[str, Any]:
    def maybe(value: Any, p: float = 0.8) -> Any:
        return value if rng.random() < p else None

    def some(items: list[str], k: int) -> list[str]:
        return rng.sample(items, rng.randint(0, min(k, len(items))))

    skills = ["Python", "python", "SQL", "Leadership", "Writing", "Go"]
    kw: dict[str, Any] = {
        "name": rng.choice(NAMES),
        "department": maybe(rng.choice(["Sales", "sales", "Eng", "Ops"])),
        "location": maybe(rng.choice(["Oslo", "Lima", "Pune"])),
        "level": maybe(rng.choice([*LEVELS, "l3", "Wizard"])),
        "manager_email": maybe(rng.choice(POOL), 0.7),
        "timezone": maybe(rng.choice(ZONES)),
        "languages": some(["English", "english", "French", "Spanish"], 2),
        "tenure_months": maybe(rng.randint(0, 60)),
        "years_experience": maybe(round(rng.uniform(0, 20), 1)),
        "capacity": maybe(rng.randint(0, 5)),
    }
    answers = {
        "skills_wanted": some(skills, 4),
        "skills_offered": some(skills, 5),
        "track": maybe(rng.choice(["Eng", "Mgmt", "eng"])),
        "q1": maybe(rng.randint(1, 5), 0.7),
        "q2": maybe(rng.randint(1, 7), 0.7),
        "prefs": some([*POOL[:12], *NAMES, "ANN LEE", "nobody@x.org"], 4),
        "mentor_prefs": some(POOL[:15], 3),
    }
    kw.update({k: v for k, v in answers.items() if v not in (None, [])})
    return person(email, **kw)


def random_instance(seed: int, n_mentors: int = 12, n_mentees: int = 15):
    rng = random.Random(seed)
    people = [random_person(rng, e) for e in POOL]
    mentors = rng.sample(people, n_mentors)
    mentees = rng.sample(people, n_mentees)  # overlaps with mentors: `both` people
    return rng, people, mentors, mentees


def assert_matrix_matches_pairs(program: Program, mentors, mentees) -> None:
    scores, values = score_matrix(program, mentors, mentees)
    assert scores.shape == (len(mentors), len(mentees))
    assert scores.dtype == np.float64
    assert list(values) == [c.name for c in program.matching.criteria]
    for i, m in enumerate(mentors):
        for j, e in enumerate(mentees):
            ps = explain_pair(program, m, e)
            assert abs(scores[i, j] - ps.score) <= 1e-9, (i, j)
            for name, v in ps.values.items():
                got = values[name][i, j]
                assert values[name].dtype == np.float32
                if v is None:
                    assert np.isnan(got), (name, i, j)
                else:
                    assert abs(got - v) <= 1e-6, (name, i, j, got, v)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), reverse=st.booleans())
def test_matrix_equals_explain_pair_on_random_people(seed: int, reverse: bool) -> None:
    _, _, mentors, mentees = random_instance(seed)
    assert_matrix_matches_pairs(make_program(RANDOM_CRITERIA, reverse=reverse), mentors, mentees)


def test_matrix_is_chunk_size_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, mentors, mentees = random_instance(7, 20, 30)
    prog = make_program(RANDOM_CRITERIA)
    whole, whole_values = score_matrix(prog, mentors, mentees)
    monkeypatch.setattr(matrix, "CHUNK_CELLS", 45)  # 2 mentees per chunk
    chunked, chunked_values = score_matrix(prog, mentors, mentees)
    np.testing.assert_array_equal(whole, chunked)
    for name in whole_values:
        np.testing.assert_array_equal(whole_values[name], chunked_values[name])


def test_matrix_is_independent_of_people_order() -> None:
    rng, _, mentors, mentees = random_instance(11, 25, 30)
    prog = make_program(RANDOM_CRITERIA)
    scores, values = score_matrix(prog, mentors, mentees)
    rows = list(range(len(mentors)))
    cols = list(range(len(mentees)))
    rng.shuffle(rows)
    rng.shuffle(cols)
    s2, v2 = score_matrix(prog, [mentors[i] for i in rows], [mentees[j] for j in cols])
    np.testing.assert_array_equal(s2, scores[np.ix_(rows, cols)])
    for name in values:
        np.testing.assert_array_equal(v2[name], values[name][np.ix_(rows, cols)])


def test_matrix_of_empty_pools() -> None:
    prog = make_program(RANDOM_CRITERIA)
    _, _, mentors, _ = random_instance(3)
    scores, values = score_matrix(prog, mentors, [])
    assert scores.shape == (len(mentors), 0)
    assert values["skills"].shape == (len(mentors), 0)
    scores, _ = score_matrix(prog, [], mentors)
    assert scores.shape == (0, len(mentors))
    scores, values = score_matrix(make_program([]), mentors, mentors)
    assert not scores.any()
    assert values == {}


def sample_people(directory: Path) -> tuple[Program, list[dict[str, Any]]]:
    program = load_program(directory)
    result = read_participants(program, directory / "participants.csv")
    return program, [r.as_dict() for r in result.records]


def split_roles(people: list[dict[str, Any]]):
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    return mentors, mentees


@pytest.mark.parametrize("directory", SAMPLE_DIRS, ids=lambda p: p.name)
def test_matrix_equals_explain_pair_on_sample_programs(directory: Path) -> None:
    program, people = sample_people(directory)
    mentors, mentees = split_roles(people)
    assert mentors and mentees
    assert_matrix_matches_pairs(program, mentors, mentees)


def test_sample_program_explanation_reads_well() -> None:
    program, people = sample_people(SAMPLES / "onboarding")
    mentors, mentees = split_roles(people)
    wished = next(e for e in mentees if e["answers"].get("preferred_mentors"))
    first = wished["answers"]["preferred_mentors"][0]
    mentor = next(m for m in mentors if m["email"] == first)
    ps = explain_pair(program, mentor, wished)
    by_name = {c.name: c for c in ps.criteria}
    assert by_name["wished-for-buddy"].value == 1.0
    assert by_name["wished-for-buddy"].reason == "mentee's 1st choice"
    assert 0 < ps.score <= 1
    assert math.isclose(sum(c.contribution for c in ps.criteria), ps.score)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), reverse=st.booleans())
def test_shared_values_explain_every_pair_exactly_as_alone(seed: int, reverse: bool) -> None:
    """Inside `shared_values()` (used for a proposal's matches) every explanation, score
    and reason is the same as explaining the pair on its own."""
    _, _, mentors, mentees = random_instance(seed)
    program = make_program(RANDOM_CRITERIA, reverse=reverse)
    alone = [explain_pair(program, m, e) for m in mentors for e in mentees]
    with scoring.shared_values():
        shared = [explain_pair(program, m, e) for m in mentors for e in mentees]
        again = [explain_pair(program, m, e) for m in mentors for e in mentees]
    assert shared == alone
    assert again == alone
    assert scoring._MEMO.get() is None  # nothing kept after the block


def test_matrix_without_blanks_equals_explain_pair() -> None:
    """Complete data: the denominator stays one number per chunk (no blank anywhere)."""
    rng = random.Random(5)
    people = [
        person(
            f"c{i}@x.org",
            tenure_months=rng.randint(0, 60),
            years_experience=round(rng.uniform(0, 20), 1),
        )
        for i in range(30)
    ]
    program = make_program(
        [
            {"name": "tenure", "kind": "closeness", "field": "tenure_months", "max_diff": 24,
             "weight": 2},
            {"name": "years", "kind": "closeness", "mentee": "years_experience",
             "mentor": "tenure_months", "max_diff": 10, "weight": 0.3},
        ]
    )  # fmt: skip
    assert_matrix_matches_pairs(program, people[:12], people[12:])
    scores, _ = score_matrix(program, people[:12], people[12:], with_values=False)
    assert np.isfinite(scores).all() and scores.max() > 0
