"""Participation: who enrolled and who was matched this cycle, overall, by role and by
department (small groups suppressed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import itemgetter, methodcaller
from typing import Any

from mentorctl.reports.data import CycleInfo, _Data
from mentorctl.reports.model import GroupRow, Participation, share
from mentorctl.reports.privacy import suppress_cells

NO_DEPARTMENT = "(none)"
_ID = itemgetter("id")


def _enrolled(data: _Data, cycle: CycleInfo, matched: set[int]) -> list[dict[str, Any]]:
    """The cycle's enrolled people: matched in it, or taking part and enrolled by its end
    (``created_at`` is a date here: :func:`~mentorctl.reports.data.load_people`)."""
    end = cycle.end
    return [
        p
        for pid, p in data.people.items()
        if pid in matched
        or (
            p.get("active", True)
            and p.get("forgotten_at") is None
            and (p.get("created_at") is None or p["created_at"] <= end)
        )
    ]


def _breakdown(
    people: Sequence[dict[str, Any]],
    key: str,
    matched: set[int],
    min_size: int,
    order: Sequence[str] = (),
) -> list[GroupRow]:
    # Counted by stored value first (a few distinct values), then named.
    raw = Counter(
        zip(
            map(methodcaller("get", key), people),
            map(matched.__contains__, map(_ID, people)),
            strict=True,
        )
    )
    enrolled: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for (value, is_matched), n in raw.items():
        group = str(value or NO_DEPARTMENT).strip() or NO_DEPARTMENT
        enrolled[group] += n
        hits[group] += n if is_matched else 0
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


def participation(
    data: _Data,
    cycle: CycleInfo,
    min_size: int,
    enrolled: Sequence[dict[str, Any]] | None = None,
    *,
    breakdowns: bool = True,
) -> Participation:
    """``enrolled``: the cycle's enrolled people when the caller has them already;
    ``breakdowns``: False leaves ``by_role`` and ``by_department`` empty (a cycle only
    compared by its headline figures)."""
    mentoring = {m.mentor_id for m in data.matches if m.mentor_id is not None}
    mentored = {m.mentee_id for m in data.matches if m.mentee_id is not None}
    matched = mentoring | mentored
    people = _enrolled(data, cycle, matched) if enrolled is None else enrolled
    mentors = [p for p in people if p["role"] in ("mentor", "both")]
    mentees = [p for p in people if p["role"] in ("mentee", "both")]
    # Counted with C-level maps (10,000 people, twice per report: this cycle, the last).
    n_matched = sum(map(matched.__contains__, map(_ID, people)))
    mentees_matched = sum(map(mentored.__contains__, map(_ID, mentees)))
    return Participation(
        enrolled=len(people),
        matched=n_matched,
        match_rate=share(n_matched, len(people)),
        mentors_enrolled=len(mentors),
        mentors_matched=sum(map(mentoring.__contains__, map(_ID, mentors))),
        mentees_enrolled=len(mentees),
        mentees_matched=mentees_matched,
        mentee_match_rate=share(mentees_matched, len(mentees)),
        by_role=_breakdown(people, "role", matched, min_size, ("mentor", "mentee", "both"))
        if breakdowns
        else [],
        by_department=_breakdown(people, "department", matched, min_size) if breakdowns else [],
    )
