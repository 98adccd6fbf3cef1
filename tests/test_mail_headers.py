"""A CR or LF in a ticket subject can neither break nor inject mail headers, nor reach the body.

The subject goes through the API (JSON allows any character) and through the
form (a hand-made POST), then the real outbox sends both notification mails
to the SMTP capture, where the headers are read as a mail client would.
"""

from __future__ import annotations

import pytest

from core import db, outbox
from core.mail import header_text
from tests.api_helpers import bearer, token_for
from tests.helpers import login, make_customer
from tests.ticket_helpers import make_department, open_ticket

INJECTED = "Help\r\nBcc: attacker@evil.test\r\n\r\nInjected body line\u2028and more"
ONE_LINE = "Help Bcc: attacker@evil.test Injected body line and more"


def check_notifications(smtp_server) -> None:
    with db.connection():
        assert outbox.process() == 2  # nothing failed: both mails were sent
    messages = [
        smtp_server.wait_for(lambda m, to=to: m["To"] == to) for to in ("ala@example.test", "techniczny@hostownia.test")
    ]
    assert len(smtp_server.messages) == 2
    for message in messages:
        subject = str(message["Subject"])
        assert subject.endswith(ONE_LINE)
        assert "\n" not in subject and "\r" not in subject
        assert message["Bcc"] is None
        assert not [r for r in message.rcpt_tos if "evil" in r]
        assert "Injected body line" not in message.text()


def test_a_subject_with_line_breaks_through_the_api(app, client, smtp_server):
    alice = make_customer("ala@example.test")
    make_department()
    response = client.post(
        "/api/v1/tickets",
        json={"department": "techniczny", "subject": INJECTED, "body": "Serwer nie działa."},
        headers=bearer(token_for(alice)),
    )
    assert response.status_code == 201
    check_notifications(smtp_server)


def test_a_subject_with_line_breaks_through_the_form(app, client, smtp_server):
    make_customer("ala@example.test")
    department = make_department()
    login(client, "ala@example.test")
    assert open_ticket(client, department, subject=INJECTED).status_code == 302
    check_notifications(smtp_server)


@pytest.mark.parametrize(
    ("raw", "line"),
    [("a\r\nb", "a b"), ("a\x00b\x0bc\x85d", "a b c d"), ("  many   spaces ", "many spaces"), (None, "")],
)
def test_header_text_is_one_line(raw, line):
    assert header_text(raw) == line
