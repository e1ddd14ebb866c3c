"""What one-to-one matching and circles share: every candidate pair scored and checked
against the hard constraints (:class:`Scored`), the solver call, fixed-pair checks and the
supply gaps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mentorctl.enums import Mode, Objective
from mentorctl.errors import MatchingError
from mentorctl.matching.types import (
    DECIMALS,
    MatchInput,
    Person,
    SupplyGap,
    is_mentee,
    is_mentor,
    priority_weight,
)
from mentorctl.program import OverlapCriterion, PreferenceCriterion, Program

if TYPE_CHECKING:
    from mentorctl.matching.matrix import PairScorer

# --------------------------------------------------------------------------- scoring


@dataclass
class Scored:
    """Everything matching knows about the candidate pairs, aligned by index."""

    mentors: list[Person]
    mentees: list[Person]
    capacity: np.ndarray  # remaining capacity per mentor
    raw: np.ndarray  # scores, every pair (n_mentors x n_mentees)
    allowed: np.ndarray  # bool: passes every hard constraint (min_score included)
    ineligible: dict[str, str]  # mentor email -> why they may not mentor
    eligible: np.ndarray | None = None  # bool: as `allowed`, but before min_score
    objective: np.ndarray | None = None  # the solvers' matrix, once built (solver_scores)
    #: Places left per mentee (mentors they still take); None: one each.
    mentee_capacity: np.ndarray | None = None
    #: Each mentor's track (matching.tracks); None: the program has no tracks.
    track: list[str | None] | None = None
    #: Mentees who already have a kept or locked mentor (optimal covers the others first).
    mentee_held: np.ndarray | None = None
    #: The criteria prepared for these mentors and mentees: explains chosen pairs.
    scorer: PairScorer | None = None

    @property
    def before_min_score(self) -> np.ndarray:
        return self.allowed if self.eligible is None else self.eligible


def score_candidates(
    inp: MatchInput,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    capacity: np.ndarray,
    mentee_capacity: np.ndarray | None = None,
) -> Scored:
    """Score every pair and check it; ``mentee_capacity``: places left per mentee."""
    from mentorctl.matching import constraints, tracks
    from mentorctl.matching.matrix import PairScorer
    from mentorctl.matching.scoring import shared_values

    program = inp.program
    scorer = PairScorer(program, mentors, mentees)
    raw, _ = scorer.matrix(with_values=False)
    raw = np.asarray(raw, dtype=np.float64)
    with shared_values(scorer.memo):  # the answers the scorer read, not read again
        allowed = constraints.allowed_matrix(
            program,
            mentors,
            mentees,
            people=inp.people,
            previous_pairs=inp.avoided_pairs,
            forbid=inp.forbid,
        )
    ineligible = {}
    for i, m in enumerate(mentors):
        why = constraints.mentor_ineligibility(program, m)
        if why is None:
            why = tracks.track_problem(program, m)
        if why is not None:
            ineligible[m["email"]] = why
            allowed[i, :] = False
    min_score = program.matching.constraints.min_score
    eligible = None
    if min_score is not None:
        eligible = allowed.copy()
        allowed &= raw >= min_score - 1e-12
    return Scored(
        list(mentors),
        list(mentees),
        capacity,
        raw,
        allowed,
        ineligible,
        eligible,
        mentee_capacity=mentee_capacity,
        track=tracks.tracks_of(program, mentors),
        scorer=scorer,
    )


# --------------------------------------------------------------------------- solving


def solver_scores(s: Scored, inp: MatchInput) -> np.ndarray:
    """What the solvers maximise: each pair's score, plus the priority weight for a
    priority mentee, rounded to :data:`DECIMALS`; NaN where the pair is not allowed.

    Built once per :class:`Scored` and kept on it: the chosen solver and the greedy
    baseline read the same matrix (on a large roster it is the largest array there is).
    """
    if s.objective is None:
        if inp.priority:
            # Lexicographic: priority mentees placed first, then the program's objective.
            weight = priority_weight(len(s.mentees))
            bonus = np.array([weight if e["email"] in inp.priority else 0.0 for e in s.mentees])
            objective = s.raw + bonus[np.newaxis, :]
        else:
            objective = s.raw.copy()
        np.round(objective, DECIMALS, out=objective)
        objective[~s.allowed] = np.nan
        s.objective = objective
    return s.objective


def solve(
    mode: Mode, s: Scored, inp: MatchInput, *, any_optimum: bool = False
) -> list[tuple[int, int]]:
    """The pairs ``mode`` chooses among ``s``'s allowed pairs (indices into ``s``).

    ``any_optimum`` (optimal mode): the caller reads only what every optimum shares
    (counts and total), so :func:`~mentorctl.matching.solvers.solve_optimal_any` may
    pick other pairs among equally good ones, faster.
    """
    from mentorctl.matching import solvers

    ids_m = [m["email"] for m in s.mentors]
    ids_e = [e["email"] for e in s.mentees]
    score = solver_scores(s, inp)
    if mode is Mode.OPTIMAL:
        # fair (matching/fair.py) calls this with max-matches; count first as a default.
        maximize = inp.program.matching.objective is not Objective.MAX_SCORE
        optimal = solvers.solve_optimal_any if any_optimum else solvers.solve_optimal_dense
        return optimal(
            ids_m, ids_e, s.capacity, score, maximize, mentee_capacity=s.mentee_capacity,
            track=s.track, mentee_held=s.mentee_held,
        )  # fmt: skip
    if mode is Mode.GREEDY:
        return solvers.solve_greedy_dense(
            ids_m, ids_e, s.capacity, score, mentee_capacity=s.mentee_capacity, track=s.track
        )
    mentee_prefs, mentor_prefs = _preference_lists(inp.program, s.mentors, s.mentees)
    if not mentee_prefs and not mentor_prefs:
        return solvers.solve_stable_dense(
            ids_m, ids_e, s.capacity, score, mentee_capacity=s.mentee_capacity, track=s.track
        )
    rows, cols = np.nonzero(s.allowed)
    if inp.priority:  # the solver takes scores in [0, 1]; only their order matters here
        score = score / (priority_weight(len(ids_e)) + 1.0)
    instance = solvers.Instance(
        mentors=tuple(ids_m),
        mentees=tuple(ids_e),
        capacity={m: int(c) for m, c in zip(ids_m, s.capacity, strict=True)},
        scores={
            (ids_m[i], ids_e[j]): float(score[i, j])
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        },
        mentee_prefs=mentee_prefs,
        mentor_prefs=mentor_prefs,
        mentee_capacity={}
        if s.mentee_capacity is None
        else {e: int(c) for e, c in zip(ids_e, s.mentee_capacity, strict=True)},
        tracks={}
        if s.track is None
        else {m: t for m, t in zip(ids_m, s.track, strict=True) if t is not None},
    )
    index_m = {m: i for i, m in enumerate(ids_m)}
    index_e = {e: j for j, e in enumerate(ids_e)}
    result = solvers.solve_stable(instance)
    return sorted((index_m[m], index_e[e]) for m, e in result.pairs)


def _preference_lists(
    program: Program, mentors: Sequence[Person], mentees: Sequence[Person]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Ranked lists from `preference` criteria, as emails (names and person codes
    resolved: a ranking form sends codes, program/codes.py)."""
    from mentorctl.program.codes import CodeBook, looks_like_code

    crits = [c for c in program.matching.criteria if isinstance(c, PreferenceCriterion)]
    if not crits:
        return {}, {}

    def resolver(people: Sequence[Person]) -> Callable[[str], str | None]:
        by_key: dict[str, str] = {}
        for p in people:
            by_key.setdefault(str(p["name"]).strip().lower(), p["email"])
            by_key[p["email"]] = p["email"]
        codes = CodeBook(program.slug, [p["email"] for p in people])

        def resolve(item: str) -> str | None:
            found = by_key.get(str(item).strip().lower())
            if found is None and looks_like_code(str(item)):
                found = codes.email(str(item))
            return found

        return resolve

    to_mentor, to_mentee = resolver(mentors), resolver(mentees)

    def lists(people: Sequence[Person], qid: str | None, resolve: Callable[[str], str | None]):
        out: dict[str, tuple[str, ...]] = {}
        if qid is None:
            return out
        for p in people:
            items = p.get("answers", {}).get(qid) or []
            ranked = [e for e in (resolve(i) for i in items) if e is not None]
            if ranked:
                out[p["email"]] = tuple(dict.fromkeys(ranked))
        return out

    c = crits[0]
    return lists(mentees, c.mentee, to_mentor), lists(mentors, c.mentor, to_mentee)


