"""The one outbox: every email mentorctl sends is recorded, claimed, then handed to SMTP.

Introductions, reminders, the coordinator's digest and any kind added later go through
:class:`Outbox`. Each message has a ``dedupe_key`` naming what it is for (unique in the
roster's ``message`` table) and a status:

``pending``
    claimed by a run that is sending it right now. The claim (inserting the row, or
    re-claiming a ``failed`` one with a conditional ``UPDATE``) happens inside a write
    transaction, so of two runs on one roster (SQLite or PostgreSQL) only one can hold
    it: the other finds the key taken and sends nothing.
``sent``
    the server accepted it.
``failed``
    the server refused it before accepting it (a 5xx/4xx answer): nothing was
    delivered, so sending it again is safe.
``unknown``
    the run was interrupted after the server may have accepted it (connection lost
    mid-message, Ctrl-C, a killed process). It is **never** resent automatically, only
    by an explicit command (``notify intro --send --resend``, ``remind --send
    --resend-unknown``): a duplicate to a participant is the failure people notice.
``queued``
    a digest item with no email of its own (an escalation), delivered by the digest.

Every sending run holds the program's sending lock (:mod:`mentorctl.notify.lock`) for
its whole run; on entry it marks any ``pending`` row ``unknown`` (with the lock held, no
other run is alive to be sending it). The SMTP connection is opened before anything is
claimed (a dead server leaves nothing recorded) and reused for the whole run.

Claims come in batches: :meth:`Outbox.claim` takes the next :data:`CLAIM_AHEAD`
messages in one transaction, which also writes the outcomes of the messages sent since
the last one, so a run of 1,000 emails commits about a hundred times, not a thousand
(each commit waits for the disk). Every claim is committed before its message goes to
SMTP. Claims a run does not use (it stopped early: Ctrl-C, a template error, the server
gone) are put back as they were when it ends. Should the process be killed outright, its
batch stays ``pending`` and the next run reads it as ``unknown``: never a duplicate, at
worst up to a batch of false "may not have been delivered".

Recipients are kept in the row's ``recipients`` JSON list (``participants forget`` finds
a person's messages there). Each message's ``Message-ID`` is stable: derived from the
program, the dedupe key and the row's creation time, on the sender's domain, so a
message resent after an ``unknown`` carries the same id as the copy that may have
arrived, and mail programs can tell them apart from every other message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mentorctl.notify.transport import Attachment, MailError, Outgoing

if TYPE_CHECKING:
    import smtplib

    from mentorctl.program import Program
    from mentorctl.roster.db import Roster

PENDING, SENT, FAILED, UNKNOWN, QUEUED = "pending", "sent", "failed", "unknown", "queued"
#: Statuses an earlier release wrote that mean "maybe delivered": read as ``unknown``.
LEGACY_UNKNOWN = frozenset({"interrupted"})
#: What a plain run may claim again: only what was certainly not delivered.
RETRY = frozenset({FAILED})
#: What ``--resend`` may claim again (never a ``pending`` row another run holds).
RESEND = frozenset({FAILED, SENT, UNKNOWN, *LEGACY_UNKNOWN})

Log = Callable[[str], None]

#: Messages claimed in one write transaction ahead of sending them (see the module
#: docstring): a commit costs about as much as sending a message to a local server, and
#: a killed run leaves at most this many messages ``unknown``.
CLAIM_AHEAD = 10


@dataclass(frozen=True)
class _Held:
    """A claim made ahead of sending, and what to put back if it is never used."""

    row_id: int
    created: dt.datetime
    before: tuple[Any, ...] | None  # (status, error, sent_at, recipients, subject); None: new


@dataclass(frozen=True)
class Message:
    """One email to send, as plain data, with what it is for."""

    kind: str
    dedupe_key: str
    to: Sequence[tuple[str, str]]  # (display name, email)
    subject: str
    text: str
    html: str | None = None
    cc: Sequence[tuple[str, str]] = ()
    reply_to: str | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple, repr=False)
    match_id: int | None = None

    def recipients(self) -> list[str]:
        return [e for _, e in (*self.to, *self.cc) if e]

    def outgoing(self) -> Outgoing:
        return Outgoing(
            to=self.to,
            cc=self.cc,
            reply_to=self.reply_to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            attachments=self.attachments,
        )


@dataclass(frozen=True)
class Outcome:
    """What happened to one message in a run.

    ``status``: sent | failed | unknown | skipped (another run, or an earlier one, holds
    the key: ``previous`` says with which status).
    """

    message: Message
    status: str
    detail: str = ""
    previous: str | None = None


def normalise(status: str | None) -> str | None:
    """A stored status in today's vocabulary (older rosters wrote ``interrupted``)."""
    return UNKNOWN if status in LEGACY_UNKNOWN else status


