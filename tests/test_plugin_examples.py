"""The two plugins issue 11's authors wrote from the docs alone, as drop-ins, end to end.

* ``tests/plugin_samples/loyalty``: adds a ``discount`` line to an upgrade quote
  of a customer with us for a year, and refuses a downgrade of a new customer.
  The core prices the line and shows it on the summary page, the proforma, its
  PDF, the VAT invoice and in the API, without a template of the plugin's.
* ``tests/plugin_samples/notifier.py``: posts each paid sale, by its VAT
  invoice's number, to a webhook (here a loopback receiver), after commit.

The numbers are example E2 of the billing rules (Basic 50.00 -> Pro 100.00 on
16 March, 16 of 31 days left, 10.00 on the balance) with the discount: 10% of
the charge 51.61 is 5.16, so net 51.61 - 25.81 - 5.16 = 20.64, VAT 23% 4.75,
gross 25.39, 10.00 from the balance, 15.39 to pay.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import clock, db, outbox
from core.catalogs import compile_tree
from core.documents.files import document_pdf
from core.documents.issuing import snapshot_of
from core.models import Document, ServiceChange
from core.payments.recording import record_payment
from core.testing.webhook import WebhookReceiver
from tests.api_helpers import bearer, token_for
from tests.billing_doc_helpers import pdf_text
from tests.helpers import PASSWORD, login, make_customer
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

SAMPLES = Path(__file__).resolve().parent / "plugin_samples"
DISCOUNT_LINE = "Rabat lojalnościowy 10% na Pro"  # the provider's document language, from the plugin's catalog


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def app_overrides(tmp_path, receiver):
    """Both plugins copied into the drop-in folder as they are; the notifier posts to the receiver."""
    folder = tmp_path / "dropins"
    shutil.copytree(SAMPLES / "loyalty", folder / "loyalty")
    compile_tree([folder])  # as building the plugin's package would
    shutil.copy(SAMPLES / "notifier.py", folder / "notifier.py")
    return {"plugins": {"folder": str(folder)}, "notifier": {"url": f"{receiver.url}/hooks/billing"}}


def _situation(joined: str = "2024-11-02T09:00:00"):
    """Example E2 for a customer who joined on ``joined``."""
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test", created_at=datetime.fromisoformat(joined))
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        give_balance(customer, "10.00")
    return customer, svc, basic, pro


def test_the_discount_through_the_api_the_proforma_its_pdf_the_vat_invoice_and_the_webhook(app, receiver):
    customer, svc, _basic, pro = _situation()
    client = app.test_client()
    with db.connection():
        raw = token_for(customer)
    quote = client.get(f"/api/v1/services/{svc.id}/quote?product={pro.id}&cycle=monthly", headers=bearer(raw))
    data = quote.get_json()
    assert [(line["kind"], line["net"]) for line in data["lines"]] == [
        ("credit", "-25.81"),
        ("charge", "51.61"),
        ("discount", "-5.16"),
    ]
    assert data["lines"][2]["label"] == "Loyalty discount 10% on Pro"
    assert data["lines"][2]["description"] == DISCOUNT_LINE
    assert data["totals_by_rate"] == [{"vat_rate": "23", "net": "20.64", "vat": "4.75", "gross": "25.39"}]
    assert (data["net"], data["vat"], data["gross"], data["balance_applied"], data["to_pay"]) == (
        "20.64",
        "4.75",
        "25.39",
        "10.00",
        "15.39",
    )
    confirmed = client.post(
        f"/api/v1/services/{svc.id}/change",
        json={"product": pro.id, "cycle": "monthly", "expected_gross": "25.39"},
        headers=bearer(raw),
    )
    assert confirmed.status_code == 201
    document = confirmed.get_json()["document"]
    assert (document["total_gross"], document["paid"], document["amount_due"]) == ("25.39", "10.00", "15.39")
    invoice = client.get(f"/api/v1/invoices/{document['id']}", headers=bearer(raw)).get_json()
    # the change is one line for the difference (billing.change_documents "difference"); the plugin's line stays
    assert [(line["description"], line["net"]) for line in invoice["lines"]][1] == (DISCOUNT_LINE, "-5.16")
    assert (invoice["total_net"], invoice["total_vat"], invoice["total_gross"]) == ("20.64", "4.75", "25.39")

    with db.connection():
        proforma = Document.get_by_id(document["id"])
        printed = pdf_text(document_pdf(proforma))
        assert f"{DISCOUNT_LINE}" in printed and "-5,16" in printed and "25,39" in printed
        record_payment("banktransfer", "BANK-1", "15.39", proforma)
        vat = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        assert [line.net for line in snapshot_of(vat).lines] == [D("25.80"), D("-5.16")]
        assert (vat.total_net, vat.total_vat, vat.total_gross) == (D("20.64"), D("4.75"), D("25.39"))
        assert ServiceChange.get_by_id(proforma.purpose_ref).status == "applied"
        assert receiver.requests == []  # queued in the payment's transaction, posted after commit
        outbox.process()
    assert len(receiver.requests) == 1
    posted = receiver.requests[0]
    assert (posted.method, posted.path, posted.header("Content-Type")) == ("POST", "/hooks/billing", "application/json")
    assert posted.json() == {
        "text": f"Paid: {vat.number}",
        "number": vat.number,
        "gross": "25.39",
        "currency": "PLN",
        "proforma": proforma.number,
    }


def test_a_customer_of_less_than_a_year_pays_example_e2_to_the_grosz(app):
    customer, svc, _basic, pro = _situation(joined="2025-06-01T09:00:00")
    client = app.test_client()
    with db.connection():
        raw = token_for(customer)
    data = client.get(f"/api/v1/services/{svc.id}/quote?product={pro.id}&cycle=monthly", headers=bearer(raw)).get_json()
    assert [line["kind"] for line in data["lines"]] == ["credit", "charge"]
    assert (data["gross"], data["balance_applied"], data["to_pay"]) == ("31.73", "10.00", "21.73")


def test_the_plugins_refusal_is_the_customers_message_in_the_browser_and_the_api(app):
    customer, svc, basic, pro = _situation(joined="2026-03-01T09:00:00")
    with db.connection():
        svc.product = pro
        svc.recurring_net = D("100.00")
        svc.save()
        raw = token_for(customer)
    client = app.test_client()
    login(client, customer.email)
    page = client.get(f"/services/{svc.id}/change/summary?product={basic.id}&cycle=monthly")
    assert page.status_code == 422
    assert "Na mniejszy pakiet możesz przejść 30 dni po założeniu konta." in html.unescape(page.get_data(as_text=True))
    api = client.get(f"/api/v1/services/{svc.id}/quote?product={basic.id}&cycle=monthly", headers=bearer(raw))
    assert api.status_code == 422 and api.get_json() == {
        "error": "refused",
        "detail": "You can move to a smaller package 30 days after you joined.",
        "status": 422,
    }


@pytest.mark.browser
def test_the_discount_on_the_summary_page_and_the_proforma_in_the_browser(page: Page, live_server: str, receiver):
    _customer, svc, _basic, pro = _situation()
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server}/services/{svc.id}/change")
    page.locator(f"input[name=choice][value='{pro.id}:monthly']").check()
    page.get_by_test_id("change-continue").click()
    arithmetic = page.get_by_test_id("summary-arithmetic")
    for figure in ("Pozostało 16 z 31 dni", "-25,81", "51,61", "rabat lojalnościowy -5,16", "20,64", "4,75", "25,39"):
        expect(arithmetic).to_contain_text(figure)
    expect(arithmetic).to_contain_text("15,39")
    expect(page.get_by_test_id("summary-line")).to_have_count(3)
    expect(page.get_by_test_id("summary-line").nth(2)).to_contain_text("Rabat lojalnościowy 10% na Pro")
    expect(page.get_by_test_id("summary-discount")).to_contain_text("-5,16")
    expect(page.get_by_test_id("summary-to-pay")).to_contain_text("15,39")
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("summary-confirm").click()
    expect(page.get_by_test_id("gateway-amount")).to_contain_text("15,39")
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    expect(page.locator("table")).to_contain_text(DISCOUNT_LINE)
    expect(page.get_by_test_id("doc-gross")).to_contain_text("25,39")
    with db.connection():
        outbox.process()
        vat = Document.get(Document.kind == "vat")
    assert [r.json()["number"] for r in receiver.requests] == [vat.number]