# --------------------------------------------------------------------------- propose


def mentors_and_mentees(inp: MatchInput) -> tuple[list[Person], list[Person]]:
    """The enrolled mentors and mentees, by email; MatchingError if either side is empty."""
    return _people(inp)


def _people(inp: MatchInput) -> tuple[list[Person], list[Person]]:
    people = sorted(inp.people, key=lambda p: p["email"])
    seen = Counter(p["email"] for p in people)
    dupes = sorted(e for e, n in seen.items() if n > 1)
    if dupes:
        raise MatchingError(f"the roster lists {dupes[0]} twice")
    mentors = [p for p in people if is_mentor(p)]
    mentees = [p for p in people if is_mentee(p)]
    if not people:
        raise MatchingError("nobody is enrolled yet; run `mentorctl participants import FILE`")
    if not mentors:
        raise MatchingError(f"no mentors among the {len(people)} people enrolled; nobody to match")
    if not mentees:
        raise MatchingError(f"no mentees among the {len(people)} people enrolled; nobody to match")
    return mentors, mentees


def check_fixed(mentor: str, mentee: str, by_email: Mapping[str, Person], kept: bool) -> None:
    what = "match" if kept else "lock"
    for email, role, test in ((mentor, "mentor", is_mentor), (mentee, "mentee", is_mentee)):
        p = by_email.get(email)
        if p is None:
            raise MatchingError(f"{what} {mentor} -> {mentee}: {email} is not enrolled")
        if not test(p):
            raise MatchingError(f"{what} {mentor} -> {mentee}: {email} is not a {role}")
    if mentor == mentee:
        raise MatchingError(f"{what} {mentor} -> {mentee}: nobody can mentor themself")


