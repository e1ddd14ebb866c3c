"""Which reminders are due today: the ladder, check-ins and the cycle's end (pure).

:func:`plan_reminders` returns the messages due on ``today`` from the cycle's health rows
and what the roster already recorded:

* the **ladder**, per "episode" (the time since the pair's last meeting, or since the
  match started): once the pair is ``reminders.grace_days`` past the cadence, a friendly
  nudge (``reminder-1``); then a second one (``reminder-2``); then the coordinator is told
  (``escalation``, delivered in the digest). The ladder is climbed one rung at a time,
  from the first: a rung is due once the pair is its number of days past the cadence
  *and* the rung below was recorded at least the gap between the two settings ago. So
  a first run long after a pair stalled nudges it first (never straight to the
  coordinator), and the pair gets the same time to react as on schedule. A new meeting
  starts a new episode.
* ``checkin``: a pulse survey is due ``checkin_every_days`` after the pair's latest
  check-in (or the match's start), then again every that many days without an answer;
  one reminder per due date.
* ``cycle-ending``: once per match, ``cycle_ending_days`` before the cycle ends.

Every message has a ``dedupe_key`` naming what it is for, e.g.
``<slug>:reminder-1:<match id>:<episode start>``; the outbox records it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.notify.reminder_texts import checkin_text, cycle_ending_text, nudge_text
from mentorctl.tracking import MatchHealth

if TYPE_CHECKING:
    from mentorctl.program import Program

#: The kinds of message reminders record, in ladder order first.
LADDER = ("reminder-1", "reminder-2", "escalation")
KINDS = (*LADDER, "checkin", "cycle-ending", "digest")


@dataclass(frozen=True)
class Reminder:
    """One message due today, as plain data."""

    kind: str
    dedupe_key: str
    match_id: int | None
    to: tuple[tuple[str, str], ...]  # (name, email)
    subject: str
    text: str
    pair: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "match_id": self.match_id,
            "pair": self.pair,
            "to": [email for _, email in self.to],
            "subject": self.subject,
            "dedupe_key": self.dedupe_key,
        }


def _to(row: MatchHealth) -> tuple[tuple[str, str], ...]:
    out = []
    for name, email in ((row.mentor_name, row.mentor), (row.mentee_name, row.mentee)):
        if email:
            out.append((name or "", email))
    return tuple(out)


def _next_rung(
    steps: Sequence[tuple[str, int]],
    keys: Mapping[str, str],
    recorded: Collection[str] | Mapping[str, dt.date],
    overdue: int,
    today: dt.date,
) -> str | None:
    """The episode's next rung if it is due today: the one above the highest recorded
    (the first when none is), once the pair is its days past the cadence and the rung
    below was recorded at least the gap between the two settings ago."""
    done = [i for i, (kind, _) in enumerate(steps) if keys[kind] in recorded]
    nxt = max(done) + 1 if done else 0
    if nxt >= len(steps):
        return None
    kind, days = steps[nxt]
    if overdue < days:
        return None
    if nxt and isinstance(recorded, Mapping):
        below, below_days = steps[nxt - 1]
        on = recorded.get(keys[below])
        # A day after today means a clock set back (--today in the past): no spacing then.
        if on is not None and on <= today and (today - on).days < days - below_days:
            return None
    return kind


def plan_reminders(
    rows: Sequence[MatchHealth],
    program: Program,
    *,
    cycle_end: dt.date,
    today: dt.date,
    recorded: Collection[str] | Mapping[str, dt.date],
) -> list[Reminder]:
    """The messages due on ``today`` that no earlier run recorded (a pure function).

    ``recorded`` holds the dedupe keys already in the roster, or maps each to the day it
    was recorded (which spaces the ladder's rungs; without days, only the thresholds
    count). Only active matches whose cycle has started and not ended get anything.
    Order: by match, then ladder, cycle-ending, check-in.
    """
    r = program.reminders
    if not r.enabled:
        return []
    slug, cadence = program.slug, program.cycle.cadence.days
    steps = (
        ("reminder-1", r.grace_days),
        ("reminder-2", r.second_nudge_days),
        ("escalation", r.escalate_days),
    )
    out: list[Reminder] = []
    for row in rows:
        if row.status != "active" or today < row.started or today >= cycle_end:
            continue
        mid = row.match_id
        # A "we met" answer (check-in form links) starts a new episode, as a meeting does.
        anchor = (row.last_contact or row.started).isoformat()
        overdue = row.days_since - cadence
        keys = {kind: f"{slug}:{kind}:{mid}:{anchor}" for kind, _ in steps}
        rung = _next_rung(steps, keys, recorded, overdue, today)
        if rung is not None:
            if rung == "escalation":
                subject = f"stalled: {row.pair}"
                text = f"{row.pair}: {row.days_since} days without a meeting"
                to: tuple[tuple[str, str], ...] = (
                    (("", program.coordinator),) if program.coordinator else ()
                )
            else:
                subject, text = nudge_text(program, row, 1 if rung == "reminder-1" else 2)
                to = _to(row)
            out.append(Reminder(rung, keys[rung], mid, to, subject, text, row.pair))
        days_left = (cycle_end - today).days
        if 0 < days_left <= r.cycle_ending_days:
            key = f"{slug}:cycle-ending:{mid}"
            if key not in recorded:
                subject, text = cycle_ending_text(program, row, cycle_end, days_left)
                out.append(Reminder("cycle-ending", key, mid, _to(row), subject, text, row.pair))
        every = r.checkin_every_days
        if every:
            # Due every `every` days from the latest answer (or the start): one reminder
            # per due date, whether or not the pair answers it.
            base = max(row.last_checkin or row.started, row.started)
            periods = (today - base).days // every
            due_on = base + dt.timedelta(days=periods * every)
            key = f"{slug}:checkin:{mid}:{due_on.isoformat()}"
            if periods >= 1 and key not in recorded:
                subject, text = checkin_text(program, row)
                out.append(Reminder("checkin", key, mid, _to(row), subject, text, row.pair))
    return out
