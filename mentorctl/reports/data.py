"""Loading what the report needs from the roster: the program's people and cycles, and
one cycle's matches, goals and check-ins, read into plain data.

Every query is SQL text over :class:`mentorctl.roster.read.Reader` (a plain ``sqlite3``
connection on SQLite, so the report imports neither SQLAlchemy nor the ORM models), and
each reads only the columns some figure uses. An ORM session or a Core connection is
accepted too and wrapped (:func:`~mentorctl.roster.read.as_reader`), so tests and
commands that already hold one read through the same queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.errors import NotFoundError
from mentorctl.tables.dates import as_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from mentorctl.program import Program
    from mentorctl.roster.read import Reader

    #: What the report reads from: a plain reader, an ORM session or a Core connection.
    ReadSource = Reader | Session | Connection


MATCH_STATUSES = ("active", "ended")
#: The cycle's matches that happened (``:cycle`` is the cycle's id).
IN_CYCLE = "cycle_id = :cycle AND status IN ('active', 'ended')"

#: Columns of ``match`` the report reads besides those health reads (they end each row
#: of :attr:`_Data.health`).
MATCH_EXTRA = ("mentor_id", "mentee_id", "score")

#: Columns every figure about people reads (participation, outcomes, preferences, groups).
PEOPLE_COLUMNS = ("id", "email", "name", "role", "department", "created_at", "active")


@dataclass
class CycleInfo:
    id: int
    name: str
    start: dt.date
    end: dt.date
    status: str


@dataclass
class _Match:
    id: int
    mentor_id: int | None
    mentee_id: int | None
    score: float | None
    status: str
    outcome: str | None = None


@dataclass
class _Data:
    """What the report reads about the program (people) and one cycle (the rest)."""

    people: dict[int, dict[str, Any]]
    matches: list[_Match]
    goals: list[tuple[str, int, int]]  # (status, how many, their summed progress)
    #: (participant id, match id, satisfaction, would-recommend) of the cycle's check-ins
    #: with an answer, oldest first (by date, then id)
    checkins: list[tuple[int | None, int, int | None, int | None]]
    #: Each match's :func:`~mentorctl.tracking.health.health_facts` on the report's day,
    #: then its mentor_id, mentee_id and score (:data:`MATCH_EXTRA`).
    health: list[tuple[Any, ...]] = field(default_factory=list)


def reader(source: ReadSource) -> Reader:
    """``source`` as a :class:`~mentorctl.roster.read.Reader`."""
    from mentorctl.roster.read import as_reader

    return as_reader(source)


def day(db: Reader, value: dt.date) -> Any:
    """A date as a query parameter: SQLite stores dates as ISO text (and sqlite3's own date
    adapter is deprecated), PostgreSQL compares real dates."""
    return value.isoformat() if db.dialect == "sqlite" else value


def find_program_id(source: ReadSource, program: Program) -> int | None:
    """The program's id in the roster, or None if nothing was stored for it yet."""
    row = reader(source).first("SELECT id FROM program WHERE slug = :slug", slug=program.slug)
    return None if row is None else int(row[0])


def list_cycles(source: ReadSource, program_id: int) -> list[CycleInfo]:
    """The program's cycles, oldest first."""
    rows = reader(source).all(
        'SELECT id, name, start, "end", status FROM cycle WHERE program_id = :program '
        "ORDER BY start, id",
        program=program_id,
    )
    return [CycleInfo(int(i), n, _date(s), _date(e), st) for i, n, s, e, st in rows]


def _date(value: Any) -> dt.date:
    out = as_date(value)
    if out is None:  # the schema says NOT NULL; a date is what every figure needs
        raise NotFoundError("a cycle in the roster has no start or end date")
    return out


