"""What the ``match`` commands read before matching: the program, the roster's matches of
the current cycle, and the coordinator's locks, forbidden pairs and overrides (from
program.yaml, its pairs file and the ``--lock``/``--forbid``/``--override`` flags).

Shared by :mod:`mentorctl.cli.match` and :mod:`mentorctl.cli.review`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.roster.ids import id_of

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.enums import Mode
    from mentorctl.matching.engine import MatchInput
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster
    from mentorctl.roster.known import RosterMatches

Pair = tuple[str, str]


@dataclass
class Context:
    """What a ``match`` command knows before matching, and the roster it may write to:
    opened on first use, so a dry run read on the plain read path never opens it.
    :meth:`close` releases it."""

    program: Program
    directory: Path
    cycle_id: int
    cycle_name: str
    known: RosterMatches
    program_id: int
    priority: frozenset[str] = frozenset()
    opener: Callable[[], Roster] | None = field(default=None, repr=False)
    _roster: Roster | None = field(default=None, repr=False)

    @property
    def roster(self) -> Roster:
        if self._roster is None:
            assert self.opener is not None, "a Context is made with its roster's opener"
            self._roster = self.opener()
        return self._roster

    def close(self) -> None:
        if self._roster is not None:
            self._roster.dispose()
            self._roster = None


@dataclass
class PairsFile:
    """The rows of ``matching.constraints.pairs_file``."""

    locks: list[Pair]
    forbid: set[Pair]
    overrides: dict[Pair, str]


def parse_pairs(values: list[str] | None, flag: str) -> list[Pair]:
    from mentorctl.errors import UsageError

    out = []
    for v in values or []:
        mentor, sep, mentee = v.partition(":")
        if not sep or not mentor.strip() or not mentee.strip():
            raise UsageError(f"{flag} {v!r}: expected MENTOR:MENTEE")
        out.append((mentor.strip().lower(), mentee.strip().lower()))
    return out


def pairs_file(directory: Path, name: str | None) -> PairsFile:
    """Locks, forbidden pairs and lock overrides from the CSV named in ``pairs_file``.

    Columns: ``mentor``, ``mentee``, ``action`` (lock or forbid) and, optionally,
    ``override``: on a lock row, why the lock may break a hard constraint.
    """
    from mentorctl.errors import ImportProblemError, Problem
    from mentorctl.tables.columns import header_key
    from mentorctl.tables.reader import read_table

    out = PairsFile([], set(), {})
    if name is None:
        return out
    path = directory / name
    if not path.exists():
        raise ImportProblemError(f"{path}: no such file (matching.constraints.pairs_file)")
    table = read_table(path)  # the one reader: size, encoding, quoting, XLSX
    index = {header_key(h): i for i, h in enumerate(table.headers)}
    problems = []
    for line, values in table.rows:

        def cell(column: str, values: list[str] = values) -> str:
            i = index.get(column)
            return values[i].strip() if i is not None and i < len(values) else ""

        mentor, mentee = cell("mentor").lower(), cell("mentee").lower()
        action, override = cell("action").lower(), cell("override")
        if not mentor or not mentee:
            problems.append(Problem("needs mentor and mentee", file=str(path), line=line))
        elif action not in ("lock", "forbid"):
            problems.append(
                Problem(
                    f"{action!r} must be lock or forbid", file=str(path), line=line, path="action"
                )
            )
        elif action == "lock":
            out.locks.append((mentor, mentee))
            if override:
                out.overrides[(mentor, mentee)] = override
        elif override:
            problems.append(
                Problem(
                    "an override belongs on a lock row, not a forbid row",
                    file=str(path),
                    line=line,
                    path="override",
                )
            )
        else:
            out.forbid.add((mentor, mentee))
    if problems:
        raise ImportProblemError(f"{path}: {len(problems)} bad row(s)", problems)
    return out


def open_context(state: State, overrides: list[str] | None, *, read_only: bool = False) -> Context:
    """Load the program (with ``--set`` what-ifs) and what the roster knows of this cycle.

    ``read_only`` (a dry run) reads a snapshot on the plain read path: no SQLAlchemy on
    SQLite, and no roster is kept open (the cycle's id is -1 while it is not stored yet).
    A roster that has not stored the program yet is read the writing way, which makes its
    rows in a rolled-back transaction.
    """
    from mentorctl.roster import known

    directory, program = state.load(tuple(overrides or ()))
    if read_only:
        with state.reading() as db:
            stored = known.current_cycle(db, program)
            if stored is not None:
                program_id, cycle_id, start = stored
                return Context(
                    program,
                    directory,
                    cycle_id,
                    program.cycle.name,
                    known.load(db, program_id, cycle_id),
                    program_id,
                    known.priority_mentees(db, program_id, cycle_id, start),
                    opener=state.open_roster,
                )
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    roster = state.open_roster()
    # Reading needs the program's and cycle's rows; on a new roster they are made in a
    # transaction that is rolled back: commands that write make them again in their own.
    with roster.session(dry_run=True) as session:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        program_id, cycle_id, cycle_name = id_of(row), id_of(cycle), cycle.name
        roster_matches = known.load(session, program_id, cycle_id)
        priority = known.priority_mentees(session, program_id, cycle_id, cycle.start)
    return Context(
        program,
        directory,
        cycle_id,
        cycle_name,
        roster_matches,
        program_id,
        priority,
        opener=state.open_roster,
        _roster=roster,
    )


def match_input(
    c: Context,
    mode: Mode | None,
    lock: list[str] | None,
    forbid: list[str] | None,
    override: str | None = None,
) -> MatchInput:
    """The engine's input: the roster's people and matches, and every lock and forbid.

    ``override`` is the coordinator's reason for the ``--lock`` pairs of this run to
    break a hard constraint; without it such a lock is refused by the engine.
    """
    from mentorctl.errors import NotFoundError, UsageError
    from mentorctl.matching.engine import MatchInput
    from mentorctl.matching.tracks import locks_with_room

    cons = c.program.matching.constraints
    from_file = pairs_file(c.directory, cons.pairs_file)
    flag_locks, flag_forbid = parse_pairs(lock, "--lock"), parse_pairs(forbid, "--forbid")
    if override is not None:
        if not override.strip():
            raise UsageError("--override: give the reason the lock may break a constraint")
        if not flag_locks:
            raise UsageError("--override applies to --lock pairs; give --lock MENTOR:MENTEE too")
    enrolled = {p["email"] for p in c.known.people}
    for flag, pairs in (("--lock", flag_locks), ("--forbid", flag_forbid)):
        for pair in pairs:
            for email in pair:
                if email not in enrolled:  # a typo must not silently lock or forbid nothing
                    raise NotFoundError(f"{flag} {':'.join(pair)}: {email} is not enrolled")
    locks = [(p.mentor, p.mentee) for p in cons.lock] + from_file.locks + flag_locks
    reasons: dict[Pair, str] = dict(c.known.overrides)  # accepted earlier, with a reason
    reasons.update({(p.mentor, p.mentee): p.override for p in cons.lock if p.override})
    reasons.update(from_file.overrides)
    if override is not None:
        reasons.update({pair: override.strip() for pair in flag_locks})
    refused = (
        {(p.mentor, p.mentee) for p in cons.forbid}
        | from_file.forbid
        | set(flag_forbid)
        | set(c.known.rejected)
    )
    return MatchInput(
        program=c.program,
        people=c.known.people,
        cycle=c.cycle_name,
        mode=mode,
        previous_pairs=c.known.previous_pairs,
        kept=c.known.active,
        locks=locks_with_room(c.program, c.known.people, c.known.active, locks),
        forbid=frozenset(refused),
        priority=c.priority,
        overrides=reasons,
    )


def names(people: list[dict[str, Any]]) -> dict[str, str]:
    return {p["email"]: p["name"] for p in people}
