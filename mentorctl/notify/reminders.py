"""Reminders: a run of ``mentorctl remind``, sending today's messages through the outbox.

:func:`run_reminders` plans what is due (:mod:`mentorctl.notify.ladder`, with the texts
of :mod:`mentorctl.notify.reminder_texts`) and, with ``send``, hands each message to the
one outbox (:mod:`mentorctl.notify.outbox`): claimed in a write transaction before SMTP
sees it, so two runs, or a run repeated the same day, never send anything twice.

* Escalations carry no email of their own: they are recorded ``queued`` and become
  ``sent`` when a digest that lists them is delivered (without a ``coordinator:`` they
  are not recorded, and the log says so).
* ``digest``: one message to the coordinator listing everything recorded since the
  previous digest, with failures and messages whose delivery is ``unknown``.
* The SMTP connection is opened before anything is recorded: a run whose server is
  unreachable records nothing, and the next run sends everything.
* A message recorded ``failed`` (refused by the server) is not retried by reminders: the
  next rung of the ladder and the digest cover it. One whose delivery is ``unknown``
  (a run killed mid-message) is resent only by ``remind --send --resend-unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import MentorctlError
from mentorctl.notify.ladder import KINDS, LADDER, Reminder, plan_reminders
from mentorctl.notify.reminder_texts import DigestItem, digest_text
from mentorctl.tracking import MatchHealth

if TYPE_CHECKING:
    from mentorctl.notify.outbox import Message, Outbox
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster

__all__ = [
    "KINDS",
    "LADDER",
    "RemindFailures",
    "Reminder",
    "RunResult",
    "plan_reminders",
    "run_reminders",
]

Log = Callable[[str], None]


class RemindFailures(MentorctlError):
    """Some messages could not be delivered (recorded as failed or unknown; not retried)."""


@dataclass
class RunResult:
    """What a run did (or, in a preview, would do)."""

    today: dt.date
    planned: list[Reminder] = field(default_factory=list)
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)  # failed or unknown
    skipped: list[Reminder] = field(default_factory=list)  # recorded by another run first
    queued: list[Reminder] = field(default_factory=list)  # escalations for the digest
    interrupted: int = 0  # pending rows of a dead run, marked unknown
    digest: Reminder | None = None
    digest_status: str | None = None  # sent | failed | unknown | None (nothing to tell)
    sent_for_real: bool = False
    statuses: dict[str, str] = field(default_factory=dict)  # dedupe key -> outcome

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "sent": self.sent_for_real,
            "messages": [r.as_json() | {"status": self.status_of(r)} for r in self.planned]
            + (
                [self.digest.as_json() | {"status": self.digest_status or "due"}]
                if self.digest
                else []
            ),
            "interrupted": self.interrupted,
        }

    def status_of(self, r: Reminder) -> str:
        if not self.sent_for_real:
            return "due"
        return self.statuses.get(r.dedupe_key, "not sent")


def _program_state(
    roster: Roster, program: Program, today: dt.date, *, resend_unknown: bool = False
) -> tuple[int, Any, list[MatchHealth], dict[str, dt.date]]:
    """(program id, cycle row, health rows, {recorded key: day recorded})."""
    from sqlalchemy import select

    from mentorctl.notify.outbox import LEGACY_UNKNOWN, UNKNOWN
    from mentorctl.roster.models import MessageRow
    from mentorctl.tracking import current_cycle, health_rows

    t = MessageRow.__table__  # type: ignore[attr-defined]
    with roster.session(write=True) as s:
        pid, cycle = current_cycle(s, program)
    with roster.session() as s:
        rows = health_rows(s, program, cycle.id, today)
        recorded: dict[str, dt.date] = {}
        for key, status, created in s.execute(
            select(t.c.dedupe_key, t.c.status, t.c.created_at).where(
                t.c.program_id == pid, t.c.dedupe_key.startswith(f"{program.slug}:")
            )
        ):
            if resend_unknown and status in (UNKNOWN, *LEGACY_UNKNOWN):
                continue  # planned again, if still due today, and claimed again
            recorded[key] = created.date()
    return pid, cycle, rows, recorded


def _undigested(roster: Roster, pid: int, slug: str) -> tuple[int, list[DigestItem]]:
    """(id the previous digest covered up to, messages recorded since)."""
    from sqlalchemy import select

    from mentorctl.notify.outbox import normalise
    from mentorctl.roster.models import MessageRow

    t = MessageRow.__table__  # type: ignore[attr-defined]
    with roster.session() as s:
        last = s.execute(
            select(t.c.dedupe_key)
            .where(t.c.program_id == pid, t.c.kind == "digest")
            .order_by(t.c.id.desc())
            .limit(1)
        ).scalar()
        upto = int(last.rsplit(":", 1)[1]) if last else 0
        rows = s.execute(
            select(t.c.id, t.c.kind, t.c.status, t.c.subject, t.c.recipients, t.c.error)
            .where(
                t.c.program_id == pid,
                t.c.id > upto,
                t.c.kind.in_(KINDS[:-1]),
                t.c.dedupe_key.startswith(f"{slug}:"),
            )
            .order_by(t.c.id)
        ).all()
    return upto, [
        DigestItem(r[0], r[1], normalise(r[2]) or "pending", r[3], tuple(r[4] or ()), r[5])
        for r in rows
    ]


def _digest(
    program: Program, upto: int, items: Sequence[DigestItem], today: dt.date, counts: dict[str, int]
) -> Reminder:
    subject, text = digest_text(program, items, today, counts)
    top = max([upto, *(i.id for i in items)])
    return Reminder(
        "digest",
        f"{program.slug}:digest:{top}",
        None,
        (("", program.coordinator or ""),),
        subject,
        text,
        "coordinator",
    )


def _health_counts(rows: Sequence[MatchHealth]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.health] = counts.get(row.health, 0) + 1
    return counts


def _message(program: Program, r: Reminder) -> Message:
    from mentorctl.notify.outbox import Message

    return Message(
        kind=r.kind,
        dedupe_key=r.dedupe_key,
        to=r.to,
        subject=r.subject,
        text=r.text,
        reply_to=program.coordinator,
        match_id=r.match_id,
    )


def run_reminders(
    roster: Roster,
    program: Program,
    program_dir: Path,
    today: dt.date,
    *,
    send: bool,
    log: Log = lambda _msg: None,
    wait: float = 60.0,
    resend_unknown: bool = False,
) -> RunResult:
    """Plan today's messages and, with ``send``, send them through the outbox.

    Without ``send`` nothing is written (a preview: what a real run would send). Raises
    MailError if the SMTP server cannot be reached (nothing is recorded then),
    RosterError if another run holds the sending lock longer than ``wait`` seconds.
    """
    if not send:
        pid, cycle, rows, recorded = _program_state(
            roster, program, today, resend_unknown=resend_unknown
        )
        res = RunResult(today=today)
        res.planned = plan_reminders(
            rows, program, cycle_end=cycle.end, today=today, recorded=recorded
        )
        upto, items = _undigested(roster, pid, program.slug)
        preview = items + [
            DigestItem(
                0,
                r.kind,
                "queued" if r.kind == "escalation" else "sent",
                r.subject,
                tuple(e for _, e in r.to),
            )
            for r in res.planned
        ]
        if preview and program.coordinator:
            res.digest = _digest(program, upto, preview, today, _health_counts(rows))
        return res

    from mentorctl.notify.outbox import Outbox
    from mentorctl.notify.transport import smtp_password
    from mentorctl.tracking import current_cycle

    password = smtp_password(program.email, program_dir)
    with roster.session(write=True) as s:
        pid, _ = current_cycle(s, program)
    with Outbox(roster, program, pid, password=password, wait=wait, log=log, on=today) as box:
        return _send_run(box, roster, program, today, log, resend_unknown)


def _send_run(
    box: Outbox,
    roster: Roster,
    program: Program,
    today: dt.date,
    log: Log,
    resend_unknown: bool,
) -> RunResult:
    from mentorctl.notify.outbox import LEGACY_UNKNOWN, QUEUED, RETRY, SENT, UNKNOWN

    pid, cycle, rows, recorded = _program_state(
        roster, program, today, resend_unknown=resend_unknown
    )
    res = RunResult(today=today, sent_for_real=True, interrupted=box.swept)
    res.planned = plan_reminders(rows, program, cycle_end=cycle.end, today=today, recorded=recorded)
    _, before = _undigested(roster, pid, program.slug)
    emails = [r for r in res.planned if r.kind != "escalation"]
    if emails or (program.coordinator and (before or res.planned)):
        # Connect before recording anything: a dead server leaves nothing queued or claimed.
        box.connect()
    again = RETRY | {UNKNOWN, *LEGACY_UNKNOWN} if resend_unknown else RETRY
    for r in res.planned:
        if r.kind == "escalation":
            if not program.coordinator:
                log(f"escalation due for {r.pair} but program.yaml has no coordinator:")
                continue
            if box.record(_message(program, r), QUEUED):
                res.queued.append(r)
                res.statuses[r.dedupe_key] = QUEUED
                log(f"queued escalation match {r.match_id} ({r.pair}) for the digest")
            else:
                res.skipped.append(r)
                res.statuses[r.dedupe_key] = "skipped"
                log(f"skipped {r.kind} match {r.match_id}: recorded by another run")
            continue
        outcome = box.send(_message(program, r), again=again)
        res.statuses[r.dedupe_key] = outcome.status
        who = ", ".join(e for _, e in r.to)
        if outcome.status == "skipped":
            res.skipped.append(r)
            log(f"skipped {r.kind} match {r.match_id}: recorded by another run")
        elif outcome.status == SENT:
            res.sent.append(r)
            log(f"sent {r.kind} match {r.match_id} to {who}")
        else:
            res.failed.append((r, outcome.detail))
            log(f"{outcome.status} {r.kind} match {r.match_id} to {who}: {outcome.detail}")

    box.flush()  # the digest reads back what this run sent
    upto, items = _undigested(roster, pid, program.slug)
    if items and program.coordinator:
        digest = _digest(program, upto, items, today, _health_counts(rows))
        res.digest = digest
        outcome = box.send(_message(program, digest))
        if outcome.status == "skipped":
            log("skipped digest: recorded by another run")
        else:
            res.digest_status = outcome.status
            if outcome.status == SENT:
                queued = [i.id for i in items if i.kind == "escalation" and i.status == QUEUED]
                box.mark(queued, SENT)
                log(f"sent digest to {program.coordinator} ({len(items)} item(s))")
            else:
                log(f"{outcome.status} digest to {program.coordinator}: {outcome.detail}")
    elif items:
        log(f"{len(items)} item(s) for the coordinator, but program.yaml has no coordinator:")
    return res
