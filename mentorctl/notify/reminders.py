"""Reminders: which pairs are due a nudge today, and sending them exactly as planned.

:func:`plan_reminders` is a pure function: from the cycle's health rows and the keys of
messages already recorded, it returns the messages due on ``today``:

* the **ladder**, per "episode" (the time since the pair's last meeting, or since the
  match started): once the pair is ``reminders.grace_days`` past the cadence, a friendly
  nudge (``reminder-1``); at ``second_nudge_days`` past it, a second one (``reminder-2``);
  at ``escalate_days`` past it, the coordinator is told (``escalation``, delivered in the
  digest). Only the highest step due is sent, so a late first run does not fire all three;
  a new meeting starts a new episode.
* ``checkin``: a pulse survey is due ``checkin_every_days`` after the pair's latest
  check-in (or the match's start), then again every that many days without an answer;
  one reminder per due date.
* ``cycle-ending``: once per match, ``cycle_ending_days`` before the cycle ends.
* ``digest``: one message to the coordinator listing everything above that was recorded
  since the previous digest, with failures and interrupted sends.

Every message has a ``dedupe_key`` (unique in the roster) naming what it is for, e.g.
``<slug>:reminder-1:<match id>:<episode start>``. :func:`run_reminders` records each
message as ``pending`` (committed) BEFORE handing it to SMTP and marks it ``sent`` (or
``failed``) after, each step its own short transaction. The unique key means a message
can be recorded once only, by one run: two concurrent runs, or a run repeated the same
day, never send anything twice. A lock (:func:`remind_lock`) also keeps two runs from
overlapping at all.

**Pending rows left by a killed run** (SIGKILL, power cut) are *at most once*: the next
run, which holds the lock and so knows no other run is alive, marks them ``interrupted``
and never resends them, and the coordinator's digest lists them ("may not have been
delivered") so nothing is lost silently. The trade-off: the window between "recorded
pending" and "SMTP accepted" is one SMTP transaction, and a kill inside it leaves us not
knowing whether the server took the message. Resending would risk a duplicate to a
participant (the thing this module exists to avoid, and the one people notice); not
resending risks one missed nudge, which the next step of the ladder and the coordinator's
digest cover. Messages not yet recorded when the run died are simply sent by the next run.

Escalations carry no email of their own: they are recorded ``queued`` and become ``sent``
when a digest that lists them is delivered (without a ``coordinator:`` they stay queued).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mentorctl.errors import MentorctlError, RosterError
from mentorctl.tracking import MatchHealth

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

    from mentorctl.program import Program
    from mentorctl.roster.db import Roster

#: The kinds of message this module records, in ladder order first.
LADDER = ("reminder-1", "reminder-2", "escalation")
KINDS = (*LADDER, "checkin", "cycle-ending", "digest")
#: Statuses: pending (recorded, being sent), sent, failed (SMTP refused it),
#: interrupted (pending when a run died: maybe sent, never resent), queued (an escalation
#: waiting for the digest).
STATUSES = ("pending", "sent", "failed", "interrupted", "queued")

Log = Callable[[str], None]


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


# --------------------------------------------------------------------------- texts


def _names(row: MatchHealth) -> str:
    mentor = row.mentor_name or row.mentor or "mentor"
    mentee = row.mentee_name or row.mentee or "mentee"
    return f"{mentor} and {mentee}"


def _since(row: MatchHealth) -> str:
    if row.last_met is None:
        return (
            f"You have not logged a meeting since your match started on {row.started} "
            f"({row.days_since} days ago)"
        )
    return f"Your last mentoring meeting was on {row.last_met} ({row.days_since} days ago)"


def _sign_off(program: Program) -> str:
    return f"\n-- \n{program.name}\n"


def _ask_coordinator(program: Program) -> str:
    return (
        f"your coordinator ({program.coordinator})" if program.coordinator else "your coordinator"
    )


def nudge_text(program: Program, row: MatchHealth, step: int) -> tuple[str, str]:
    """Subject and body of ladder step 1 or 2 (pinned by tests: change them deliberately)."""
    cadence = program.cycle.cadence.days
    if step == 1:
        subject = f"{program.name}: time for your next mentoring meeting"
        body = (
            f"Hello {_names(row)},\n\n"
            f"{_since(row)}; the program suggests meeting every {cadence} days. "
            "A short catch-up keeps the momentum going: could you find a time this week?\n\n"
            f"Already met? Reply to let {_ask_coordinator(program)} know, "
            "and this reminder stops.\n"
        )
    else:
        subject = f"{program.name}: second reminder to meet"
        body = (
            f"Hello {_names(row)},\n\n"
            f"{_since(row)}; the program suggests meeting every {cadence} days.\n\n"
            "If something is in the way (time, fit, or the goals themselves), reply and "
            f"{_ask_coordinator(program)} will help. Ending a match early is fine too: "
            "it is a no-fault decision.\n"
        )
    return subject, body + _sign_off(program)


def checkin_text(program: Program, row: MatchHealth) -> tuple[str, str]:
    subject = f"{program.name}: how is your mentoring going?"
    body = (
        f"Hello {_names(row)},\n\n"
        "It is time for the short pulse check-in: how satisfied you are (1-5), whether you "
        "would recommend the program (0-10), and how far the goals have come. It takes two "
        f"minutes, and your answers stay with {_ask_coordinator(program)}.\n"
    )
    return subject, body + _sign_off(program)


def cycle_ending_text(
    program: Program, row: MatchHealth, end: dt.date, days: int
) -> tuple[str, str]:
    subject = f"{program.name}: the cycle ends on {end}"
    body = (
        f"Hello {_names(row)},\n\n"
        f"Cycle {program.cycle.name} ends on {end}, {days} days from now. Plan a closing "
        "meeting: look back at the goals, note what worked, and decide whether to keep "
        "in touch.\n"
    )
    return subject, body + _sign_off(program)


# --------------------------------------------------------------------------- planning


def _to(row: MatchHealth) -> tuple[tuple[str, str], ...]:
    out = []
    for name, email in ((row.mentor_name, row.mentor), (row.mentee_name, row.mentee)):
        if email:
            out.append((name or "", email))
    return tuple(out)


def plan_reminders(
    rows: Sequence[MatchHealth],
    program: Program,
    *,
    cycle_end: dt.date,
    today: dt.date,
    recorded: set[str] | frozenset[str],
) -> list[Reminder]:
    """The messages due on ``today`` that no earlier run recorded (a pure function).

    ``recorded`` holds the dedupe keys already in the roster. Only active matches whose
    cycle has started and not ended get anything. Order: by match, then ladder,
    cycle-ending, check-in.
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
        anchor = (row.last_met or row.started).isoformat()
        overdue = row.days_since - cadence
        due = [kind for kind, days in steps if overdue >= days]
        if due:
            top = due[-1]
            keys = {kind: f"{slug}:{kind}:{mid}:{anchor}" for kind, _ in steps}
            later = LADDER[LADDER.index(top) :]
            if not any(keys[k] in recorded for k in later):
                if top == "escalation":
                    subject = f"stalled: {row.pair}"
                    text = f"{row.pair}: {row.days_since} days without a meeting"
                    to: tuple[tuple[str, str], ...] = (
                        (("", program.coordinator),) if program.coordinator else ()
                    )
                else:
                    subject, text = nudge_text(program, row, 1 if top == "reminder-1" else 2)
                    to = _to(row)
                out.append(Reminder(top, keys[top], mid, to, subject, text, row.pair))
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


