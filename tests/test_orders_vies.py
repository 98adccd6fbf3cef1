"""VIES before reverse charge: valid, invalid and unavailable answers, at checkout and on /profile/billing."""

from __future__ import annotations

import pytest

from core import clock, db
from core.errors import Conflict
from core.models import Document
from core.orders.models import Order, VatCheck
from core.orders.placing import place_order
from core.orders.waiting import decide_order, recheck_waiting_orders
from tests.billing_doc_helpers import EU_COMPANY
from tests.helpers import login, make_staff, post_form
from tests.order_helpers import buyer, item, package, setup_seller
from tests.support.vies import fake_vies


@pytest.fixture
def vies_server():
    with fake_vies() as state:
        yield state


@pytest.fixture
def app_overrides(vies_server):
    return {"vies": {"url": vies_server.url, "requester_vat_id": "PL5213017228"}}


@pytest.fixture
def basic(conn):
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    return package("basic", "Basic", {"monthly": "50.00"})


def test_a_valid_vat_id_is_checked_with_the_providers_id_and_invoiced_under_reverse_charge(basic, vies_server):
    customer = buyer("gmbh@example.test", EU_COMPANY)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    check = VatCheck.get_by_id(placed.order.vat_check_id)
    assert (check.status, check.consultation, check.requester) == ("valid", "WAPI00000001", "PL5213017228")
    assert vies_server.requests[0] == {
        "countryCode": "DE",
        "vatNumber": "136695976",
        "requesterMemberStateCode": "PL",
        "requesterNumber": "5213017228",
    }
    assert placed.document.total_vat == 0 and placed.order.status == "awaiting_payment"
    place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    assert len(vies_server.requests) == 1  # the answer is kept with the billing-data version


def test_an_invalid_vat_id_refuses_the_order_and_changes_nothing(basic, vies_server):
    vies_server.valid = set()
    customer = buyer("gmbh@example.test", EU_COMPANY)
    with pytest.raises(Conflict) as refused:
        place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    assert refused.value.code == "vat_id_invalid"
    assert Order.select().count() == 0 and Document.select().count() == 0


def test_when_vies_is_unavailable_the_order_waits_for_the_check_or_for_staff(basic, vies_server):
    vies_server.unavailable = True
    customer = buyer("gmbh@example.test", EU_COMPANY)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    assert (placed.order.status, placed.document) == ("awaiting_check", None)
    assert recheck_waiting_orders() == {"issued": 0, "cancelled": 0, "waiting": 1}
    vies_server.unavailable = False
    assert recheck_waiting_orders()["issued"] == 1
    order = Order.get_by_id(placed.order.id)
    assert order.status == "awaiting_payment" and Document.get_by_id(order.document_id).total_vat == 0
    vies_server.unavailable = True
    second = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer", checkout_token="t2")
    # the first check was valid for this billing-data version: no waiting
    assert second.order.status == "awaiting_payment"


def test_staff_decide_a_waiting_order(basic, vies_server):
    vies_server.unavailable = True
    customer = buyer("gmbh@example.test", EU_COMPANY)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    staff = make_staff()
    decided = decide_order(placed.order.id, True, staff)
    assert decided.status == "awaiting_payment" and decided.document_id
    assert VatCheck.select().where(VatCheck.status == "staff_valid").count() == 1


def test_the_same_check_runs_on_the_billing_data_page(app, client, vies_server):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        buyer("gmbh@example.test")
    login(client, "gmbh@example.test")
    response = post_form(client, "/profile/billing", EU_COMPANY, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "WAPI00000001" in text
    vies_server.valid = set()
    response = post_form(client, "/profile/billing", {**EU_COMPANY, "name": "Müller GmbH"}, follow_redirects=True)
    assert "VIES" in response.get_data(as_text=True)
    with db.connection():
        assert [c.status for c in VatCheck.select().order_by(VatCheck.id)] == ["valid", "invalid"]


def test_a_waiting_order_takes_the_staff_credit_when_its_proforma_is_issued(basic, vies_server):
    """Staff credit granted while the order waited is a discount on its proforma, priced under reverse charge."""
    from decimal import Decimal as D

    from core.balance.credit import parts_of
    from core.documents.issuing import snapshot_of
    from tests.upgrade_helpers import give_balance

    vies_server.unavailable = True
    customer = buyer("gmbh@example.test", EU_COMPANY)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    give_balance(customer, "10.00", kind="staff_credit")
    decided = decide_order(placed.order.id, True, make_staff())
    document = Document.get_by_id(decided.document_id)
    [line] = snapshot_of(document).lines
    assert (line.vat_rate, line.discount, line.net, document.total_gross) == ("oo", D("10.00"), D("40.00"), D("40.00"))
    assert parts_of(customer.id).staff_credit == 0
