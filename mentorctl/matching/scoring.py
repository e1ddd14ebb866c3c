"""Scoring (mentor, mentee) pairs from the program's weighted criteria.

Every criterion gives a pair a value in [0, 1], or ``None`` ("blank") when either side
gave nothing to compare. A pair's score is the weighted mean of the values that are not
blank: blank criteria are left out *for that pair* and the remaining weights are
renormalised (the explanation says so). With no applicable criterion, or only
weight-0 ones, the score is 0.0.

:func:`explain_pair` scores one pair and gives a plain-words reason per criterion
(:class:`PairScore`): this is the readable definition of every kind.
:mod:`mentorctl.matching.matrix` computes the same numbers for many pairs at once (the
score matrix, and the explanations of a proposal's matches).

Criterion kinds (mentee side first; "case-insensitive" means stripped and casefolded):

* ``overlap`` - the share of the mentee's wanted items the mentor offers;
  blank if the mentee wants nothing or the mentor offers nothing.
* ``same`` - 1 if the two values are equal (lists: share at least one item), else 0;
  ``different`` is ``1 - same``. Blank if either side is blank.
* ``closeness`` - ``1 - |a - b| / max_diff`` clipped to [0, 1]; blank unless both are
  numbers. ``utc_offset`` is the person's UTC offset in hours at local noon on the
  cycle's start date (noon, so that a DST switch at night never matters).
* ``similarity`` - over the listed likert questions both answered: 1 minus the mean of
  ``|a - b| / (high - low)``; with ``complement`` the mean itself. Blank if no
  question was answered by both.
* ``seniority_gap`` - ``gap = rank(mentor) - rank(mentee)`` (the other way round in a
  ``reverse`` program). 1 inside ``[min_gap, max_gap]``; outside, it loses
  ``1 / (max_gap - min_gap + 1)`` per level beyond the nearer end, down to 0. So a
  range of width w tolerates w levels' error before reaching 0: a narrow preference
  falls off fast, a broad one slowly. Blank if either level is unknown.
* ``preference`` - the mentee's ranked list (emails or names, case-insensitive) gives
  1, 1/2, 1/3 ... to its 1st, 2nd, 3rd ... entry and 0 to anyone not listed; blank if
  the list is empty. With a ``mentor`` question too, the mentor's list is scored the
  same way and the two sides are averaged when both apply.

Longer than most modules on purpose: one function per criterion kind, with its words,
kept together as the one readable definition that the matrix code is tested against.

Nothing here depends on set or dict iteration order (lists keep their own order).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorctl.program import (
    ROSTER_FIELDS,
    ClosenessCriterion,
    DifferentCriterion,
    OverlapCriterion,
    PreferenceCriterion,
    Program,
    SameCriterion,
    SeniorityGapCriterion,
    SimilarityCriterion,
)

__all__ = [
    "CriterionResult",
    "PairScore",
    "criterion_verdict",
    "explain_pair",
    "number_value",
    "ordinal",
    "shared_values",
    "source_value",
    "tokens",
    "utc_offset",
]

Person = Mapping[str, Any]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's verdict on one pair.

    ``contribution`` is ``weight / (sum of applicable weights) * value``: the criterion's
    share of the pair's score (0 when blank). The contributions add up to the score.
    """

    name: str
    kind: str
    weight: float
    value: float | None
    contribution: float
    reason: str


@dataclass(frozen=True)
class PairScore:
    """A pair's score with the per-criterion explanation, in the program's criteria order."""

    mentor: str
    mentee: str
    score: float
    criteria: tuple[CriterionResult, ...]

    @property
    def values(self) -> dict[str, float | None]:
        return {c.name: c.value for c in self.criteria}

    def top_reasons(self, n: int = 2) -> list[str]:
        """Reasons of the ``n`` largest positive contributions (ties by criterion name)."""
        ranked = sorted(
            (c for c in self.criteria if c.contribution > 0),
            key=lambda c: (-c.contribution, c.name),
        )
        return [c.reason for c in ranked[:n]]


