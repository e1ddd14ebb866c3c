"""Relaxations: for each unmatched person, the smallest change that would place them.

The question is asked with everyone else's match fixed as it is (a proposal's matches,
or the stored proposal and active matches): which *one* change would let this person be
matched, to whom, without moving anybody? One change at a time is tried, smallest
first:

1. ``capacity``: a mentor who may take the mentee is full; one more place for them
   ("if Ana's capacity were 3"). Not offered in one-to-one programs (capacity is 1
   there) nor beyond ``capacity.maximum``.
2. ``min_score``: the pair breaks only ``min_score``: the program-wide floor lowered to
   the pair's score, rounded down to two decimals.
3. ``must``: the pair breaks only a criterion's must-have rule, and a lower
   ``at_least`` (the pair's value rounded down to two decimals) admits it: the rule
   loosened program-wide ("if the must-have 'tz' rule allowed 4 h").
4. ``rule``: the pair breaks exactly one pair rule (management chain, same manager, a
   ``require_same``/``require_different`` field, a must-have rule, an earlier cycle's
   pair): that rule lifted for this pair only (a lock with an override).
5. ``eligibility``: the mentor fails only ``eligibility.mentor``: that mentor let in.

Forbidden and rejected pairs are the coordinator's own decisions: never suggested.
Within a kind the candidate with the best score comes first; every suggestion names
the partner and how to try it (``apply``: the options of ``mentorctl match diff`` that
show its knock-on effects on a full re-solve).

Guarantee: for each suggestion, with the change applied and every other match kept,
pairing the person with the named partner breaks no hard constraint and no capacity
(the property test applies each one through the engine, as a lock without override).

Speed: one rule is dropped at a time from the program and the allowed matrix recomputed
for the unmatched people's columns only (idle mentors pair with those columns too), so
the cost grows with the number of unmatched people, not with the roster squared. Every
candidate change is an array entry, ordered and thinned by numpy; words and objects are
made only for the ``limit`` kept per person (10,000 x 2,000 with 390 unmatched: 650,000
candidates, 1 s of CPU instead of 15 s when each was an object).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mentorctl.enums import Format
from mentorctl.matching.types import (
    MatchInput,
    Pair,
    Person,
    ScoreColumns,
    is_mentee,
    is_mentor,
)
from mentorctl.program import Program

__all__ = ["KINDS", "Relaxation", "describe", "relaxed_program", "suggest", "with_capacities"]

KINDS = ("capacity", "min_score", "must", "rule", "eligibility")

#: Suggestions kept per person (the first is the smallest change).
LIMIT = 3


@dataclass(frozen=True)
class Relaxation:
    """One change that would place ``person`` with ``partner``, everyone else kept."""

    person: str
    partner: str
    kind: str  # one of KINDS
    change: str  # plain words: "if ana@x.org's capacity were 3"
    score: float  # the pair's score
    apply: str  # `mentorctl match diff` options that try it
    rule: str | None = None  # the rule lifted (kind rule/eligibility), e.g. "department"
    value: float | None = None  # the new number (capacity, min_score)
    as_mentee: bool = True  # whether ``person`` would be the pair's mentee

    @property
    def pair(self) -> Pair:
        """The (mentor, mentee) pair the change makes possible."""
        return (self.partner, self.person) if self.as_mentee else (self.person, self.partner)

    def as_json(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "kind": self.kind,
            "change": self.change,
            "rule": self.rule,
            "value": self.value,
            "score": self.score,
            "apply": self.apply,
        }


# --------------------------------------------------------------------------- rules


def _rules(program: Program) -> list[tuple[str, str, Program]]:
    """(key, label, program without that one rule) for every pair rule in force."""
    cons = program.matching.constraints
    out: list[tuple[str, str, Program]] = []

    def without(**update: Any) -> Program:
        matching = program.matching.model_copy(
            update={"constraints": cons.model_copy(update=update)}
        )
        return program.model_copy(update={"matching": matching})

    if cons.management_chain > 0:
        out.append(("management_chain", "management chain", without(management_chain=0)))
    if cons.exclude_same_manager:
        out.append(("exclude_same_manager", "same manager", without(exclude_same_manager=False)))
    for key in ("require_same", "require_different"):
        for source in getattr(cons, key):
            rest = [s for s in getattr(cons, key) if s != source]
            label = "time zone" if source == "utc_offset" else source.replace("_", " ")
            out.append((f"{key}:{source}", f"{label} rule", without(**{key: rest})))
    if cons.avoid_previous_pairs:
        out.append(
            ("avoid_previous_pairs", "earlier-pair rule", without(avoid_previous_pairs=False))
        )
    from mentorctl.matching.must import relax_rules

    return out + relax_rules(program)


def _without_eligibility(program: Program) -> Program:
    from mentorctl.program.schema import Eligibility

    return program.model_copy(update={"eligibility": Eligibility()})


def relaxed_program(program: Program, relaxation: Relaxation) -> Program:
    """``program`` with ``relaxation``'s program-wide change (min_score, must) applied."""
    if relaxation.kind == "must" and relaxation.rule and relaxation.value is not None:
        from mentorctl.matching.must import loosened

        return loosened(program, relaxation.rule.removeprefix("must:"), relaxation.value)
    if relaxation.kind != "min_score":
        return program
    cons = program.matching.constraints.model_copy(update={"min_score": relaxation.value})
    return program.model_copy(
        update={"matching": program.matching.model_copy(update={"constraints": cons})}
    )