@dataclass(frozen=True)
class DigestItem:
    """A recorded message the coordinator has not been told about yet."""

    id: int
    kind: str
    status: str
    subject: str
    recipients: tuple[str, ...]
    error: str | None = None


_DIGEST_HEADINGS = (
    ("escalation", None, "Stalled pairs: please reach out to them"),
    ("reminder-2", None, "Second reminders sent"),
    ("reminder-1", None, "First reminders sent"),
    ("cycle-ending", None, "Cycle-ending reminders sent"),
    ("checkin", None, "Check-in reminders sent"),
)


def digest_text(
    program: Program,
    items: Sequence[DigestItem],
    today: dt.date,
    counts: dict[str, int] | None = None,
) -> tuple[str, str]:
    """Subject and body of the coordinator's digest (pinned by tests)."""
    subject = f"{program.name}: reminders digest for {today}"
    lines = [f"Reminders for cycle {program.cycle.name} on {today}.", ""]
    if counts:
        lines += [
            "Matches: "
            + ", ".join(
                f"{counts.get(h, 0)} {h.replace('-', ' ')}"
                for h in ("on-track", "at-risk", "stalled")
            ),
            "",
        ]
    problems = [i for i in items if i.status in ("failed", "interrupted") or i.error]
    for kind, _, heading in _DIGEST_HEADINGS:
        chosen = [i for i in items if i.kind == kind and i not in problems]
        if not chosen:
            continue
        lines.append(f"{heading} ({len(chosen)}):")
        for i in chosen:
            who = (
                i.subject.removeprefix("stalled: ")
                if kind == "escalation"
                else ", ".join(i.recipients)
            )
            lines.append(f"  - {who}")
        lines.append("")
    if problems:
        lines.append(f"Not delivered, or not sure ({len(problems)}):")
        for i in problems:
            why = (
                "interrupted while sending: may not have been delivered; not resent"
                if i.status == "interrupted"
                else f"failed: {i.error}"
                if i.status == "failed"
                else str(i.error)
            )
            lines.append(f"  - {i.kind} to {', '.join(i.recipients)}: {why}")
        lines.append("")
    lines.append("Run `mentorctl status` for every match's health.")
    return subject, "\n".join(lines) + "\n" + _sign_off(program)


