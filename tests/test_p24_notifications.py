"""Przelewy24: register, pay, notify, verify, book once; every bad notification books nothing.

Runs on SQLite and PostgreSQL (the ``app`` fixture) against the local P24 of
:mod:`tests.support.p24`; notifications are posted the way P24's server posts them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import db
from core.hookspecs import HookRefused, hookimpl
from core.models import ActivityLog, Document, Payment
from core.runtime import current
from plugins.przelewy24.models import P24Session
from plugins.przelewy24.notifications import book_verified
from tests.p24_helpers import notify, paid_notification, proforma_for, start_paying
from tests.support.p24 import NOTIFY, FakeP24, p24_config, p24_sign


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24)}


def payments() -> list[Payment]:
    with db.connection():
        return list(Payment.select().where(Payment.method.startswith("przelewy24")))


def refusals(reason: str) -> int:
    with db.connection():
        rows = ActivityLog.select().where(ActivityLog.action == "przelewy24.notification_refused")
        return sum(1 for row in rows if row.details.get("reason") == reason)


def test_a_blik_payment_is_registered_verified_and_booked_once(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    registered = fake_p24.txn_for_session(body["sessionId"]).body
    assert registered["amount"] == 3173 and registered["currency"] == "PLN"
    assert registered["channel"] == 8192  # BLIK only on P24's page
    assert registered["urlStatus"].endswith("/pay/przelewy24/status")
    assert f"/pay/przelewy24/return/{body['sessionId']}" in registered["urlReturn"]
    response = notify(client, body)
    assert response.status_code == 200 and response.get_json() == {"status": "OK"}
    assert ("PUT", "/api/v1/transaction/verify") in fake_p24.calls
    (payment,) = payments()
    assert (payment.method, payment.transaction_id, payment.amount) == (
        "przelewy24_blik",
        body["sessionId"],
        Decimal("31.73"),
    )
    with db.connection():
        assert Document.get_by_id(proforma.id).status == "paid"
        session = P24Session.get(P24Session.session_id == body["sessionId"])
        assert (session.status, session.order_id, session.payment_id) == ("booked", body["orderId"], payment.id)
        assert session.order_id > 2**32  # P24's order ids outgrow a 32-bit column
    # P24 repeats the notification (it does until it sees a verification): nothing more is booked
    again = notify(client, body)
    assert again.status_code == 200 and again.get_json()["repeat"] is True
    assert len(payments()) == 1
    with db.connection():
        assert ActivityLog.select().where(ActivityLog.action == "przelewy24.notification_repeated").count() == 1


@pytest.mark.parametrize(
    ("change", "reason", "status"),
    [
        ({"sign": "0" * 96}, "bad_sign", 400),
        ({"amount": 3174, "originAmount": 3174}, "amount", 400),
        ({"amount": 100}, "amount", 400),
        ({"currency": "EUR"}, "currency", 400),
        ({"sessionId": "hb-999-not-ours"}, "unknown_session", 404),
        ({"merchantId": 13579, "posId": 13579}, "merchant", 400),
    ],
)
def test_a_bad_notification_books_nothing_and_is_logged(
    app: Flask, client: FlaskClient, fake_p24: FakeP24, change: dict[str, Any], reason: str, status: int
):
    _customer, proforma = proforma_for()
    good = paid_notification(client, fake_p24, proforma)
    bad = fake_p24.notification(fake_p24.txn_for_session(good["sessionId"]), **change)
    response = notify(client, bad)
    assert response.status_code == status and response.is_json
    assert response.get_json() == {"status": "refused", "reason": reason}
    assert payments() == [] and refusals(reason) == 1
    assert ("PUT", "/api/v1/transaction/verify") not in fake_p24.calls  # nothing is verified on a bad notification
    with db.connection():
        assert Document.get_by_id(proforma.id).status == "unpaid"
    assert notify(client, good).status_code == 200  # the real one still books
    assert len(payments()) == 1


def test_a_notification_signed_with_another_key_books_nothing(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    forged = {**body, "sign": p24_sign(NOTIFY, body, crc="not-our-crc")}
    assert notify(client, forged).status_code == 400
    assert payments() == [] and refusals("bad_sign") == 1


def test_garbage_gets_a_json_answer_not_an_html_page(app: Flask, client: FlaskClient):
    for data in (b"not json", b"[1, 2]", b'{"sessionId": "x"}'):
        response = client.post("/pay/przelewy24/status", data=data, content_type="application/json")
        assert response.status_code == 400 and response.is_json, data
    assert payments() == []


def test_p24_unreachable_on_verify_answers_503_and_the_repeat_books(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    fake_p24.fail("verify", 500)
    response = notify(client, body)
    assert response.status_code == 503 and response.get_json()["status"] == "retry"
    assert payments() == []
    with db.connection():
        assert P24Session.get(P24Session.session_id == body["sessionId"]).status == "registered"
    assert notify(client, body).status_code == 200  # P24 sends it again later
    assert len(payments()) == 1


def test_p24_refusing_to_verify_books_nothing(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    fake_p24.txn_for_session(body["sessionId"]).status = "registered"  # P24 knows of no payment
    assert notify(client, body).status_code == 503
    assert payments() == []


class RefusePayments:
    """A plugin that refuses every payment (booking fails after P24 confirmed)."""

    @staticmethod
    @hookimpl
    def on_payment(payment: Any, document: Any) -> None:
        raise HookRefused("not now")


def test_a_booking_that_fails_after_verification_is_booked_by_the_cron_job(
    app: Flask, client: FlaskClient, fake_p24: FakeP24, caplog: pytest.LogCaptureFixture
):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    pm = current().pm
    pm.register(RefusePayments, name="refuse-payments")
    try:
        response = notify(client, body)
    finally:
        pm.unregister(name="refuse-payments")
    assert response.status_code == 500 and response.is_json
    assert payments() == []
    assert "plugin 'refuse-payments' failed in hook on_payment" in caplog.text  # the log names who refused
    with db.connection():
        assert P24Session.get(P24Session.session_id == body["sessionId"]).status == "verified"
        assert book_verified() == 1
        assert book_verified() == 0
    assert len(payments()) == 1
    # a notification still arriving now is a repeat
    assert notify(client, body).get_json()["repeat"] is True
    assert len(payments()) == 1


def test_the_return_page_never_books_and_shows_the_result_once_confirmed(
    app: Flask, client: FlaskClient, fake_p24: FakeP24
):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    url = f"/pay/przelewy24/return/{body['sessionId']}"
    page = client.get(url)
    assert page.status_code == 200 and page.headers.get("Refresh") == "5"
    assert 'data-state="confirming"' in page.get_data(as_text=True)
    assert "Płatność jest potwierdzana" in page.get_data(as_text=True)
    assert payments() == []  # P24 sent the customer back; only the notification books
    notify(client, body)
    page = client.get(url)
    assert 'data-state="paid"' in page.get_data(as_text=True) and "Refresh" not in page.headers
    assert len(payments()) == 1


def test_another_customer_cannot_see_the_return_page(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    other = app.test_client()
    proforma_for("ewa@example.test")
    from tests.helpers import login

    login(other, "ewa@example.test")
    assert other.get(f"/pay/przelewy24/return/{body['sessionId']}").status_code == 404


def test_register_failure_is_a_message_and_a_failed_attempt(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    from tests.helpers import login, post_form

    _customer, proforma = proforma_for()
    login(client, "ola@example.test")
    fake_p24.fail("register", 500)
    response = post_form(
        client, f"/pay/przelewy24_blik/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}", follow_redirects=True
    )
    assert response.status_code == 200
    assert "Przelewy24 nie może teraz przyjąć płatności" in response.get_data(as_text=True)
    with db.connection():
        (session,) = P24Session.select()
        assert session.status == "failed" and "Internal error" in session.last_error
    # the next attempt is a new transaction with a new sessionId
    token = start_paying(client, proforma)
    assert fake_p24.txns[token].session_id != session.session_id


def test_the_payment_goes_to_the_balance_when_the_proforma_was_paid_meanwhile(
    app: Flask, client: FlaskClient, fake_p24: FakeP24
):
    from core.balance_view import balance_of
    from core.payments.recording import record_payment

    customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    with db.connection():
        record_payment("banktransfer", "BANK-1", Decimal("31.73"), Document.get_by_id(proforma.id))
    assert notify(client, body).status_code == 200
    with db.connection():
        assert balance_of(customer.id) == Decimal("31.73")  # money kept, as an overpayment
        assert Document.get_by_id(proforma.id).paid == Decimal("31.73")


def test_with_allowed_ips_a_notification_from_elsewhere_books_nothing(
    app: Flask, client: FlaskClient, fake_p24: FakeP24
):
    _customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    section = current().config["przelewy24"]
    section["allowed_ips"] = ["5.252.202.254", "91.220.177.0/24"]  # P24's addresses; the test client is 127.0.0.1
    response = notify(client, body)
    assert response.status_code == 403 and response.get_json()["reason"] == "address"
    assert payments() == [] and refusals("address") == 1
    section["allowed_ips"] = ["127.0.0.0/8"]
    assert notify(client, body).status_code == 200
    assert len(payments()) == 1


def test_staff_read_a_failed_registration_in_their_language(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    """P24's own error text is quoted; a failure P24 did not put into words is ours, translated."""
    from html import unescape

    from tests.helpers import login, make_staff, post_form, staff_login

    _customer, proforma = proforma_for()
    login(client, "ola@example.test")
    fake_p24.fail("register", 500, {})
    post_form(client, f"/pay/przelewy24_blik/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}")
    staff = app.test_client()
    staff_login(staff, make_staff().email)
    page = unescape(staff.get(f"/admin/documents/{proforma.id}").get_data(as_text=True))
    shown = page.split('data-testid="p24-error">')[1].split("</span>")[0]
    assert shown == "Błąd: Przelewy24 zgłosiło błąd, ale nie podało przyczyny."
