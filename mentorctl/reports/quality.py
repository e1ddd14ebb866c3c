"""Match quality: the cycle's match scores, the gain over the greedy baseline, and how
many mentees got a mentor they asked for.

The baseline is the one `match` computed beside its proposal (same people, locks and
kept matches) and stored on the cycle; it is recomputed with the matching engine only
for a cycle matched before proposals were stored.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.enums import Format, Mode, QuestionType
from mentorctl.program import PreferenceCriterion, Program
from mentorctl.reports.data import _Data, _people_dicts
from mentorctl.reports.model import GreedyComparison, MatchQuality, PreferredMentors, _r, share

if TYPE_CHECKING:
    from mentorctl.reports.data import ReadSource

#: Recompute the greedy baseline only up to this many (mentor, mentee) candidate pairs.
GREEDY_MAX_PAIRS = 1_000_000


def _preference_question(program: Program) -> str | None:
    """The mentees' preferred-mentors question: the `preference` criterion's, else the
    first email_list or ranked_choice question asked of mentees only."""
    for c in program.matching.criteria:
        if isinstance(c, PreferenceCriterion):
            return c.mentee
    for q in program.survey.questions:
        if q.asked_of.value == "mentees" and q.type in (
            QuestionType.EMAIL_LIST,
            QuestionType.RANKED_CHOICE,
        ):
            return q.id
    return None


def preferred_mentors(program: Program, data: _Data) -> PreferredMentors:
    qid = _preference_question(program)
    if qid is None:
        return PreferredMentors(None, 0, 0, None)
    mentors_of: dict[int, set[int]] = defaultdict(set)
    for m in data.matches:
        if m.mentee_id is not None and m.mentor_id is not None:
            mentors_of[m.mentee_id].add(m.mentor_id)
    with_prefs = got = 0
    known: dict[int, set[str]] = {}  # a mentor's email and name, as mentees may list them
    people = data.people
    for mentee_id, mentor_ids in mentors_of.items():  # only counted: any order
        listed = ((people.get(mentee_id) or {}).get("answers") or {}).get(qid)
        if not listed:
            continue
        wanted = {str(v).strip().casefold() for v in listed}
        if not wanted:
            continue
        with_prefs += 1
        for mid in mentor_ids:
            if mid not in known:
                mentor = people.get(mid, {})
                known[mid] = {
                    str(mentor.get("email", "")).casefold(),
                    str(mentor.get("name", "")).casefold(),
                }
            if not wanted.isdisjoint(known[mid]):
                got += 1
                break
    return PreferredMentors(qid, with_prefs, got, share(got, with_prefs))


@dataclass
class GreedyInputs:
    """What recomputing the greedy baseline reads besides the report's own figures."""

    people: Sequence[dict[str, Any]]  # the enrolled people, every participant record field
    previous_pairs: frozenset[tuple[str, str]]  # (mentor, mentee) emails of earlier cycles
    rejected: frozenset[tuple[str, str]]  # pairs rejected in this cycle


def _not_computed(
    program: Program, people: Sequence[dict[str, Any]], force: bool | None
) -> str | None:
    """Why the greedy baseline is not recomputed, or None when it is."""
    if program.format is Format.CIRCLES:
        return "not computed: circles are not matched pair by pair"
    if force is False:
        return "not computed (--no-greedy)"
    roles = Counter(p["role"] for p in people if p.get("forgotten_at") is None)
    n_mentors = roles["mentor"] + roles["both"]
    n_mentees = roles["mentee"] + roles["both"]
    pairs = n_mentors * n_mentees
    if force is None and pairs > GREEDY_MAX_PAIRS:
        return (
            f"not computed: {pairs:,} candidate pairs is above {GREEDY_MAX_PAIRS:,} "
            "(pass --greedy to compute it anyway)"
        )
    return None


