"""The words participants read about why they were matched, pinned for every kind.

These sentences reach mentors and mentees as they are (agreements, intro emails): no
scores, limits, weights or criterion names, only what is true and favourable.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from mentorctl.agreements.reasons import join_items, participant_reasons
from mentorctl.program import Program

BASE: dict[str, Any] = {
    "name": "Reasons",
    "slug": "reasons",
    "cycle": {"name": "2027-h1", "start": "2027-01-11"},
    "levels": ["Junior", "Mid", "Senior", "Staff"],
    "survey": {
        "questions": [
            {"id": "skills_wanted", "label": "Want", "type": "multiple_choice",
             "options": ["Data and SQL", "Python", "Writing"]},
            {"id": "skills_offered", "label": "Offer", "type": "multiple_choice",
             "options": ["Data and SQL", "Python", "Writing"]},
            {"id": "topics_wanted", "label": "Topics", "type": "multiple_choice",
             "options": ["Architecture", "Hiring"]},
            {"id": "topics_offered", "label": "Topics", "type": "multiple_choice",
             "options": ["Architecture", "Hiring"]},
            {"id": "availability", "label": "When", "type": "multiple_choice",
             "options": ["Late morning", "Lunchtime"]},
            {"id": "meeting_preference", "label": "How", "type": "single_choice",
             "options": ["In person", "Video call"]},
            {"id": "style_1", "label": "S1", "type": "likert"},
            {"id": "style_2", "label": "S2", "type": "likert"},
            {"id": "preferred_mentors", "label": "Who", "type": "email_list"},
            {"id": "preferred_mentees", "label": "Who", "type": "email_list"},
        ]
    },
}  # fmt: skip

MENTOR = {
    "email": "adaeze@example.com",
    "name": "Adaeze Okafor",
    "role": "mentor",
    "department": "Finance",
    "location": "Lagos",
    "timezone": "Africa/Lagos",
    "languages": ["English", "Igbo"],
    "level": "Senior",
    "tenure_months": 30,
    "years_experience": 12,
    "answers": {
        "skills_offered": ["Data and SQL", "Python", "Writing"],
        "topics_offered": ["Architecture"],
        "availability": ["Late morning", "Lunchtime"],
        "meeting_preference": "Video call",
        "style_1": 4,
        "style_2": 2,
        "preferred_mentees": ["amelia@example.com"],
    },
}
MENTEE = {
    "email": "amelia@example.com",
    "name": "Amelia Smith",
    "role": "mentee",
    "department": "Engineering",
    "location": "Lagos",
    "timezone": "Europe/London",
    "languages": ["english"],
    "level": "Junior",
    "tenure_months": 6,
    "years_experience": 2,
    "answers": {
        "skills_wanted": ["Data and SQL", "Python"],
        "topics_wanted": ["Architecture", "Hiring"],
        "availability": ["Late morning"],
        "meeting_preference": "Video call",
        "style_1": 4,
        "style_2": 3,
        "preferred_mentors": ["adaeze@example.com"],
    },
}


def program(*criteria: dict[str, Any], **extra: Any) -> Program:
    return Program.model_validate({**BASE, "matching": {"criteria": list(criteria)}, **extra})


CASES = [
    (
        {
            "name": "skills",
            "kind": "overlap",
            "mentee": "skills_wanted",
            "mentor": "skills_offered",
        },
        "Amelia wants to grow in Data and SQL and Python, which Adaeze offers",
    ),
    (
        {
            "name": "topics",
            "kind": "overlap",
            "mentee": "topics_wanted",
            "mentor": "topics_offered",
        },
        "Amelia wants to talk about Architecture, which Adaeze offers",
    ),
    (
        {"name": "slots", "kind": "overlap", "field": "availability"},
        "You are both usually free at the same times (Late morning)",
    ),
    ({"name": "lang", "kind": "same", "field": "languages"}, "You both speak english"),
    ({"name": "city", "kind": "same", "field": "location"}, "You are both based in Lagos"),
    (
        {"name": "meet", "kind": "same", "field": "meeting_preference"},
        "You gave the same answer about meeting preference: Video call",
    ),
    (
        {"name": "dept", "kind": "different", "field": "department"},
        "You come from different departments (Finance and Engineering), "
        "so each of you brings a fresh view",
    ),
    (
        {"name": "tz", "kind": "closeness", "field": "utc_offset", "max_diff": 4},
        "You both work within an hour of each other's time zone",
    ),
    (
        {"name": "tenure", "kind": "closeness", "field": "tenure_months", "max_diff": 48},
        "You have a similar time at the company",
    ),
    (
        {"name": "working-style", "kind": "similarity", "questions": ["style_1", "style_2"]},
        "You answered the questions about working style alike",
    ),
    (
        {"name": "energy", "kind": "similarity", "questions": ["style_2"], "complement": True},
        "Your answers about energy complement each other",
    ),
    (
        {"name": "seniority", "kind": "seniority_gap", "min_gap": 1, "max_gap": 3},
        "Adaeze is further along the same career path, and near enough to remember it",
    ),
    (
        {"name": "wish", "kind": "preference", "mentee": "preferred_mentors"},
        "Amelia asked for Adaeze",
    ),
    (
        {
            "name": "wish",
            "kind": "preference",
            "mentee": "preferred_mentors",
            "mentor": "preferred_mentees",
        },
        "You asked for each other",
    ),
]

#: What only the coordinator's `explain` may say.
JARGON = re.compile(r"\d+(\.\d+)?\s*%|\bmax\b|\bh apart\b|\bscore|\bweight|\bcriteri|renormal|\(\d")


@pytest.mark.parametrize(
    ("criterion", "expected"), CASES, ids=[c[0]["name"] + "-" + c[0]["kind"] for c in CASES]
)
def test_the_words_of_every_kind(criterion: dict[str, Any], expected: str) -> None:
    said = participant_reasons(program(criterion), MENTOR, MENTEE)
    assert said == [expected]
    assert not JARGON.search(expected)
    if criterion["kind"] != "similarity":  # which names its questions by the criterion's label
        assert criterion["name"] not in expected.lower().split()


@pytest.mark.parametrize(
    ("criterion", "reader", "expected"),
    [
        (CASES[0][0], "mentee", "You want to grow in Data and SQL and Python, which Adaeze offers"),
        (CASES[0][0], "mentor", "Amelia wants to grow in Data and SQL and Python, which you offer"),
        (CASES[1][0], "mentee", "You want to talk about Architecture, which Adaeze offers"),
        (
            CASES[-3][0],
            "mentor",
            "You are further along the same career path, and near enough to remember it",
        ),
        (
            CASES[-3][0],
            "mentee",
            "Adaeze is further along the same career path, and near enough to remember it",
        ),
        (CASES[-2][0], "mentee", "You asked for Adaeze"),
        (CASES[-2][0], "mentor", "Amelia asked for you"),
        (CASES[2][0], "mentee", "You are both usually free at the same times (Late morning)"),
    ],
)
def test_told_to_one_person(criterion: dict[str, Any], reader: str, expected: str) -> None:
    """A shortlist speaks to its reader: "you want to grow in ...", never their own name."""
    assert participant_reasons(program(criterion), MENTOR, MENTEE, reader=reader) == [expected]


def test_reverse_seniority_told_to_the_mentor() -> None:
    crit = {"name": "seniority", "kind": "seniority_gap", "min_gap": 1, "max_gap": 3}
    said = participant_reasons(program(crit, reverse=True), MENTEE, MENTOR, reader="mentor")
    assert said == ["You bring a fresh view from earlier in your career"]


def test_reverse_program_seniority() -> None:
    crit = {"name": "seniority", "kind": "seniority_gap", "min_gap": 1, "max_gap": 3}
    p = program(crit, reverse=True)
    assert participant_reasons(p, MENTEE, MENTOR) == [
        "Amelia brings a fresh view from earlier in their career"
    ]


def test_only_what_is_true_and_favourable_is_said() -> None:
    p = program(
        {"name": "tz", "kind": "closeness", "field": "utc_offset", "max_diff": 0.5},
        {"name": "dept", "kind": "same", "field": "department"},
        {"name": "gap", "kind": "seniority_gap", "min_gap": 3, "max_gap": 3},
        {"name": "wish", "kind": "preference", "mentee": "preferred_mentees"},
    )
    assert participant_reasons(p, MENTOR, MENTEE) == []


def test_strongest_reasons_first_and_at_most_three() -> None:
    p = program(*(c for c, _ in CASES[:6]))
    p = p.model_copy(
        update={
            "matching": p.matching.model_copy(
                update={
                    "criteria": [
                        c.model_copy(update={"weight": float(i + 1)})
                        for i, c in enumerate(p.matching.criteria)
                    ]
                }
            )
        }
    )
    said = participant_reasons(p, MENTOR, MENTEE)
    assert said == [CASES[5][1], CASES[4][1], CASES[3][1]]


def test_program_phrase_and_hidden_criteria() -> None:
    p = program(
        {
            "name": "skills",
            "kind": "overlap",
            "mentee": "skills_wanted",
            "mentor": "skills_offered",
            "participant_text": "{mentor} can help {mentee} with {items}",
        },
        {
            "name": "working-style",
            "kind": "similarity",
            "questions": ["style_1"],
            "show_participants": False,
            "weight": 10,
        },
    )
    assert participant_reasons(p, MENTOR, MENTEE) == [
        "Adaeze can help Amelia with Data and SQL and Python"
    ]


@pytest.mark.parametrize(
    ("phrase", "message"),
    [("{mentor} and {score}", "unknown placeholder {score}"), ("{mentor", "not a valid phrase")],
)
def test_phrase_placeholders_are_checked(phrase: str, message: str) -> None:
    crit = {"name": "wish", "kind": "preference", "mentee": "preferred_mentors"}
    with pytest.raises(ValidationError, match=re.escape(message)):
        program({**crit, "participant_text": phrase})


def test_names_are_never_read_as_placeholders() -> None:
    crit = {"name": "wish", "kind": "preference", "mentee": "preferred_mentors"}
    odd = {**MENTEE, "name": "{mentor} Smith"}
    assert participant_reasons(program(crit), MENTOR, odd) == ["{mentor} asked for Adaeze"]


def test_join_items() -> None:
    assert [join_items(x) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == [
        "",
        "A",
        "A and B",
        "A, B and C",
    ]
