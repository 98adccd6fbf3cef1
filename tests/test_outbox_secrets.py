"""Raw reset and verification tokens do not stay in ``outbox_message.payload`` once the mail is sent."""

from __future__ import annotations

import json

from core import db, outbox
from core.models import OutboxMessage
from tests.helpers import make_customer, post_form
from tests.support.ports import free_port


def stored_payloads() -> str:
    with db.connection():
        return json.dumps([row.payload for row in OutboxMessage.select()])


def test_tokens_leave_the_outbox_with_the_mail(app, client, smtp_server):
    registered = post_form(
        client,
        "/register",
        {"first_name": "Zenon", "last_name": "Nowak", "email": "zenon@example.test", "password": "long enough pw"},
    )
    assert registered.status_code == 302
    make_customer("ala@example.test")
    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    with db.connection():
        assert outbox.process() == 2
    verify = smtp_server.wait_for(lambda m: "/verify/" in m.text()).text().split("/verify/")[1].split()[0]
    reset = (
        smtp_server.wait_for(lambda m: "/password/reset/" in m.text()).text().split("/password/reset/")[1].split()[0]
    )
    payloads = stored_payloads()
    assert verify not in payloads and reset not in payloads
    with db.connection():
        rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
        assert [row.status for row in rows] == ["sent", "sent"]
        assert all(row.payload["to"] and row.payload["subject"] and "body" not in row.payload for row in rows)
    # The links still work: the tokens live only as hashes, and in the customer's mailbox.
    assert client.get(f"/verify/{verify}").status_code == 302
    page = client.get(f"/password/reset/{reset}")
    assert page.status_code == 200


def test_a_mail_given_up_forgets_its_token_too(app):
    make_customer("ala@example.test")
    from core.accounts import service

    with db.connection():
        service.request_password_reset("ala@example.test")
        raw_before = stored_payloads()
        assert "/password/reset/" in raw_before  # queued: the body is needed until it is sent
    app.config["HOOKBILL"]["mail"]["port"] = free_port()  # nobody listens there: sending fails
    with db.connection():
        assert outbox.process(max_attempts=1) == 0
    with db.connection():
        row = OutboxMessage.get()
        assert row.status == "failed"
        assert "body" not in row.payload
    assert "/password/reset/" not in stored_payloads()