def message_id(slug: str, dedupe_key: str, created: dt.datetime, domain: str) -> str:
    """The stable ``Message-ID`` of a recorded message (see the module docstring)."""
    seed = f"{slug}\n{dedupe_key}\n{created.isoformat()}".encode()
    return f"<{hashlib.sha256(seed).hexdigest()[:32]}.mentorctl@{domain}>"


def statuses(roster: Roster, keys: Collection[str]) -> dict[str, str]:
    """The recorded status of each key that has a row (a read; claims nothing).

    Dedupe keys are unique in the whole roster, whatever the program.
    """
    from sqlalchemy import select

    from mentorctl.roster.models import MessageRow

    t = MessageRow.__table__  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    wanted = list(keys)
    with roster.session() as s:
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            chunk = wanted[start : start + 500]
            for key, status in s.execute(
                select(t.c.dedupe_key, t.c.status).where(t.c.dedupe_key.in_(chunk))
            ):
                out[key] = normalise(status) or PENDING
    return out


class Outbox:
    """A sending run: ``with Outbox(...) as box: box.send(message)``.

    Entering takes the sending lock and marks orphaned ``pending`` rows ``unknown``;
    leaving closes the SMTP connection and releases the lock. :meth:`send` claims,
    delivers and records one message; :meth:`record` stores a digest item that is no
    email of its own.
    """

    def __init__(
        self,
        roster: Roster,
        program: Program,
        program_id: int,
        *,
        password: str | None,
        wait: float = 60.0,
        log: Log | None = None,
        on: dt.date | None = None,
    ) -> None:
        self.roster, self.program, self.program_id = roster, program, program_id
        self.password, self.wait = password, wait
        # The day the run acts on (``--today``): messages are recorded on it, so that a
        # run for a simulated day spaces the reminder ladder by simulated days too.
        self.on = on
        self.log: Log = log or (lambda _msg: None)
        self.swept = 0  # pending rows of a dead run, marked unknown on entry
        self._stack = contextlib.ExitStack()
        self._smtp: smtplib.SMTP | None = None
        self._smtp_stack: contextlib.ExitStack | None = None
        # Outcomes not written yet: each is written in the next claim's transaction (one
        # commit per message instead of two), or by flush() / leaving the run.
        self._later: list[tuple[int, str, str | None, dt.datetime | None]] = []
        # Claims made ahead by claim(): dedupe key -> the claim, or the status recorded.
        self._ahead: dict[str, _Held | str | None] = {}

    # ------------------------------------------------------------------ the run

    def __enter__(self) -> Outbox:
        from mentorctl.notify.lock import sending_lock

        self._stack.enter_context(sending_lock(self.roster, self.program.slug, self.wait))
        try:
            self.swept = self._sweep()
        except BaseException:
            self._stack.close()
            raise
        if self.swept:
            self.log(
                f"marked {self.swept} message(s) of an interrupted run as unknown "
                "(maybe delivered; not resent)"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.flush()
        finally:
            try:
                self.disconnect()
                self._release()
            finally:
                self._stack.close()

    def connect(self) -> None:
        """Open the run's SMTP connection now (a no-op when open): raises MailError when
        the server cannot be reached, before anything is claimed."""
        if self._smtp is not None:
            return
        from mentorctl.notify.transport import connect

        settings = self.program.email
        if settings.sender is None:
            raise MailError("program.yaml: email.sender is not set; who should messages come from?")
        stack = contextlib.ExitStack()
        self._smtp = stack.enter_context(connect(settings, self.password))
        self._smtp_stack = stack

    def disconnect(self) -> None:
        if self._smtp_stack is not None:
            self._smtp_stack.close()
        self._smtp, self._smtp_stack = None, None

    # ------------------------------------------------------------------ messages

    def send(self, message: Message, *, again: Collection[str] = RETRY) -> Outcome:
        """Claim ``message``, hand it to SMTP, record what happened.

        ``again``: the recorded statuses this run may claim again (``failed`` by default;
        :data:`RESEND` for an explicit resend). Any other recorded status means
        ``skipped``. Raises MailError (nothing claimed) when the server cannot be
        reached; an interruption while sending (Ctrl-C) records ``unknown`` and re-raises.
        """
        from mentorctl.notify.transport import build, deliver, sender_domain

        self.connect()
        if message.dedupe_key in self._ahead:
            held = self._ahead.pop(message.dedupe_key)
            claimed = (held.row_id, held.created) if isinstance(held, _Held) else held
        else:
            claimed = self._claim(message, again)
        if isinstance(claimed, str) or claimed is None:
            return Outcome(message, "skipped", previous=claimed)
        row_id, created = claimed
        sender = self.program.email.sender or ""
        msg = build(
            sender,
            message.outgoing(),
            message_id=message_id(
                self.program.slug, message.dedupe_key, created, sender_domain(sender)
            ),
        )
        assert self._smtp is not None
        try:
            result = deliver(self._smtp, msg)
        except BaseException:
            # Interrupted mid-message (Ctrl-C, a signal turned into an exception): it may
            # have been accepted. Record that, then let the interruption go on.
            self._outcome(row_id, UNKNOWN, "interrupted while sending; may have been delivered")
            self.flush()
            self.disconnect()
            raise
        if result.outcome == "refused":
            self._outcome(row_id, FAILED, f"refused: {result.detail}")
            return Outcome(message, FAILED, f"refused: {result.detail}")
        if result.outcome == "lost":
            detail = f"connection lost while sending ({result.detail}); may have been delivered"
            self._outcome(row_id, UNKNOWN, detail)
            self.disconnect()  # the next message reconnects
            return Outcome(message, UNKNOWN, detail)
        detail = f"refused by some: {result.detail}" if result.detail else ""
        self._outcome(row_id, SENT, detail or None)
        return Outcome(message, SENT, detail)

    def claim(self, messages: Sequence[Message], *, again: Collection[str] = RETRY) -> None:
        """Claim ``messages`` in one write transaction, ahead of sending them with
        :meth:`send` (which then uses each claim, or skips the message another run
        holds). Connects first: a dead server leaves nothing claimed. Pass at most
        :data:`CLAIM_AHEAD` at a time; claims never used are put back when the run ends.
        """
        from sqlalchemy.exc import IntegrityError

        from mentorctl.roster.models import MessageRow

        self.connect()
        todo = [m for m in messages if m.dedupe_key not in self._ahead]
        if not todo:
            return
        t = MessageRow.__table__  # type: ignore[attr-defined]
        got: dict[str, _Held | str | None] = {}
        now = self._now()
        try:
            with self.roster.session(write=True) as s:
                self._write_later(s)
                for message in todo:
                    got[message.dedupe_key] = self._claim_one(s, t, message, again, PENDING, now)
        except IntegrityError:
            return  # another writer took a key: send() claims each one alone and sees which
        self._later = []  # committed with the claims
        self._ahead.update(got)

    def record(self, message: Message, status: str = QUEUED) -> bool:
        """Store a message that is no email of its own (a digest item); False if another
        run recorded its key first."""
        return not isinstance(self._claim(message, (), status=status), str)

    def mark(self, ids: Sequence[int], status: str, error: str | None = None) -> None:
        """Set the status of recorded rows (e.g. queued escalations once the digest went)."""
        self.flush()
        self._mark(ids, status, error)

    def flush(self) -> None:
        """Write the outcomes of the messages sent so far (before reading them back)."""
        if not self._later:
            return
        with self.roster.session(write=True) as s:
            self._write_later(s)
        self._later = []  # committed

    def _outcome(self, row_id: int, status: str, error: str | None) -> None:
        from mentorctl.roster.models import utcnow

        self._later.append((row_id, status, error, utcnow() if status == SENT else None))

    def _write_later(self, s: Any) -> None:
        from sqlalchemy import update

        from mentorctl.roster.models import MessageRow

        t = MessageRow.__table__  # type: ignore[attr-defined]
        for row_id, status, error, sent_at in self._later:
            s.execute(
                update(t)
                .where(t.c.id == row_id)
                .values(status=status, error=error, sent_at=sent_at)
            )

    # ------------------------------------------------------------------ storage

    def _claim(
        self, message: Message, again: Collection[str], status: str = PENDING
    ) -> tuple[int, dt.datetime] | str | None:
        """In one write transaction: insert the row as ``status``, or take a recorded row
        whose status is in ``again``. Returns (row id, created) when claimed, else the
        status recorded."""
        from sqlalchemy.exc import IntegrityError

        from mentorctl.roster.models import MessageRow

        t = MessageRow.__table__  # type: ignore[attr-defined]
        try:
            with self.roster.session(write=True) as s:
                self._write_later(s)
                held = self._claim_one(s, t, message, again, status, self._now())
            self._later = []  # committed with the claim
        except IntegrityError:
            # The unique key is the last line of defence: another writer recorded it first.
            return PENDING
        return (held.row_id, held.created) if isinstance(held, _Held) else held

    def _now(self) -> dt.datetime:
        from mentorctl.roster.models import utcnow

        now = utcnow()
        if self.on is not None and self.on != now.date():
            now = dt.datetime.combine(self.on, now.time())
        return now

    def _claim_one(
        self,
        s: Any,
        t: Any,
        message: Message,
        again: Collection[str],
        status: str,
        now: dt.datetime,
    ) -> _Held | str | None:
        """Claim one message in the open write transaction ``s``: the claim, or the
        status recorded when it cannot be taken."""
        from sqlalchemy import insert, select, update

        c = t.c
        row = s.execute(
            select(c.id, c.status, c.created_at, c.error, c.sent_at, c.recipients, c.subject).where(
                c.dedupe_key == message.dedupe_key
            )
        ).first()
        if row is None:
            new_id = s.execute(
                insert(t)
                .values(
                    program_id=self.program_id,
                    match_id=message.match_id,
                    kind=message.kind,
                    dedupe_key=message.dedupe_key,
                    recipients=message.recipients(),
                    subject=message.subject,
                    status=status,
                    error=None,
                    created_at=now,
                    sent_at=None,
                )
                .returning(c.id)
            ).scalar_one()
            return _Held(int(new_id), now, None)
        if row.status not in again:
            return normalise(row.status)
        # The write transaction already excludes other writers; the condition on the
        # status keeps the claim correct even without it.
        taken = s.execute(
            update(t)
            .where(c.id == row.id, c.status == row.status)
            .values(
                status=status,
                error=None,
                sent_at=None,
                recipients=message.recipients(),
                subject=message.subject,
            )
        )
        if getattr(taken, "rowcount", 0) != 1:
            return PENDING
        before = (row.status, row.error, row.sent_at, row.recipients, row.subject)
        return _Held(int(row.id), row.created_at, before)

    def _release(self) -> None:
        """Put back the claims made ahead and never used: a new row is deleted, a
        re-claimed one gets its earlier status again. Nothing was handed to SMTP for
        them, so nothing can have been delivered."""
        from sqlalchemy import delete, update

        from mentorctl.roster.models import MessageRow

        held = [h for h in self._ahead.values() if isinstance(h, _Held)]
        self._ahead = {}
        if not held:
            return
        t = MessageRow.__table__  # type: ignore[attr-defined]
        with self.roster.session(write=True) as s:
            for h in held:
                mine = (t.c.id == h.row_id) & (t.c.status == PENDING)
                if h.before is None:
                    s.execute(delete(t).where(mine))
                    continue
                status, error, sent_at, recipients, subject = h.before
                s.execute(
                    update(t)
                    .where(mine)
                    .values(
                        status=status,
                        error=error,
                        sent_at=sent_at,
                        recipients=recipients,
                        subject=subject,
                    )
                )

    def _mark(self, ids: Sequence[int], status: str, error: str | None = None) -> None:
        from sqlalchemy import update

        from mentorctl.roster.models import MessageRow, utcnow

        if not ids:
            return
        t = MessageRow.__table__  # type: ignore[attr-defined]
        with self.roster.session(write=True) as s:
            s.execute(
                update(t)
                .where(t.c.id.in_(list(ids)))
                .values(status=status, error=error, sent_at=utcnow() if status == SENT else None)
            )

    def _sweep(self) -> int:
        """Mark this program's ``pending`` rows ``unknown`` (only with the lock held)."""
        from sqlalchemy import update

        from mentorctl.roster.models import MessageRow

        t = MessageRow.__table__  # type: ignore[attr-defined]
        with self.roster.session(write=True) as s:
            swept = s.execute(
                update(t)
                .where(t.c.program_id == self.program_id, t.c.status == PENDING)
                .values(
                    status=UNKNOWN,
                    error="the run sending it stopped before it finished; may have been "
                    "delivered; not resent",
                )
            )
            return int(getattr(swept, "rowcount", 0) or 0)


def send_all(
    box: Outbox,
    messages: Sequence[Message],
    *,
    again: Collection[str] = RETRY,
    on_outcome: Callable[[Outcome], None] | None = None,
    progress: Callable[[Iterator[Message], int], Iterator[Message]] | None = None,
) -> list[Outcome]:
    """Send each message through ``box`` in order; returns every outcome."""
    outcomes: list[Outcome] = []
    items: Iterator[Message] = iter(messages)
    if progress is not None:
        items = progress(items, len(messages))
    for n, message in enumerate(items):
        if n % CLAIM_AHEAD == 0:
            box.claim(messages[n : n + CLAIM_AHEAD], again=again)
        outcome = box.send(message, again=again)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def counts(outcomes: Sequence[Outcome]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for o in outcomes:
        out[o.status] = out.get(o.status, 0) + 1
    return out


__all__ = [
    "CLAIM_AHEAD",
    "FAILED",
    "PENDING",
    "QUEUED",
    "RESEND",
    "RETRY",
    "SENT",
    "UNKNOWN",
    "Attachment",
    "Message",
    "Outbox",
    "Outcome",
    "message_id",
    "statuses",
]
