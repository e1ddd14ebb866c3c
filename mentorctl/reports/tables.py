"""The report as titled tables (:func:`sections`) and as flat rows (:func:`flat_rows`).

The same tables feed every format (Rich, CSV, Markdown, HTML), so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mentorctl.reports.model import HEADLINE_FIGURES, GroupRow, Report


@dataclass
class Col:
    key: str
    header: str
    kind: str = "text"  # text | int | num | share | signed | points | ci


@dataclass
class Section:
    id: str
    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


SUPPRESSED = "suppressed"


def display(value: Any, kind: str = "text") -> str:
    """A cell as people read it: shares as percentages, intervals as ``a–b%``."""
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "ci":
        return f"{100 * value[0]:.1f}–{100 * value[1]:.1f}%"
    if kind == "num":
        return f"{value:.2f}"
    if kind == "signed":
        return f"{value:+.2f}" if isinstance(value, float) else f"{value:+d}"
    if kind == "points":
        return f"{100 * value:+.1f} pts"
    return str(value)


def _kv(rows: Iterable[tuple[str, Any, str]]) -> list[dict[str, Any]]:
    return [{"figure": f, "value": v, "kind": k} for f, v, k in rows]


_KV = [Col("figure", "Figure"), Col("value", "Value", "auto")]


def _group_rows(rows: Sequence[GroupRow]) -> list[dict[str, Any]]:
    return [
        {
            "group": r.group,
            "enrolled": SUPPRESSED if r.suppressed else r.enrolled,
            "matched": SUPPRESSED if r.suppressed else r.matched,
            "match_rate": SUPPRESSED if r.suppressed else r.match_rate,
        }
        for r in rows
    ]


_FIGURE_KINDS = {
    "match_rate": "share",
    "mean_score": "num",
    "meeting_ratio": "share",
    "hours": "num",
    "on_track_share": "share",
    "satisfaction_mean": "num",
    "nps": "num",
}
_FIGURE_LABELS = {
    "enrolled": "Enrolled",
    "matched": "Matched",
    "match_rate": "Match rate",
    "mean_score": "Mean score",
    "meetings_held": "Meetings held",
    "meetings_expected": "Meetings expected",
    "meeting_ratio": "Held / expected",
    "hours": "Hours",
    "on_track_share": "On track",
    "goals_set": "Goals set",
    "goals_achieved": "Goals achieved",
    "satisfaction_mean": "Mean satisfaction",
    "nps": "NPS",
}


_OUTCOME_LABELS = {
    "active": "Still running",
    "completed": "Completed",
    "incomplete": "Incomplete",
    "no_meetings": "No meetings",
    "ended_early": "Ended early",
}


def sections(r: Report) -> list[Section]:
    """The report as titled tables, in reading order."""
    p, q, e, g, s = r.participation, r.match_quality, r.engagement, r.goals, r.satisfaction
    small = f"groups under {r.min_group_size} people are suppressed"
    out = [
        Section(
            "participation",
            "Participation",
            _KV,
            _kv(
                [
                    ("Enrolled", p.enrolled, "int"),
                    ("Matched", p.matched, "int"),
                    ("Match rate", p.match_rate, "share"),
                    ("Mentors enrolled", p.mentors_enrolled, "int"),
                    ("Mentors matched", p.mentors_matched, "int"),
                    ("Mentees enrolled", p.mentees_enrolled, "int"),
                    ("Mentees matched", p.mentees_matched, "int"),
                    ("Mentee match rate", p.mentee_match_rate, "share"),
                ]
            ),
        )
    ]
    group_cols = [
        Col("group", "Group"),
        Col("enrolled", "Enrolled", "int"),
        Col("matched", "Matched", "int"),
        Col("match_rate", "Match rate", "share"),
    ]
    out.append(
        Section("by_role", "Participation by role", group_cols, _group_rows(p.by_role), [small])
    )
    out.append(
        Section(
            "by_department",
            "Participation by department",
            group_cols,
            _group_rows(p.by_department),
            [small],
        )
    )
    out += group_score_sections(r)
    quality = [
        ("Matches", q.matches, "int"),
        ("Mean score", q.mean_score, "num"),
        ("Median score", q.median_score, "num"),
        ("Lowest score", q.lowest_score, "num"),
        ("Total score", q.total_score, "num"),
    ]
    notes = []
    if q.greedy is not None:
        quality += [
            ("Greedy baseline: matches", q.greedy.matches, "int"),
            ("Greedy baseline: total score", q.greedy.total_score, "num"),
            ("Gain over greedy (total score)", q.greedy.gain_total, "signed"),
            ("Gain over greedy (share)", q.greedy.gain_share, "share"),
            ("Matches beyond greedy", q.greedy.extra_matches, "signed"),
        ]
    elif q.greedy_note:
        notes.append(f"Gain over greedy {q.greedy_note}.")
    for lock in q.overrides:  # the coordinator's own decisions, with their stated reasons
        notes.append(
            f"Locked despite {'; '.join(lock.get('constraints') or [])}: "
            f"{lock.get('mentor')} and {lock.get('mentee')} ({lock.get('reason')})."
        )
    pref = q.preferred
    quality += [
        ("Mentees who named preferred mentors", pref.mentees_with_preferences, "int"),
        ("… and got one of them", pref.got_preferred, "int"),
        ("Preferred-mentor share", pref.share, "share"),
    ]
    out.append(Section("match_quality", "Match quality", _KV, _kv(quality), notes))
    h = e.health
    out.append(
        Section(
            "engagement",
            "Engagement",
            _KV,
            _kv(
                [
                    ("Meetings held", e.meetings_held, "int"),
                    ("Meetings expected so far", e.meetings_expected, "int"),
                    ("Held / expected", e.meeting_ratio, "share"),
                    ("Hours", e.hours, "num"),
                    ("Meetings per match", e.meetings_per_match, "num"),
                    ("On track", h.on_track, "int"),
                    ("At risk", h.at_risk, "int"),
                    ("Stalled", h.stalled, "int"),
                    ("Ended", h.ended, "int"),
                    ("On track (share of active)", e.health_shares["on_track"], "share"),
                    ("At risk (share of active)", e.health_shares["at_risk"], "share"),
                    ("Stalled (share of active)", e.health_shares["stalled"], "share"),
                ]
            ),
        )
    )
    out.append(
        Section(
            "match_outcomes",
            "Match outcomes",
            _KV,
            _kv([(_OUTCOME_LABELS.get(k, k), v, "int") for k, v in e.outcomes.items()]),
            [
                "Outcomes are recorded by `mentorctl cycle close` (completed: at least the "
                "expected share of meetings held) and `match end` (ended early)."
            ]
            + (
                [f"{e.replaced} match(es) ended early and replaced are counted once."]
                if e.replaced
                else []
            ),
        )
    )
    out.append(
        Section(
            "goals",
            "Goals",
            _KV,
            _kv(
                [
                    ("Goals set", g.set, "int"),
                    *((k.replace("-", " ").capitalize(), v, "int") for k, v in g.by_status.items()),
                    ("Achieved (share)", g.achieved_share, "share"),
                    ("Mean progress (%)", g.mean_progress, "num"),
                ]
            ),
        )
    )
    sat = [
        ("Respondents", s.respondents, "int"),
        ("Mean satisfaction (1–5)", s.mean, "num"),
        *(
            (f"Answered {c.score}", SUPPRESSED if c.suppressed else c.count, "int")
            for c in s.distribution
        ),
        ("Would-recommend respondents", s.recommend_respondents, "int"),
        (
            "Promoters (9–10)",
            SUPPRESSED if s.promoters is None and s.suppressed else s.promoters,
            "int",
        ),
        (
            "Passives (7–8)",
            SUPPRESSED if s.passives is None and s.suppressed else s.passives,
            "int",
        ),
        (
            "Detractors (0–6)",
            SUPPRESSED if s.detractors is None and s.suppressed else s.detractors,
            "int",
        ),
        ("NPS", s.nps, "num"),
    ]
    out.append(Section("satisfaction", "Satisfaction and NPS", _KV, _kv(sat), [small]))
    out.append(
        Section(
            "supply_gaps",
            "Supply gaps (skills wanted against offered)",
            [
                Col("criterion", "Criterion"),
                Col("item", "Item"),
                Col("wanted", "Mentees wanting", "int"),
                Col("offered", "Mentors offering", "int"),
                Col("shortfall", "Shortfall", "int"),
            ],
            [asdict(gap) for gap in r.supply_gaps],
            [] if r.supply_gaps else ["No gaps: every wanted item has enough mentors."],
        )
    )
    if r.comparison.previous_cycle is not None:
        out.append(
            Section(
                "comparison",
                f"Compared with {r.comparison.previous_cycle}",
                [
                    Col("label", "Figure"),
                    Col("current", r.cycle, "auto"),
                    Col("previous", r.comparison.previous_cycle, "auto"),
                    Col("change", "Change", "auto"),
                ],
                [
                    {
                        "figure": c.figure,
                        "label": _FIGURE_LABELS[c.figure],
                        "current": c.current,
                        "previous": c.previous,
                        "change": c.change,
                        "kind": _FIGURE_KINDS.get(c.figure, "int"),
                    }
                    for c in r.comparison.changes
                ],
            )
        )
    if r.outcomes is not None:
        o = r.outcomes
        out.append(
            Section(
                "outcomes",
                f"Outcomes from HR data ({o.window_start} to {o.window_end})",
                [
                    Col("group", "Group"),
                    Col("people", "People", "int"),
                    Col("retained", "Retained", "int"),
                    Col("retention", "Retention", "share"),
                    Col("retention_ci", "95% CI", "ci"),
                    Col("promoted", "Promoted", "int"),
                    Col("promotion", "Promotion", "share"),
                    Col("promotion_ci", "95% CI", "ci"),
                ],
                [
                    {
                        k: (SUPPRESSED if og.suppressed and k != "group" else v)
                        for k, v in asdict(og).items()
                        if k != "suppressed"
                    }
                    for og in o.groups
                ],
                [f"{c.measure.capitalize()}: {c.conclusion}." for c in o.comparisons],
            )
        )
    if r.trends:
        out.append(
            Section(
                "trends",
                "Trends across cycles",
                [Col("cycle", "Cycle")]
                + [
                    Col(k, _FIGURE_LABELS[k], _FIGURE_KINDS.get(k, "int")) for k in HEADLINE_FIGURES
                ],
                [dict(t) for t in r.trends],
            )
        )
    return out


def group_score_sections(r: Report) -> list[Section]:
    """One table per grouping of :attr:`Report.by_group` (department, `group` questions)."""
    cols = [
        Col("group", "Group"),
        Col("mentees", "Mentees", "int"),
        Col("matched", "Matched", "int"),
        Col("match_rate", "Match rate", "share"),
        Col("mean_score", "Mean score", "num"),
    ]
    notes = [
        f"Mentees only; groups under {r.min_group_size} mentees are suppressed, and so is "
        f"a mean score over fewer than {r.min_group_size} matches."
    ]
    out = []
    for g in r.by_group:
        rows = []
        for row in g.rows:
            cells = {k: v for k, v in asdict(row).items() if not k.endswith("suppressed")}
            if row.suppressed:
                cells = {k: (v if k == "group" else SUPPRESSED) for k, v in cells.items()}
            elif row.score_suppressed:
                cells["mean_score"] = SUPPRESSED
            rows.append(cells)
        title = "Match rate and score by " + (
            "department" if g.by == "department" else f"answer to “{g.label}”"
        )
        out.append(Section(f"score_by_{g.by}", title, cols, rows, notes))
    return out


def cell_kind(col: Col, row: Mapping[str, Any]) -> str:
    return str(row.get("kind", "text")) if col.kind == "auto" else col.kind


def flat_rows(r: Report) -> list[dict[str, Any]]:
    """Every figure as one row (section, group, figure, value): the ``--csv`` layout.

    Values are raw numbers (shares as fractions 0–1), ``suppressed``, or empty.
    """
    out = []
    for sec in sections(r):
        label_col = sec.columns[0]
        for row in sec.rows:
            group = "" if label_col.key == "figure" else str(row.get(label_col.key, ""))
            for col in sec.columns[1:]:
                figure = row["figure"] if label_col.key == "figure" else col.key
                if sec.id == "comparison":
                    figure, group = f"{row['figure']}", col.key
                value = row.get(col.key)
                if isinstance(value, tuple | list):
                    for bound, v in zip(("low", "high"), value, strict=True):
                        out.append(_flat(sec.id, group, f"{figure}_{bound}", v))
                    continue
                out.append(_flat(sec.id, group, figure, value))
    return out


def _flat(section: str, group: str, figure: str, value: Any) -> dict[str, Any]:
    return {"section": section, "group": group, "figure": figure, "value": value}