def people_columns(program: Program) -> tuple[str, ...]:
    """Columns of ``participant`` the report reads for ``program``: those every figure
    uses, ``answers``, and the roster fields that the supply gaps read (overlap criteria's
    sources; every record field when mentor eligibility rules are set, since they read
    the people's facts)."""
    from mentorctl.program import ROSTER_FIELDS, OverlapCriterion

    if has_eligibility_rules(program):
        return record_columns()
    extra: list[str] = []
    for c in program.matching.criteria:
        if isinstance(c, OverlapCriterion):
            for source in (c.mentee_source, c.mentor_source):
                if source == "utc_offset":
                    extra.append("timezone")
                elif source in ROSTER_FIELDS and source not in PEOPLE_COLUMNS:
                    extra.append(source)
    return (*PEOPLE_COLUMNS, "forgotten_at", "answers", *dict.fromkeys(extra))


def record_columns() -> tuple[str, ...]:
    """Every column of a participant record (what the matching engine takes), and those
    the report reads besides."""
    from mentorctl.program import ROSTER_FIELDS

    rest = (f for f in ROSTER_FIELDS if f not in PEOPLE_COLUMNS)
    return (*PEOPLE_COLUMNS, "forgotten_at", "answers", *rest)


def has_eligibility_rules(program: Program) -> bool:
    """Whether ``eligibility.mentor`` sets any rule (an unset rule is None)."""
    return any(v is not None for v in program.eligibility.mentor.model_dump().values())


def load_people(
    source: ReadSource,
    program_id: int,
    columns: Sequence[str] = (*PEOPLE_COLUMNS, "forgotten_at", "answers"),
) -> dict[int, dict[str, Any]]:
    """The program's participants by id, with ``columns`` only (JSON and booleans made
    alike across databases, ``created_at`` as its date)."""
    from mentorctl.roster.read import bool_of, json_of

    db = reader(source)
    names = ", ".join(columns)
    rows = db.all(
        f"SELECT {names} FROM participant WHERE program_id = :program", program=program_id
    )
    # Column by column: each conversion is one map over a column, not a step per row.
    values: list[Any] = list(zip(*rows, strict=True)) or [() for _ in columns]
    for i, name in enumerate(columns):
        if name in ("answers", "languages"):
            values[i] = _json_column(values[i], json_of)
        elif name == "active":
            values[i] = map(bool_of, values[i])
        elif name == "created_at":  # only the day counts (enrolled by a cycle's end)
            values[i] = _days(values[i])
    key = columns.index("id")
    return {row[key]: dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)}


def _days(values: Iterable[Any]) -> list[dt.date | None]:
    """:func:`as_date` of each value, parsed once per distinct day (stored timestamps as
    text: their first ten characters are the day, all :func:`as_date` reads of them)."""
    memo: dict[Any, dt.date | None] = {}
    out = []
    for value in values:
        key = value[:10] if type(value) is str else value
        day = memo.get(key)
        if day is None:
            day = memo[key] = as_date(key)
        out.append(day)
    return out


def _json_column(values: Iterable[Any], json_of: Callable[[Any], Any]) -> list[Any]:
    """Stored JSON values decoded, as ``json_of`` decodes each (SQLite keeps text).

    A text value goes straight to the C scanner of :mod:`json` (what :func:`json.loads`
    ends in, without its three Python-level calls: a third of the time over 10,000
    people); anything it does not take whole (leading or trailing space, bad JSON) goes
    through ``json_of``, so the results and the errors are its own.
    """
    scan = _SCAN
    out = []
    for value in values:
        if type(value) is str and value:
            try:
                obj, end = scan(value, 0)
            except (StopIteration, ValueError):  # json_of raises its own error
                end = -1
            if end == len(value):
                out.append(obj)
                continue
        out.append(json_of(value))
    return out


