"""Why a pair was matched, in words for the pair themselves.

The coordinator's ``explain`` text (:mod:`mentorctl.matching.scoring`) is for tuning a
program: "time zones 0 h apart (max 4)". Participants get a sentence about *them*
instead, with no scores, weights, limits or criterion names: "you both work in the same
time zone", "Amelia wants to grow in Data and SQL, which Adaeze offers", "Amelia asked
for Adaeze".

:func:`participant_reasons` is the one place that wording comes from; agreements,
introduction emails and any later shortlist call it. Only what is true and favourable is
said (a criterion the pair scored 0 on, or one just near its preferred range, says
nothing), in the order of how much each criterion brought the pair together. A program
can replace a criterion's phrase (``participant_text:``, with ``{mentor}``, ``{mentee}``
and ``{items}``) or keep it from participants (``show_participants: false``), e.g. for
anything based on personality items.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mentorctl.matching.scoring import explain_pair, source_value, tokens
from mentorctl.program import (
    ClosenessCriterion,
    DifferentCriterion,
    OverlapCriterion,
    PreferenceCriterion,
    Program,
    SameCriterion,
    SeniorityGapCriterion,
    SimilarityCriterion,
)

Person = Mapping[str, Any]

#: How roster fields and derived fields read in a sentence.
_FIELD_WORDS = {
    "tenure_months": "time at the company",
    "years_experience": "years of experience",
    "utc_offset": "time zone",
    "department": "department",
    "location": "location",
    "title": "job title",
    "level": "level",
}


def first_name(person: Person) -> str:
    """The first word of a person's name (their email's local part without one)."""
    name = " ".join(str(person.get("name") or "").split())
    if not name:
        return str(person.get("email") or "").partition("@")[0]
    return name.split(" ")[0]


def join_items(items: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _words(source: str | None) -> str:
    if not source:
        return "answer"
    return _FIELD_WORDS.get(source, source.replace("_", " "))


def _has(source: str | None, *words: str) -> bool:
    return bool(source) and any(w in (source or "") for w in words)


def _overlap(program: Program, c: OverlapCriterion, mentor: Person, mentee: Person) -> str | None:
    wants = tokens(source_value(program, mentee, c.mentee_source))
    offers = tokens(source_value(program, mentor, c.mentor_source))
    items = join_items([shown for key, shown in wants.items() if key in offers])
    if not items:
        return None
    if c.mentee_source == c.mentor_source:
        if _has(c.mentee_source, "avail", "slot", "time"):
            return f"you are both usually free at the same times ({items})"
        return f"you both chose {items}"
    if _has(c.mentee_source, "skill"):
        return f"{{mentee}} wants to grow in {items}, which {{mentor}} offers"
    if _has(c.mentee_source, "topic", "interest"):
        return f"{{mentee}} wants to talk about {items}, which {{mentor}} offers"
    return f"{{mentee}} is looking for {items}, which {{mentor}} offers"


def _same(program: Program, c: SameCriterion, mentor: Person, mentee: Person) -> str | None:
    a = tokens(source_value(program, mentee, c.mentee_source))
    b = tokens(source_value(program, mentor, c.mentor_source))
    items = join_items([shown for key, shown in a.items() if key in b])
    if not items:
        return None
    source = c.mentee_source or ""
    if source == "languages":
        return f"you both speak {items}"
    if source == "location":
        return f"you are both based in {items}"
    if source == "department":
        return f"you both work in {items}"
    if source in ("timezone", "utc_offset"):
        return "you both work in the same time zone"
    if _has(source, "slot", "avail", "time"):
        return f"you are both free at the same time ({items})"
    return f"you gave the same answer about {_words(source)}: {items}"


def _different(
    program: Program, c: DifferentCriterion, mentor: Person, mentee: Person
) -> str | None:
    a = tokens(source_value(program, mentee, c.mentee_source))
    b = tokens(source_value(program, mentor, c.mentor_source))
    if not a or not b or set(a) & set(b):
        return None
    words = _words(c.mentee_source)
    plural = words if words.endswith("s") else words + "s"
    return (
        f"you come from different {plural} ({join_items(list(b.values()))} and "
        f"{join_items(list(a.values()))}), so each of you brings a fresh view"
    )


def _closeness(
    program: Program, c: ClosenessCriterion, mentor: Person, mentee: Person
) -> str | None:
    a = source_value(program, mentee, c.mentee_source)
    b = source_value(program, mentor, c.mentor_source)
    try:
        diff = abs(float(a) - float(b))
    except (TypeError, ValueError):
        return None
    if c.mentee_source == "utc_offset" and c.mentor_source == "utc_offset":
        if diff == 0:
            return "you both work in the same time zone"
        if diff <= 1:
            return "you both work within an hour of each other's time zone"
        return f"you both work within {math.ceil(diff)} hours of each other's time zone"
    return f"you have a similar {_words(c.mentee_source)}"


def _similarity(program: Program, c: SimilarityCriterion, *_: Person) -> str | None:
    label = c.name.replace("-", " ").replace("_", " ")
    if c.complement:
        return f"your answers about {label} complement each other"
    return f"you answered the questions about {label} alike"


def _seniority(
    program: Program, c: SeniorityGapCriterion, mentor: Person, mentee: Person
) -> str | None:
    r_mentor = program.level_rank(str(mentor.get("level") or ""))
    r_mentee = program.level_rank(str(mentee.get("level") or ""))
    if r_mentor is None or r_mentee is None:
        return None
    gap = r_mentee - r_mentor if program.reverse else r_mentor - r_mentee
    if not c.min_gap <= gap <= c.max_gap:
        return None  # near the preferred range is not worth telling
    if gap == 0:
        return "you are at the same stage of your careers"
    if program.reverse:
        return "{mentor} brings a fresh view from earlier in their career"
    return "{mentor} is further along the same career path, and near enough to remember it"


def _preference(
    program: Program, c: PreferenceCriterion, mentor: Person, mentee: Person
) -> str | None:
    def listed(chooser: Person, qid: str | None, chosen: Person) -> bool:
        if qid is None:
            return False
        keys = set(tokens(source_value(program, chooser, qid)))
        targets = {str(chosen.get(k) or "").strip().casefold() for k in ("email", "name")} - {""}
        return bool(keys & targets)

    by_mentee, by_mentor = listed(mentee, c.mentee, mentor), listed(mentor, c.mentor, mentee)
    if by_mentee and by_mentor:
        return "you asked for each other"
    if by_mentee:
        return "{mentee} asked for {mentor}"
    if by_mentor:
        return "{mentor} asked for {mentee}"
    return None


_PHRASES: dict[type, Any] = {
    OverlapCriterion: _overlap,
    SameCriterion: _same,
    DifferentCriterion: _different,
    ClosenessCriterion: _closeness,
    SimilarityCriterion: _similarity,
    SeniorityGapCriterion: _seniority,
    PreferenceCriterion: _preference,
}


def _items_of(program: Program, c: Any, mentor: Person, mentee: Person) -> str:
    """What ``{items}`` stands for in a program's own phrase: the shared answers."""
    if isinstance(c, OverlapCriterion | SameCriterion):
        a = tokens(source_value(program, mentee, c.mentee_source))
        b = tokens(source_value(program, mentor, c.mentor_source))
        return join_items([shown for key, shown in a.items() if key in b])
    if isinstance(c, DifferentCriterion):
        values = [
            source_value(program, p, s)
            for p, s in ((mentor, c.mentor_source), (mentee, c.mentee_source))
        ]
        return join_items([join_items(list(tokens(v).values())) for v in values])
    return ""


