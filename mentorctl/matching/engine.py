"""From a roster to a proposal: who mentors whom, why, and why not.

:func:`propose` takes plain data (:class:`MatchInput`: the program, the people as dicts,
earlier pairs, kept and locked pairs) and returns a :class:`Proposal`: the matches with
their scores and per-criterion explanations, every unmatched person with a reason, a
summary that compares the chosen solver with the greedy baseline, and the supply gaps.
It never touches the roster or the terminal; :mod:`mentorctl.matching.store` does the
former and :mod:`mentorctl.cli.match` the latter.

Guarantees: the result depends only on the input's content (people are sorted by email
first, never by row order or hash order), no hard constraint or capacity is broken, and
kept and locked pairs are always in the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mentorctl.errors import MatchingError
from mentorctl.program import (
    Format,
    Mode,
    Objective,
    OverlapCriterion,
    PreferenceCriterion,
    Program,
)

Person = Mapping[str, Any]
Pair = tuple[str, str]

#: Scores are rounded to this many decimals in stored and printed proposals.
DECIMALS = 6
#: Added to a priority mentee's scores in the solvers' objective only (reported scores are
#: the pairs' own): a whole point, so people left unmatched last cycle win any contest
#: for a mentor against people who were matched, whatever the scores.
PRIORITY_BONUS = 1.0


@dataclass(frozen=True)
class MatchInput:
    program: Program
    people: Sequence[Person]
    cycle: str = ""
    mode: Mode | None = None
    previous_pairs: frozenset[Pair] = frozenset()
    kept: Sequence[Pair] = ()  # matches already accepted in this cycle
    locks: Sequence[Pair] = ()  # pairs the coordinator fixed (program.yaml or flags)
    forbid: frozenset[Pair] = frozenset()  # pairs refused (program.yaml, flags, rejections)
    priority: frozenset[str] = frozenset()  # mentees left unmatched last cycle

    @property
    def avoided_pairs(self) -> frozenset[Pair]:
        """Earlier cycles' pairs, when the program avoids repeating them."""
        if self.program.matching.constraints.avoid_previous_pairs:
            return self.previous_pairs
        return frozenset()


@dataclass(frozen=True)
class ProposedMatch:
    mentor: str
    mentee: str
    score: float
    criteria: dict[str, float | None]
    reasons: list[str]
    kept: bool = False
    locked: bool = False
    circle: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mentor": self.mentor,
            "mentee": self.mentee,
            "score": self.score,
            "criteria": self.criteria,
            "reasons": self.reasons,
        }
        if self.kept:
            out["kept"] = True
        if self.locked:
            out["locked"] = True
        return out


@dataclass(frozen=True)
class Unmatched:
    email: str
    role: str
    reason: str


@dataclass(frozen=True)
class SupplyGap:
    criterion: str
    item: str
    wanted: int
    offered: int

    def __str__(self) -> str:
        return (
            f"{self.wanted} mentee(s) want {self.item}; {self.offered} eligible mentor(s) offer it"
        )


@dataclass(frozen=True)
class Circle:
    topic: str
    facilitator: str
    members: list[str]