#: :func:`json.loads`' own scanner (``JSONDecoder.scan_once``: the C one, untyped in typeshed).
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _load_cycle(
    source: ReadSource, cycle: CycleInfo, as_of: dt.date, people: dict[int, dict[str, Any]]
) -> _Data:
    from mentorctl.tracking.health import health_facts

    db = reader(source)
    # One read of the matches for every figure: what health needs, and the pairs and
    # scores (the extra columns, last). By id, as the figures expect them.
    health = health_facts(db, cycle.id, as_of, MATCH_EXTRA)
    matches = [_Match(r[0], r[-3], r[-2], r[-1], r[1], r[5]) for r in health]
    # Goals by state: a count and the summed progress is all the report shows of them.
    goals = [
        (str(s), int(n), int(p or 0))
        for s, n, p in db.all(
            "SELECT status, count(*), sum(coalesce(progress, 0)) FROM goal "
            "WHERE cycle_id = :cycle GROUP BY status ORDER BY status",
            cycle=cycle.id,
        )
    ]
    # Oldest first (by date, then id), so that each respondent's latest answer is the last
    # one seen: no dates compared or parsed in Python.
    checkins = db.all(
        "SELECT participant_id, match_id, satisfaction, recommend FROM checkin "
        f"WHERE match_id IN (SELECT id FROM match WHERE {IN_CYCLE}) AND date <= :today "
        "AND (satisfaction IS NOT NULL OR recommend IS NOT NULL) ORDER BY date, id",
        cycle=cycle.id,
        today=day(db, as_of),
    )
    return _Data(people, matches, goals, checkins, health)


def replaced_matches(matches: Sequence[_Match]) -> frozenset[int]:
    """Ids of matches ended early (``match end``) whose mentee was matched again later in
    the same cycle: the mentee's place in the cycle is one match, not two.

    Their meetings still count (they happened); the match counts, the scores and the
    health shares do not count them a second time.
    """
    later: dict[int, int] = {}
    for m in matches:
        if m.mentee_id is not None:
            later[m.mentee_id] = max(later.get(m.mentee_id, m.id), m.id)
    return frozenset(
        m.id
        for m in matches
        if m.outcome == "ended-early" and m.mentee_id is not None and later[m.mentee_id] > m.id
    )


def _people_dicts(people: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """People as participant records (every record field; lists never None), as the
    matching engine takes them."""
    from mentorctl.roster.records import ParticipantRecord

    fields = ParticipantRecord.__dataclass_fields__  # type: ignore[attr-defined]
    return [{k: p.get(k) if k != "languages" else p.get(k) or [] for k in fields} for p in people]


def previous_pairs(
    source: ReadSource, program_id: int, before: dt.date, people: dict[int, dict]
) -> frozenset[tuple[str, str]]:
    """(mentor email, mentee email) of the program's matches that happened in a cycle
    that started before ``before``: pairs a new matching avoids."""
    db = reader(source)
    rows = db.all(
        "SELECT mentor_id, mentee_id FROM match WHERE status IN ('active', 'ended') "
        "AND cycle_id IN (SELECT id FROM cycle WHERE program_id = :program AND start < :start)",
        program=program_id,
        start=day(db, before),
    )
    return _by_email(rows, people)


def rejected_pairs(
    source: ReadSource, cycle_id: int, people: dict[int, dict]
) -> frozenset[tuple[str, str]]:
    """(mentor email, mentee email) of the pairs rejected in the cycle."""
    rows = reader(source).all(
        "SELECT mentor_id, mentee_id FROM match WHERE cycle_id = :cycle AND status = 'rejected'",
        cycle=cycle_id,
    )
    return _by_email(rows, people)


def _by_email(
    rows: Iterable[tuple[Any, ...]], people: dict[int, dict]
) -> frozenset[tuple[str, str]]:
    return frozenset(
        (people[a]["email"], people[b]["email"]) for a, b in rows if a in people and b in people
    )


def find_cycle(cycles: Sequence[CycleInfo], name: str) -> CycleInfo:
    for c in cycles:
        if c.name == name:
            return c
    known = ", ".join(c.name for c in cycles) or "none yet"
    raise NotFoundError(f"cycle {name!r}: no such cycle in the roster (cycles: {known})")
