"""Introduction emails: one per active match (or circle), with the agreement attached.

:func:`compose` builds each message as plain data from the agreements
(:mod:`mentorctl.agreements`): who is matched, why (the participant-facing reasons the
agreements provide), what happens next, and, once :func:`attach` has rendered them, the
agreement and ``.ics`` as attachments.

:func:`send` sends them through the one outbox (:mod:`mentorctl.notify.outbox`), each
exactly once: the key is ``intro:<match id>`` (``intro:circle:<ids>`` for a circle,
``intro-preview:...`` for copies sent to the coordinator only). It reads what was
recorded first and renders only what it will send, so a re-run with everything sent
does no rendering at all (:mod:`mentorctl.notify.quick` answers that case for an SQLite
roster without even loading the program's schema). A message recorded ``failed`` is retried; one
``sent`` or ``unknown`` (maybe delivered) only with ``resend``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.agreements.render import AgreementDoc, long_date
from mentorctl.notify.batch import SendResult, send_once
from mentorctl.notify.links import checkin_lines
from mentorctl.notify.outbox import Message
from mentorctl.notify.transport import Attachment, MailError
from mentorctl.program import Program

if TYPE_CHECKING:
    from mentorctl.roster.db import Roster

MIME = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


@dataclass
class Intro:
    """One introduction email, as plain data (attachments empty until :func:`attach`)."""

    doc: AgreementDoc
    kind: str  # intro | intro-preview
    dedupe_key: str
    match_id: int | None
    to: list[tuple[str, str]]  # (name, email)
    cc: list[tuple[str, str]]
    reply_to: str | None
    subject: str
    text: str
    attachment_stem: str
    attachments: list[Attachment] = field(default_factory=list, repr=False)
    previous: str | None = None  # status recorded by an earlier run

    def message(self) -> Message:
        return Message(
            kind=self.kind,
            dedupe_key=self.dedupe_key,
            to=self.to,
            cc=self.cc,
            reply_to=self.reply_to,
            subject=self.subject,
            text=self.text,
            attachments=self.attachments,
            match_id=self.match_id,
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
    ]
    if doc.kind != "circle":
        # "We met" / "not yet" links into the program's check-in form (forms.checkin_url).
        links = checkin_lines(program, doc.match_ids[0], [(n, e) for n, e in doc.attendees])
        lines += ["", *links] if links else []
    lines += [
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
    docs: Sequence[AgreementDoc],
    *,
    attach: str = "pdf",
    coordinator_only: bool = False,
) -> list[Intro]:
    """An introduction per agreement, without its attachments (nothing is rendered);
    ``coordinator_only`` addresses them all to the coordinator (a preview in their
    inbox, recorded apart from the real ones)."""
    if coordinator_only and not program.coordinator:
        raise MailError("program.yaml: `coordinator:` is not set; whom should previews go to?")
    out = []
    for doc in docs:
        stem = doc.stem.rpartition("/")[2]
        people = [(n, e) for n, e in doc.attendees]
        coordinator = [("Program coordinator", program.coordinator)] if program.coordinator else []
        to, cc = (coordinator, []) if coordinator_only else (people, coordinator)
        out.append(
            Intro(
                doc=doc,
                kind="intro-preview" if coordinator_only else "intro",
                dedupe_key=dedupe_key(doc, coordinator_only),
                match_id=doc.match_ids[0] if doc.kind != "circle" else None,
                to=to,
                cc=cc,
                reply_to=program.coordinator,
                subject=("[preview] " if coordinator_only else "") + _subject(program, doc),
                text=body(program, doc, f"{stem}.{attach}"),
                attachment_stem=stem,
            )
        )
    return out


def attach(
    program: Program,
    program_dir: Path,
    intros: Sequence[Intro],
    fmt: str = "pdf",
) -> list[str]:
    """Render each intro's agreement (in ``fmt``) and ``.ics`` as its attachments;
    returns the renderer's warnings (e.g. a name no installed font can print)."""
    if not intros:
        return []
    render = Attacher(program, program_dir, fmt)
    for intro in intros:
        render(intro)
    return render.warnings


class Attacher:
    """Renders one intro's attachments at a time, with the templates loaded once."""

    def __init__(self, program: Program, program_dir: Path, fmt: str) -> None:
        self.program, self.program_dir, self.fmt = program, program_dir, fmt
        self.renderer: Any = None  # made on first use: a run that sends nothing loads nothing

    def __call__(self, intro: Intro) -> None:
        from mentorctl.agreements.render import Renderer, calendar_bytes

        if self.renderer is None:
            self.renderer = Renderer(self.program, self.program_dir, self.fmt)
        stem = intro.attachment_stem
        intro.attachments = [
            Attachment(f"{stem}.{self.fmt}", self.renderer.render(intro.doc), MIME[self.fmt]),
            Attachment(f"{stem}.ics", calendar_bytes(self.program, intro.doc), "text/calendar"),
        ]

    @property
    def warnings(self) -> list[str]:
        return list(getattr(self.renderer, "warnings", []))


def send(
    roster: Roster,
    program: Program,
    program_dir: Path,
    program_id: int,
    intros: Sequence[Intro],
    *,
    password: str | None,
    attach_as: str = "pdf",
    resend: bool = False,
    dry_run: bool = False,
    wait: float = 60.0,
    on_result: Callable[[SendResult[Intro]], None] | None = None,
) -> tuple[list[SendResult[Intro]], list[str]]:
    """Send each intro once through the outbox (see the module docstring).

    ``intros`` come from :func:`compose` with ``previous`` filled in
    (:func:`~mentorctl.notify.batch.load_previous`); only those to send get rendered, one
    at a time just before it goes (at most one agreement is held in memory). Returns what
    happened to each, and the rendering's warnings. Raises MailError when the SMTP server
    cannot be reached (nothing is claimed then).
    """
    render = Attacher(program, program_dir, attach_as)

    def release(intro: Intro) -> None:
        intro.attachments = []

    results = send_once(
        roster,
        program,
        program_id,
        intros,
        password=password,
        resend=resend,
        dry_run=dry_run,
        wait=wait,
        prepare=render,
        release=release,
        on_result=on_result,
    )
    return results, render.warnings


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
