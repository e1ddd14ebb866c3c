"""Supply gaps: skills the cycle's mentees want more than eligible mentors offer.

The same figures as :func:`mentorctl.matching.engine.supply_gaps` (which ``match``
prints), counted without a score matrix: people who gave the same answer are counted
once with a weight, so ten thousand people with a few dozen distinct answers cost a few
dozen look-ups. ``tests/reports/test_read_path.py`` checks the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
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

        def count(group: Sequence[dict[str, Any]], source: str | None) -> Counter[str]:
            # Equal answers are turned into items once; each person counts an item once.
            # Answers are told apart by repr: equal reprs are equal values of the same
            # types (1, 1.0 and True stay apart), and equal values with two reprs (a dict
            # in two key orders) only add a key whose items count the same.
            values = _values(group, source)
            keys = list(map(repr, values))
            answers = Counter(keys)  # in the order each answer first appears
            first = dict(zip(reversed(keys), reversed(values), strict=True))  # its first value
            items: Counter[str] = Counter()
            for key, n in answers.items():
                holder = _holder(source, first[key])
                for item, label in tokens(source_value(program, holder, source)).items():
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


def _values(people: Sequence[dict[str, Any]], source: str | None) -> list[Any]:
    """Each person's value of ``source`` (a roster field, ``utc_offset`` or an answer)."""
    from mentorctl.program import ROSTER_FIELDS

    if source is None:
        return [None] * len(people)
    if source == "utc_offset":
        return [p.get("timezone") for p in people]
    if source in ROSTER_FIELDS:
        return [p.get(source) for p in people]
    return [(p.get("answers") or {}).get(source) for p in people]


def _holder(source: str | None, value: Any) -> dict[str, Any]:
    """The smallest person :func:`~mentorctl.matching.scoring.source_value` reads
    ``value`` of ``source`` from."""
    from mentorctl.program import ROSTER_FIELDS

    if source is None:
        return {}
    if source == "utc_offset":
        return {"timezone": value}
    if source in ROSTER_FIELDS:
        return {source: value}
    return {"answers": {source: value}}
