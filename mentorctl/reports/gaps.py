"""Supply gaps: skills the cycle's mentees want more than eligible mentors offer.

The same figures as :func:`mentorctl.matching.engine.supply_gaps` (which ``match``
prints), counted without a score matrix: people who gave the same answer are counted
once with a weight, so ten thousand people with a few dozen distinct answers cost a few
dozen look-ups. ``tests/reports/test_gaps.py`` checks the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from mentorctl.program import OverlapCriterion, Program
from mentorctl.reports.data import has_eligibility_rules
from mentorctl.reports.model import Gap


def supply_gaps(program: Program, people: Sequence[dict[str, Any]]) -> list[Gap]:
    """Skills (any ``overlap`` criterion's items) mentees want more than eligible mentors
    offer, worst first, among ``people`` (the cycle's enrolled people; those forgotten
    are left out)."""
    from mentorctl.matching.scoring import source_value, tokens

    # The engine's order: people by email; the first spelling of an item is shown.
    known = sorted((p for p in people if p.get("forgotten_at") is None), key=lambda p: p["email"])
    mentors = [p for p in known if p["role"] in ("mentor", "both")]  # matching's is_mentor
    mentees = [p for p in known if p["role"] in ("mentee", "both")]  # and is_mentee
    if has_eligibility_rules(program):
        # Matching's own rule; its module loads NumPy, so only when a rule is set.
        from mentorctl.matching.constraints import mentor_ineligibility

        mentors = [m for m in mentors if mentor_ineligibility(program, m) is None]
    gaps: list[Gap] = []
    for c in program.matching.criteria:
        if not isinstance(c, OverlapCriterion):
            continue
        shown: dict[str, str] = {}

        def count(group: Iterable[dict[str, Any]], source: str | None) -> Counter[str]:
            # Equal answers are turned into items once; each person counts an item once.
            answers: Counter[Any] = Counter()
            holder: dict[Any, dict[str, Any]] = {}
            for p in group:
                key, value = _answer(p, source)
                answers[key] += 1
                holder.setdefault(key, value)
            items: Counter[str] = Counter()
            for key, n in answers.items():
                for item, label in tokens(source_value(program, holder[key], source)).items():
                    items[item] += n
                    shown.setdefault(item, label)  # noqa: B023 - used right away, in this loop
            return items

        wanted = count(mentees, c.mentee_source)
        offered = count(mentors, c.mentor_source)
        for key, n in wanted.items():
            if n > offered[key]:
                gaps.append(Gap(c.name, shown[key], n, offered[key], n - offered[key]))
    gaps.sort(key=lambda g: (-g.shortfall, g.criterion, g.item))
    return gaps


def _answer(person: dict[str, Any], source: str | None) -> tuple[Any, dict[str, Any]]:
    """A key for ``person``'s value of ``source`` (equal values, equal keys), and the
    smallest person :func:`~mentorctl.matching.scoring.source_value` reads that value from."""
    from mentorctl.program import ROSTER_FIELDS

    if source is None:
        return None, {}
    if source == "utc_offset":
        tz = person.get("timezone")
        return _freeze(tz), {"timezone": tz}
    if source in ROSTER_FIELDS:
        value = person.get(source)
        return _freeze(value), {source: value}
    value = (person.get("answers") or {}).get(source)
    return _freeze(value), {"answers": {source: value}}


def _freeze(value: Any) -> Any:
    """``value`` made hashable, its types kept (``1``, ``1.0`` and ``True`` stay apart)."""
    if type(value) is list and all(type(v) is str for v in value):
        return ("list", tuple(value))  # the usual answer: a list of options
    if isinstance(value, list | tuple):
        return ("list", tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    return (type(value).__name__, value)