# --------------------------------------------------------------------------- suggest


def _reused(
    scores: ScoreColumns | None, mentors: Sequence[Person], cols: Sequence[Person]
) -> np.ndarray | None:
    """``cols``' columns of ``scores`` when it has every one, for the same mentors.

    A column's scores do not depend on which other mentees are scored with it
    (:mod:`mentorctl.matching.matrix`), so they are the very numbers scoring would give.
    """
    if scores is None or len(scores.mentors) != len(mentors):
        return None
    if any(a != m["email"] for a, m in zip(scores.mentors, mentors, strict=True)):
        return None
    at = [scores.mentees.get(p["email"], -1) for p in cols]
    if any(k < 0 for k in at):
        return None
    return np.asarray(scores.raw, dtype=np.float64)[:, np.asarray(at, dtype=np.int64)]


def suggest(
    inp: MatchInput,
    matches: Sequence[Pair],
    *,
    names: dict[str, str] | None = None,
    limit: int = LIMIT,
    scores: ScoreColumns | None = None,
) -> dict[str, list[Relaxation]]:
    """Up to ``limit`` changes, smallest first, for every person left without a match.

    ``matches`` are the (mentor, mentee) pairs kept as they are. Mentees without one and
    mentors with none are asked about; someone nothing single can place gets ``[]``.
    Peer and circles programs get ``{}`` (their groups are not mentor/mentee pairs).
    ``scores``: the run's own scores of (some of) these mentees (``Proposal.scores``),
    used instead of scoring their columns again when they cover every one of them.
    """
    from mentorctl.matching import constraints, matrix

    program = inp.program
    if program.format in (Format.PEER, Format.CIRCLES):
        return {}
    people = sorted(inp.people, key=lambda p: p["email"])
    mentors = [p for p in people if is_mentor(p)]
    taken = {e for _, e in matches}
    load = Counter(m for m, _ in matches)
    # A `both` person matched as a mentee is not idle as a mentor (as the engine says).
    idle_mentors = {m["email"] for m in mentors if not load[m["email"]] and m["email"] not in taken}
    left = [p for p in people if is_mentee(p) and p["email"] not in taken]
    if not mentors or not (left or idle_mentors):
        return {}
    shown: dict[str, str] = names or {p["email"]: str(p.get("name") or p["email"]) for p in people}
    by_email = {p["email"]: p for p in people}
    cap = np.array([constraints.capacity_of(program, m) for m in mentors], dtype=np.int64)
    spare = cap - np.array([load[m["email"]] for m in mentors], dtype=np.int64)
    can_grow = program.format is not Format.ONE_TO_ONE
    limit_cap = program.capacity.maximum

    # Idle mentors may pair with any mentee who is free: only free mentees are columns.
    cols = left
    out: dict[str, list[Relaxation]] = {p["email"]: [] for p in left}
    out.update({e: [] for e in idle_mentors})
    if not cols:
        return out

    def allowed(prog: Program) -> np.ndarray:
        return constraints.allowed_matrix(
            prog,
            mentors,
            cols,
            people=inp.people,
            previous_pairs=_avoided(inp, prog),
            forbid=inp.forbid,
        )

    raw = _reused(scores, mentors, cols)
    if raw is None:
        raw, _ = matrix.score_matrix(program, mentors, cols, with_values=False)
        raw = np.asarray(raw, dtype=np.float64)
    base = allowed(program)  # every hard rule but min_score
    floor = program.matching.constraints.min_score
    passes = (
        raw >= floor - constraints.MIN_SCORE_TOLERANCE if floor is not None else np.ones_like(base)
    )

    def who(i: int) -> str:
        return str(shown.get(mentors[i]["email"]) or mentors[i]["email"])

    # Each block is one kind (or one rule) with the pairs it would free; the words are
    # written only for the few candidates that end up shown (see _pick).
    blocks: list[_Block] = []
    # 1. capacity: allowed and above min_score, but the mentor is full.
    if can_grow:
        full = base & passes & (spare[:, np.newaxis] <= 0) & (cap[:, np.newaxis] < limit_cap)

        def capacity(i: int, j: int) -> tuple[str, str, dict[str, Any]]:
            new = int(cap[i]) + 1
            return (
                f"if {who(i)}'s capacity were {new}",
                f"--capacity {mentors[i]['email']}={new}",
                {"value": float(new)},
            )

        blocks.append(_Block("capacity", full, capacity, per_mentor=True))
    free = spare[:, np.newaxis] > 0
    # 2. min_score: allowed by every rule, the mentor has room, only the floor is in the way.
    if floor is not None:

        def min_score(i: int, j: int) -> tuple[str, str, dict[str, Any]]:
            value = math.floor(float(raw[i, j]) * 100) / 100
            return (
                f"if min_score were {value:g}",
                f"--set matching.constraints.min_score={value:g}",
                {"value": value},
            )

        # The words depend only on the floored score: one candidate per value is enough.
        blocks.append(
            _Block("min_score", base & ~passes & free, min_score, by_value=np.floor(raw * 100))
        )
    # 3. one pair rule lifted for this pair only; 4. the mentor let in.
    blocked = ~base & passes & free
    if blocked.any():
        eligible_mentor = np.array(
            [constraints.mentor_ineligibility(program, m) is None for m in mentors]
        )
        for key, label, prog in _rules(program):
            if key.startswith("must:"):  # first the rule loosened program-wide, if it can be
                blocks.append(_loosen(program, key, blocked, allowed(prog), mentors, cols))

            def rule(i: int, j: int, key: str = key, label: str = label) -> _Words:
                m, e = mentors[i]["email"], cols[j]["email"]
                return (
                    f"if the {label} were lifted for {shown.get(e, e)} and {who(i)}",
                    f'--lock {m}:{e} --override "REASON"',
                    {"rule": key},
                )

            blocks.append(
                _Block("rule", blocked & allowed(prog) & eligible_mentor[:, np.newaxis], rule)
            )
        lenient = _without_eligibility(program)

        def eligibility(i: int, j: int) -> _Words:
            m, e = mentors[i]["email"], cols[j]["email"]
            why = constraints.mentor_ineligibility(program, by_email[m]) or ""
            return (
                f"if {who(i)} were let in as a mentor ({why})",
                f'--lock {m}:{e} --override "REASON"',
                {"rule": "eligibility"},
            )

        only = blocked & ~eligible_mentor[:, np.newaxis] & allowed(lenient)
        blocks.append(_Block("eligibility", only, eligibility, per_mentor=True))
    idle = np.array([m["email"] in idle_mentors for m in mentors], dtype=bool)
    _pick(blocks, raw, mentors, cols, idle, out, limit)
    return out


