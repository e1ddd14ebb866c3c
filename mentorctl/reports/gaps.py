"""Supply gaps: skills the cycle's mentees want more than eligible mentors offer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mentorctl.program import Program
from mentorctl.reports.data import _people_dicts
from mentorctl.reports.model import Gap


def supply_gaps(program: Program, people: Sequence[dict[str, Any]]) -> list[Gap]:
    """Skills (any ``overlap`` criterion's items) mentees want more than eligible mentors
    offer: :func:`mentorctl.matching.engine.supply_gaps` on the cycle's enrolled people."""
    import numpy as np

    from mentorctl.matching import constraints
    from mentorctl.matching.engine import Person, Scored, is_mentee, is_mentor
    from mentorctl.matching.engine import supply_gaps as engine_gaps

    dicts = sorted(
        _people_dicts(p for p in people if p.get("forgotten_at") is None),
        key=lambda p: p["email"],
    )
    mentors: list[Person] = [p for p in dicts if is_mentor(p)]
    mentees: list[Person] = [p for p in dicts if is_mentee(p)]
    ineligible = {}
    for m in mentors:
        why = constraints.mentor_ineligibility(program, m)
        if why is not None:
            ineligible[m["email"]] = why
    # supply_gaps reads only the people and who is ineligible: no score matrix needed.
    empty = np.zeros((0, 0))
    scored = Scored(mentors, mentees, np.zeros(0), empty, empty.astype(bool), ineligible)
    return [
        Gap(g.criterion, g.item, g.wanted, g.offered, g.wanted - g.offered)
        for g in engine_gaps(program, scored)
    ]
