"""What ``match`` reads of the roster, as plain data: enrolled people, earlier and this
cycle's pairs, and the mentees a previous cycle left unmatched.

SQL text on the plain read path (:mod:`mentorctl.roster.read`): ``match --dry-run`` (a
what-if) reads a snapshot without importing SQLAlchemy on SQLite, and a command that
goes on to write passes its ORM session, so both read with the same queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.roster.person import PERSON_FIELDS, person_of, program_id, select_people
from mentorctl.roster.read import as_reader, bool_of, json_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from mentorctl.program import Program
    from mentorctl.roster.read import Reader

    Source = Reader | Connection | Session

Pair = tuple[str, str]

# Active, not erased people of one program: the people matching reads.
_ENROLLED = "program_id = :pid AND active = :yes AND forgotten_at IS NULL"
_PAIRS = (
    "SELECT m.id, a.email, b.email, m.score, m.status, m.locked, m.circle, m.explanation, "
    "m.cycle_id FROM match m JOIN participant a ON m.mentor_id = a.id "
    "JOIN participant b ON m.mentee_id = b.id WHERE "
)
_EARLIER = (
    "m.cycle_id IN (SELECT id FROM cycle WHERE program_id = :pid AND id <> :cid) "
    "AND m.status IN ('active', 'ended')"
)
_PAIR_KEYS = ("id", "mentor", "mentee", "score", "status", "locked", "circle", "explanation",
              "cycle_id")  # fmt: skip


@dataclass
class RosterMatches:
    """What the roster knows that matching needs, as plain data."""

    people: list[dict[str, Any]]
    ids: dict[str, int]  # email -> participant id
    previous_pairs: frozenset[Pair]
    active: list[Pair]
    rejected: frozenset[Pair]
    proposed: list[dict[str, Any]]
    #: Pairs of this cycle locked despite a hard constraint: pair -> the coordinator's reason.
    overrides: dict[Pair, str] = field(default_factory=dict)


def current_cycle(source: Source, program: Program) -> tuple[int, int, dt.date] | None:
    """(program id, cycle id, start) of program.yaml's current cycle; while the cycle is
    not stored yet (no ``match`` has written it), id -1 and program.yaml's start. None
    while the program itself is not stored."""
    db = as_reader(source)
    pid = program_id(db, program)
    if pid is None:
        return None
    row = db.first(
        "SELECT id, start FROM cycle WHERE program_id = :pid AND name = :name",
        pid=pid,
        name=program.cycle.name,
    )
    if row is None:
        return pid, -1, program.cycle.start
    return pid, int(row[0]), dt.date.fromisoformat(str(row[1])[:10])


def load(source: Source, program_id: int, cycle_id: int) -> RosterMatches:
    """Everything ``match`` reads, as plain data: rows, not ORM objects (a roster of
    12,000 people was 12,000 objects built and thrown away)."""
    db = as_reader(source)
    people_rows = db.all(select_people(_ENROLLED, ("id", *PERSON_FIELDS)), pid=program_id, yes=True)
    people = [person_of(row[1:]) for row in people_rows]
    ids = {row[1]: row[0] or 0 for row in people_rows}
    previous = _pairs(db, _EARLIER, pid=program_id, cid=cycle_id)
    this_cycle = _pairs(db, "m.cycle_id = :cid", cid=cycle_id)
    return RosterMatches(
        people=people,
        ids=ids,
        previous_pairs=frozenset((r["mentor"], r["mentee"]) for r in previous),
        active=[(r["mentor"], r["mentee"]) for r in this_cycle if r["status"] == "active"],
        # Refused, or ended early this cycle: never proposed again in this cycle.
        rejected=frozenset(
            (r["mentor"], r["mentee"]) for r in this_cycle if r["status"] in ("rejected", "ended")
        ),
        proposed=[r for r in this_cycle if r["status"] == "proposed"],
        overrides={
            (r["mentor"], r["mentee"]): str(r["explanation"]["override"]["reason"])
            for r in this_cycle
            if r["status"] in ("proposed", "active")
            and isinstance((r["explanation"] or {}).get("override"), dict)
        },
    )


def _pairs(db: Reader, where: str, **params: Any) -> list[dict[str, Any]]:
    """Matches meeting ``where`` as plain dicts, by pair."""
    out = []
    for row in db.all(_PAIRS + where, **params):
        pair = dict(zip(_PAIR_KEYS, row, strict=True))
        pair["locked"] = bool_of(pair["locked"])
        pair["explanation"] = json_of(pair["explanation"])
        out.append(pair)
    out.sort(key=lambda r: (r["mentor"], r["mentee"]))
    return out


def priority_mentees(
    source: Source, program_id: int, cycle_id: int, start: dt.date
) -> frozenset[str]:
    """Emails of mentees still taking part who had no match in the previous cycle (the
    one that started last, on or before ``start``, other than ``cycle_id``).

    Only people enrolled while that cycle ran count (someone who joined since was not
    "left unmatched"). Matching should favour them (see docs/tracking.md).
    """
    db = as_reader(source)
    sqlite = db.dialect == "sqlite"
    prev = db.first(
        'SELECT id, closed_at, "end" FROM cycle WHERE program_id = :pid AND id <> :cid '
        "AND start <= :start ORDER BY start DESC, id DESC LIMIT 1",
        pid=program_id,
        cid=cycle_id,
        start=start.isoformat() if sqlite else start,
    )
    if prev is None:
        return frozenset()
    prev_id, closed_at, end = prev
    if closed_at is None:  # the start of the previous cycle's last day, as stored
        midnight = dt.datetime.combine(dt.date.fromisoformat(str(end)[:10]), dt.time())
        closed_at = midnight.isoformat(sep=" ", timespec="microseconds") if sqlite else midnight
    rows = db.all(
        f"SELECT email FROM participant WHERE {_ENROLLED} "
        "AND (role = 'mentee' OR role = 'both') AND created_at <= :cutoff "
        "AND id NOT IN (SELECT mentee_id FROM match WHERE cycle_id = :prev "
        "AND status IN ('active', 'ended'))",
        pid=program_id,
        yes=True,
        cutoff=closed_at,
        prev=prev_id,
    )
    return frozenset(r[0] for r in rows)