def _addressed(phrase: str, reader: str) -> str:
    """``phrase`` told to ``reader`` ("mentor" or "mentee"): "{mentee} wants to grow in X,
    which {mentor} offers" becomes "you want to grow in X, which {mentor} offers"."""
    you = "{" + reader + "}"
    if you not in phrase:
        return phrase
    subject = re.compile(re.escape(you) + r" (is|has|\w+s)\b")
    if phrase.startswith(you):
        phrase = phrase.replace(" their ", " your ")  # the subject's own career, and so on
    phrase = subject.sub(lambda m: "you " + _PLAIN.get(m[1], m[1][:-1]), phrase)
    return phrase.replace(you, "you")


_PLAIN = {"is": "are", "has": "have"}


def participant_reasons(
    program: Program,
    mentor: Person,
    mentee: Person,
    *,
    limit: int = 3,
    reader: str | None = None,
) -> list[str]:
    """Up to ``limit`` sentences telling the pair why they were matched (see the module).

    ``mentor`` and ``mentee`` are roster values (``stored_values`` /
    ``ParticipantRecord.as_dict``: name, email, fields and ``answers``). With ``reader``
    ("mentor" or "mentee") the sentences speak to that one person ("you want to grow in
    ..."), as a shortlist does; a program's own ``participant_text`` is used as written.
    """
    criteria = {c.name: c for c in program.matching.criteria}
    pair = explain_pair(program, mentor, mentee)
    order = {c.name: i for i, c in enumerate(program.matching.criteria)}
    ranked = sorted(
        (r for r in pair.criteria if r.value and r.value > 0 and r.contribution > 0),
        key=lambda r: (-r.contribution, order[r.name]),
    )
    names = {"mentor": first_name(mentor), "mentee": first_name(mentee)}
    out: list[str] = []
    for result in ranked:
        c = criteria[result.name]
        if not c.show_participants:
            continue
        if c.participant_text:
            items = _items_of(program, c, mentor, mentee)
            if "{items}" in c.participant_text and not items:
                continue
            text = c.participant_text.format(**names, items=items)
        else:
            phrase = _PHRASES[type(c)](program, c, mentor, mentee)
            if phrase is None:
                continue
            if reader is not None:
                phrase = _addressed(phrase, reader)
            # Names go in last: a name with braces in it must not be read as a placeholder.
            text = phrase.replace("{mentor}", names["mentor"]).replace("{mentee}", names["mentee"])
        text = text[:1].upper() + text[1:] if text[:1].islower() else text
        if text not in out:
            out.append(text)
        if len(out) >= limit:
            break
    return out
