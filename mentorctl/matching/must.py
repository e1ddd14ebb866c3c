"""Must-have rules: a criterion that is a hard constraint too (``must: true``, ``at_least``).

``at_least: t`` (0 < t <= 1) on a criterion excludes every pair whose value on it is
below ``t``. ``must: true`` asks for the criterion to be *met*, which means, per kind:

* ``overlap`` - the mentor offers at least one of the mentee's wanted items (value > 0);
* ``same`` - the two share a value (lists: at least one item), value 1;
* ``different`` - the two share no value, value 1;
* ``closeness`` - the two numbers are at most ``max_diff`` apart, so ``max_diff`` is the
  limit (``field: utc_offset, max_diff: 3``: time zones at most 3 hours apart). With
  ``at_least: t`` the limit is ``(1 - t) * max_diff`` instead;
* ``seniority_gap`` - the gap is inside ``[min_gap, max_gap]`` (value 1);
* ``preference`` - the pair is on a list: the mentee listed the mentor, or, with a
  ``mentor`` question too, either listed the other (value > 0);
* ``similarity`` - not defined (validation asks for ``at_least`` instead).

A blank value (either side gave nothing to compare) never meets a must-have rule: the
pair is excluded, as a blank field is under ``require_same``. A must-have rule does not
change any score; with ``weight: 0`` the criterion is a pure filter. Values are compared
with a tolerance of 1e-9, so a threshold reached exactly (0.5 of a ``max_diff`` of 6 at
3 hours) is met whichever way the value was computed.

:func:`must_reasons` is the readable definition for one pair; :func:`must_filter` clears
every pair at once from the same per-criterion value matrices the score matrix uses, and
agrees with it. :func:`relax_rules`, :func:`loosen_values` and :func:`loosen_words` serve the
relaxations (:mod:`mentorctl.matching.relax`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mentorctl.matching.matrix import criterion_block
from mentorctl.matching.scoring import (
    criterion_verdict,
    number_value,
    source_value,
)
from mentorctl.matching.types import Person
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

__all__ = [
    "TOLERANCE",
    "loosen_values",
    "loosen_words",
    "loosened",
    "must_filter",
    "must_reasons",
    "must_rules",
    "relax_rules",
    "threshold",
    "without_rule",
]

#: Values this close below a threshold still meet it (float noise between computations).
TOLERANCE = 1e-9

Meets = Callable[[int, int], np.ndarray]


def must_rules(program: Program) -> list[Any]:
    """The program's criteria that carry a must-have rule, in program order."""
    return [c for c in program.matching.criteria if c.must or c.at_least is not None]


def _positive(c: Any) -> bool:
    """Whether ``c``'s rule asks for a value above 0 (``must`` on overlap, preference)."""
    return c.at_least is None and isinstance(c, OverlapCriterion | PreferenceCriterion)


def threshold(c: Any) -> float:
    """The value a pair needs on ``c``: ``at_least``, or what ``must: true`` means.

    0 where ``must`` asks for more than 0 (:func:`_positive`) and for ``closeness``, whose
    ``must`` is a distance rule (see :func:`_closeness_limit`).
    """
    if c.at_least is not None:
        return float(c.at_least)
    if _positive(c) or isinstance(c, ClosenessCriterion):
        return 0.0
    return 1.0


def _closeness_limit(c: ClosenessCriterion) -> float:
    """How far apart the two numbers may be under ``c``'s rule."""
    if c.at_least is not None:
        return (1.0 - c.at_least) * c.max_diff
    return c.max_diff


def _meets_value(c: Any, value: float) -> bool:
    if _positive(c):
        return value > 0
    return value >= threshold(c) - TOLERANCE


# --------------------------------------------------------------------------- all pairs


def _numbers(program: Program, people: Sequence[Person], source: str | None) -> np.ndarray:
    out = [number_value(source_value(program, p, source)) for p in people]
    return np.array([np.nan if v is None else v for v in out], dtype=np.float64)


