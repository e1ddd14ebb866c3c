"""The plain data matching takes and gives: the input, proposed matches, circles, the
unmatched and their reasons, supply gaps, and the whole proposal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mentorctl.enums import Mode
from mentorctl.program import Program

Person = Mapping[str, Any]
Pair = tuple[str, str]

#: Scores are rounded to this many decimals in stored and printed proposals.
DECIMALS = 6


def priority_weight(n_mentees: int) -> float:
    """What a priority mentee's pairs get on top of their score, in the objective only.

    Scores lie in [0, 1], so no set of ``n_mentees`` other pairs can sum to more than
    ``n_mentees``: one more makes the rule lexicographic. Placing one more priority mentee
    beats any gain in matches or score elsewhere, and a tie can never lose it (a plain
    bonus of 1 could be matched by one other pair scoring 1). Reported scores stay the
    pairs' own.
    """
    return float(n_mentees + 1)


@dataclass(frozen=True)
class MatchInput:
    program: Program
    people: Sequence[Person]
    cycle: str = ""
    mode: Mode | None = None
    previous_pairs: frozenset[Pair] = frozenset()
    kept: Sequence[Pair] = ()  # matches already accepted in this cycle
    locks: Sequence[Pair] = ()  # pairs the coordinator fixed (program.yaml or flags)
    #: Locks the coordinator made despite a hard constraint: pair -> their stated reason.
    #: A lock that breaks a constraint without one is refused (:class:`LockError`).
    overrides: Mapping[Pair, str] = field(default_factory=dict)
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
    #: The coordinator's reason for locking this pair despite ``overridden`` constraints.
    override: str | None = None
    overridden: tuple[str, ...] = ()

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
        if self.override is not None:
            out["override"] = {"reason": self.override, "constraints": list(self.overridden)}
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


@dataclass(frozen=True)
class ScoreColumns:
    """Scores a run already computed: every mentor (``mentors``, row order) against some
    mentees (``mentees``: email -> column of ``raw``). The relaxations of those mentees
    reuse them instead of scoring the same pairs again."""

    mentors: tuple[str, ...]
    mentees: Mapping[str, int]
    raw: Any  # float64 numpy array, len(mentors) x len(mentees)


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
    #: (email, role) of an unmatched person -> :class:`mentorctl.matching.relax.Relaxation`
    #: list, smallest change first (filled by the caller; empty when not computed).
    relaxations: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    #: What fairness and the priority rule cost (:func:`mentorctl.matching.fair.tradeoffs`);
    #: None where it does not apply (stable and greedy modes, circles, peer pools).
    tradeoffs: dict[str, Any] | None = None
    #: The unmatched mentees' scores, for :func:`mentorctl.matching.relax.suggest`.
    scores: ScoreColumns | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The documented ``match --json`` shape (README, "JSON")."""
        out: dict[str, Any] = {
            "mode": self.mode.value,
            "cycle": self.cycle,
            "matches": [m.as_json() for m in self.matches],
            "unmatched": [
                vars(u)
                | (
                    {"relaxations": [r.as_json() for r in self.relaxations[(u.email, u.role)]]}
                    if (u.email, u.role) in self.relaxations
                    else {}
                )
                for u in self.unmatched
            ],
            "summary": self.summary,
            "supply_gaps": [vars(g) for g in self.supply_gaps],
            "tradeoffs": self.tradeoffs,
        }
        if self.circles is not None:
            out["circles"] = [vars(c) for c in self.circles]
            out["small_circles"] = self.small_circles
        return out


def rounded(x: float) -> float:
    return round(float(x), DECIMALS)


def is_mentor(p: Person) -> bool:
    return p["role"] in ("mentor", "both")


def is_mentee(p: Person) -> bool:
    return p["role"] in ("mentee", "both")