# --------------------------------------------------------------------------- the lock


def _lock_key(slug: str) -> int:
    return zlib.crc32(f"mentorctl-remind:{slug}".encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def remind_lock(roster: Roster, slug: str, wait: float = 60.0) -> Iterator[None]:
    """Hold the "one remind at a time" lock for this program, waiting up to ``wait`` s.

    SQLite: ``flock`` on ``<roster>.remind.lock`` beside the roster file (released by the
    kernel if the process dies). PostgreSQL: a session-level advisory lock on a connection
    kept open for the run (released when the connection closes). Raises RosterError
    (exit 3) if another run still holds it after ``wait`` seconds.
    """
    from mentorctl.roster.db import sqlite_path

    deadline = time.monotonic() + wait
    busy = RosterError(
        f"another `mentorctl remind` is running for {slug} (waited {wait:g} s); nothing sent"
    )
    path = sqlite_path(roster.url)
    if roster.is_sqlite:
        if path is None:  # in-memory: one process only
            yield
            return
        import fcntl

        lock_path = path.with_name(path.name + ".remind.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise busy from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return
    from sqlalchemy import text

    key = _lock_key(slug)
    with roster.engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise busy
            time.sleep(0.05)
        conn.commit()
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


# --------------------------------------------------------------------------- running


@dataclass
class RunResult:
    """What a run did (or, in a preview, would do)."""

    today: dt.date
    planned: list[Reminder] = field(default_factory=list)
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)  # recorded by another run first
    queued: list[Reminder] = field(default_factory=list)  # escalations for the digest
    interrupted: int = 0  # pending rows of a dead run, marked interrupted
    digest: Reminder | None = None
    digest_status: str | None = None  # sent | failed | None (nothing to tell)
    sent_for_real: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "sent": self.sent_for_real,
            "messages": [r.as_json() | {"status": _status(self, r)} for r in self.planned]
            + (
                [self.digest.as_json() | {"status": self.digest_status or "due"}]
                if self.digest
                else []
            ),
            "interrupted": self.interrupted,
        }


