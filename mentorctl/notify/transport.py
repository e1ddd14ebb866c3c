"""SMTP transport: building a safe message, connecting, and handing one message over.

Messages are built with the standard :mod:`email` package (``EmailMessage`` with the
default policy and :class:`~email.headerregistry.Address`), so no participant's name or
answer can add a header. The SMTP password never lives in program.yaml: it comes from the
environment variable named by ``email.password_env`` or from ``email.password_file``,
which must be readable by its owner only.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP as _SMTP
from email.policy import default as _default
from email.utils import formatdate, make_msgid
from pathlib import Path

from mentorctl.errors import MentorctlError
from mentorctl.program import Email


class _Headers(HeaderRegistry):
    """The standard header registry, with one class per header name.

    CPython's registry creates a new class for every header it parses (``type()`` in
    ``__getitem__``); an introduction has some twenty headers, and making their classes
    was a quarter of building it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


#: Header lines up to RFC 5322's hard limit: folding at 78 makes CPython write a long
#: subject as "Subject:" + a folded line, which mail clients show with a leading space.
POLICY = _default.clone(max_line_length=998, header_factory=_Headers())
SMTP_POLICY = _SMTP.clone(max_line_length=998, header_factory=_Headers())


class MailError(MentorctlError):
    """Email settings are wrong, or the SMTP server refused us."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Outgoing:
    """One message to send, as plain data."""

    to: Sequence[tuple[str, str]]  # (display name, email)
    subject: str
    text: str
    html: str | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    cc: Sequence[tuple[str, str]] = ()
    reply_to: str | None = None


def _one_line(text: str) -> str:
    """Header values on one line: CR, LF and other controls become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def address(name: str, email: str) -> Address:
    local, _, domain = email.strip().partition("@")
    return Address(display_name=_one_line(name)[:200], username=local, domain=domain)


def build(sender: str, out: Outgoing, *, message_id: str | None = None) -> EmailMessage:
    """An ``EmailMessage`` for ``out``: text (and HTML) body, attachments, safe headers.

    Every message carries ``Date`` and ``Message-ID`` (the outbox passes a stable one,
    derived from what the message is for; otherwise a fresh one is made).
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = address("", sender) if "<" not in sender else sender
    msg["To"] = [address(n, e) for n, e in out.to]
    if out.cc:
        msg["Cc"] = [address(n, e) for n, e in out.cc]
    if out.reply_to:
        msg["Reply-To"] = address("", out.reply_to)
    msg["Subject"] = _one_line(out.subject)[:300]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or make_msgid(domain=sender_domain(sender))
    msg.set_content(out.text)
    if out.html is not None:
        msg.add_alternative(out.html, subtype="html")
    for a in out.attachments:
        maintype, _, subtype = a.mime_type.partition("/")
        msg.add_attachment(
            a.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=_one_line(a.filename),
        )
    return msg


def sender_domain(sender: str) -> str:
    """The domain of the sender's address (``a@example.org`` or ``Name <a@example.org>``)."""
    return sender.strip().rstrip(">").rpartition("@")[2] or "localhost"


def smtp_password(settings: Email, program_dir: Path) -> str | None:
    """The SMTP password: from ``$password_env``, else ``password_file`` (owner-only)."""
    value = os.environ.get(settings.password_env)
    if value:
        return value
    if settings.password_file is None:
        return None
    path = Path(settings.password_file).expanduser()
    if not path.is_absolute():
        path = program_dir / path
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise MailError(f"{path}: no such file (email.password_file)") from None
    if mode & 0o077:
        raise MailError(
            f"{path}: the password file is readable by others (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    return path.read_text(encoding="utf-8").strip()


@contextlib.contextmanager
def connect(settings: Email, password: str | None, timeout: float = 30) -> Iterator[smtplib.SMTP]:
    """An SMTP connection per the program's settings (STARTTLS, SSL or plain)."""
    if settings.sender is None:
        raise MailError("program.yaml: email.sender is not set; who should messages come from?")
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            if password is None:
                raise MailError(
                    f"email.username is set but no password: set ${settings.password_env} "
                    "or email.password_file"
                )
            smtp.login(settings.username, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {settings.host}:{settings.port}: {exc}") from None
    try:
        yield smtp
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()


@dataclass(frozen=True)
class Delivery:
    """What the server did with one message.

    ``sent``: accepted (``detail`` names recipients it refused among several);
    ``refused``: the server said no, so nothing was delivered;
    ``lost``: the connection broke mid-message, so nobody can know whether it went out.
    """

    outcome: str  # sent | refused | lost
    detail: str = ""


def _refusals(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who}: {code} {_decode(text)}" for who, (code, text) in recipients.items())


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def deliver(smtp: smtplib.SMTP, msg: EmailMessage) -> Delivery:
    """Hand one message to the server and say what happened (never raises for SMTP errors)."""
    try:
        refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        return Delivery("refused", _refusals(exc.recipients))
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        return Delivery("refused", f"{exc.smtp_code} {_decode(exc.smtp_error)}")
    except (OSError, smtplib.SMTPException) as exc:
        return Delivery("lost", _decode(str(exc)))
    return Delivery("sent", _refusals(refused) if refused else "")


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as it would go on the wire (for previews and .eml files)."""
    return msg.as_bytes(policy=SMTP_POLICY)
