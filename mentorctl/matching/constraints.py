"""Hard constraints: which (mentor, mentee) pairs may never be proposed, and why.

A pair is excluded, with one plain-words reason per rule it breaks, when

1. the mentor and the mentee are the same person (a ``both`` person is in both pools);
2. the mentor fails ``eligibility.mentor`` (tenure, experience, level). A blank
   tenure or experience under a minimum rule fails it ("tenure unknown",
   "experience unknown"), as does a blank level under a ``levels`` rule;
3. management: the mentor is one of the mentee's managers up to
   ``constraints.management_chain`` levels up, or the other way round - the mentee
   manages the mentor within as many levels. The second half covers direct reports
   and, in ``reverse`` programs, people who would end up teaching their own boss.
   Chains follow ``manager_email`` through everyone known (not only mentors), stop at
   the first unknown person or loop; 0 levels turns both halves off. With
   ``constraints.exclude_same_manager`` the two may not share a manager either
   (peers reporting to the same person; a blank manager is shared with nobody);
4. a ``require_same`` field differs (lists: no item shared) or is blank on either side;
5. a ``require_different`` field is the same (lists: an item is shared). A blank
   value cannot be shown to be the same, so it does not exclude;
6. a must-have rule on a criterion (``must: true`` or ``at_least``) is not met, or the
   criterion is blank for the pair (:mod:`mentorctl.matching.must` says what each kind
   needs);
7. the pair was matched in an earlier cycle (with ``avoid_previous_pairs``);
8. the pair is forbidden (``constraints.forbid`` plus pairs the caller passes in).

Values are compared as the scoring module compares them (stripped, case-insensitive).
:func:`exclusion_reasons` is the readable definition for one pair; :func:`allowed_matrix`
computes every pair at once and agrees with it. Capacity belongs to the solver and
``min_score`` to the caller (:func:`below_min_score`), after scoring;
:func:`hard_reasons` is every rule including ``min_score``.

A lock (the coordinator fixing a pair) is held to the same rules: :func:`check_lock`
refuses one that breaks any of them unless the coordinator gave a reason to override.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from mentorctl.enums import Format
from mentorctl.matching.matrix import CHUNK_CELLS, same_matrix_parts
from mentorctl.matching.must import must_filter, must_reasons
from mentorctl.matching.scoring import _tokens_list, source_value, tokens
from mentorctl.program import Program

__all__ = [
    "MIN_SCORE_TOLERANCE",
    "allowed_matrix",
    "below_min_score",
    "capacity_of",
    "check_lock",
    "exclusion_reasons",
    "hard_reasons",
    "management_chain",
    "mentor_ineligibility",
    "people_index",
]

Person = Mapping[str, Any]
Pairs = Iterable[tuple[str, str]]

#: Scores this close below ``min_score`` still pass it (float noise in weighted means).
MIN_SCORE_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- single rules


def mentor_ineligibility(program: Program, mentor: Person) -> str | None:
    """Why ``mentor`` may not mentor under ``eligibility.mentor`` (all reasons), or None."""
    rules = program.eligibility.mentor
    reasons: list[str] = []
    if rules.min_tenure_months is not None:
        tenure = mentor.get("tenure_months")
        if tenure is None:
            reasons.append("tenure unknown")
        elif tenure < rules.min_tenure_months:
            reasons.append(
                f"tenure of {tenure:g} months is below the minimum of {rules.min_tenure_months}"
            )
    if rules.min_years_experience is not None:
        years = mentor.get("years_experience")
        if years is None:
            reasons.append("experience unknown")
        elif years < rules.min_years_experience:
            reasons.append(
                f"{years:g} years of experience is below the minimum of "
                f"{rules.min_years_experience:g}"
            )
    if rules.levels is not None:
        level = mentor.get("level")
        if not level:
            reasons.append("level unknown")
        elif str(level).strip().casefold() not in {lv.strip().casefold() for lv in rules.levels}:
            reasons.append(f"level {level} may not mentor (allowed: {', '.join(rules.levels)})")
    return "; ".join(reasons) or None


def management_chain(people_by_email: Mapping[str, Person], email: str, levels: int) -> list[str]:
    """``email``'s managers, nearest first, up to ``levels`` levels (stops at loops)."""
    email = email.strip().lower()
    person = people_by_email.get(email)
    first = person.get("manager_email") if person is not None else None
    return _chain(people_by_email, email, first, levels)


def _chain(
    people_by_email: Mapping[str, Person], email: str, manager: str | None, levels: int
) -> list[str]:
    out: list[str] = []
    seen = {email}
    while manager and len(out) < levels:
        manager = manager.strip().lower()
        if manager in seen:
            break
        out.append(manager)
        seen.add(manager)
        boss = people_by_email.get(manager)
        manager = boss.get("manager_email") if boss is not None else None
    return out


def below_min_score(program: Program, score: float) -> bool:
    """Whether ``score`` falls below ``constraints.min_score`` (never, if it is unset)."""
    floor = program.matching.constraints.min_score
    return floor is not None and score < floor - MIN_SCORE_TOLERANCE