def _status(res: RunResult, r: Reminder) -> str:
    if not res.sent_for_real:
        return "due"
    if r in res.sent:
        return "sent"
    if r in res.queued:
        return "queued"
    if r in res.skipped:
        return "skipped"
    return "failed"


def _program_state(roster: Roster, program: Program, today: dt.date) -> tuple[int, Any, list, set]:
    from sqlalchemy import select
    from sqlmodel import col

    from mentorctl.roster.models import MessageRow
    from mentorctl.tracking import current_cycle, health_rows

    with roster.session(write=True) as s:
        pid, cycle = current_cycle(s, program)
    with roster.session() as s:
        rows = health_rows(s, program, cycle.id, today)
        recorded = set(
            s.execute(
                select(col(MessageRow.dedupe_key)).where(
                    col(MessageRow.program_id) == pid,
                    col(MessageRow.dedupe_key).startswith(f"{program.slug}:"),
                )
            ).scalars()
        )
    return pid, cycle, rows, recorded


def _undigested(roster: Roster, pid: int, slug: str) -> tuple[int, list[DigestItem]]:
    """(id the previous digest covered up to, messages recorded since)."""
    from sqlalchemy import select

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
    return upto, [DigestItem(r[0], r[1], r[2], r[3], tuple(r[4] or ()), r[5]) for r in rows]


def _record(roster: Roster, pid: int, r: Reminder, status: str) -> int | None:
    """Insert the message row, committed; None if another run recorded the key first."""
    from sqlalchemy.exc import IntegrityError

    from mentorctl.roster.models import MessageRow

    try:
        with roster.session(write=True) as s:
            row = MessageRow(
                program_id=pid,
                match_id=r.match_id,
                kind=r.kind,
                dedupe_key=r.dedupe_key,
                recipients=[e for _, e in r.to],
                subject=r.subject,
                status=status,
            )
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


def _mark(roster: Roster, ids: Sequence[int], status: str, error: str | None = None) -> None:
    from sqlalchemy import update
    from sqlmodel import col

    from mentorctl.roster.models import MessageRow, utcnow

    if not ids:
        return
    with roster.session(write=True) as s:
        s.execute(
            update(MessageRow)
            .where(col(MessageRow.id).in_(list(ids)))
            .values(status=status, error=error, sent_at=utcnow() if status == "sent" else None)
        )


def _sweep_pending(roster: Roster, pid: int, slug: str) -> int:
    """Mark pending rows of dead runs ``interrupted`` (call only while holding the lock)."""
    from sqlalchemy import update
    from sqlmodel import col

    from mentorctl.roster.models import MessageRow

    with roster.session(write=True) as s:
        swept = s.execute(
            update(MessageRow)
            .where(
                col(MessageRow.program_id) == pid,
                col(MessageRow.status) == "pending",
                col(MessageRow.dedupe_key).startswith(f"{slug}:"),
            )
            .values(status="interrupted", error="the run sending it was killed; not resent")
        )
        return cast("CursorResult[Any]", swept).rowcount


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


def run_reminders(
    roster: Roster,
    program: Program,
    program_dir: Path,
    today: dt.date,
    *,
    send: bool,
    log: Log = lambda _msg: None,
    wait: float = 60.0,
) -> RunResult:
    """Plan today's messages and, with ``send``, record and send them (see the module doc).

    Without ``send`` nothing is written (a preview: what a real run would send). Raises
    MailError if the SMTP server cannot be reached (nothing is recorded as sent then),
    RosterError if another run holds the lock longer than ``wait`` seconds.
    """
    if not send:
        pid, cycle, rows, recorded = _program_state(roster, program, today)
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
    with remind_lock(roster, program.slug, wait):
        return _send_run(roster, program, program_dir, today, log)


