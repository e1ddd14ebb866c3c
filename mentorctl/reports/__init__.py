"""Cycle-end report data: every figure the coordinator shows leadership, and nothing printed.

:func:`build_report` reads one cycle of the roster (one read-only session) and returns a
:class:`Report` of plain dataclasses; :meth:`Report.as_json` is the documented
``report --json`` shape (docs/reports.md). The CLI and :mod:`mentorctl.reports.html`
render it; nothing here knows about terminals or files.

Definitions (docs/reports.md says the same in words):

* a cycle's **matches** are its ``active`` and ``ended`` matches (proposals and rejected
  pairs never happened); **matched** people are those in one of them, in either role;
* **enrolled** people are the program's participants who enrolled by the cycle's end and
  are still taking part, plus anyone matched in the cycle (so people who withdrew or
  asked to be forgotten still count where they took part);
* a match is **expected** to meet once per cadence (``cycle.cadence``) over the days it
  ran inside the cycle up to the report date: ``days // cadence_days``;
* satisfaction and would-recommend use each respondent's **latest** check-in in the
  cycle, so a frequent responder counts once;
* **small-group privacy**: any breakdown cell (a role, a department, a satisfaction
  score, an NPS group, an outcome group) with 1 to ``report.min_group_size - 1`` people
  is suppressed; when exactly one cell of a breakdown is suppressed the next smallest is
  suppressed too, so it cannot be recovered by subtraction from the total.

The greedy baseline is the one `match` stored with its proposal; for a cycle matched
before proposals were stored it is recomputed with :func:`mentorctl.matching.engine.propose`
in greedy mode on the cycle's enrolled people (same constraints, earlier cycles' pairs
avoided, this cycle's rejected pairs forbidden). Scoring every pair is quadratic, so by
default it only runs up to :data:`GREEDY_MAX_PAIRS` candidate pairs; beyond that the
figure is left out, with a note.

The roster is read with SQL text through one :class:`mentorctl.roster.read.Reader` (no
ORM objects, no SQLAlchemy on SQLite), each query reading only the columns its figure
needs; aggregates that the report shows as aggregates (goals by state, meetings per
match) are summed by the database.

The package, one subject per module (this module re-exports their public names and
assembles them in :func:`build_report`):

* :mod:`~mentorctl.reports.model`: the report's dataclasses, ``as_json`` and headline figures;
* :mod:`~mentorctl.reports.data`: loading the program's people and one cycle from the roster;
* :mod:`~mentorctl.reports.enrolment`: participation, by role and department;
* :mod:`~mentorctl.reports.quality`: match scores, the greedy baseline, preferred mentors;
* :mod:`~mentorctl.reports.meetings`: engagement (meetings, hours, match health);
* :mod:`~mentorctl.reports.feedback`: goals, satisfaction and NPS;
* :mod:`~mentorctl.reports.gaps`: supply gaps;
* :mod:`~mentorctl.reports.groups`: mentees' match rate and mean score by group;
* :mod:`~mentorctl.reports.hr_outcomes`: retention and promotion, with their intervals;
* :mod:`~mentorctl.reports.privacy`: small-cell suppression;
* :mod:`~mentorctl.reports.tables`: the report as tables and flat rows, for every format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mentorctl.errors import NotFoundError
from mentorctl.program import Program
from mentorctl.reports.data import (
    MATCH_STATUSES,
    CycleInfo,
    _load_cycle,
    find_cycle,
    find_program_id,
    list_cycles,
    load_people,
    people_columns,
    previous_pairs,
    reader,
    record_columns,
    rejected_pairs,
    replaced_matches,
)
from mentorctl.reports.enrolment import NO_DEPARTMENT, _enrolled, participation
from mentorctl.reports.feedback import GOAL_STATES, SATISFACTION_SCALE, goals, satisfaction
from mentorctl.reports.gaps import supply_gaps
from mentorctl.reports.groups import score_by_group
from mentorctl.reports.hr_outcomes import (
    MIN_CONCLUSIVE_GROUP,
    Z95,
    newcombe,
    outcomes,
    wilson,
)
from mentorctl.reports.hr_outcomes import _conclude as _conclude  # tests pin its wording
from mentorctl.reports.meetings import HEALTH_STATES, engagement, health_rows, health_timeline
from mentorctl.reports.model import (
    DECIMALS,
    HEADLINE_FIGURES,
    Change,
    Comparison,
    Engagement,
    Gap,
    Goals,
    GreedyComparison,
    GroupRow,
    HealthCounts,
    HealthPoint,
    MatchQuality,
    OutcomeComparison,
    OutcomeGroup,
    Outcomes,
    Participation,
    PreferredMentors,
    Report,
    Satisfaction,
    ScoreCell,
    _r,
    headline,
    share,
)
from mentorctl.reports.privacy import suppress_cells
from mentorctl.reports.quality import (
    GREEDY_MAX_PAIRS,
    GreedyInputs,
    greedy_baseline,
    match_quality,
    preferred_mentors,
    stored_proposal,
)
from mentorctl.reports.tables import (
    SUPPRESSED,
    Col,
    Section,
    cell_kind,
    display,
    flat_rows,
    sections,
)

if TYPE_CHECKING:
    from mentorctl.reports.data import ReadSource
    from mentorctl.roster.read import Reader

__all__ = [
    "DECIMALS",
    "GOAL_STATES",
    "GREEDY_MAX_PAIRS",
    "HEADLINE_FIGURES",
    "HEALTH_STATES",
    "MATCH_STATUSES",
    "MIN_CONCLUSIVE_GROUP",
    "NO_DEPARTMENT",
    "SATISFACTION_SCALE",
    "SUPPRESSED",
    "Z95",
    "Change",
    "Col",
    "Comparison",
    "CycleInfo",
    "Engagement",
    "Gap",
    "Goals",
    "GreedyComparison",
    "GroupRow",
    "HealthCounts",
    "HealthPoint",
    "MatchQuality",
    "NotFoundError",
    "OutcomeComparison",
    "OutcomeGroup",
    "Outcomes",
    "Participation",
    "PreferredMentors",
    "Report",
    "Satisfaction",
    "ScoreCell",
    "Section",
    "build_report",
    "cell_kind",
    "compare",
    "display",
    "engagement",
    "find_cycle",
    "flat_rows",
    "goals",
    "greedy_baseline",
    "headline",
    "health_rows",
    "health_timeline",
    "list_cycles",
    "match_quality",
    "newcombe",
    "outcomes",
    "participation",
    "preferred_mentors",
    "replaced_matches",
    "satisfaction",
    "sections",
    "share",
    "supply_gaps",
    "suppress_cells",
    "wilson",
]


def _cycle_report(
    db: Reader,
    program: Program,
    program_id: int,
    cycle: CycleInfo,
    people: dict[int, dict[str, Any]],
    as_of: dt.date,
    *,
    greedy: bool | None,
    full: bool,
    timeline: bool = False,
) -> Report:
    """One cycle's figures. ``full`` adds what only the chosen cycle shows (greedy,
    preferred mentors, breakdowns, supply gaps, outcomes, groups); a cycle it is compared
    with needs only its :func:`headline` figures."""
    min_size = program.report.min_group_size
    when = min(as_of, cycle.end) if as_of >= cycle.start else as_of
    data = _load_cycle(db, cycle, when, people)
    replaced = replaced_matches(data.matches)
    # A mentee re-matched after a match ended early holds one place in the cycle, not two.
    current = replace(data, matches=[m for m in data.matches if m.id not in replaced])
    matched = {i for m in data.matches for i in (m.mentor_id, m.mentee_id) if i is not None}
    enrolled = _enrolled(data, cycle, matched)
    part = participation(data, cycle, min_size, enrolled, breakdowns=full)

    def greedy_inputs() -> GreedyInputs:
        # Only a recomputed greedy baseline reads these: every record field of the
        # enrolled people, and the pairs it must avoid.
        wanted = {p["id"] for p in enrolled}
        records = load_people(db, program_id, record_columns())
        return GreedyInputs(
            people=[p for i, p in records.items() if i in wanted],
            previous_pairs=previous_pairs(db, program_id, cycle.start, people),
            rejected=rejected_pairs(db, cycle.id, people),
        )

    quality = match_quality(
        program,
        current,
        enrolled,
        greedy if full else False,
        stored=stored_proposal(db, cycle.id),
        inputs=greedy_inputs,
        preferred=full,
    )
    return Report(
        program=program.name,
        cycle=cycle.name,
        cycle_start=cycle.start,
        cycle_end=cycle.end,
        as_of=as_of,
        in_progress=cycle.status != "closed" and as_of < cycle.end,
        min_group_size=min_size,
        participation=part,
        match_quality=quality,
        engagement=engagement(program, db, cycle, when, replaced, facts=data.health),
        goals=goals(data),
        satisfaction=satisfaction(data, min_size),
        supply_gaps=supply_gaps(program, enrolled) if full else [],
        comparison=Comparison(None, []),
        outcomes=outcomes(db, program_id, cycle, data, as_of, min_size) if full else None,
        health_timeline=health_timeline(db, program, cycle, when)
        if timeline and data.matches
        else [],
        by_group=score_by_group(program, current, enrolled, min_size) if full else [],
    )


def compare(current: Report, previous: Report | None) -> Comparison:
    if previous is None:
        return Comparison(None, [])
    now, before = headline(current), headline(previous)
    changes = []
    for name in HEADLINE_FIGURES:
        a, b = now[name], before[name]
        delta: float | int | None = None
        if a is not None and b is not None:
            delta = a - b if isinstance(a, int) and isinstance(b, int) else _r(a - b)
        changes.append(Change(name, a, b, delta))
    return Comparison(previous.cycle, changes)


def build_report(
    source: ReadSource,
    program: Program,
    *,
    cycle: str | None = None,
    as_of: dt.date | None = None,
    all_cycles: bool = False,
    greedy: bool | None = None,
    timeline: bool = False,
) -> Report:
    """The report for ``cycle`` (default: program.yaml's current cycle) on ``as_of``.

    ``source``: a :class:`~mentorctl.roster.read.Reader` (``mentorctl report`` reads
    through one), or an ORM session or Core connection, read through the same queries.
    ``greedy``: None recomputes the greedy baseline when small enough
    (:data:`GREEDY_MAX_PAIRS`), True always, False never. ``all_cycles`` adds
    :attr:`Report.trends`, one :func:`headline` per cycle up to this one.
    Raises NotFoundError if the program or the cycle has nothing in the roster yet.
    """
    db = reader(source)
    as_of = as_of or dt.date.today()
    program_id = find_program_id(db, program)
    if program_id is None:
        raise NotFoundError(
            f"program {program.slug!r} has nothing in the roster yet; "
            "run `mentorctl participants import FILE` first"
        )
    cycles = list_cycles(db, program_id)
    name = cycle or program.cycle.name
    if name == program.cycle.name and all(c.name != name for c in cycles):
        # The current cycle before anyone was matched: enrolment figures, nothing else yet.
        c = program.cycle
        cycles.append(CycleInfo(-1, c.name, c.start, c.end, "open"))
        cycles.sort(key=lambda x: x.start)
    chosen = find_cycle(cycles, name)
    people = load_people(db, program_id, people_columns(program))
    report = _cycle_report(
        db,
        program,
        program_id,
        chosen,
        people,
        as_of,
        greedy=greedy,
        full=True,
        timeline=timeline,
    )
    before = [c for c in cycles if c.start < chosen.start]
    summaries: dict[int, Report] = {}

    def light(c: CycleInfo) -> Report:
        if c.id not in summaries:
            summaries[c.id] = _cycle_report(
                db, program, program_id, c, people, as_of, greedy=False, full=False
            )
        return summaries[c.id]

    report.comparison = compare(report, light(before[-1]) if before else None)
    if all_cycles:
        upto = [*before, chosen]
        report.trends = [headline(report if c.id == chosen.id else light(c)) for c in upto]
    return report