# --------------------------------------------------------------------------- values


@functools.lru_cache(maxsize=1024)
def utc_offset(timezone: str | None, on: dt.date) -> float | None:
    """Hours from UTC of ``timezone`` at local noon on ``on``; None if unknown."""
    if not timezone:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    offset = dt.datetime.combine(on, dt.time(12), tzinfo=zone).utcoffset()
    return None if offset is None else offset.total_seconds() / 3600


# The last program's questions by id: source_value runs for every person and criterion
# (hundreds of thousands of times on a large roster), Program.question scans the list.
_QUESTION_INDEX: list[Any] = [None, None, {}]  # [program, its questions list, {id: question}]


def _questions(program: Program) -> dict[str, Any]:
    questions = program.survey.questions
    cached = _QUESTION_INDEX
    if cached[0] is not program or cached[1] is not questions or len(cached[2]) != len(questions):
        index: dict[str, Any] = {}
        for q in questions:
            index.setdefault(q.id, q)  # the first, as Program.question finds it
        cached[:] = [program, questions, index]
    return cached[2]  # type: ignore[no-any-return]


def source_value(program: Program, person: Person, source: str | None) -> Any:
    """The value of a criterion source (roster field, question id or ``utc_offset``)."""
    if source is None:
        return None
    if source == "utc_offset":
        return utc_offset(person.get("timezone"), program.cycle.start)
    if source in ROSTER_FIELDS:
        return person.get(source)
    answers = person.get("answers") or {}
    value = answers.get(source)
    if value is None:
        return None
    question = _questions(program).get(source)
    if question is not None and question.any_option is not None:
        return _any_option(value, question.any_option, question.options or [])
    return value


def source_values(program: Program, people: Sequence[Person], source: str | None) -> list[Any]:
    """:func:`source_value` of each of ``people``: the question is looked up once."""
    if source is None or source == "utc_offset" or source in ROSTER_FIELDS:
        return [source_value(program, p, source) for p in people]
    question = _questions(program).get(source)
    any_option = None if question is None else question.any_option
    out: list[Any] = []
    for p in people:
        value = (p.get("answers") or {}).get(source)
        if value is not None and any_option is not None:
            value = _any_option(value, any_option, question.options or [])  # type: ignore[union-attr]
        out.append(value)
    return out


def _any_option(value: Any, any_option: str, options: list[str]) -> Any:
    """An answer of the question's ``any_option`` ("No preference") counts as every option."""
    items = value if isinstance(value, list | tuple) else [value]
    if any(str(i).strip().casefold() == any_option.strip().casefold() for i in items):
        return list(options)
    return value


def _key(item: Any) -> str:
    if isinstance(item, bool):
        return str(item).casefold()
    if isinstance(item, int | float):
        return repr(float(item))  # 5 and 5.0 are the same value
    return str(item).strip().casefold()


def tokens(value: Any) -> dict[str, str]:
    """A value as ``{comparison key: display text}``; lists give one entry per item.

    Keys are case-insensitive; the first spelling of a repeated item is kept, in order.
    """
    items = value if isinstance(value, list | tuple) else [value]
    out: dict[str, str] = {}
    for item in items:
        if item is None:
            continue
        if type(item) is str:  # the common case, inline: _key's and _display's text
            text = item.strip()
            key = text.casefold()
            if key:
                out.setdefault(key, text)
            continue
        key = _key(item)
        if key:
            out.setdefault(key, _display(item))
    return out


def _display(item: Any) -> str:
    if isinstance(item, float):
        return f"{item:g}"
    return str(item).strip()


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool | list | tuple):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _rank(program: Program, person: Person) -> float | None:
    level = person.get("level")
    return program.level_rank(str(level)) if level is not None else None


def _gap_value(gap: float, low: int, high: int) -> float:
    if low <= gap <= high:
        return 1.0
    outside = low - gap if gap < low else gap - high
    return max(0.0, 1.0 - outside / (high - low + 1))