def _send_run(
    roster: Roster, program: Program, program_dir: Path, today: dt.date, log: Log
) -> RunResult:
    from mentorctl.notify.transport import (
        MailError,
        Outgoing,
        build,
        connect,
        deliver,
        smtp_password,
    )

    pid, cycle, rows, recorded = _program_state(roster, program, today)
    res = RunResult(today=today, sent_for_real=True)
    res.interrupted = _sweep_pending(roster, pid, program.slug)
    if res.interrupted:
        log(
            f"marked {res.interrupted} message(s) of an interrupted run as interrupted "
            "(maybe sent; not resent)"
        )
    res.planned = plan_reminders(rows, program, cycle_end=cycle.end, today=today, recorded=recorded)
    reply_to = program.coordinator
    with contextlib.ExitStack() as stack:
        smtp = None

        def send_one(r: Reminder, row_id: int) -> str | None:
            nonlocal smtp
            msg = build(
                program.email.sender or "",
                Outgoing(to=r.to, subject=r.subject, text=r.text, reply_to=reply_to),
            )
            assert smtp is not None
            result = deliver(smtp, msg)
            if result.outcome == "refused":
                # The server answered "no": definitely not delivered. Not retried.
                _mark(roster, [row_id], "failed", result.detail)
                return result.detail
            if result.outcome == "lost":
                # The connection broke mid-message: we cannot know; at most once.
                _mark(
                    roster,
                    [row_id],
                    "interrupted",
                    f"connection lost while sending: {result.detail}",
                )
                raise MailError(
                    f"SMTP {program.email.host}:{program.email.port}: connection lost while "
                    f"sending ({result.detail}); the rest is sent by the next run"
                )
            _mark(roster, [row_id], "sent", result.detail and f"refused by some: {result.detail}")
            return None

        for r in res.planned:
            if r.kind == "escalation":
                if not program.coordinator:
                    log(f"escalation due for {r.pair} but program.yaml has no coordinator:")
                    continue
                if _record(roster, pid, r, "queued") is None:
                    res.skipped.append(r)
                    log(f"skipped {r.kind} match {r.match_id}: recorded by another run")
                    continue
                res.queued.append(r)
                log(f"queued escalation match {r.match_id} ({r.pair}) for the digest")
                continue
            if smtp is None:  # connect before recording anything, so a dead server costs nothing
                settings = program.email
                if settings.sender is None:
                    raise MailError(
                        "program.yaml: email.sender is not set; who should reminders come from?"
                    )
                smtp = stack.enter_context(connect(settings, smtp_password(settings, program_dir)))
            row_id = _record(roster, pid, r, "pending")
            if row_id is None:
                res.skipped.append(r)
                log(f"skipped {r.kind} match {r.match_id}: recorded by another run")
                continue
            error = send_one(r, row_id)
            who = ", ".join(e for _, e in r.to)
            if error is None:
                res.sent.append(r)
                log(f"sent {r.kind} match {r.match_id} to {who}")
            else:
                res.failed.append((r, error))
                log(f"failed {r.kind} match {r.match_id} to {who}: {error}")

        upto, items = _undigested(roster, pid, program.slug)
        if items and program.coordinator:
            digest = _digest(program, upto, items, today, _health_counts(rows))
            res.digest = digest
            if smtp is None:
                settings = program.email
                if settings.sender is None:
                    raise MailError(
                        "program.yaml: email.sender is not set; who should reminders come from?"
                    )
                smtp = stack.enter_context(connect(settings, smtp_password(settings, program_dir)))
            row_id = _record(roster, pid, digest, "pending")
            if row_id is None:
                log("skipped digest: recorded by another run")
            else:
                error = send_one(digest, row_id)
                res.digest_status = "sent" if error is None else "failed"
                if error is None:
                    queued = [
                        i.id for i in items if i.kind == "escalation" and i.status == "queued"
                    ]
                    _mark(roster, queued, "sent")
                    log(f"sent digest to {program.coordinator} ({len(items)} item(s))")
                else:
                    log(f"failed digest to {program.coordinator}: {error}")
        elif items:
            log(f"{len(items)} item(s) for the coordinator, but program.yaml has no coordinator:")
    return res


class RemindFailures(MentorctlError):
    """Some messages could not be delivered (recorded as failed; not retried)."""
