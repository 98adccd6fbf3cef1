"""``security.require_verified_email``: no order and no payment before the address is confirmed.

The customer sees why, with a button that sends the link again; the API says
so in JSON; staff see unconfirmed accounts marked in the customer list and on
the customer page. Switched off (the default), nothing changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import clock, db, outbox
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Customer, Document, Payment, ServiceChange
from tests.api_helpers import bearer, token_for
from tests.helpers import csrf_from, login, make_customer, make_staff, staff_login
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

REQUIRED = {"security": {"require_verified_email": True}}


def unverified_customer_with_a_proforma() -> tuple[Customer, Document]:
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ala@example.test")
        billing_profile(customer)
        with db.write_transaction():
            line = LineInput("Hosting", Decimal(1), "szt.", Decimal("100.00"))
            proforma = issue_document(customer, "proforma", [line])
        give_balance(customer, "50.00")  # after the proforma: the balance is one of the ways to pay it
        Customer.update(email_verified_at=None).where(Customer.id == customer.id).execute()
        return Customer.get_by_id(customer.id), proforma


def pay(client, document: Document, method: str = "banktransfer"):
    token = csrf_from(client.get("/").get_data(as_text=True))  # the logout form's token is the session's
    return client.post(f"/pay/{method}/{document.id}", data={"csrf_token": token})


@pytest.mark.parametrize("app_overrides", [REQUIRED])
def test_paying_waits_for_a_confirmed_address_and_says_how(app, client, smtp_server):
    _customer, proforma = unverified_customer_with_a_proforma()
    login(client, "ala@example.test")
    page = client.get(f"/invoices/{proforma.id}").get_data(as_text=True)
    assert 'data-testid="verify-notice"' in page and 'data-testid="pay-methods"' not in page
    for method in ("banktransfer", "testgateway", "balance"):
        refused = pay(client, proforma, method)
        assert refused.status_code == 403
        text = refused.get_data(as_text=True)
        assert "Potwierdź adres e-mail, zanim zamówisz lub zapłacisz" in text and 'data-testid="verify-resend"' in text
    with db.connection():
        assert Payment.select().count() == 0
    # The button sends the link again; following it lets the customer pay.
    resent = client.post("/verify/resend", data={"csrf_token": csrf_from(page), "back": f"/invoices/{proforma.id}"})
    assert resent.headers["Location"] == f"/invoices/{proforma.id}"
    with db.connection():
        outbox.process()
    link_token = smtp_server.wait_for(lambda m: "/verify/" in m.text()).text().split("/verify/")[1].split()[0]
    assert client.get(f"/verify/{link_token}").headers["Location"] == "/"
    assert pay(client, proforma).status_code == 200  # the bank transfer instructions
    page = client.get(f"/invoices/{proforma.id}").get_data(as_text=True)
    assert 'data-testid="pay-methods"' in page and 'data-testid="verify-notice"' not in page


@pytest.mark.parametrize("app_overrides", [REQUIRED])
def test_a_package_change_is_an_order_and_waits_too(app, client):
    customer, _proforma = unverified_customer_with_a_proforma()
    with db.connection():
        basic, pro = product("basic", "Basic", {"monthly": "50.00"}), product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    login(client, "ala@example.test")
    summary = client.get(f"/services/{svc.id}/change/summary?product={pro.id}&cycle=monthly")
    form = {"csrf_token": csrf_from(summary.get_data(as_text=True)), "product": str(pro.id), "cycle": "monthly"}
    refused = client.post(f"/services/{svc.id}/change/confirm", data=form)
    assert refused.status_code == 403
    assert 'data-testid="verify-resend"' in refused.get_data(as_text=True)
    api = client.post(
        f"/api/v1/services/{svc.id}/change",
        json={"product": pro.id, "cycle": "monthly"},
        headers=bearer(token_for(customer)),
    )
    assert api.status_code == 403
    assert api.get_json()["error"] == "email_unverified"
    with db.connection():
        assert ServiceChange.select().count() == 0


@pytest.mark.parametrize("app_overrides", [REQUIRED])
def test_the_link_is_sent_again_a_few_times_an_hour_at_most(app, client, smtp_server):
    unverified_customer_with_a_proforma()
    login(client, "ala@example.test")
    for _ in range(3):
        page = client.get("/").get_data(as_text=True)
        assert 'data-testid="verify-notice"' in page
        client.post("/verify/resend", data={"csrf_token": csrf_from(page)})
    page = client.get("/").get_data(as_text=True)
    refused = client.post("/verify/resend", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Wysłaliśmy już link kilka razy" in refused.get_data(as_text=True)
    with db.connection():
        outbox.process()
    assert len([m for m in smtp_server.messages if "/verify/" in m.text()]) == 3


def test_without_the_switch_an_unconfirmed_customer_pays(app, client):
    _customer, proforma = unverified_customer_with_a_proforma()
    login(client, "ala@example.test")
    assert 'data-testid="verify-notice"' not in client.get("/").get_data(as_text=True)
    assert pay(client, proforma).status_code == 200


def test_staff_see_unconfirmed_addresses(app, client):
    unverified_customer_with_a_proforma()
    make_customer("bob@example.test")  # confirmed
    make_staff()
    staff_login(client, "staff@example.test")
    listing = client.get("/admin/customers").get_data(as_text=True)
    assert listing.count('data-testid="email-unverified"') == 1
    assert "E-mail niepotwierdzony" in listing
    with db.connection():
        ala = Customer.get(Customer.email == "ala@example.test")
        bob = Customer.get(Customer.email == "bob@example.test")
    assert 'data-testid="email-unverified"' in client.get(f"/admin/customers/{ala.id}").get_data(as_text=True)
    assert 'data-testid="email-unverified"' not in client.get(f"/admin/customers/{bob.id}").get_data(as_text=True)
