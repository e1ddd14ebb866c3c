"""mentorctl.notify.transport against a real SMTP server on 127.0.0.1: safe headers, outcomes, secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mentorctl.notify.transport import (
    Attachment,
    MailError,
    Outgoing,
    build,
    connect,
    deliver,
    smtp_password,
)
from mentorctl.program import Email
from tests.smtpd import SmtpServer


def settings(server: SmtpServer, **kw: object) -> Email:
    return Email(
        host=server.host, port=server.port, security="none", sender="coord@example.com", **kw
    )  # type: ignore[arg-type]


def test_names_and_subjects_cannot_inject_headers(smtp_server: SmtpServer) -> None:
    s = settings(smtp_server)
    out = Outgoing(
        to=[("Ada\nBcc: evil@example.net", "ada@example.com")],
        subject="Hi\r\nBcc: x@example.net",
        text="hello",
        attachments=[Attachment("a.md", b"# x", "text/markdown")],
    )
    with connect(s, None) as smtp:
        result = deliver(smtp, build(s.sender or "", out))
    assert (result.outcome, result.detail) == ("sent", "")
    [received] = smtp_server.received
    assert received.envelope_to == ["ada@example.com"]
    msg = received.message
    assert msg["Bcc"] is None
    assert msg["Subject"] == "Hi Bcc: x@example.net"
    assert msg["To"].addresses[0].addr_spec == "ada@example.com"
    assert [p.get_filename() for p in msg.iter_attachments()] == ["a.md"]


def test_refused_recipients_are_reported(smtp_server: SmtpServer) -> None:
    smtp_server.refuse = {"gone@example.com"}
    s = settings(smtp_server)
    with connect(s, None) as smtp:
        partial = deliver(
            smtp,
            build(
                "coord@example.com",
                Outgoing(
                    to=[("A", "ada@example.com"), ("G", "gone@example.com")], subject="s", text="t"
                ),
            ),
        )
        refused = deliver(
            smtp,
            build(
                "coord@example.com", Outgoing(to=[("G", "gone@example.com")], subject="s", text="t")
            ),
        )
    assert partial.outcome == "sent" and partial.detail.startswith("gone@example.com: 550")
    assert refused.outcome == "refused" and "gone@example.com: 550" in refused.detail
    assert len(smtp_server.received) == 1


def test_unreachable_server_is_a_clear_error() -> None:
    s = Email(host="127.0.0.1", port=1, security="none", sender="coord@example.com")
    with pytest.raises(MailError, match=r"SMTP 127.0.0.1:1: "), connect(s, None):
        pass


def test_password_from_env_or_private_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "smtp.secret"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    s = Email(password_file="smtp.secret")
    with pytest.raises(MailError, match="readable by others"):
        smtp_password(s, tmp_path)
    secret.chmod(0o600)
    assert smtp_password(s, tmp_path) == "s3cret"
    monkeypatch.setenv("MENTORCTL_SMTP_PASSWORD", "from-env")
    assert smtp_password(s, tmp_path) == "from-env"
    assert os.environ["MENTORCTL_SMTP_PASSWORD"] == "from-env"


def test_a_long_subject_arrives_without_a_leading_space() -> None:
    """Folding at 78 columns made CPython write 'Subject:' and the text on the next line."""
    import email
    from email.policy import default

    from mentorctl.notify import transport

    msg = transport.EmailMessage(policy=transport.POLICY)
    subject = "First 90 Days - Onboarding Buddies: time for your next mentoring meeting"
    msg["Subject"] = subject
    msg.set_content("Hello")
    received = email.message_from_bytes(transport.as_bytes(msg), policy=default)
    assert str(received["Subject"]) == subject
