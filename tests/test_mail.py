from mentorctl.mail import Outgoing, build, connect, send, Attachment
from mentorctl.program import Email
def test_roundtrip(smtp_server):
    s = Email(host=smtp_server.host, port=smtp_server.port, security="none", sender="coord@example.com")
    with connect(s, None) as smtp:
        send(smtp, build(s.sender, Outgoing(to=[("Ada\nBcc: evil@x.com", "ada@example.com")], subject="Hi\r\nBcc: x@y.z", text="hello", attachments=[Attachment("a.md", b"# x", "text/markdown")])))
    [m] = smtp_server.messages()
    assert m["Bcc"] is None and "evil" in str(m["To"]) and m["Subject"] == "Hi Bcc: x@y.z"
    assert [p.get_filename() for p in m.iter_attachments()] == ["a.md"]