@dataclass
class Proposal:
    mode: Mode
    cycle: str
    matches: list[ProposedMatch]
    unmatched: list[Unmatched]
    summary: dict[str, Any]
    supply_gaps: list[SupplyGap] = field(default_factory=list)
    circles: list[Circle] | None = None
    small_circles: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The documented ``match --json`` shape (README, "JSON")."""
        out: dict[str, Any] = {
            "mode": self.mode.value,
            "cycle": self.cycle,
            "matches": [m.as_json() for m in self.matches],
            "unmatched": [vars(u) for u in self.unmatched],
            "summary": self.summary,
            "supply_gaps": [vars(g) for g in self.supply_gaps],
        }
        if self.circles is not None:
            out["circles"] = [vars(c) for c in self.circles]
            out["small_circles"] = self.small_circles
        return out


def _r(x: float) -> float:
    return round(float(x), DECIMALS)


def is_mentor(p: Person) -> bool:
    return p["role"] in ("mentor", "both")


def is_mentee(p: Person) -> bool:
    return p["role"] in ("mentee", "both")


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

    @property
    def before_min_score(self) -> np.ndarray:
        return self.allowed if self.eligible is None else self.eligible


def score_candidates(
    inp: MatchInput,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    capacity: np.ndarray,
) -> Scored:
    from mentorctl.matching import constraints, scoring

    program = inp.program
    raw, _ = scoring.score_matrix(program, mentors, mentees, with_values=False)
    raw = np.asarray(raw, dtype=np.float64)
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
        if why is not None:
            ineligible[m["email"]] = why
            allowed[i, :] = False
    min_score = program.matching.constraints.min_score
    eligible = None
    if min_score is not None:
        eligible = allowed.copy()
        allowed &= raw >= min_score - 1e-12
    return Scored(list(mentors), list(mentees), capacity, raw, allowed, ineligible, eligible)


# --------------------------------------------------------------------------- solving


def _solve(mode: Mode, s: Scored, inp: MatchInput) -> list[tuple[int, int]]:
    from mentorctl.matching import solvers

    ids_m = [m["email"] for m in s.mentors]
    ids_e = [e["email"] for e in s.mentees]
    objective = s.raw
    if inp.priority:
        bonus = np.array([PRIORITY_BONUS if e in inp.priority else 0.0 for e in ids_e])
        objective = s.raw + bonus[np.newaxis, :]
    score = np.where(s.allowed, np.round(objective, DECIMALS), np.nan)
    if mode is Mode.OPTIMAL:
        maximize = inp.program.matching.objective is Objective.MAX_MATCHES
        return solvers.solve_optimal_dense(ids_m, ids_e, s.capacity, score, maximize)
    if mode is Mode.GREEDY:
        return solvers.solve_greedy_dense(ids_m, ids_e, s.capacity, score)
    mentee_prefs, mentor_prefs = _preference_lists(inp.program, s.mentors, s.mentees)
    if not mentee_prefs and not mentor_prefs:
        return solvers.solve_stable_dense(ids_m, ids_e, s.capacity, score)
    rows, cols = np.nonzero(s.allowed)
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
    )
    index_m = {m: i for i, m in enumerate(ids_m)}
    index_e = {e: j for j, e in enumerate(ids_e)}
    result = solvers.solve_stable(instance)
    return sorted((index_m[m], index_e[e]) for m, e in result.pairs)


def _preference_lists(
    program: Program, mentors: Sequence[Person], mentees: Sequence[Person]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Ranked lists from `preference` criteria, as emails (names resolved)."""
    crits = [c for c in program.matching.criteria if isinstance(c, PreferenceCriterion)]
    if not crits:
        return {}, {}

    def resolver(people: Sequence[Person]) -> Callable[[str], str | None]:
        by_key: dict[str, str] = {}
        for p in people:
            by_key.setdefault(str(p["name"]).strip().lower(), p["email"])
            by_key[p["email"]] = p["email"]
        return lambda item: by_key.get(str(item).strip().lower())

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


