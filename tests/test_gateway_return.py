"""Coming back from the test gateway: without paying, and when the payment is refused.

A customer who leaves the gateway without paying lands on a page that says the change
waits for payment and offers to pay it (not only to cancel it). A refused payment is
told in the customer's language, never as a raw English string or a code, and a
plugin's refusal is a message, not a server error.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from flask_babel import force_locale

from core import clock, db
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.i18n import translations_for
from core.models import Document, Payment, Service
from plugins.testgateway import CUSTOMER_MESSAGES, UNVERIFIED, CallbackRefused
from plugins.testgateway.views import refusal_text
from tests.helpers import login, make_customer, post_form
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

REFUSING_PLUGIN = """
from core.hookspecs import HookRefused, hookimpl


@hookimpl
def on_payment(payment, document):
    if payment.method == "testgateway":
        raise HookRefused("Online payments are paused for maintenance.")
"""


@pytest.fixture
def app_overrides(request, tmp_path):
    if "plugin_refusing" not in request.node.name:
        return {}
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "refuse_payments.py").write_text(REFUSING_PLUGIN, encoding="utf-8")
    return {"plugins": {"folder": str(folder)}}


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test")
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        give_balance(customer, "10.00")
    return {"customer": customer, "svc": svc, "pro": pro}


def _to_the_gateway(client, shop):
    sid, pro = shop["svc"].id, shop["pro"].id
    login(client, "ola@example.test")
    confirmed = post_form(
        client,
        f"/services/{sid}/change/confirm",
        {"product": pro, "cycle": "monthly", "method": "testgateway"},
        form_page=f"/services/{sid}/change/summary?product={pro}&cycle=monthly",
    )
    assert confirmed.status_code == 302 and "/pay/testgateway/checkout/" in confirmed.location
    return confirmed.location


def _back_link(html: str) -> str:
    found = re.search(r'<a href="([^"]+)" data-testid="gateway-back">', html)
    assert found, html
    return found.group(1)


def test_back_from_the_gateway_says_the_change_waits_and_offers_to_pay(client, shop):
    checkout = _to_the_gateway(client, shop)
    proforma = Document.get(Document.kind == "proforma")
    back = _back_link(client.get(checkout).get_data(as_text=True))
    assert back == f"/services/{shop['svc'].id}/change"
    page = " ".join(client.get(back).get_data(as_text=True).split())
    assert "Zmiana na Pro czeka na płatność." in page
    assert "Pakiet zmieni się, gdy tylko płatność dotrze." in page
    pay = re.search(r'<a class="button button-primary" href="([^"]+)" data-testid="pending-pay">([^<]+)</a>', page)
    assert pay and pay.group(1) == f"/invoices/{proforma.id}"
    assert pay.group(2).startswith("Zapłać 21,73")
    assert "Anuluj zmianę" in page
    invoice = client.get(pay.group(1)).get_data(as_text=True)
    assert f'action="/pay/testgateway/{proforma.id}"' in invoice

    post_form(client, checkout, {})
    assert Service.get_by_id(shop["svc"].id).product_id == shop["pro"].id
    after = client.get(back).get_data(as_text=True)
    assert 'data-testid="pending-pay"' not in after and "czeka na płatność" not in after


def test_a_document_without_a_waiting_change_goes_back_to_itself(client, shop):
    login(client, "ola@example.test")
    with db.connection(), db.write_transaction():
        proforma = issue_document(shop["customer"], "proforma", [LineInput("Domena", D(1), "szt.", D("40.00"))])
    back = _back_link(client.get(f"/pay/testgateway/checkout/{proforma.id}").get_data(as_text=True))
    assert back == f"/invoices/{proforma.id}"


def test_the_summary_is_never_shown_again_from_the_browser_cache(client, shop):
    login(client, "ola@example.test")
    summary = client.get(f"/services/{shop['svc'].id}/change/summary?product={shop['pro'].id}&cycle=monthly")
    assert summary.status_code == 200 and "no-store" in summary.headers["Cache-Control"]


def test_a_plugin_refusing_the_payment_is_a_message_in_polish_not_an_error(client, shop):
    checkout = _to_the_gateway(client, shop)
    refused = post_form(client, checkout, {})
    assert refused.status_code == 302
    page = client.get(refused.location).get_data(as_text=True)
    assert "Płatność nie została zapisana: Online payments are paused for maintenance." in page
    assert Payment.select().where(Payment.method == "testgateway").count() == 0
    assert Document.get(Document.kind == "proforma").status == "partially_paid"


def test_every_refusal_is_told_in_polish(app):
    polish = translations_for("pl")
    for message in (UNVERIFIED, *CUSTOMER_MESSAGES.values()):
        assert polish.gettext(message) != message, message
    with app.test_request_context(), force_locale("pl"):
        for code in ("not_configured", "signature_invalid", "replayed", "duplicate", "currency", "not_found"):
            text = refusal_text(CallbackRefused(400, code, "an English detail for the gateway's server"))
            assert "English" not in text and code not in text and text.startswith(("Płatność", "Ta płatność"))
        refused = CallbackRefused(409, "refused", "x", "A payment from the balance cannot exceed the amount due.")
        assert refusal_text(refused).startswith("Płatność nie została zapisana: ")
