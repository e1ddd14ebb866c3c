"""Introduction emails: one per active match (or circle), with the agreement attached.

:func:`compose` builds each message as plain data from the agreements
(:mod:`mentorctl.agreements.render`): who is matched, why (the match's explanation, in plain
words), what happens next, and the agreement and ``.ics`` as attachments.

:func:`send` sends them, exactly once. Each message has a ``dedupe_key`` (unique in the
roster's ``message`` table): it is recorded as ``pending`` and committed *before* it is
handed to the SMTP server, then marked ``sent`` or ``failed`` in a second commit. So:

* a re-run skips what was sent, and retries what failed (the server refused it);
* a crash between the two commits leaves ``pending``, which a re-run does **not** send
  again (it may have gone out) but reports, so the coordinator can check and ``--resend``;
* one recipient's failure is recorded for that message only; the others go on.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.agreements.render import AgreementDoc, Renderer, calendar_bytes, long_date
from mentorctl.notify.transport import Attachment, MailError, Outgoing
from mentorctl.program import Program

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.roster.db import Roster
    from mentorctl.roster.models import MessageRow

MIME = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


@dataclass
class Intro:
    """One introduction email, as plain data."""

    doc: AgreementDoc
    kind: str  # intro | intro-preview
    dedupe_key: str
    match_id: int | None
    to: list[tuple[str, str]]  # (name, email)
    cc: list[tuple[str, str]]
    reply_to: str | None
    subject: str
    text: str
    attachments: list[Attachment] = field(repr=False)
    previous: str | None = None  # status recorded by an earlier run: pending | sent | failed

    def outgoing(self) -> Outgoing:
        return Outgoing(
            to=self.to,
            cc=self.cc,
            reply_to=self.reply_to,
            subject=self.subject,
            text=self.text,
            attachments=self.attachments,
        )

    def recipients(self) -> list[str]:
        return [e for _, e in (*self.to, *self.cc)]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.dedupe_key,
            "kind": self.kind,
            "match_ids": self.doc.match_ids,
            "to": [{"name": n, "email": e} for n, e in self.to],
            "cc": [{"name": n, "email": e} for n, e in self.cc],
            "subject": self.subject,
            "text": self.text,
            "attachments": [
                {"filename": a.filename, "mime_type": a.mime_type, "size": len(a.content)}
                for a in self.attachments
            ],
            "previous": self.previous,
        }


def _names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _who(p: dict[str, Any]) -> str:
    extra = ", ".join(x for x in (p["title"], p["department"]) if x)
    return f"{p['name']} ({extra})" if extra else p["name"]


def body(program: Program, doc: AgreementDoc, attachment_name: str) -> str:
    """The plain-text introduction for one agreement (pinned by tests)."""
    c = doc.context
    mentor, mentees = c["mentor"], c["mentees"]
    meet = c["meetings"]
    signer = program.coordinator or f"The {c['program']['name']} team"
    coordinator = program.coordinator or "the program coordinator"
    lines = [f"Hello {_names([mentor['first_name']] + [m['first_name'] for m in mentees])},", ""]
    if doc.kind == "circle":
        lines += [
            f"Welcome to {c['program']['name']}! For the {c['cycle']['name']} cycle you form "
            f"the {c['circle']['topic']} circle, facilitated by {_who(mentor)}.",
            "",
            "The members:",
            *[f"- {_who(m)}, {m['email']}" for m in mentees],
        ]
    else:
        mentee = c["mentee"]
        lines += [
            f"Welcome to {c['program']['name']}! For the {c['cycle']['name']} cycle, "
            f"{_who(mentor)} will be the mentor and {_who(mentee)} the mentee.",
        ]
        if c["reasons"]:
            lines += ["", "Why you were matched:", *[f"- {r}" for r in c["reasons"]]]
    # The first meeting is the series' first date (agreements/terms.py): the same date
    # the agreement and the .ics state.
    first = f"{long_date(meet['first_date'])} at {meet['time']}"
    moved = (
        f" (or another day by {long_date(meet['move_by'])})"
        if meet["move_by"] > meet["first_date"]
        else ""
    )
    lead = (
        f"The first meeting is on {first}{moved}; the members take turns to organise"
        if doc.kind == "circle"
        else f"{c['mentee']['first_name']}, as the mentee you lead: please confirm the first "
        f"meeting, {first}{moved}"
    )
    lines += [
        "",
        "What happens next:",
        f"- {lead}.",
        f"- Read the attached agreement ({attachment_name}) together at that meeting, "
        "write down the goals and sign it.",
        f"- The attached calendar file holds the meeting series ({meet['count']} meetings, "
        f"{meet['cadence_text']}, {meet['length_text']} each, from "
        f"{long_date(meet['first_date'])}); import it and move any meeting to a time that "
        "suits you.",
        "",
        f"If the mentoring does not work out, for any reason, tell {coordinator}: "
        "no explanation is needed and nobody is blamed.",
        "",
        "Best wishes,",
        signer,
        "",
    ]
    return "\n".join(lines)


def _subject(program: Program, doc: AgreementDoc) -> str:
    c = doc.context
    if doc.kind == "circle":
        return f"{c['program']['name']}: welcome to the {c['circle']['topic']} circle"
    return f"{c['program']['name']}: introducing {c['mentor']['name']} and {c['mentee']['name']}"


def dedupe_key(doc: AgreementDoc, preview: bool) -> str:
    """``intro:<match id>``, or ``intro:circle:<ids>`` (a changed circle is new)."""
    prefix = "intro-preview" if preview else "intro"
    if doc.kind == "circle":
        return f"{prefix}:circle:{'-'.join(str(i) for i in doc.match_ids)}"
    return f"{prefix}:{doc.match_ids[0]}"


def compose(
    program: Program,
    program_dir: Path,
    docs: Sequence[AgreementDoc],
    *,
    attach: str = "pdf",
    coordinator_only: bool = False,
) -> list[Intro]:
    """An introduction per agreement; ``coordinator_only`` addresses them all to the
    coordinator (a preview in their inbox, recorded apart from the real ones)."""
    if coordinator_only and not program.coordinator:
        raise MailError("program.yaml: `coordinator:` is not set; whom should previews go to?")
    renderer = Renderer(program, program_dir, attach)
    out = []
    for doc in docs:
        stem = doc.stem.rpartition("/")[2]
        name = f"{stem}.{attach}"
        attachments = [
            Attachment(name, renderer.render(doc), MIME[attach]),
            Attachment(f"{stem}.ics", calendar_bytes(program, doc), "text/calendar"),
        ]
        people = [(n, e) for n, e in doc.attendees]
        coordinator = [("Program coordinator", program.coordinator)] if program.coordinator else []
        to, cc = (coordinator, []) if coordinator_only else (people, coordinator)
        subject = _subject(program, doc)
        out.append(
            Intro(
                doc=doc,
                kind="intro-preview" if coordinator_only else "intro",
                dedupe_key=dedupe_key(doc, coordinator_only),
                match_id=doc.match_ids[0] if doc.kind != "circle" else None,
                to=to,
                cc=cc,
                reply_to=program.coordinator,
                subject=("[preview] " if coordinator_only else "") + subject,
                text=body(program, doc, name),
                attachments=attachments,
            )
        )
    return out


def load_previous(session: Session, intros: Sequence[Intro]) -> None:
    """Fill in each intro's ``previous`` status from the roster's message records."""
    from sqlmodel import col, select

    from mentorctl.roster.models import MessageRow

    keys = [i.dedupe_key for i in intros]
    rows = session.exec(select(MessageRow).where(col(MessageRow.dedupe_key).in_(keys))).all()
    status = {r.dedupe_key: r.status for r in rows}
    for intro in intros:
        intro.previous = status.get(intro.dedupe_key)


@dataclass
class SendResult:
    intro: Intro
    status: str  # sent | failed | skipped | would-send
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.intro.dedupe_key,
            "to": self.intro.recipients(),
            "subject": self.intro.subject,
            "status": self.status,
            "detail": self.detail,
        }


def _record(session: Session, program_id: int, intro: Intro) -> MessageRow:
    from sqlmodel import select

    from mentorctl.roster.models import MessageRow

    row = session.exec(select(MessageRow).where(MessageRow.dedupe_key == intro.dedupe_key)).first()
    if row is None:
        row = MessageRow(
            program_id=program_id,
            match_id=intro.match_id,
            kind=intro.kind,
            dedupe_key=intro.dedupe_key,
            subject=intro.subject,
        )
    row.recipients = intro.recipients()
    row.subject = intro.subject
    row.status, row.error, row.sent_at = "pending", None, None
    session.add(row)
    return row


def _skip_reason(previous: str | None, resend: bool) -> str | None:
    if resend or previous in (None, "failed"):
        return None
    if previous == "sent":
        return "already sent (--resend to send again)"
    return "recorded as pending by an interrupted run: it may have gone out; check, then --resend"


def send(
    roster: Roster,
    program: Program,
    program_id: int,
    intros: Sequence[Intro],
    *,
    password: str | None,
    resend: bool = False,
    dry_run: bool = False,
    on_result: Callable[[SendResult], None] | None = None,
) -> list[SendResult]:
    """Send each intro once (see the module docstring); returns what happened to each.

    Raises MailError only when the SMTP server cannot be reached at all, before anything
    is recorded.
    """
    from mentorctl.notify.transport import build, connect
    from mentorctl.roster.models import utcnow

    results: list[SendResult] = []

    def done(result: SendResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    todo = []
    for intro in intros:
        reason = _skip_reason(intro.previous, resend)
        if reason is not None:
            done(SendResult(intro, "skipped", reason))
        elif dry_run:
            done(SendResult(intro, "would-send"))
        else:
            todo.append(intro)
    if not todo:
        return results
    with connect(program.email, password) as smtp:
        sender = program.email.sender or ""
        for intro in todo:
            with roster.session(write=True) as session:
                _record(session, program_id, intro)
            status, detail = _deliver(smtp, build(sender, intro.outgoing()))
            with roster.session(write=True) as session:
                row = _record(session, program_id, intro)
                row.status = status
                row.error = detail or None
                row.sent_at = utcnow() if status == "sent" else None
            done(SendResult(intro, status, detail))
    return results


def _deliver(smtp: smtplib.SMTP, msg: Any) -> tuple[str, str]:
    """Hand one message to the server: ``("sent", "")``, ``("sent", "refused: x")`` when
    some recipients were refused, or ``("failed", why)``."""
    from mentorctl.notify.transport import deliver

    result = deliver(smtp, msg)
    if result.outcome == "sent":
        return "sent", f"refused: {result.detail}" if result.detail else ""
    return "failed", f"refused: {result.detail}" if result.outcome == "refused" else result.detail


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


def iter_preview(intros: Sequence[Intro]) -> Iterator[str]:
    """Each intro as it would be read: headers, body and attachment names."""
    for intro in intros:
        to = ", ".join(f"{n} <{e}>" for n, e in intro.to)
        cc = ", ".join(f"{n} <{e}>" for n, e in intro.cc)
        files = ", ".join(f"{a.filename} ({len(a.content):,} bytes)" for a in intro.attachments)
        head = [f"To: {to}"] + ([f"Cc: {cc}"] if cc else []) + [f"Subject: {intro.subject}"]
        head.append(f"Attachments: {files}")
        if intro.previous:
            head.append(f"Recorded: {intro.previous}")
        yield "\n".join(head) + "\n\n" + intro.text