def greedy_baseline(
    program: Program,
    people: Sequence[dict[str, Any]],
    previous_pairs: frozenset[tuple[str, str]],
    rejected: frozenset[tuple[str, str]],
    actual_total: float,
    actual_matches: int,
    force: bool | None,
) -> tuple[GreedyComparison | None, str | None]:
    """Greedy matching of the same people, for the "gain over greedy" figures."""
    from mentorctl.errors import MatchingError
    from mentorctl.matching.engine import MatchInput, propose

    why = _not_computed(program, people, force)
    if why is not None:
        return None, why
    dicts = _people_dicts(p for p in people if p.get("forgotten_at") is None)
    forbid = frozenset((p.mentor, p.mentee) for p in program.matching.constraints.forbid)
    try:
        proposal = propose(
            MatchInput(
                program=program,
                people=dicts,
                mode=Mode.GREEDY,
                previous_pairs=previous_pairs,
                forbid=forbid | rejected,
            )
        )
    except MatchingError as exc:
        return None, f"not computed: {exc}"
    total = float(sum(m.score for m in proposal.matches))
    n = len(proposal.matches)
    gain = actual_total - total
    return (
        GreedyComparison(
            matches=n,
            total_score=_r(total) or 0.0,
            mean_score=_r(total / n) if n else None,
            gain_total=_r(gain) or 0.0,
            gain_share=_r(gain / total) if total else None,
            extra_matches=actual_matches - n,
        ),
        None,
    )


def stored_proposal(source: ReadSource, cycle_id: int) -> dict[str, Any] | None:
    """What `match` kept on the cycle row (summary, greedy baseline, overrides), as
    :func:`mentorctl.roster.matches.stored_proposal` reads it."""
    from mentorctl.reports.data import reader
    from mentorctl.roster.read import json_of

    row = reader(source).first("SELECT proposal FROM cycle WHERE id = :id", id=cycle_id)
    return None if row is None else json_of(row[0])


def stored_baseline(
    stored: Mapping[str, Any] | None, actual_total: float, actual_matches: int
) -> GreedyComparison | None:
    """The greedy baseline `match` stored with its proposal, against the cycle's matches."""
    summary = (stored or {}).get("summary") or {}
    if "greedy_matched" not in summary or "greedy_total_score" not in summary:
        return None
    n = int(summary["greedy_matched"])
    total = float(summary["greedy_total_score"])
    gain = actual_total - total
    return GreedyComparison(
        matches=n,
        total_score=_r(total) or 0.0,
        mean_score=_r(total / n) if n else None,
        gain_total=_r(gain) or 0.0,
        gain_share=_r(gain / total) if total else None,
        extra_matches=actual_matches - n,
    )


def match_quality(
    program: Program,
    data: _Data,
    enrolled: Sequence[dict[str, Any]],
    greedy: bool | None,
    stored: Mapping[str, Any] | None = None,
    inputs: Callable[[], GreedyInputs] | None = None,
    preferred: bool = True,
) -> MatchQuality:
    """``stored``: what `match` kept on the cycle (``CycleRow.proposal``), if anything;
    ``inputs``: reads what a recomputed greedy baseline needs, called only when it is
    recomputed (without it, the baseline is not recomputed); ``preferred``: False leaves
    the preferred-mentor figures empty (a cycle only compared by its headline figures)."""
    scores = [m.score for m in data.matches if m.score is not None]
    total = sum(scores) if scores else None
    comparison: GreedyComparison | None = None
    note: str | None = "not computed: no matches"
    if data.matches:
        comparison = (
            None if greedy is False else stored_baseline(stored, total or 0.0, len(data.matches))
        )
        if comparison is not None:
            note = None
        else:  # matched before proposals were stored: recompute
            note = _not_computed(program, enrolled, greedy)
            if note is None and inputs is None:
                note = "not computed"
            elif note is None and inputs is not None:
                given = inputs()
                comparison, note = greedy_baseline(
                    program,
                    given.people,
                    given.previous_pairs,
                    given.rejected,
                    total or 0.0,
                    len(data.matches),
                    greedy,
                )
    return MatchQuality(
        matches=len(data.matches),
        scored=len(scores),
        total_score=_r(total),
        mean_score=_r(statistics.fmean(scores)) if scores else None,
        median_score=_r(statistics.median(scores)) if scores else None,
        lowest_score=_r(min(scores)) if scores else None,
        greedy=comparison,
        greedy_note=note,
        preferred=preferred_mentors(program, data)
        if preferred
        else PreferredMentors(None, 0, 0, None),
        overrides=list((stored or {}).get("overrides") or []),
    )
