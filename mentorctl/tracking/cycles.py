"""Cycles: close one (recording outcomes), open the next, end a match early.

The current cycle is the one program.yaml's ``cycle:`` block names: that file stays the
single place a coordinator reads and edits the calendar. ``mentorctl cycle new`` therefore
rewrites that block (a careful text edit that keeps every comment and the rest of the
file, see :func:`rewrite_cycle_block`) and records the new cycle in the roster in the
same step.

Participants belong to the program, not to a cycle, so they carry over as they are.
Matching already avoids earlier cycles' pairs (``previous_pairs``); people left unmatched
in the previous cycle are given by :func:`priority_mentees` for matching to favour.

Outcomes recorded on each match (``MatchRow.outcome``):

* ``completed``: the cycle closed and the pair held at least ``health.min_meeting_ratio``
  of the meetings the cadence asked for;
* ``incomplete``: the cycle closed with fewer meetings than that (but at least one);
* ``no-meetings``: the cycle closed and the pair never logged a meeting;
* ``ended-early``: the match was ended before the cycle closed (``match end``).

Closing is undoable: :func:`reopen_cycle` puts back exactly what :func:`close_cycle`
changed (matches it ended, proposals it dropped, the cycle's status), as long as no later
cycle was opened. The close is dated on the day it acts on (``--today``), so figures
computed "as of" that day after the close equal the ones before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mentorctl.errors import MentorctlError, NotFoundError, ProgramError, UsageError
from mentorctl.roster.ids import id_of
from mentorctl.roster.models import CycleRow, MatchRow, Participant, utcnow

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

    from mentorctl.program import Program

OUTCOMES = ("completed", "incomplete", "no-meetings", "ended-early")
CLOSE_OUTCOMES = ("completed", "incomplete", "no-meetings")  # set by close_cycle only
CLOSED_REASON = "cycle closed"  # end_reason of what close_cycle ended or dropped


@dataclass
class CloseResult:
    cycle: str
    outcomes: dict[str, int] = field(default_factory=dict)
    matches: list[dict[str, Any]] = field(default_factory=list)
    dropped_proposals: int = 0


def outcome_of(meetings_held: int, meetings_expected: int, min_ratio: float) -> str:
    """The outcome of a match at close, from its meetings (a pure function)."""
    if meetings_held == 0:
        return "no-meetings"
    if meetings_expected == 0 or meetings_held / meetings_expected >= min_ratio:
        return "completed"
    return "incomplete"


def close_cycle(session: Session, program: Program, cycle: CycleRow, today: dt.date) -> CloseResult:
    """End the cycle's active matches with their outcome; mark the cycle closed.

    Proposals never accepted are marked ``rejected`` ("cycle closed"), so they are not
    mistaken for matches later. Raises MentorctlError if the cycle is already closed.
    """
    from mentorctl.tracking import health_rows

    if cycle.status == "closed":
        when = f" on {cycle.closed_at:%Y-%m-%d}" if cycle.closed_at else ""
        raise MentorctlError(f"cycle {cycle.name} is already closed{when}")
    res = CloseResult(cycle.name)
    now = moment(today)
    for h in health_rows(session, program, id_of(cycle), today):
        if h.status != "active":
            continue
        outcome = outcome_of(h.meetings_held, h.meetings_expected, program.health.min_meeting_ratio)
        session.execute(
            update(MatchRow)
            .where(col(MatchRow.id) == h.match_id)
            .values(status="ended", ended_at=now, end_reason=CLOSED_REASON, outcome=outcome)
        )
        res.outcomes[outcome] = res.outcomes.get(outcome, 0) + 1
        res.matches.append(
            {
                "mentor": h.mentor,
                "mentee": h.mentee,
                "meetings_held": h.meetings_held,
                "meetings_expected": h.meetings_expected,
                "outcome": outcome,
            }
        )
    dropped = session.execute(
        update(MatchRow)
        .where(col(MatchRow.cycle_id) == cycle.id, col(MatchRow.status) == "proposed")
        .values(status="rejected", ended_at=now, end_reason=CLOSED_REASON)
    )
    res.dropped_proposals = cast("CursorResult[Any]", dropped).rowcount
    cycle.status = "closed"
    cycle.closed_at = now
    session.add(cycle)
    session.flush()
    return res


def moment(day: dt.date) -> dt.datetime:
    """A timestamp on ``day`` (the real time when ``day`` is today): what a command acting
    "as of" ``day`` stores, so that later figures as of that day see what it did."""
    now = utcnow()
    return now if day == now.date() else dt.datetime.combine(day, now.time())


@dataclass
class ReopenResult:
    cycle: str
    matches: int = 0  # matches made active again
    proposals: int = 0  # proposals restored


def reopen_cycle(session: Session, program_id: int, cycle: CycleRow) -> ReopenResult:
    """Undo :func:`close_cycle`: its matches active again (outcomes cleared), its dropped
    proposals proposed again, the cycle open.

    Matches ended early (``match end``) stay ended. Refused when the cycle is open, or
    when a later cycle exists (close that one and reopen in order, or not at all: its
    matching already treated this cycle's pairs as past).
    """
    if cycle.status != "closed":
        raise MentorctlError(f"cycle {cycle.name} is not closed; nothing to reopen")
    later = (
        session.execute(
            select(col(CycleRow.name)).where(
                col(CycleRow.program_id) == program_id,
                col(CycleRow.id) != cycle.id,
                col(CycleRow.start) >= cycle.start,
            )
        )
        .scalars()
        .first()
    )
    if later is not None:
        raise MentorctlError(
            f"cycle {cycle.name} cannot be reopened: cycle {later} was opened after it"
        )
    res = ReopenResult(cycle.name)
    ended = session.execute(
        update(MatchRow)
        .where(
            col(MatchRow.cycle_id) == cycle.id,
            col(MatchRow.status) == "ended",
            col(MatchRow.end_reason) == CLOSED_REASON,
            col(MatchRow.outcome).in_(CLOSE_OUTCOMES),
        )
        .values(status="active", ended_at=None, end_reason=None, outcome=None)
    )
    res.matches = cast("CursorResult[Any]", ended).rowcount
    dropped = session.execute(
        update(MatchRow)
        .where(
            col(MatchRow.cycle_id) == cycle.id,
            col(MatchRow.status) == "rejected",
            col(MatchRow.end_reason) == CLOSED_REASON,
        )
        .values(status="proposed", ended_at=None, end_reason=None)
    )
    res.proposals = cast("CursorResult[Any]", dropped).rowcount
    cycle.status = "open"
    cycle.closed_at = None
    session.add(cycle)
    session.flush()
    return res


def new_cycle(
    session: Session, program_id: int, name: str, start: dt.date, length_weeks: int
) -> CycleRow:
    """Record a new open cycle; every other cycle of the program must be closed."""
    name = name.strip()
    if not name:
        raise UsageError("the cycle needs a name, e.g. 2027-h2")
    rows = session.execute(select(CycleRow).where(col(CycleRow.program_id) == program_id)).all()
    for (row,) in rows:
        if row.name == name:
            raise MentorctlError(f"cycle {name} already exists (status {row.status})")
        if row.status != "closed":
            raise MentorctlError(
                f"cycle {row.name} is still open; close it first with `mentorctl cycle close`"
            )
    row = CycleRow(
        program_id=program_id,
        name=name,
        start=start,
        end=start + dt.timedelta(weeks=length_weeks),
    )
    session.add(row)
    session.flush()
    return row


def previous_cycle(session: Session, program_id: int, cycle: CycleRow) -> CycleRow | None:
    """The cycle that started last before ``cycle`` (None for the first)."""
    return (
        session.execute(
            select(CycleRow)
            .where(
                col(CycleRow.program_id) == program_id,
                col(CycleRow.id) != cycle.id,
                col(CycleRow.start) <= cycle.start,
            )
            .order_by(col(CycleRow.start).desc(), col(CycleRow.id).desc())
            .limit(1)
        )
        .scalars()
        .first()
    )


def priority_mentees(session: Session, program_id: int, cycle: CycleRow) -> frozenset[str]:
    """Emails of mentees still taking part who had no match in the previous cycle
    (:func:`mentorctl.roster.known.priority_mentees`)."""
    from mentorctl.roster.known import priority_mentees as unmatched_before

    return unmatched_before(session, program_id, id_of(cycle), cycle.start)


def list_cycles(session: Session, program_id: int) -> list[dict[str, Any]]:
    """Every cycle of the program, oldest first, with its matches counted by status."""
    counts: dict[int, dict[str, int]] = {}
    for cid, status, n in session.execute(
        select(col(MatchRow.cycle_id), col(MatchRow.status), func.count())
        .join(CycleRow, col(CycleRow.id) == MatchRow.cycle_id)
        .where(col(CycleRow.program_id) == program_id)
        .group_by(col(MatchRow.cycle_id), col(MatchRow.status))
    ):
        counts.setdefault(cid, {})[status] = n
    out = []
    for (row,) in session.execute(
        select(CycleRow)
        .where(col(CycleRow.program_id) == program_id)
        .order_by(col(CycleRow.start), col(CycleRow.id))
    ):
        c = counts.get(row.id or 0, {})
        out.append(
            {
                "name": row.name,
                "start": row.start.isoformat(),
                "end": row.end.isoformat(),
                "status": row.status,
                "closed_at": row.closed_at.isoformat(timespec="seconds") if row.closed_at else None,
                "matches": {k: c.get(k, 0) for k in ("proposed", "active", "ended", "rejected")},
            }
        )
    return out


def end_match(
    session: Session,
    program_id: int,
    cycle: CycleRow,
    mentor: str,
    mentee: str,
    reason: str,
) -> MatchRow:
    """End an active match early: the mentor's capacity is free for the next `match` run.

    The pair keeps its meetings and check-ins (for reports); outcome ``ended-early``.
    """
    if not reason.strip():
        raise UsageError("--reason must say why the match ended (kept for the report)")
    ids = {}
    for email in (mentor, mentee):
        e = email.strip().lower()
        pid = session.execute(
            select(col(Participant.id)).where(
                col(Participant.program_id) == program_id, col(Participant.email) == e
            )
        ).scalar()
        if pid is None:
            raise NotFoundError(f"{e}: no such participant in this program")
        ids[e] = pid
    m, e = mentor.strip().lower(), mentee.strip().lower()
    row = (
        session.execute(
            select(MatchRow)
            .where(
                col(MatchRow.cycle_id) == cycle.id,
                col(MatchRow.mentor_id) == ids[m],
                col(MatchRow.mentee_id) == ids[e],
            )
            .order_by(col(MatchRow.id).desc())
        )
        .scalars()
        .first()
    )
    if row is None or row.status not in ("active", "ended"):
        raise NotFoundError(f"no active match {m} -> {e} in cycle {cycle.name}")
    if row.status == "ended":
        raise MentorctlError(f"the match {m} -> {e} already ended ({row.end_reason})")
    row.status = "ended"
    row.ended_at = utcnow()
    row.end_reason = reason.strip()
    row.outcome = "ended-early"
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- program.yaml

_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:")
_CHILD = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[A-Za-z_][\w-]*)\s*:(?P<rest>.*)$")


def _yaml_scalar(value: str, *, text: bool = False) -> str:
    """``value`` as a YAML scalar: plain when safe, else quoted. With ``text``, also quoted
    when YAML would read the plain form as something else (``2028``, ``yes``, a date)."""
    import json

    import yaml

    from mentorctl.program import load_yaml

    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value) is not None
    if plain and text:
        try:
            plain = load_yaml(value) == value
        except yaml.YAMLError:
            plain = False
    return value if plain else json.dumps(value)


def rewrite_cycle_block(text: str, values: dict[str, str]) -> str:
    """``text`` with the top-level ``cycle:`` block's keys set to ``values`` (YAML scalars).

    Keeps every other line, comment and the keys' trailing comments; adds missing keys at
    the end of the block with its indentation. A flow-style block (``cycle: {...}``) is
    replaced whole. Raises ProgramError if there is no top-level ``cycle:`` key.
    """
    lines = text.splitlines(keepends=True)
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if (m := _TOP_KEY.match(line)) and m.group("key") == "cycle"
        ),
        None,
    )
    if start is None:
        raise ProgramError("program.yaml has no top-level `cycle:` block to update")
    head = lines[start]
    after_colon = head.split(":", 1)[1]
    newline = "\n" if head.endswith("\n") else ""
    if after_colon.split("#", 1)[0].strip():  # flow style or a scalar: replace the line
        old = _flow_values(after_colon)
        merged = {**old, **values}
        inner = ", ".join(f"{k}: {_yaml_scalar(v, text=k == 'name')}" for k, v in merged.items())
        lines[start] = f"cycle: {{{inner}}}{newline or chr(10)}"
        return "".join(lines)
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    # Trailing blank lines and comments at column 0 belong to what follows.
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    remaining = dict(values)
    indent = "  "
    for i in range(start + 1, end):
        m = _CHILD.match(lines[i].rstrip("\r\n"))
        if not m:
            continue
        indent_here = m.group("indent")
        if len(indent_here) > len(indent) and i > start + 1:
            continue  # a nested key (e.g. under cadence:), not ours
        indent = indent_here
        key = m.group("key")
        if key in remaining:
            comment = ""
            rest = m.group("rest")
            if " #" in rest:
                comment = "  #" + rest.split(" #", 1)[1]
            eol = lines[i][len(lines[i].rstrip("\r\n")) :]
            value = _yaml_scalar(remaining.pop(key), text=key == "name")
            lines[i] = f"{indent}{key}: {value}{comment}{eol}"
    extra = [f"{indent}{k}: {_yaml_scalar(v, text=k == 'name')}\n" for k, v in remaining.items()]
    if extra and end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines[end:end] = extra
    return "".join(lines)


def _flow_values(text: str) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(text.split("#", 1)[0])
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in data.items()}


# --------------------------------------------------------------------------- current cycle


def current_cycle(session: Session, program: Program, *, create: bool = True) -> tuple[int, Any]:
    """(program id, CycleRow) of program.yaml's current cycle; created on first use."""
    from mentorctl.roster.models import CycleRow
    from mentorctl.roster.participants import ensure_cycle, ensure_program, find_program_id

    if create:
        row = ensure_program(session, program)
        return row.id or 0, ensure_cycle(session, row, program)
    from sqlmodel import select

    pid = find_program_id(session, program)
    cycle = None
    if pid is not None:
        cycle = session.exec(
            select(CycleRow).where(CycleRow.program_id == pid, CycleRow.name == program.cycle.name)
        ).first()
    if pid is None or cycle is None:
        raise NotFoundError(
            f"cycle {program.cycle.name}: nothing stored yet; "
            "enrol people and run `mentorctl match` first"
        )
    return pid, cycle


def stale_locks(
    session: Session, program: Program, program_id: int, cycle: CycleRow
) -> list[tuple[str, str]]:
    """program.yaml locks that were a pair in ``cycle`` and that the next match would refuse.

    With ``avoid_previous_pairs`` an earlier cycle's pair is a hard constraint, so a lock
    carried over unchanged (and without an ``override``) fails the next ``match``. Opening a
    cycle names them so the coordinator can drop the lock or record why it should stay.
    """
    rules = program.matching.constraints
    locks = {(lock.mentor, lock.mentee) for lock in rules.lock if lock.override is None}
    if not rules.avoid_previous_pairs or not locks:
        return []
    mentor, mentee = aliased(Participant), aliased(Participant)
    pairs = session.execute(
        select(func.lower(mentor.email), func.lower(mentee.email))
        .select_from(MatchRow)
        .join(mentor, col(mentor.id) == col(MatchRow.mentor_id))
        .join(mentee, col(mentee.id) == col(MatchRow.mentee_id))
        .where(
            col(MatchRow.cycle_id) == cycle.id,
            col(MatchRow.status).in_(("active", "ended")),
        )
    )
    return sorted(locks & {(a, b) for a, b in pairs})
