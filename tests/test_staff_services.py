"""Staff add a service by hand; renewals take it from there; its first proforma activates it when paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import db
from core.errors import ValidationError
from core.models import ActivityLog, Document, Service
from core.renewals.issuing import issue_due_renewals
from core.services.manual import add_service


@pytest.fixture
def shop(app, hookbill_make, hookbill_clock):
    hookbill_clock.freeze("2026-03-16T12:00:00")
    hookbill_make.seller()
    customer = hookbill_make.customer("ala@example.test", billing="company")
    product = hookbill_make.product("Hosting Pro", prices={"monthly": "100.00", "annually": "1000.00"})
    staff = hookbill_make.staff("kasia@example.test", role="billing")
    return customer, product, staff


def test_a_customer_moved_in_gets_nothing_until_the_renewal_then_the_renewal_proforma(shop, hookbill_clock):
    customer, product, staff = shop
    with db.connection():
        added = add_service(
            customer.id,
            product_id=product.id,
            cycle="annually",
            next_due="2026-05-31",
            price="900.00",
            label="example.pl",
            staff=staff,
        )
        service = Service.get_by_id(added.service.id)
        assert added.document is None and Document.select().count() == 0
        assert (service.status, service.anchor_date, service.period_start, service.next_due) == (
            "active",
            date(2026, 5, 31),
            date(2025, 5, 31),
            date(2026, 5, 31),
        )
        assert service.recurring_net == Decimal("900.00")
        assert ActivityLog.get(ActivityLog.action == "service.added_by_staff").actor_kind == "staff"
        # the renewal job issues nothing while the due date is more than 14 days away...
        assert issue_due_renewals(date(2026, 5, 16)) == {"issued": 0, "repriced": 0}
        # ...and the next period's proforma 14 days before it, at the price staff set
        hookbill_clock.freeze("2026-05-17T08:00:00")
        assert issue_due_renewals()["issued"] == 1
        renewal = Document.get(Document.purpose == "renewal")
        assert renewal.total_net == Decimal("900.00") and renewal.due_date == date(2026, 5, 31)
        assert "2026-05-31 – 2027-05-30" in renewal.snapshot["lines"][0]["description"]


def test_a_pending_service_with_a_first_proforma_is_activated_when_it_is_paid(shop, hookbill_make, hookbill_outbox):
    customer, product, staff = shop
    with db.connection():
        added = add_service(
            customer.id,
            product_id=product.id,
            cycle="monthly",
            next_due="2026-04-16",
            status="pending",
            label="example.pl",
            with_proforma=True,
            staff=staff,
        )
    proforma = added.document
    assert proforma is not None and proforma.purpose == "service" and proforma.total_gross == Decimal("123.00")
    assert proforma.snapshot["lines"][0]["description"].endswith("2026-03-16 – 2026-04-15")
    assert hookbill_outbox.pending("provisioning") == []
    hookbill_make.pay(proforma)
    with db.connection():
        assert Service.get_by_id(added.service.id).status == "active"
        assert Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id)).status == "paid"
    assert hookbill_outbox.pending("provisioning") == [{"service_id": added.service.id, "action": "create"}]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"next_due": "2026-03-15"}, "next_due"),
        ({"next_due": "jutro"}, "next_due"),
        ({"next_due": "2029-04-01"}, "next_due"),
        ({"price": "-1"}, "price"),
        ({"price": "10.001"}, "price"),
        ({"cycle": "weekly"}, "cycle"),
        ({"cycle": "quarterly"}, "price"),  # no catalogue price for it, and none typed
        ({"status": "terminated"}, "status"),
        ({"product_id": "999"}, "product"),
    ],
)
def test_bad_input_names_its_field_and_stores_nothing(shop, fields, field):
    customer, product, staff = shop
    values = {"product_id": product.id, "cycle": "monthly", "next_due": "2026-04-16", **fields}
    with db.connection():
        with pytest.raises(ValidationError) as raised:
            add_service(customer.id, staff=staff, with_proforma=True, **values)
        assert field in raised.value.errors
        assert Service.select().count() == 0 and Document.select().count() == 0


def test_the_admin_form_adds_a_service_and_shows_bad_input_again(shop, client):
    customer, product, staff = shop
    client.staff_login(staff.email, "correct horse battery")
    client.language("en", page="/admin/")
    page = f"/admin/customers/{customer.id}/services/new"
    bad = client.post_form(page, {"product": product.id, "cycle": "monthly", "next_due": "2026-01-01", "price": "x"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "The next due date cannot be in the past." in text and "Enter an amount, e.g. 21.73." in text
    assert 'value="x"' in text  # what was typed stays
    with db.connection():
        assert Service.select().count() == 0
    done = client.post_form(
        page,
        {"product": product.id, "cycle": "monthly", "next_due": "2026-04-16", "status": "active", "label": "a.pl"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "The service was added; no document was issued." in done.get_data(as_text=True)
    with db.connection():
        assert Service.get().label == "a.pl"


def test_support_staff_cannot_add_a_service(shop, client, hookbill_make):
    customer, _product, _staff = shop
    support = hookbill_make.staff("pomoc@example.test", role="support")
    client.staff_login(support.email, "correct horse battery")
    assert client.get(f"/admin/customers/{customer.id}/services/new").status_code == 403