def reason_kind(reason: str) -> str:
    """Fold per-person details out of a reason so that reasons can be counted."""
    return reason.split(":", 1)[0]


def supply_gaps(program: Program, s: Scored) -> list[SupplyGap]:
    """Items mentees want that fewer eligible mentors offer, worst first."""
    from mentorctl.matching.scoring import shared_values

    gaps: list[SupplyGap] = []
    eligible = [m for m in s.mentors if m["email"] not in s.ineligible]
    with shared_values(None if s.scorer is None else s.scorer.memo):
        for c in program.matching.criteria:
            if isinstance(c, OverlapCriterion):
                gaps += _gaps(program, c, s.mentees, eligible)
    gaps.sort(key=lambda g: (-(g.wanted - g.offered), g.criterion, g.item))
    return gaps


def _gaps(
    program: Program, c: OverlapCriterion, mentees: Sequence[Person], mentors: Sequence[Person]
) -> list[SupplyGap]:
    """One overlap criterion's items that more mentees want than mentors offer."""
    from mentorctl.matching.scoring import _tokens_list

    gaps: list[SupplyGap] = []
    wanted: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for found in _tokens_list(program, mentees, c.mentee_source):
        for key, label in found.items():
            wanted[key] += 1
            shown.setdefault(key, label)
    for found in _tokens_list(program, mentors, c.mentor_source):
        for key, label in found.items():
            offered[key] += 1
            shown.setdefault(key, label)
    for key, n in wanted.items():
        if n > offered[key]:
            gaps.append(SupplyGap(c.name, shown[key], n, offered[key]))
    return gaps