def propose(inp: MatchInput, progress: Callable[[str], None] | None = None) -> Proposal:
    """Match the program's mentees to mentors under every hard constraint.

    Kept (already accepted) and locked pairs are taken as they are and use up capacity;
    the rest is solved by the program's mode (or ``inp.mode``). The greedy baseline is
    solved too, on the same candidates, for the summary's comparison.
    """
    from mentorctl.matching import constraints

    program = inp.program
    mode = inp.mode or program.matching.mode
    if program.format is Format.CIRCLES:
        from mentorctl.matching.circles import propose_circles

        return propose_circles(inp, mode)
    mentors, mentees = _people(inp)
    by_email = {p["email"]: p for p in inp.people}
    capacity = np.array([constraints.capacity_of(program, m) for m in mentors], dtype=np.int64)
    index_m = {m["email"]: i for i, m in enumerate(mentors)}

    fixed: list[tuple[Pair, bool, bool]] = []  # (pair, kept, locked)
    for pairs, kept in ((inp.kept, True), (inp.locks, False)):
        for mentor, mentee in sorted(set(pairs)):
            _check_fixed(mentor, mentee, by_email, kept)
            if any(f[0][1] == mentee for f in fixed):
                if kept or any(f == ((mentor, mentee), True, False) for f in fixed):
                    continue
                raise MatchingError(f"lock {mentor} -> {mentee}: the mentee is already matched")
            i = index_m[mentor]
            if capacity[i] <= 0:
                raise MatchingError(f"lock {mentor} -> {mentee}: {mentor} has no capacity left")
            capacity[i] -= 1
            fixed.append(((mentor, mentee), kept, not kept))
    taken = {pair[1] for pair, _, _ in fixed}
    # People matched as mentees are not mentors' candidates for themselves, etc.
    free_mentees = [e for e in mentees if e["email"] not in taken]

    if progress:
        progress("scoring pairs")
    scored = score_candidates(inp, mentors, free_mentees, capacity)
    if progress:
        progress(f"solving ({mode.value})")
    chosen = _solve(mode, scored, inp) if free_mentees else []
    greedy = (
        chosen
        if mode is Mode.GREEDY
        else (_solve(Mode.GREEDY, scored, inp) if free_mentees else [])
    )

    matches: list[ProposedMatch] = []
    for (mentor, mentee), kept, locked in fixed:
        matches.append(_match(program, by_email[mentor], by_email[mentee], kept, locked))
    for i, j in chosen:
        matches.append(_match(program, scored.mentors[i], scored.mentees[j], False, False))
    matches.sort(key=lambda m: (m.mentor, m.mentee))

    def total(pairs: Sequence[tuple[int, int]]) -> float:
        return sum(_r(scored.raw[i, j]) for i, j in pairs)

    fixed_total = sum(m.score for m in matches if m.kept or m.locked)
    matched_mentees = {m.mentee for m in matches}
    scores = [m.score for m in matches]
    summary = {
        "matched": len(matches),
        "mentees": len(mentees),
        "mentors": len(mentors),
        "total_score": _r(sum(scores)),
        "mean_score": _r(float(np.mean(scores))) if scores else 0.0,
        "lowest_score": _r(min(scores)) if scores else 0.0,
        "greedy_matched": len(greedy) + len(fixed),
        "greedy_total_score": _r(total(greedy) + fixed_total),
        "unmatched": 0,
    }
    unmatched = _unmatched(inp, scored, chosen, matched_mentees, matches)
    summary["unmatched"] = len(unmatched)
    return Proposal(
        mode=mode,
        cycle=inp.cycle,
        matches=matches,
        unmatched=unmatched,
        summary=summary,
        supply_gaps=supply_gaps(program, scored),
    )


def _check_fixed(mentor: str, mentee: str, by_email: Mapping[str, Person], kept: bool) -> None:
    what = "match" if kept else "lock"
    for email, role, test in ((mentor, "mentor", is_mentor), (mentee, "mentee", is_mentee)):
        p = by_email.get(email)
        if p is None:
            raise MatchingError(f"{what} {mentor} -> {mentee}: {email} is not enrolled")
        if not test(p):
            raise MatchingError(f"{what} {mentor} -> {mentee}: {email} is not a {role}")
    if mentor == mentee:
        raise MatchingError(f"{what} {mentor} -> {mentee}: nobody can mentor themself")


def _match(
    program: Program, mentor: Person, mentee: Person, kept: bool, locked: bool
) -> ProposedMatch:
    from mentorctl.matching.scoring import explain_pair

    pair = explain_pair(program, mentor, mentee)
    return ProposedMatch(
        mentor=mentor["email"],
        mentee=mentee["email"],
        score=_r(pair.score),
        criteria={c.name: None if c.value is None else _r(c.value) for c in pair.criteria},
        reasons=pair.top_reasons(2),
        kept=kept,
        locked=locked,
    )


def _unmatched(
    inp: MatchInput,
    s: Scored,
    chosen: Sequence[tuple[int, int]],
    matched_mentees: set[str],
    matches: Sequence[ProposedMatch],
) -> list[Unmatched]:
    """A reason for every mentee left without a mentor and every mentor left idle."""
    program = inp.program
    out: list[Unmatched] = []
    min_score = program.matching.constraints.min_score
    by_email = {p["email"]: p for p in inp.people}
    hard = s.before_min_score
    for j, e in enumerate(s.mentees):
        if e["email"] in matched_mentees:
            continue
        column = s.allowed[:, j]
        if column.any():
            n = int(column.sum())
            reason = f"all {n} eligible mentor(s) are full"
        elif hard[:, j].any():
            reason = f"every eligible mentor scores below min_score {min_score:g}"
        else:
            reason = "no eligible mentor: " + _why_none(inp, s, j, by_email)
        out.append(Unmatched(e["email"], "mentee", reason))
    busy = {m.mentor for m in matches}
    for m in s.mentors:
        email = m["email"]
        if email in busy or (m["role"] == "both" and email in matched_mentees):
            continue
        if email in s.ineligible:
            reason = f"not eligible to mentor: {s.ineligible[email]}"
        else:
            reason = "no mentee left who fits"
        out.append(Unmatched(email, "mentor", reason))
    out.sort(key=lambda u: (u.role != "mentee", u.email))
    return out