def _meets_matrix(
    program: Program, c: Any, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Meets:
    """``meets(lo, hi)``: bool, mentor i meets ``c``'s rule with mentee lo + j."""
    if isinstance(c, ClosenessCriterion) and c.must:
        # At the limit the value is 0 (as it is beyond it): the rule reads the distance.
        b = _numbers(program, mentors, c.mentor_source)
        a = _numbers(program, mentees, c.mentee_source)
        limit = c.max_diff + TOLERANCE

        def distance(lo: int, hi: int) -> np.ndarray:
            return np.abs(a[np.newaxis, lo:hi] - b[:, np.newaxis]) <= limit  # NaN: False

        return distance
    values = criterion_block(program, c, mentors, mentees)
    if _positive(c):
        return lambda lo, hi: values(lo, hi) > 0
    t = threshold(c) - TOLERANCE
    return lambda lo, hi: values(lo, hi) >= t


def must_filter(
    program: Program,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    allowed: np.ndarray,
    step: int,
) -> None:
    """Clear, in ``allowed``, every pair that breaks a must-have rule (``step`` mentee
    columns at a time, to bound the temporaries)."""
    n_e = len(mentees)
    for c in must_rules(program):
        meets = _meets_matrix(program, c, mentors, mentees)
        for lo in range(0, n_e, step):
            hi = min(n_e, lo + step)
            allowed[:, lo:hi] &= meets(lo, hi)


# --------------------------------------------------------------------------- one pair


def _blank(reason: str) -> str:
    # Scoring says why a value is blank for the weights ("left out: mentee has no time
    # zone (weights renormalised)"); here only the why is wanted.
    return reason.removeprefix("left out: ").removesuffix(" (weights renormalised)")


def _percent(t: float) -> str:
    return f"{round(100 * t, 1):g}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _levels_outside(c: SeniorityGapCriterion, t: float) -> int:
    """Levels beyond ``[min_gap, max_gap]`` a value of at least ``t`` tolerates."""
    return math.floor((1.0 - t) * (c.max_gap - c.min_gap + 1) + TOLERANCE)


def _closeness_text(program: Program, c: ClosenessCriterion, mentor: Person, mentee: Person) -> str:
    a = number_value(source_value(program, mentee, c.mentee_source)) or 0.0
    b = number_value(source_value(program, mentor, c.mentor_source)) or 0.0
    d, limit = abs(a - b), round(_closeness_limit(c), 6)
    if c.mentee_source == "utc_offset" and c.mentor_source == "utc_offset":
        return f"time zones {d:g} h apart (at most {limit:g} h)"
    label = (c.mentee_source or "").replace("_", " ")
    return f"{label} {a:g} vs {b:g} (mentor): {d:g} apart (at most {limit:g})"


def _requirement(c: Any) -> str:
    """What the rule asks for, in words, for the end of a reason."""
    t = c.at_least
    if isinstance(c, OverlapCriterion):
        return "needs at least one" if t is None else f"needs at least {_percent(t)} of them"
    if isinstance(c, SameCriterion | DifferentCriterion):
        return "must match" if isinstance(c, SameCriterion) else "must differ"
    if isinstance(c, SeniorityGapCriterion):
        within = f"{c.min_gap}-{c.max_gap}"
        if t is None or _levels_outside(c, t) == 0:
            return f"must be within {within}"
        return f"at most {_plural(_levels_outside(c, t), 'level')} outside {within}"
    if isinstance(c, SimilarityCriterion):
        return f"needs at least {_percent(t or 1.0)} {'apart' if c.complement else 'alike'}"
    if isinstance(c, PreferenceCriterion):
        if t is None:
            return "must be on a list"
        return f"needs a ranking of at least {t:g}; a 1st choice is 1, a 2nd 1/2 ..."
    return f"needs at least {t:g}"  # pragma: no cover - every kind is named above


def _detail(reason: str, c: Any) -> str:
    if isinstance(c, SeniorityGapCriterion):  # its own range is said by the requirement
        return reason.split(" (preferred ", 1)[0]
    return reason


def must_reasons(program: Program, mentor: Person, mentee: Person) -> list[str]:
    """One reason per must-have rule the pair breaks, in program order; [] = none."""
    out: list[str] = []
    for c in must_rules(program):
        value, reason = criterion_verdict(program, c, mentor, mentee)
        head = f"must-have '{c.name}'"
        if value is None:
            out.append(f"{head}: {_blank(reason)}")
        elif isinstance(c, ClosenessCriterion):
            if c.must:
                a = number_value(source_value(program, mentee, c.mentee_source))
                b = number_value(source_value(program, mentor, c.mentor_source))
                ok = a is not None and b is not None and abs(a - b) <= c.max_diff + TOLERANCE
            else:
                ok = _meets_value(c, value)
            if not ok:
                out.append(f"{head}: {_closeness_text(program, c, mentor, mentee)}")
        elif not _meets_value(c, value):
            out.append(f"{head}: {_detail(reason, c)} ({_requirement(c)})")
    return out


# --------------------------------------------------------------------------- relaxations


def _criterion(program: Program, name: str) -> Any:
    return next(c for c in program.matching.criteria if c.name == name)


def _with_criterion(program: Program, name: str, **update: Any) -> Program:
    criteria = [
        c.model_copy(update=update) if c.name == name else c for c in program.matching.criteria
    ]
    matching = program.matching.model_copy(update={"criteria": criteria})
    return program.model_copy(update={"matching": matching})


def without_rule(program: Program, name: str) -> Program:
    """``program`` with criterion ``name``'s must-have rule lifted (its score unchanged)."""
    return _with_criterion(program, name, must=False, at_least=None)


def loosened(program: Program, name: str, at_least: float) -> Program:
    """``program`` with criterion ``name``'s rule set to ``at_least`` (``must`` off)."""
    return _with_criterion(program, name, must=False, at_least=at_least)


def relax_rules(program: Program) -> list[tuple[str, str, Program]]:
    """``(key, label, program without it)`` for each must-have rule, as the relaxations
    list the pair rules they may lift."""
    return [
        (f"must:{c.name}", f"must-have '{c.name}' rule", without_rule(program, c.name))
        for c in must_rules(program)
    ]


def loosen_values(
    program: Program, name: str, mentors: Sequence[Person], mentees: Sequence[Person]
) -> np.ndarray:
    """Each pair's value on criterion ``name`` where a lower ``at_least`` (the value
    rounded down to two decimals, above 0) would admit it; NaN elsewhere (a blank value,
    0, or a ``must`` that no threshold expresses, such as ``closeness``'s distance)."""
    c = _criterion(program, name)
    values = criterion_block(program, c, mentors, mentees)(0, len(mentees))
    if (isinstance(c, ClosenessCriterion) and c.must) or _positive(c):
        return np.full_like(values, np.nan)  # a failing pair is valued 0 there
    t = np.floor(values * 100 + TOLERANCE) / 100
    with np.errstate(invalid="ignore"):
        usable = (t > 0) & (t < threshold(c))
    return np.where(usable, values, np.nan)


def loosen_words(program: Program, name: str, value: float) -> tuple[str, str, float]:
    """``(change, apply, at_least)`` for the pair valued ``value`` by :func:`loosen_values`:
    the plain-words change, the ``match diff`` options that try it, the new threshold."""
    c = _criterion(program, name)
    t = math.floor(value * 100 + TOLERANCE) / 100
    if isinstance(c, ClosenessCriterion):
        unit = " h" if c.mentee_source == c.mentor_source == "utc_offset" else " apart"
        change = f"allowed {round((1.0 - value) * c.max_diff, 2):g}{unit}"
    elif isinstance(c, SeniorityGapCriterion):
        k = _levels_outside(c, t)
        change = f"allowed {_plural(k, 'level')} outside {c.min_gap}-{c.max_gap}"
    else:
        change = f"were at_least {t:g}"
    sets = f"--set matching.criteria.{name}.must=false " if c.must else ""
    return (
        f"if the must-have '{name}' rule {change}",
        f"{sets}--set matching.criteria.{name}.at_least={t:g}",
        t,
    )
