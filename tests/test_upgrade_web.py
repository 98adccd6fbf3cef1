"""The upgrade flow over HTTP: pages, API, scoping (404), test gateway callbacks."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal as D

import pytest

from core import clock, db
from core.balance_view import balance_of
from core.models import Document, LedgerEntry, Payment, Service
from plugins.testgateway import sign
from tests.helpers import csrf, login, make_customer, make_staff, post_form, staff_login
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        bob = make_customer("bob@example.test")
        billing_profile(alice)
        basic = product("basic", "Basic", {"monthly": "50.00"}, [["Disk", "25 GB"], ["Domains", "5"]])
        pro = product(
            "pro", "Pro", {"monthly": "100.00", "annually": "1000.00"}, [["Disk", "100 GB"], ["Domains", "unlimited"]]
        )
        start = product("start", "Start", {"monthly": "20.00"})
        link(basic, pro, start)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        give_balance(alice, "10.00")
    return {"alice": alice, "bob": bob, "svc": svc, "pro": pro, "start": start}


def _confirm(client, shop, **extra):
    page = client.get(f"/services/{shop['svc'].id}/change/summary?product={shop['pro'].id}&cycle=monthly")
    assert page.status_code == 200
    return client.post(
        f"/services/{shop['svc'].id}/change/confirm",
        data={
            "csrf_token": csrf(client, f"/services/{shop['svc'].id}/change"),
            "product": shop["pro"].id,
            "cycle": "monthly",
            "expected_gross": "31.73",
            **extra,
        },
    )


def test_summary_shows_the_arithmetic_in_polish(client, shop):
    login(client, "alice@example.test")
    choose = client.get(f"/services/{shop['svc'].id}/change").get_data(as_text=True)
    assert "100 GB" in choose and "25 GB" in choose
    html = client.get(f"/services/{shop['svc'].id}/change/summary?choice={shop['pro'].id}:monthly").get_data(
        as_text=True
    )
    text = " ".join(html.split())
    for figure in ("16 z 31", "-25,81", "51,61", "25,80", "5,93", "31,73", "-10,00", "21,73"):
        assert figure in text, figure


def test_bad_choice_rerenders_with_422(client, shop):
    login(client, "alice@example.test")
    response = client.get(f"/services/{shop['svc'].id}/change/summary?product=999&cycle=monthly")
    assert response.status_code == 422


def test_confirm_with_bank_transfer_shows_title_and_staff_record(client, shop):
    login(client, "alice@example.test")
    response = _confirm(client, shop, method="banktransfer")
    html = response.get_data(as_text=True)
    proforma = Document.get(Document.kind == "proforma")
    assert response.status_code == 200 and proforma.number in html and "PL61 1090" in html
    assert proforma.paid == D("10.00")
    staff_client = client.application.test_client()
    make_staff()
    staff_login(staff_client, "staff@example.test")
    for _ in range(2):
        post_form(staff_client, f"/admin/documents/{proforma.id}", {"amount": "21.73", "transaction_id": "BANK-77"})
    assert Payment.select().where(Payment.method == "banktransfer").count() == 1
    assert Service.get_by_id(shop["svc"].id).product_id == shop["pro"].id
    assert "Pro" in client.get(f"/services/{shop['svc'].id}").get_data(as_text=True)


def test_gateway_page_pays_and_applies(client, shop):
    login(client, "alice@example.test")
    response = _confirm(client, shop, method="testgateway")
    assert response.status_code == 302 and "/pay/testgateway/checkout/" in response.location
    post_form(client, response.location, {})
    proforma = Document.get(Document.kind == "proforma")
    assert proforma.status == "paid"
    assert Service.get_by_id(shop["svc"].id).product_id == shop["pro"].id


def _callback(client, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hookbill-Signature"] = signature
    return client.post("/pay/testgateway/callback", data=body, headers=headers)


def test_gateway_callbacks_duplicate_replayed_unsigned(client, shop):
    login(client, "alice@example.test")
    _confirm(client, shop)
    proforma = Document.get(Document.kind == "proforma")
    anonymous = client.application.test_client()
    payload = {
        "document_id": proforma.id,
        "transaction_id": "TG-1",
        "amount": "21.73",
        "currency": "PLN",
        "timestamp": int(clock.now().timestamp()),
    }
    body = json.dumps(payload).encode()
    assert _callback(anonymous, body, None).status_code == 403
    assert _callback(anonymous, body, "0" * 64).status_code == 403
    assert Payment.select().where(Payment.method == "testgateway").count() == 0
    first = _callback(anonymous, body, sign(body))
    assert first.status_code == 200 and first.get_json()["applied"] == "21.73"
    again = _callback(anonymous, body, sign(body))
    assert again.status_code == 409 and again.get_json()["error"] == "duplicate"
    old = json.dumps({**payload, "transaction_id": "TG-2", "timestamp": payload["timestamp"] - 3600}).encode()
    assert _callback(anonymous, old, sign(old)).status_code == 400
    assert Payment.select().where(Payment.method == "testgateway").count() == 1
    assert Document.get_by_id(proforma.id).paid == D("31.73")
    assert balance_of(shop["alice"].id) == 0
    assert LedgerEntry.select().where(LedgerEntry.kind == "overpayment").count() == 0


def test_other_customers_objects_are_404(client, shop):
    login(client, "alice@example.test")
    _confirm(client, shop)
    proforma = Document.get(Document.kind == "proforma")
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    login(client, "bob@example.test")
    sid = shop["svc"].id
    for path in (
        f"/services/{sid}/change",
        f"/services/{sid}/change/summary?product={shop['pro'].id}&cycle=monthly",
        f"/invoices/{proforma.id}",
        f"/pay/testgateway/checkout/{proforma.id}",
        f"/api/v1/services/{sid}/quote?product={shop['pro'].id}&cycle=monthly",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf(client, "/")
    assert client.post(f"/pay/balance/{proforma.id}", data={"csrf_token": token}).status_code == 404
    assert (
        client.post(
            f"/services/{sid}/change/confirm", data={"csrf_token": token, "product": shop["pro"].id, "cycle": "monthly"}
        ).status_code
        == 404
    )


def test_api_quote_and_errors(client, shop):
    login(client, "alice@example.test")
    sid = shop["svc"].id
    ok = client.get(f"/api/v1/services/{sid}/quote?product={shop['pro'].id}&cycle=monthly").get_json()
    assert (ok["credit"], ok["charge"], ok["gross"], ok["balance_applied"], ok["to_pay"]) == (
        "25.81",
        "51.61",
        "31.73",
        "10.00",
        "21.73",
    )
    bad = client.get(f"/api/v1/services/{sid}/quote?product=abc&cycle=monthly")
    assert bad.status_code == 422 and bad.get_json()["fields"]["product"]
    token = csrf(client, "/")
    made = client.post(
        f"/api/v1/services/{sid}/change",
        json={"product": shop["pro"].id, "cycle": "monthly"},
        headers={"X-CSRFToken": token},
    )
    assert made.status_code == 201 and made.get_json()["document"]["amount_due"] == "21.73"
    twice = client.post(
        f"/api/v1/services/{sid}/change",
        json={"product": shop["pro"].id, "cycle": "monthly"},
        headers={"X-CSRFToken": token},
    )
    assert twice.status_code == 409 and twice.get_json()["error"] == "change_pending"


def test_downgrade_is_scheduled_and_can_be_cancelled(client, shop):
    login(client, "alice@example.test")
    sid = shop["svc"].id
    token = csrf(client, f"/services/{sid}/change")
    response = client.post(
        f"/services/{sid}/change/confirm", data={"csrf_token": token, "product": shop["start"].id, "cycle": "monthly"}
    )
    assert response.status_code == 302
    html = client.get(f"/services/{sid}").get_data(as_text=True)
    assert 'data-testid="pending-change"' in html and "Start" in html
    change_page = client.get(f"/services/{sid}/change").get_data(as_text=True)
    assert "/cancel" in change_page
    from core.models import ServiceChange

    change = ServiceChange.get()
    client.post(f"/services/{sid}/change/{change.id}/cancel", data={"csrf_token": token, "confirmed": "1"})
    assert ServiceChange.get_by_id(change.id).status == "cancelled"


def test_admin_balance_adjust_and_catalogue(client, shop):
    make_staff()
    staff_login(client, "staff@example.test")
    cid = shop["alice"].id
    bad = post_form(client, f"/admin/customers/{cid}/balance", {"amount": "-50.00", "reason": "too much"})
    assert bad.status_code == 422 and balance_of(cid) == D("10.00")
    assert post_form(client, f"/admin/customers/{cid}/balance", {"amount": "5.00", "reason": ""}).status_code == 422
    post_form(client, f"/admin/customers/{cid}/balance", {"amount": "-4.00", "reason": "Correction"})
    assert balance_of(cid) == D("6.00")
    pid = shop["start"].id
    post_form(
        client,
        f"/admin/catalogue/products/{pid}",
        {
            "name": "Start+",
            "features": "Disk: 5 GB\nDomains: 1",
            "price_monthly": "22.00",
            "price_annually": "220.00",
            "targets": [str(shop["pro"].id)],
            "active": "on",
        },
    )
    from core.models import Product, ProductPrice

    item = Product.get_by_id(pid)
    assert item.name == "Start+" and item.features == [["Disk", "5 GB"], ["Domains", "1"]]
    assert {p.cycle: p.net_price for p in ProductPrice.select().where(ProductPrice.product == pid)} == {
        "monthly": D("22.00"),
        "annually": D("220.00"),
    }
    bad_price = post_form(client, f"/admin/catalogue/products/{pid}", {"name": "X", "price_monthly": "abc"})
    assert bad_price.status_code == 422
    time.sleep(0)


@pytest.mark.parametrize("app_overrides", [{"testgateway": {"enabled": False}}])
def test_a_disabled_test_gateway_is_never_listed_nor_started(client, shop):
    """The test gateway is switched off the way every method is (``PaymentMethod.enabled``)."""
    login(client, "alice@example.test")
    summary = client.get(f"/services/{shop['svc'].id}/change/summary?product={shop['pro'].id}&cycle=monthly")
    html = summary.get_data(as_text=True)
    assert 'data-testid="method-banktransfer"' in html and 'data-testid="method-testgateway"' not in html
    assert _confirm(client, shop, method="testgateway").status_code == 302  # not started: the proforma's page
    with db.connection():
        proforma = Document.get(Document.kind == "proforma")
    page = client.get(f"/invoices/{proforma.id}").get_data(as_text=True)
    assert 'data-testid="pay-methods"' in page and "/pay/testgateway/" not in page
    tried = post_form(client, f"/pay/testgateway/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}")
    assert tried.status_code == 302 and "/pay/testgateway/checkout/" not in tried.location
    with db.connection():
        assert Document.get_by_id(proforma.id).status == "partially_paid"
