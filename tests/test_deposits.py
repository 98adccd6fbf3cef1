"""Money paid onto the credit balance is a deposit: a payment confirmation in the panel, not an invoice."""

from __future__ import annotations

import html
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from core import db
from core.balance.deposits import confirmation
from core.models import Document, LedgerEntry
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import COMPANY, SELLER, setup_seller, shop
from tests.helpers import login, make_customer, post_form


def _page(client: FlaskClient, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def test_a_top_up_gets_a_payment_confirmation_not_an_invoice(app: Flask, client: FlaskClient):
    with db.connection():
        setup_seller()
        customer, _services, _basic, _pro = shop("ola@example.test")
        documents = Document.select().count()
        topup = record_payment("banktransfer", "BANK-TOPUP-7", Decimal("150.00"), customer_id=customer.id)
        entry = LedgerEntry.get(LedgerEntry.payment_id == topup.payment.id)
        assert Document.select().count() == documents  # no invoice, no number taken from any series
    login(client, "ola@example.test")
    status, balance = _page(client, "/balance")
    assert status == 200 and f'href="/balance/deposits/{entry.id}"' in balance and "potwierdzenie wpłaty" in balance
    status, page = _page(client, f"/balance/deposits/{entry.id}")
    assert status == 200
    assert "Potwierdzenie wpłaty" in page and "z dnia 16 mar 2026" in page
    assert "To nie jest faktura VAT." in page and "gdy saldo opłaci proformę" in page
    assert SELLER["name"] in page and "NIP 5213017228" in page  # who received it
    assert COMPANY["name"] in page  # who paid it
    assert "150,00 zł" in page and "BANK-TOPUP-7" in page and "Przelew bankowy" in page
    assert "Nadpłata ponad kwotę" not in page  # a top-up, not tied to any proforma
    assert "banktransfer" not in page and "topup" not in page  # no raw codes


def test_an_overpayment_confirms_only_what_went_onto_the_balance(app: Flask, client: FlaskClient):
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop("ola@example.test")
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        assert proforma is not None and proforma.total_gross == Decimal("31.73")
        paid = record_payment("banktransfer", "BANK-OVER-1", Decimal("50.00"), proforma)
        entry = LedgerEntry.get((LedgerEntry.payment_id == paid.payment.id) & (LedgerEntry.kind == "overpayment"))
        found = confirmation(customer.id, entry.id)
    assert found is not None and found.amount == Decimal("18.27")  # 50.00 - 31.73: the rest paid the proforma
    login(client, "ola@example.test")
    status, page = _page(client, f"/balance/deposits/{entry.id}")
    assert status == 200 and "18,27 zł" in page and "50,00 zł" not in page
    assert "Nadpłata ponad kwotę do zapłaty na proformie" in page and proforma.number in page
    post_form(client, "/language/en", {}, form_page="/balance", headers={"Referer": "/balance"})
    status, page = _page(client, f"/balance/deposits/{entry.id}")
    assert "Payment confirmation" in page and "This is not a VAT invoice." in page and "PLN" in page


def test_only_the_customers_own_deposits_have_a_confirmation(app: Flask, client: FlaskClient):
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop("ola@example.test")
        other = make_customer("ela@example.test")
        theirs = record_payment("banktransfer", "BANK-ELA", Decimal("20.00"), customer_id=other.id)
        their_entry = LedgerEntry.get(LedgerEntry.payment_id == theirs.payment.id)
        record_payment("banktransfer", "BANK-OLA", Decimal("20.00"), customer_id=customer.id)
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document  # the balance pays 20.00 of it
        applied = LedgerEntry.get((LedgerEntry.customer == customer.id) & (LedgerEntry.kind == "applied"))
        assert proforma is not None and confirmation(customer.id, their_entry.id) is None
    login(client, "ola@example.test")
    assert client.get(f"/balance/deposits/{their_entry.id}").status_code == 404  # another customer's
    assert client.get(f"/balance/deposits/{applied.id}").status_code == 404  # money spent is not a deposit
    status, balance = _page(client, "/balance")
    assert status == 200 and balance.count('data-testid="deposit-link"') == 1
