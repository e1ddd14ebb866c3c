"""Match rate and mean score by group: department, and each survey question marked
``group: true``, so a coordinator can see whether some groups are matched less often or
less well than others.

Definitions (docs/reports.md, "Score and match rate by group", says the same):

* the people counted are the cycle's enrolled **mentees** (role mentee or both);
* a mentee's groups: their department (``(none)`` when blank), or their answer to the
  question (``(none)`` when unanswered; each chosen option of a multiple-choice answer is
  a group of its own, so those groups may overlap);
* **matched**: mentees of the group in one of the cycle's matches (active or ended, a
  match replaced after ending early not counted twice); **match rate**: matched / mentees;
* **mean score**: the mean stored score of the group's matches.

Small cells are suppressed by :func:`mentorctl.reports.privacy.suppress_cells`, the one
rule every breakdown uses: a group with 1 to ``report.min_group_size - 1`` mentees is
hidden whole; then, among the groups shown, a mean score resting on fewer than
``min_group_size`` scored matches is hidden (with the same second-cell rule, so it cannot
be recovered from the overall mean).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from mentorctl.program import Program
from mentorctl.reports.data import _Data
from mentorctl.reports.model import GroupScoreRow, GroupScores, _r, share
from mentorctl.reports.privacy import suppress_cells

__all__ = ["NO_ANSWER", "score_by_group"]

#: The group of a mentee with no department, or no answer to the question.
NO_ANSWER = "(none)"


def _values(p: dict[str, Any], by: str) -> list[str]:
    """The groups ``p`` belongs to under ``by`` (the department, or a question's answer)."""
    raw = p.get("department") if by == "department" else (p.get("answers") or {}).get(by)
    items = raw if isinstance(raw, list | tuple) else [raw]
    out = [str(v).strip() for v in items if v is not None and str(v).strip()]
    return list(dict.fromkeys(out)) or [NO_ANSWER]


def _table(
    by: str,
    label: str,
    mentees: Sequence[dict[str, Any]],
    scores: dict[int, list[float]],
    matched: set[int],
    min_size: int,
    order: Sequence[str] = (),
) -> GroupScores:
    people: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    scored: dict[str, list[float]] = defaultdict(list)
    # Mentees with the same stored value fall in the same groups: each distinct value is
    # named once (thousands of mentees, a few values). Scores keep the mentees' order.
    named: dict[Any, list[str]] = {}
    for p in mentees:
        raw = p.get("department") if by == "department" else (p.get("answers") or {}).get(by)
        key = (raw,) if raw is None or type(raw) is str else ("repr", repr(raw))
        groups = named.get(key)
        if groups is None:
            groups = named[key] = _values(p, by)
        pid = p["id"]
        for g in groups:
            people[g] += 1
            hits[g] += pid in matched
            if pid in scores:
                scored[g] += scores[pid]
    hidden = suppress_cells(people, min_size)
    hidden_means = suppress_cells({g: len(scored[g]) for g in people if g not in hidden}, min_size)
    known = [g for g in order if g in people]
    groups = known + sorted(
        (g for g in people if g not in known and g != NO_ANSWER), key=str.casefold
    )
    if NO_ANSWER in people and NO_ANSWER not in known:
        groups.append(NO_ANSWER)
    rows = []
    for g in groups:
        if g in hidden:
            rows.append(GroupScoreRow(g, None, None, None, None, suppressed=True))
            continue
        values = scored[g]
        mean = None if g in hidden_means or not values else _r(sum(values) / len(values))
        rows.append(
            GroupScoreRow(
                g,
                people[g],
                hits[g],
                share(hits[g], people[g]),
                mean,
                score_suppressed=g in hidden_means,
            )
        )
    return GroupScores(by, label, rows)


def score_by_group(
    program: Program, data: _Data, enrolled: Sequence[dict[str, Any]], min_size: int
) -> list[GroupScores]:
    """One table for department, then one per ``group: true`` question, in survey order.

    ``data``: the cycle's matches (replaced ones already left out); ``enrolled``: the
    cycle's enrolled people (any role; mentees are picked here).
    """
    mentees = [p for p in enrolled if p.get("role") in ("mentee", "both")]
    scores: dict[int, list[float]] = defaultdict(list)
    matched: set[int] = set()
    for m in data.matches:
        if m.mentee_id is None:
            continue
        matched.add(m.mentee_id)
        if m.score is not None:
            scores[m.mentee_id].append(float(m.score))
    out = [_table("department", "department", mentees, scores, matched, min_size)]
    for q in program.survey.questions:
        if q.group:
            order = (
                [str(v) for v in range(q.scale[0], q.scale[1] + 1)]
                if q.options is None
                else q.options
            )
            out.append(_table(q.id, q.label, mentees, scores, matched, min_size, order))
    return out
