"""One checkout attempt of the test gateway is one transaction: paid once, however often "pay" is clicked.

Before, every click made a new transaction id: ten quick clicks recorded four
payments and sent the rest of the money to the balance. Now the attempt's
transaction id is made when the payment page is shown and stored, and every
click is recorded under it, so :func:`core.payments.recording.record_payment`
books it once by construction. Ten clicks at once go through gunicorn with four
workers, on both engines.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest

from core import clock, db
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Document, LedgerEntry, Payment
from plugins.testgateway.models import CheckoutAttempt
from tests.helpers import login, make_customer, post_form
from tests.support.gunicorn import gunicorn_server
from tests.support.http import HttpBrowser, field
from tests.upgrade_helpers import billing_profile, setup_seller

CLICKS = 10
NOW = "2026-03-16T12:00:00"


def _proforma() -> Document:
    clock.freeze(NOW)
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test")
        billing_profile(customer)
        with db.write_transaction():
            return issue_document(customer, "proforma", [LineInput("Hosting Pro", D(1), "szt.", D("100.00"))])


def _booked(proforma: Document) -> tuple[list[Payment], Document, list[LedgerEntry]]:
    with db.connection():
        payments = list(Payment.select().where(Payment.method == "testgateway"))
        ledger = list(LedgerEntry.select())
        return payments, Document.get_by_id(proforma.id), ledger


@pytest.mark.slow
def test_ten_clicks_at_once_book_one_payment(app, tmp_path):
    proforma = _proforma()
    url = str(app.config["HOOKBILL"].get_value("database.url"))
    db.database.obj.close()
    with gunicorn_server(url, tmp_path, workers=4, clock_fixed=NOW) as base:
        browser = HttpBrowser(base)
        browser.login("ola@example.test")
        page = browser.get(f"/pay/testgateway/checkout/{proforma.id}")
        form = {"csrf_token": field(page, "csrf_token"), "attempt": field(page, "attempt")}
        start = threading.Barrier(CLICKS)

        def click(_: int) -> int:
            start.wait(timeout=30)
            return browser.post(f"/pay/testgateway/checkout/{proforma.id}", form)

        with ThreadPoolExecutor(max_workers=CLICKS) as pool:
            statuses = list(pool.map(click, range(CLICKS)))
        # Quick clicks after the first went through: still the same attempt.
        statuses += [browser.post(f"/pay/testgateway/checkout/{proforma.id}", form) for _ in range(3)]
    assert statuses == [302] * (CLICKS + 3), statuses
    payments, document, ledger = _booked(proforma)
    assert [(p.amount, p.transaction_id) for p in payments] == [(D("123.00"), form["attempt"])]
    assert document.status == "paid" and document.paid == D("123.00")
    assert ledger == []  # nothing went to the balance
    with db.connection():
        assert Document.select().where((Document.kind == "vat") & (Document.proforma_id == proforma.id)).count() == 1


def test_the_page_keeps_its_attempt_until_it_is_paid(app):
    proforma = _proforma()
    browser = app.test_client()
    login(browser, "ola@example.test")
    pages = [browser.get(f"/pay/testgateway/checkout/{proforma.id}").get_data(as_text=True) for _ in range(2)]
    assert field(pages[0], "attempt") == field(pages[1], "attempt")  # two tabs, one attempt
    paid = post_form(browser, f"/pay/testgateway/checkout/{proforma.id}", {"attempt": field(pages[0], "attempt")})
    assert paid.status_code == 302
    again = post_form(browser, f"/pay/testgateway/checkout/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}")
    assert again.status_code == 302
    payments, document, ledger = _booked(proforma)
    assert len(payments) == 1 and document.status == "paid" and ledger == []
    page = browser.get(f"/pay/testgateway/checkout/{proforma.id}").get_data(as_text=True)
    assert 'name="attempt"' not in page  # nothing due, no new attempt
    with db.connection():
        assert CheckoutAttempt.select().count() == 1


def test_an_attempt_of_another_document_is_not_paid_here(app):
    proforma = _proforma()
    with db.connection(), db.write_transaction():
        other = issue_document(proforma.customer, "proforma", [LineInput("Domena", D(1), "szt.", D("40.00"))])
    browser = app.test_client()
    login(browser, "ola@example.test")
    foreign = field(browser.get(f"/pay/testgateway/checkout/{other.id}").get_data(as_text=True), "attempt")
    post_form(browser, f"/pay/testgateway/checkout/{proforma.id}", {"attempt": foreign})
    payments, document, _ = _booked(proforma)
    assert [p.document_id for p in payments] == [proforma.id] and document.status == "paid"
    with db.connection():
        assert Document.get_by_id(other.id).status == "unpaid"