# --------------------------------------------------------------------------- picking

#: (change, apply, extra Relaxation fields) for the pair (mentor row, column).
_Words = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class _Block:
    """The pairs one kind of change (or one rule lifted) would free, as a bool matrix.

    ``words`` writes a candidate's change, called only for the ones shown. ``per_mentor``:
    for a mentor's own suggestions the change names only the mentor (one per mentor is
    enough); ``by_value``: the change depends only on this number (one per value).
    """

    kind: str  # one of KINDS
    mask: np.ndarray  # bool (mentors x columns)
    words: Callable[[int, int], _Words]
    per_mentor: bool = False
    by_value: np.ndarray | None = None


def _pick(
    blocks: Sequence[_Block],
    raw: np.ndarray,
    mentors: Sequence[Person],
    cols: Sequence[Person],
    idle: np.ndarray,
    out: dict[str, list[Relaxation]],
    limit: int,
) -> None:
    """Fill ``out``: per person, the first ``limit`` distinct changes in the order (kind,
    best score, partner's email).

    Candidates are ordered and thinned as arrays (a large roster has hundreds of
    thousands of them); words are written only for the few kept per person, so the cost
    is a sort of the candidates plus what is shown.
    """
    emails = sorted({m["email"] for m in mentors} | {c["email"] for c in cols})
    rank = {e: k for k, e in enumerate(emails)}
    m_rank = np.array([rank[m["email"]] for m in mentors], dtype=np.float64)
    c_rank = np.array([rank[c["email"]] for c in cols], dtype=np.float64)
    n_cols = len(cols)
    parts: list[tuple[np.ndarray, ...]] = []
    for b, block in enumerate(blocks):
        rows, cs = np.nonzero(block.mask)
        if not len(rows):
            continue
        neg = -np.round(raw[rows, cs], 6)
        value = None if block.by_value is None else block.by_value[rows, cs]
        kind = np.full(len(rows), KINDS.index(block.kind), dtype=np.float64)
        ids = np.full(len(rows), b, dtype=np.float64)
        flat = (rows * n_cols + cs).astype(np.float64)
        # The person is the column's mentee (side 0) ...
        key = m_rank[rows] if value is None else value
        side = np.zeros(len(rows))
        parts.append((c_rank[cs], kind, neg, m_rank[rows], ids, flat, side, key, rows, cs))
        # ... and, for an idle mentor, the row's mentor (side 1).
        sel = idle[rows]
        if sel.any():
            r, c = rows[sel], cs[sel]
            if value is not None:
                key = value[sel]
            elif block.per_mentor:
                key = np.zeros(len(r))
            else:
                key = c_rank[c]
            parts.append(
                (m_rank[r], kind[sel], neg[sel], c_rank[c], ids[sel], flat[sel], side[sel] + 1,
                 key, r, c)
            )  # fmt: skip
    if not parts:
        return
    person, kind, neg, partner, ids, flat, side, key, rows, cs = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    # Ties broken as the candidates were found: by block, then pair, mentee side first.
    order = np.lexsort((side, flat, ids, partner, neg, kind, person))
    # Candidates with the same words: keep the first in that order.
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order))
    same = np.lexsort((pos, key, side, ids, person))
    first = np.ones(len(same), dtype=bool)
    for column in (person, ids, side, key):
        first[1:] &= np.diff(column[same]) == 0
    first[1:] = ~first[1:]
    kept = same[first]
    kept = kept[np.argsort(pos[kept], kind="stable")]
    who = person[kept]
    starts = np.flatnonzero(np.r_[True, np.diff(who) != 0])
    ends = np.r_[starts[1:], len(kept)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        bucket: list[Relaxation] = []
        for n in kept[start:end].tolist():
            i, j, mentee_side = int(rows[n]), int(cs[n]), bool(side[n] == 0)
            change, apply, extra = blocks[int(ids[n])].words(i, j)
            # Two people with the same name can still give the same words.
            if any(r.change == change for r in bucket):
                continue
            me, them = (cols[j], mentors[i]) if mentee_side else (mentors[i], cols[j])
            score = round(float(raw[i, j]), 6)
            bucket.append(
                Relaxation(
                    me["email"], them["email"], blocks[int(ids[n])].kind, change, score, apply,
                    **extra, as_mentee=mentee_side,
                )
            )  # fmt: skip
            if len(bucket) >= limit:
                break
        out[emails[int(who[start])]] = bucket


def _loosen(
    program: Program,
    key: str,
    blocked: np.ndarray,
    without: np.ndarray,
    mentors: Sequence[Person],
    cols: Sequence[Person],
) -> _Block:
    """The ``must`` kind for one must-have rule: pairs kept out by it alone whose value
    a lower ``at_least`` admits (:mod:`mentorctl.matching.must`)."""
    from mentorctl.matching import must

    name = key.removeprefix("must:")
    values = must.loosen_values(program, name, mentors, cols)
    mask = blocked & without & ~np.isnan(values)

    def words(i: int, j: int) -> _Words:
        change, apply, at_least = must.loosen_words(program, name, float(values[i, j]))
        return change, apply, {"rule": key, "value": at_least}

    return _Block("must", mask, words, by_value=np.nan_to_num(values, nan=-1.0))


def _avoided(inp: MatchInput, program: Program) -> frozenset[Pair]:
    return inp.previous_pairs if program.matching.constraints.avoid_previous_pairs else frozenset()


def describe(relaxations: Sequence[Relaxation]) -> str:
    """One line for a table: the smallest change first ("" when none)."""
    if not relaxations:
        return ""
    first = relaxations[0]
    more = f" (+{len(relaxations) - 1} more)" if len(relaxations) > 1 else ""
    return f"with {first.partner} {first.change}{more}"


def with_capacities(inp: MatchInput, settings: Sequence[str]) -> MatchInput:
    """``inp`` with what-if capacities (``EMAIL=N``) for some mentors."""
    from dataclasses import replace

    from mentorctl.errors import NotFoundError, UsageError

    wanted: dict[str, int] = {}
    for item in settings:
        email, sep, raw = item.partition("=")
        email = email.strip().lower()
        if not sep or not email or not raw.strip().isdigit():
            raise UsageError(f"--capacity {item!r}: expected EMAIL=N, e.g. ana@example.org=3")
        wanted[email] = int(raw)
    by_email = {p["email"]: p for p in inp.people}
    for email in wanted:
        person = by_email.get(email)
        if person is None:
            raise NotFoundError(f"--capacity {email}: not enrolled")
        if not is_mentor(person):
            raise UsageError(f"--capacity {email}: is a {person['role']}, not a mentor")
    people: list[Person] = [
        {**p, "capacity": wanted[p["email"]]} if p["email"] in wanted else p for p in inp.people
    ]
    return replace(inp, people=people)
