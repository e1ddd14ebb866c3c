"""What ``explain`` reads of the roster, on the plain read path (:mod:`mentorctl.roster.read`).

``explain MENTEE MENTOR`` needs two people, the managers above them (the management-chain
rule) and the few matches that involve the pair; ``explain MENTEE`` needs every mentor,
the mentee, their managers, the mentee's own matches and, only when the mentee is
unmatched, the current cycle's placed pairs (what capacity is left for a relaxation).
Nothing else is read: not the other mentees, not anyone's explanation JSON but the
mentee's. The people come back as matching's person dicts (``PERSON_FIELDS``), the
same values :func:`mentorctl.roster.matches.load` gives, so every figure is the same.

Queries are SQL text with ``:name`` parameters, portable to PostgreSQL: booleans and
statuses are parameters, lists are sub-selects or joins, never ``IN (:list)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.roster.person import person_of, program_id, select_people
from mentorctl.roster.read import json_of

if TYPE_CHECKING:
    from mentorctl.program import Program
    from mentorctl.roster.read import Reader

__all__ = ["Explained", "read_for_mentee", "read_for_pair"]

Pair = tuple[str, str]
Person = dict[str, Any]

# Active, not erased people of one program: the people matching reads.
_ENROLLED = "program_id = :pid AND active = :yes AND forgotten_at IS NULL"

# A match with its two people's emails; the caller adds its own conditions.
_PAIRS = (
    "SELECT a.email, b.email, m.status, m.explanation FROM match m "
    "JOIN participant a ON a.id = m.mentor_id JOIN participant b ON b.id = m.mentee_id "
    "JOIN cycle c ON c.id = m.cycle_id WHERE c.program_id = :pid"
)
# Earlier cycles' pairs, avoided (or favoured) by matching; :cid is -1 with no cycle yet.
_EARLIER = " AND c.id <> :cid AND (m.status = :active OR m.status = :ended)"
_THIS_CYCLE = " AND c.id = :cid"


@dataclass
class Explained:
    """The roster's part of ``explain``'s input, as plain data (the slice of
    :class:`mentorctl.roster.matches.RosterMatches` the explanation needs)."""

    people: list[Person] = field(default_factory=list)
    previous_pairs: frozenset[Pair] = frozenset()
    #: This cycle's refused pairs (rejected, or ended early): never proposed again.
    rejected: frozenset[Pair] = frozenset()
    #: Pairs locked despite a hard constraint this cycle: pair -> the coordinator's reason.
    overrides: dict[Pair, str] = field(default_factory=dict)
    #: This cycle's proposed and active pairs, read only when the mentee has none.
    placed: list[Pair] = field(default_factory=list)
    #: Whether the mentee has a proposed or active match this cycle.
    mentee_placed: bool = False


def _ids(reader: Reader, program: Program) -> tuple[int | None, int]:
    pid = program_id(reader, program)
    if pid is None:
        return None, -1
    row = reader.first(
        "SELECT id FROM cycle WHERE program_id = :pid AND name = :name",
        pid=pid,
        name=program.cycle.name,
    )
    return pid, (-1 if row is None else int(row[0]))


def _person(reader: Reader, pid: int, email: str) -> Person | None:
    row = reader.first(select_people(f"{_ENROLLED} AND email = :email"), pid=pid, yes=True,
                       email=email)  # fmt: skip
    return None if row is None else person_of(row)


def _with_managers(reader: Reader, pid: int, people: list[Person], levels: int) -> list[Person]:
    """``people`` and everyone up to ``levels`` managers above them who is enrolled: the
    management-chain rule walks those (one indexed look-up per manager not yet known)."""
    known: dict[str, Person | None] = {p["email"]: p for p in people}
    out = list(people)
    frontier = people
    for _ in range(levels):
        bosses = sorted(
            {
                str(p.get("manager_email") or "").strip().lower()
                for p in frontier
                if p.get("manager_email")
            }
            - known.keys()
        )
        frontier = []
        for email in bosses:
            found = _person(reader, pid, email)
            known[email] = found
            if found is not None:
                out.append(found)
                frontier.append(found)
        if not frontier:
            break
    return out


def _pairs(reader: Reader, where: str, **params: Any) -> list[tuple[Any, ...]]:
    return reader.all(_PAIRS + where, **params)


def _finish(
    reader: Reader, pid: int, cid: int, people: list[Person], mentee: str, mentor_clause: str,
    **params: Any,
) -> Explained:  # fmt: skip
    """The mentee's matches (filtered further by ``mentor_clause``): earlier pairs, this
    cycle's refusals, overrides and whether they are placed."""
    who = " AND b.email = :mentee" + mentor_clause
    earlier = _pairs(reader, _EARLIER + who, pid=pid, cid=cid, mentee=mentee, active="active",
                     ended="ended", **params)  # fmt: skip
    this = _pairs(reader, _THIS_CYCLE + who, pid=pid, cid=cid, mentee=mentee, **params)
    overrides = {}
    for m, e, status, explanation in this:
        if status in ("proposed", "active"):
            found = (json_of(explanation) or {}).get("override")
            if isinstance(found, dict):
                overrides[(m, e)] = str(found["reason"])
    return Explained(
        people=people,
        previous_pairs=frozenset((m, e) for m, e, _, _ in earlier),
        rejected=frozenset((m, e) for m, e, s, _ in this if s in ("rejected", "ended")),
        overrides=overrides,
        mentee_placed=any(s in ("proposed", "active") for _, _, s, _ in this),
    )


def read_for_pair(reader: Reader, program: Program, mentee: str, mentor: str) -> Explained:
    """What ``explain MENTEE MENTOR`` needs: the two (whoever of them is enrolled), their
    managers, and the matches between them."""
    pid, cid = _ids(reader, program)
    if pid is None:
        return Explained()
    emails = dict.fromkeys((mentee.strip().lower(), mentor.strip().lower()))
    people = [p for p in (_person(reader, pid, e) for e in emails) if p is not None]
    people = _with_managers(reader, pid, people, program.matching.constraints.management_chain)
    return _finish(reader, pid, cid, people, mentee.strip().lower(), " AND a.email = :mentor",
                   mentor=mentor.strip().lower())  # fmt: skip


def read_for_mentee(reader: Reader, program: Program, mentee: str) -> Explained:
    """What ``explain MENTEE`` needs: every mentor, the mentee, their managers, the
    mentee's matches, and (when the mentee is unmatched) the cycle's placed pairs."""
    pid, cid = _ids(reader, program)
    if pid is None:
        return Explained()
    email = mentee.strip().lower()
    rows = reader.all(
        select_people(f"{_ENROLLED} AND (role = :mentor OR role = :both OR email = :email)"),
        pid=pid, yes=True, mentor="mentor", both="both", email=email,
    )  # fmt: skip
    people = [person_of(row) for row in rows]
    people = _with_managers(reader, pid, people, program.matching.constraints.management_chain)
    out = _finish(reader, pid, cid, people, email, "")
    if not out.mentee_placed:
        placed = _pairs(reader, _THIS_CYCLE + " AND (m.status = :proposed OR m.status = :active)",
                        pid=pid, cid=cid, proposed="proposed", active="active")  # fmt: skip
        out.placed = [(m, e) for m, e, _, _ in placed]
    return out