def _why_none(inp: MatchInput, s: Scored, j: int, by_email: Mapping[str, Person]) -> str:
    """The most common reasons mentors are excluded for mentee ``j``, counted."""
    counts: Counter[str] = Counter()
    for m in s.mentors:
        reasons = pair_exclusions(inp, m, s.mentees[j], by_email, with_min_score=False)
        for r in reasons[:1]:
            counts[_reason_kind(r)] += 1
    parts = [f"{kind} ({n})" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "; ".join(parts[:3]) or "no mentor can be paired"


def pair_exclusions(
    inp: MatchInput,
    mentor: Person,
    mentee: Person,
    by_email: Mapping[str, Person] | None = None,
    *,
    with_min_score: bool = True,
) -> list[str]:
    """Every hard constraint that keeps ``mentor`` from ``mentee`` (empty: they may pair)."""
    from mentorctl.matching import constraints
    from mentorctl.matching.scoring import explain_pair

    program = inp.program
    by_email = by_email if by_email is not None else {p["email"]: p for p in inp.people}
    reasons = []
    ineligible = constraints.mentor_ineligibility(program, mentor)
    if ineligible:
        reasons.append(f"not eligible to mentor: {ineligible}")
    reasons += constraints.exclusion_reasons(
        program,
        mentor,
        mentee,
        people_by_email=by_email,
        previous_pairs=inp.avoided_pairs,
        forbid=inp.forbid,
    )
    if not reasons and with_min_score:
        score = explain_pair(program, mentor, mentee).score
        if constraints.below_min_score(program, score):
            reasons.append(f"score {score:.3f} is below min_score")
    return reasons


def candidates(
    inp: MatchInput, mentee_email: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A mentee's eligible mentors, best first, and everyone else with their exclusions."""
    from mentorctl.errors import NotFoundError
    from mentorctl.matching.scoring import explain_pair

    by_email = {p["email"]: p for p in inp.people}
    mentee = by_email.get(mentee_email.strip().lower())
    if mentee is None:
        raise NotFoundError(f"{mentee_email}: no such participant in this program")
    if not is_mentee(mentee):
        raise MatchingError(f"{mentee['email']}: is a {mentee['role']}, not a mentee")
    good, excluded = [], []
    for m in sorted(inp.people, key=lambda p: p["email"]):
        if not is_mentor(m) or m["email"] == mentee["email"]:
            continue
        reasons = pair_exclusions(inp, m, mentee, by_email)
        if reasons:
            excluded.append({"mentor": m["email"], "reasons": reasons})
            continue
        pair = explain_pair(inp.program, m, mentee)
        good.append(
            {
                "mentor": m["email"],
                "name": m["name"],
                "score": _r(pair.score),
                "why": pair.top_reasons(2),
            }
        )
    good.sort(key=lambda r: (-r["score"], r["mentor"]))
    return good, excluded


def _reason_kind(reason: str) -> str:
    """Fold per-person details out of a reason so that reasons can be counted."""
    return reason.split(":", 1)[0]


def supply_gaps(program: Program, s: Scored) -> list[SupplyGap]:
    """Items mentees want that fewer eligible mentors offer, worst first."""
    from mentorctl.matching.scoring import source_value, tokens

    gaps: list[SupplyGap] = []
    eligible = [m for m in s.mentors if m["email"] not in s.ineligible]
    for c in program.matching.criteria:
        if not isinstance(c, OverlapCriterion):
            continue
        wanted: Counter[str] = Counter()
        offered: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for e in s.mentees:
            for key, label in tokens(source_value(program, e, c.mentee_source)).items():
                wanted[key] += 1
                shown.setdefault(key, label)
        for m in eligible:
            for key, label in tokens(source_value(program, m, c.mentor_source)).items():
                offered[key] += 1
                shown.setdefault(key, label)
        for key, n in wanted.items():
            if n > offered[key]:
                gaps.append(SupplyGap(c.name, shown[key], n, offered[key]))
    gaps.sort(key=lambda g: (-(g.wanted - g.offered), g.criterion, g.item))
    return gaps