def _scale_range(program: Program, qid: str) -> float:
    q = program.question(qid)
    low, high = q.scale if q is not None else (1, 5)
    return float(high - low) if high > low else 1.0


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _list_rank(listed: dict[str, str], person: Person) -> int | None:
    """1-based position of ``person`` (by email or name) in a de-duplicated list."""
    targets = {_key(person.get("email") or ""), _key(person.get("name") or "")} - {""}
    for i, key in enumerate(listed, start=1):
        if key in targets:
            return i
    return None


def _human(source: str) -> str:
    return "time zone" if source == "utc_offset" else source.replace("_", " ")


def _label(name: str) -> str:
    return name.replace("-", " ").replace("_", " ")


def _join(items: Sequence[str]) -> str:
    return ", ".join(items)


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------- one pair


# While `shared_values()` is active, each person's values are computed once, not once per
# pair: explaining 10,000 matches otherwise re-reads and re-tokenises every answer
# (keyed by id(person): the people outlive the `with` block, so ids are not reused).
_MEMO: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("scoring_memo", default=None)


@contextlib.contextmanager
def shared_values(memo: dict[tuple[Any, ...], Any] | None = None) -> Iterator[None]:
    """Within the block, :func:`explain_pair` reuses per-person values between pairs.

    For explaining many pairs of the same people (every match of a proposal); the
    people must not be changed inside the block. ``memo``: the values an earlier block
    kept (:class:`~mentorctl.matching.matrix.PairScorer` keeps the ones it read, so
    that the explanations and the supply gaps do not read them again); whoever keeps
    it keeps the people too.
    """
    token = _MEMO.set({} if memo is None else memo)
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memoised(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value


def _tokens_of(program: Program, person: Person, source: str | None) -> dict[str, str]:
    memo = _MEMO.get()
    if memo is None:
        return tokens(source_value(program, person, source))
    key = ("t", id(program), id(person), source)
    found = memo.get(key)
    if found is None:
        found = memo[key] = tokens(source_value(program, person, source))
    return found  # type: ignore[no-any-return]


def _tokens_list(
    program: Program, people: Sequence[Person], source: str | None
) -> list[dict[str, str]]:
    """:func:`_tokens_of` of each of ``people``, in one pass (a scorer's whole side)."""
    memo = _MEMO.get()
    if memo is None:
        return [tokens(v) for v in source_values(program, people, source)]
    keys = [("t", id(program), id(p), source) for p in people]
    out = [memo.get(key) for key in keys]
    missing = [k for k, found in enumerate(out) if found is None]
    if missing:
        values = source_values(program, [people[k] for k in missing], source)
        for k, value in zip(missing, values, strict=True):
            out[k] = memo[keys[k]] = tokens(value)
    return out  # type: ignore[return-value]


_MISSING = object()


def _number_of(program: Program, person: Person, source: str | None) -> float | None:
    memo = _MEMO.get()
    if memo is None:
        return _number(source_value(program, person, source))
    key = ("n", id(program), id(person), source)
    found = memo.get(key, _MISSING)
    if found is _MISSING:
        found = memo[key] = _number(source_value(program, person, source))
    return found  # type: ignore[no-any-return]


def _rank_of(program: Program, person: Person) -> float | None:
    return _memoised(("r", id(program), id(person)), lambda: _rank(program, person))  # type: ignore[no-any-return]


def _memo_range(program: Program, qid: str) -> float:
    return _memoised(("q", id(program), qid), lambda: _scale_range(program, qid))  # type: ignore[no-any-return]


def _missing(
    mentor_src: str | None, mentee_src: str | None, mentor_blank: bool, mentee_blank: bool
) -> str:
    def what(src: str | None) -> str:
        if src is None:
            return "no value"
        if src in ROSTER_FIELDS or src == "utc_offset":
            return f"no {_human(src)}"
        return f"no answer to {src}"

    if mentor_blank and mentee_blank and mentor_src == mentee_src:
        text = f"mentor and mentee have {what(mentor_src)}"
    else:
        parts = []
        if mentor_blank:
            parts.append(f"mentor has {what(mentor_src)}")
        if mentee_blank:
            parts.append(f"mentee has {what(mentee_src)}")
        text = " and ".join(parts)
    return f"left out: {text} (weights renormalised)"


def _left_out(text: str) -> str:
    return f"left out: {text} (weights renormalised)"


Verdict = tuple[float | None, str]


def _overlap(program: Program, c: OverlapCriterion, mentor: Person, mentee: Person) -> Verdict:
    wants = _tokens_of(program, mentee, c.mentee_source)
    offers = _tokens_of(program, mentor, c.mentor_source)
    if not wants or not offers:
        return None, _missing(c.mentor_source, c.mentee_source, not offers, not wants)
    covered = [shown for key, shown in wants.items() if key in offers]
    missing = [shown for key, shown in wants.items() if key not in offers]
    n, k, label = len(wants), len(covered), _label(c.name)
    if n == 1:
        verb = "covers" if k else "does not cover"
        reason = f"{verb} the wanted {label} (1 of 1): {_join(list(wants.values()))}"
    elif k == n:
        reason = f"covers all {n} wanted {label}: {_join(covered)}"
    elif k == 0:
        reason = f"covers none of the {n} wanted {label}"
        if n <= 3:
            reason += f" ({_join(missing)})"
    else:
        reason = f"covers {k} of {n} wanted {label}: {_join(covered)}"
        if len(missing) <= 3:
            reason += f" (missing: {_join(missing)})"
    return k / n, reason


def _same(
    program: Program, c: SameCriterion | DifferentCriterion, mentor: Person, mentee: Person
) -> Verdict:
    a = _tokens_of(program, mentee, c.mentee_source)
    b = _tokens_of(program, mentor, c.mentor_source)
    if not a or not b:
        return None, _missing(c.mentor_source, c.mentee_source, not b, not a)
    shared = [shown for key, shown in a.items() if key in b]
    same = 1.0 if shared else 0.0
    value = same if isinstance(c, SameCriterion) else 1.0 - same
    source = c.mentee_source or ""
    if source == "languages":
        reason = (
            f"both speak {_join(shared)}"
            if shared
            else f"no language in common (mentor: {_join(list(b.values()))}; "
            f"mentee: {_join(list(a.values()))})"
        )
    else:
        label = _human(source)
        reason = (
            f"same {label}: {_join(shared)}"
            if shared
            else f"different {label}: {_join(list(b.values()))} (mentor) vs "
            f"{_join(list(a.values()))} (mentee)"
        )
    return value, reason


def _closeness(program: Program, c: ClosenessCriterion, mentor: Person, mentee: Person) -> Verdict:
    a = _number_of(program, mentee, c.mentee_source)
    b = _number_of(program, mentor, c.mentor_source)
    if a is None or b is None:
        return None, _missing(c.mentor_source, c.mentee_source, b is None, a is None)
    diff = abs(a - b)
    value = min(1.0, max(0.0, 1.0 - diff / c.max_diff))
    if c.mentee_source == "utc_offset" and c.mentor_source == "utc_offset":
        reason = f"time zones {diff:g} h apart (max {c.max_diff:g})"
    else:
        reason = (
            f"{_human(c.mentee_source or '')} {a:g} vs {b:g} (mentor): "
            f"{diff:g} apart (max {c.max_diff:g})"
        )
    return value, reason


def _similarity(
    program: Program, c: SimilarityCriterion, mentor: Person, mentee: Person
) -> Verdict:
    total, used = 0.0, 0
    for qid in c.questions:
        a = _number_of(program, mentee, qid)
        b = _number_of(program, mentor, qid)
        if a is None or b is None:
            continue
        total += abs(a - b) / _memo_range(program, qid)
        used += 1
    if used == 0:
        return None, _left_out(f"no {_label(c.name)} question answered by both")
    distance = total / used
    of = "" if used == len(c.questions) else f" (on {used} of {len(c.questions)} questions)"
    if c.complement:
        return distance, f"{_label(c.name)} answers {round(100 * distance)}% apart{of}"
    return 1.0 - distance, f"{_label(c.name)} answers {round(100 * (1 - distance))}% alike{of}"


def _seniority(
    program: Program, c: SeniorityGapCriterion, mentor: Person, mentee: Person
) -> Verdict:
    r_mentor, r_mentee = _rank_of(program, mentor), _rank_of(program, mentee)
    if r_mentor is None or r_mentee is None:
        return None, _missing("level", "level", r_mentor is None, r_mentee is None)
    gap = r_mentee - r_mentor if program.reverse else r_mentor - r_mentee
    senior = "mentee" if program.reverse else "mentor"
    if gap == 0:
        where = "same level"
    else:
        where = f"{senior} is {_plural(abs(gap), 'level')} {'above' if gap > 0 else 'below'}"
    return _gap_value(gap, c.min_gap, c.max_gap), f"{where} (preferred {c.min_gap}-{c.max_gap})"


def _preference(
    program: Program, c: PreferenceCriterion, mentor: Person, mentee: Person
) -> Verdict:
    values: list[float] = []
    parts: list[str] = []
    sides = [("mentee", c.mentee, mentee, mentor)]
    if c.mentor is not None:
        sides.append(("mentor", c.mentor, mentor, mentee))
    for side, qid, chooser, chosen in sides:
        listed = _tokens_of(program, chooser, qid)
        if not listed:
            continue
        rank = _list_rank(listed, chosen)
        if rank is None:
            values.append(0.0)
            parts.append(f"not on the {side}'s list")
        else:
            values.append(1.0 / rank)
            parts.append(f"{side}'s {ordinal(rank)} choice")
    if not values:
        text = "mentee listed nobody" if c.mentor is None else "neither side listed anyone"
        return None, _left_out(text)
    value = values[0] if len(values) == 1 else (values[0] + values[1]) / 2
    return value, "; ".join(parts)


_KINDS: dict[type, Callable[..., Verdict]] = {
    OverlapCriterion: _overlap,
    SameCriterion: _same,
    DifferentCriterion: _same,
    ClosenessCriterion: _closeness,
    SimilarityCriterion: _similarity,
    SeniorityGapCriterion: _seniority,
    PreferenceCriterion: _preference,
}


def explain_pair(program: Program, mentor: Person, mentee: Person) -> PairScore:
    """Score one pair and say why, criterion by criterion (see the module docstring)."""
    verdicts = [
        (c, *_KINDS[type(c)](program, c, mentor, mentee)) for c in program.matching.criteria
    ]
    numerator = denominator = 0.0
    for c, value, _ in verdicts:
        if value is not None:
            numerator += c.weight * value
            denominator += c.weight
    results = tuple(
        CriterionResult(
            name=c.name,
            kind=c.kind,
            weight=c.weight,
            value=value,
            contribution=(
                c.weight / denominator * value if value is not None and denominator > 0 else 0.0
            ),
            reason=reason,
        )
        for c, value, reason in verdicts
    )
    score = numerator / denominator if denominator > 0 else 0.0
    return PairScore(
        mentor=str(mentor.get("email", "")),
        mentee=str(mentee.get("email", "")),
        score=score,
        criteria=results,
    )


# --------------------------------------------------------------------------- one criterion


def criterion_verdict(program: Program, c: Any, mentor: Person, mentee: Person) -> Verdict:
    """One criterion's ``(value, reason)`` on one pair, as :func:`explain_pair` gives them."""
    return _KINDS[type(c)](program, c, mentor, mentee)


def number_value(value: Any) -> float | None:
    """A value as a number, as ``closeness`` reads it (None if it is not one)."""
    return _number(value)
