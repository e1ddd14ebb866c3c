"""Participation: who enrolled and who was matched this cycle, overall, by role and by
department (small groups suppressed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from mentorctl.reports.data import CycleInfo, _Data
from mentorctl.reports.model import GroupRow, Participation, share
from mentorctl.reports.privacy import suppress_cells
from mentorctl.tracking import as_date

NO_DEPARTMENT = "(none)"


def _enrolled(data: _Data, cycle: CycleInfo, matched: set[int]) -> list[dict[str, Any]]:
    out = []
    for pid, p in data.people.items():
        joined = as_date(p.get("created_at"))
        taking_part = p.get("active", True) and p.get("forgotten_at") is None
        if pid in matched or (taking_part and (joined is None or joined <= cycle.end)):
            out.append(p)
    return out


def _breakdown(
    people: Sequence[dict[str, Any]],
    key: str,
    matched: set[int],
    min_size: int,
    order: Sequence[str] = (),
) -> list[GroupRow]:
    enrolled: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for p in people:
        group = str(p.get(key) or NO_DEPARTMENT).strip() or NO_DEPARTMENT
        enrolled[group] += 1
        hits[group] += p["id"] in matched
    hidden = suppress_cells(enrolled, min_size)
    groups = [g for g in order if g in enrolled] + sorted(
        (g for g in enrolled if g not in order), key=str.casefold
    )
    rows = []
    for g in groups:
        if g in hidden:
            rows.append(GroupRow(g, None, None, None, suppressed=True))
        else:
            rows.append(GroupRow(g, enrolled[g], hits[g], share(hits[g], enrolled[g])))
    return rows


def participation(data: _Data, cycle: CycleInfo, min_size: int) -> Participation:
    mentoring = {m.mentor_id for m in data.matches if m.mentor_id is not None}
    mentored = {m.mentee_id for m in data.matches if m.mentee_id is not None}
    matched = mentoring | mentored
    people = _enrolled(data, cycle, matched)
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    n_matched = sum(p["id"] in matched for p in people)
    mentees_matched = sum(p["id"] in mentored for p in mentees)
    return Participation(
        enrolled=len(people),
        matched=n_matched,
        match_rate=share(n_matched, len(people)),
        mentors_enrolled=len(mentors),
        mentors_matched=sum(p["id"] in mentoring for p in mentors),
        mentees_enrolled=len(mentees),
        mentees_matched=mentees_matched,
        mentee_match_rate=share(mentees_matched, len(mentees)),
        by_role=_breakdown(people, "role", matched, min_size, ("mentor", "mentee", "both")),
        by_department=_breakdown(people, "department", matched, min_size),
    )