def capacity_of(program: Program, mentor: Person) -> int:
    """How many mentees ``mentor`` takes: 1 one-to-one, else theirs or the default (capped)."""
    capacity = program.mentor_capacity(mentor.get("capacity"))
    if program.format is Format.ONE_TO_ONE:
        return capacity
    return max(0, min(capacity, program.capacity.maximum))


# --------------------------------------------------------------------------- one pair


def _email(person: Person) -> str:
    return str(person.get("email") or "").strip().lower()


def _pairs(pairs: Pairs) -> set[tuple[str, str]]:
    return {(a.strip().lower(), b.strip().lower()) for a, b in pairs}


def _forbidden(program: Program, extra: Pairs) -> set[tuple[str, str]]:
    return {(p.mentor, p.mentee) for p in program.matching.constraints.forbid} | _pairs(extra)


def _label(source: str) -> str:
    return "time zone" if source == "utc_offset" else source.replace("_", " ")


def _blank_reason(source: str, mentor_blank: bool, mentee_blank: bool) -> str:
    whose = (
        "both"
        if mentor_blank and mentee_blank
        else "the mentor"
        if mentor_blank
        else ("the mentee")
    )
    return f"{_label(source)} must match but is blank for {whose}"


def _chain_reasons(
    people_by_email: Mapping[str, Person], mentor: Person, mentee: Person, levels: int
) -> list[str]:
    if levels <= 0:
        return []
    reasons: list[str] = []
    m, e = _email(mentor), _email(mentee)
    up = _chain(people_by_email, e, mentee.get("manager_email"), levels)
    if m in up:
        k = up.index(m) + 1
        reasons.append(
            "mentor is the mentee's manager"
            if k == 1
            else f"mentor is in the mentee's management chain ({k} levels up)"
        )
    down = _chain(people_by_email, m, mentor.get("manager_email"), levels)
    if e in down:
        k = down.index(e) + 1
        reasons.append(
            "mentor is the mentee's direct report"
            if k == 1
            else f"mentor reports to the mentee ({k} levels down)"
        )
    return reasons


def _same_manager(mentor: Person, mentee: Person) -> str | None:
    a = str(mentor.get("manager_email") or "").strip().lower()
    b = str(mentee.get("manager_email") or "").strip().lower()
    return a if a and a == b else None


def exclusion_reasons(
    program: Program,
    mentor: Person,
    mentee: Person,
    *,
    people_by_email: Mapping[str, Person],
    previous_pairs: Pairs = frozenset(),
    forbid: Pairs = frozenset(),
) -> list[str]:
    """Every hard rule the pair breaks, in the order of the module docstring; [] = allowed."""
    rules = program.matching.constraints
    m, e = _email(mentor), _email(mentee)
    reasons: list[str] = []
    if m == e:
        reasons.append("cannot mentor themself")
    why = mentor_ineligibility(program, mentor)
    if why is not None:
        reasons.append(f"mentor not eligible: {why}")
    reasons += _chain_reasons(people_by_email, mentor, mentee, rules.management_chain)
    if rules.exclude_same_manager and m != e:
        boss = _same_manager(mentor, mentee)
        if boss is not None:
            reasons.append(f"same manager: both report to {boss}")
    for source in rules.require_same:
        a = tokens(source_value(program, mentor, source))
        b = tokens(source_value(program, mentee, source))
        if not a or not b:
            reasons.append(_blank_reason(source, not a, not b))
        elif not a.keys() & b.keys():
            reasons.append(
                f"{_label(source)} must match: {', '.join(a.values())} (mentor) vs "
                f"{', '.join(b.values())} (mentee)"
            )
    for source in rules.require_different:
        a = tokens(source_value(program, mentor, source))
        b = tokens(source_value(program, mentee, source))
        shared = [shown for key, shown in b.items() if key in a]
        if shared:
            reasons.append(f"{_label(source)} must differ: both {', '.join(shared)}")
    reasons += must_reasons(program, mentor, mentee)
    if rules.avoid_previous_pairs and (m, e) in _pairs(previous_pairs):
        reasons.append("paired in an earlier cycle")
    if (m, e) in _forbidden(program, forbid):
        reasons.append("forbidden pair")
    return reasons


def hard_reasons(
    program: Program,
    mentor: Person,
    mentee: Person,
    *,
    people_by_email: Mapping[str, Person],
    previous_pairs: Pairs = frozenset(),
    forbid: Pairs = frozenset(),
    with_min_score: bool = True,
) -> list[str]:
    """:func:`exclusion_reasons`, then ``min_score`` (with its threshold) if none applies."""
    from mentorctl.matching.scoring import explain_pair

    reasons = exclusion_reasons(
        program,
        mentor,
        mentee,
        people_by_email=people_by_email,
        previous_pairs=previous_pairs,
        forbid=forbid,
    )
    if not reasons and with_min_score:
        score = explain_pair(program, mentor, mentee).score
        if below_min_score(program, score):
            floor = program.matching.constraints.min_score
            reasons.append(f"score {score:.3f} is below min_score {floor:g}")
    return reasons


