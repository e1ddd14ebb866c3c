"""Sending a batch of emails, each at most once: the loop introductions and shortlists share.

An item is any email-to-be with a ``dedupe_key``, a ``subject``, the status an earlier run
recorded for it (``previous``, filled in by :func:`load_previous`) and a :meth:`message`.
:func:`send_once` decides what a run sends (nothing recorded, or ``failed``; with
``resend`` also ``sent`` and ``unknown``), then hands each to the one
:class:`~mentorctl.notify.outbox.Outbox`: claims committed ten at a time before SMTP sees a
message, one connection for the run. Work that only a sent email needs (an introduction's
agreement and calendar file) is done by ``prepare`` just before that email goes, so the
progress bar moves with the real work and a re-run renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from mentorctl.notify.outbox import CLAIM_AHEAD, RESEND, RETRY, Message

if TYPE_CHECKING:
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster

__all__ = ["Item", "SendResult", "load_previous", "send_once", "skip_reason"]


class Item(Protocol):
    dedupe_key: str
    subject: str
    previous: str | None

    def message(self) -> Message: ...


T = TypeVar("T", bound=Item)


@dataclass
class SendResult(Generic[T]):
    """What a run did with one item: sent, failed, unknown, skipped or would-send."""

    item: T
    status: str
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.item.dedupe_key,
            "to": self.item.message().recipients(),
            "subject": self.item.subject,
            "status": self.status,
            "detail": self.detail,
        }


def load_previous(roster: Roster, items: Sequence[Item]) -> None:
    """Fill in each item's ``previous`` status from the outbox's records."""
    from mentorctl.notify.outbox import statuses

    status = statuses(roster, [i.dedupe_key for i in items])
    for item in items:
        item.previous = status.get(item.dedupe_key)


def skip_reason(previous: str | None, resend: bool) -> str | None:
    """Why a run does not send an email recorded as ``previous`` (None: send it)."""
    if previous is None or previous in (RESEND if resend else RETRY):
        return None
    if previous == "sent":
        return "already sent (--resend to send again)"
    if previous == "unknown":
        return "an interrupted run may have delivered it: check with the recipients, then --resend"
    return "being sent by another run right now"


def send_once(
    roster: Roster,
    program: Program,
    program_id: int,
    items: Sequence[T],
    *,
    password: str | None,
    resend: bool = False,
    dry_run: bool = False,
    wait: float = 60.0,
    prepare: Callable[[T], None] | None = None,
    release: Callable[[T], None] | None = None,
    on_result: Callable[[SendResult[T]], None] | None = None,
) -> list[SendResult[T]]:
    """Send each item once through the outbox (``previous`` filled in first by
    :func:`load_previous`); ``prepare(item)`` runs just before its send, ``release(item)``
    just after. Raises MailError when the SMTP server cannot be reached (nothing is
    claimed then)."""
    from mentorctl.notify.outbox import Outbox

    results: list[SendResult[T]] = []

    def done(result: SendResult[T]) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    todo = []
    for item in items:
        # A `pending` row is left to the outbox: with the sending lock held it knows
        # whether a live run holds it or a dead one left it (then it is `unknown`).
        reason = None if item.previous == "pending" else skip_reason(item.previous, resend)
        if reason is not None:
            done(SendResult(item, "skipped", reason))
        elif dry_run:
            done(SendResult(item, "would-send"))
        else:
            todo.append(item)
    if not todo:
        return results
    again = RESEND if resend else RETRY
    with Outbox(roster, program, program_id, password=password, wait=wait) as box:
        box.connect()  # before any rendering: a dead server costs nothing
        for n, item in enumerate(todo):
            if n % CLAIM_AHEAD == 0:  # one commit for the next few claims
                box.claim([i.message() for i in todo[n : n + CLAIM_AHEAD]], again=again)
            if prepare is not None:
                prepare(item)
            outcome = box.send(item.message(), again=again)
            if release is not None:
                release(item)
            detail = outcome.detail
            if outcome.status == "skipped":
                detail = skip_reason(outcome.previous, resend) or "recorded by another run"
            done(SendResult(item, outcome.status, detail))
    return results