def check_lock(
    program: Program,
    mentor: Person,
    mentee: Person,
    *,
    people_by_email: Mapping[str, Person],
    previous_pairs: Pairs = frozenset(),
    forbid: Pairs = frozenset(),
    override: str | None = None,
) -> tuple[str, ...]:
    """The hard rules a lock breaks, which ``override`` (the coordinator's reason) allows.

    Raises :class:`MatchingError` naming every rule broken when there is no override: a
    lock is the coordinator's decision, so it is never dropped silently, and never
    made silently against a rule either.
    """
    from mentorctl.errors import MatchingError

    reasons = hard_reasons(
        program,
        mentor,
        mentee,
        people_by_email=people_by_email,
        previous_pairs=previous_pairs,
        forbid=forbid,
    )
    if reasons and override is None:
        m, e = _email(mentor), _email(mentee)
        raise MatchingError(
            f"lock {m} -> {e} breaks a hard constraint: {'; '.join(reasons)}; remove the "
            f"lock, or keep it with a reason (override: in program.yaml's lock entry, the "
            f"pairs file's override column, or --override with --lock)"
        )
    return tuple(reasons)


# --------------------------------------------------------------------------- all pairs


def _index(people: Sequence[Person]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        out.setdefault(_email(p), []).append(i)
    return out


def people_index(people: Sequence[Person], *more: Sequence[Person]) -> dict[str, Person]:
    """``{email: person}`` over ``people``, then anyone in ``more`` not yet known."""
    out: dict[str, Person] = {}
    for p in people:
        out.setdefault(_email(p), p)
    for group in more:
        for p in group:
            out.setdefault(_email(p), p)
    return out


def allowed_matrix(
    program: Program,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    *,
    people: Sequence[Person],
    previous_pairs: Pairs = frozenset(),
    forbid: Pairs = frozenset(),
) -> np.ndarray:
    """Bool ``(len(mentors), len(mentees))`` matrix: True where no hard rule is broken.

    Agrees with :func:`exclusion_reasons` (given ``people_index(people, mentors,
    mentees)``). Field rules are compared over integer codes or multi-hot products in
    chunks of mentees, must-have rules over the criteria's value matrices; the
    person-to-person rules are sparse and set cell by cell.
    """
    rules = program.matching.constraints
    n_m, n_e = len(mentors), len(mentees)
    allowed = np.ones((n_m, n_e), dtype=bool)
    if n_m == 0 or n_e == 0:
        return allowed
    mentor_at, mentee_at = _index(mentors), _index(mentees)

    for i, mentor in enumerate(mentors):
        if mentor_ineligibility(program, mentor) is not None:
            allowed[i, :] = False
    for email, rows in mentor_at.items():
        for j in mentee_at.get(email, ()):
            allowed[rows, j] = False

    # Person-to-person rules touch few cells: collect them, then clear them at once.
    cells: list[tuple[int, int]] = []
    if rules.management_chain > 0:
        known = people_index(people, mentors, mentees)
        levels = rules.management_chain
        for j, mentee in enumerate(mentees):
            for boss in _chain(known, _email(mentee), mentee.get("manager_email"), levels):
                cells += [(i, j) for i in mentor_at.get(boss, ())]
        for i, mentor in enumerate(mentors):
            for boss in _chain(known, _email(mentor), mentor.get("manager_email"), levels):
                cells += [(i, j) for j in mentee_at.get(boss, ())]
    if rules.exclude_same_manager:
        allowed &= ~_same_manager_matrix(mentors, mentees)
    banned = _forbidden(program, forbid)
    if rules.avoid_previous_pairs:
        banned |= _pairs(previous_pairs)
    for m, e in banned:
        cells += [(i, j) for i in mentor_at.get(m, ()) for j in mentee_at.get(e, ())]
    if cells:
        index = np.array(cells, dtype=np.int64)
        allowed[index[:, 0], index[:, 1]] = False

    step = max(1, CHUNK_CELLS // n_m)
    for source, want_same in [(s, True) for s in rules.require_same] + [
        (s, False) for s in rules.require_different
    ]:
        shares, _, _ = same_matrix_parts(
            _tokens_list(program, mentors, source),
            _tokens_list(program, mentees, source),
        )
        for lo in range(0, n_e, step):
            hi = min(n_e, lo + step)
            # Blank values share nothing: excluded under require_same, fine otherwise.
            allowed[:, lo:hi] &= shares(lo, hi) if want_same else ~shares(lo, hi)
    must_filter(program, mentors, mentees, allowed, step)
    return allowed


def _same_manager_matrix(mentors: Sequence[Person], mentees: Sequence[Person]) -> np.ndarray:
    """Bool matrix: True where both name the same (non-blank) manager."""
    codes: dict[str, int] = {}

    def code(p: Person) -> int:
        boss = str(p.get("manager_email") or "").strip().lower()
        return codes.setdefault(boss, len(codes)) if boss else -1

    a = np.array([code(p) for p in mentors], dtype=np.int64)
    b = np.array([code(p) for p in mentees], dtype=np.int64)
    return (a[:, np.newaxis] == b[np.newaxis, :]) & (a[:, np.newaxis] >= 0)
