"""Placing an order and paying it: the proforma, the VAT invoice, the services, mails and hooks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import clock, runtime
from core.documents.issuing import snapshot_of
from core.errors import Conflict, ValidationError
from core.hookspecs import HookRefused, hookimpl
from core.models import Document, OutboxMessage, Product, Service
from core.orders.cancelling import cancel_unpaid_orders
from core.orders.catalogue import catalogue
from core.orders.models import Order, OrderService
from core.orders.placing import place_order
from plugins.promotions.models import PromoUse
from tests.order_helpers import PRIVATE, buyer, day, item, package, pay, promo, setup_seller


@pytest.fixture
def shop(conn):
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    basic = package("basic", "Basic", {"monthly": "50.00", "annually": "500.00"}, position=1)
    pro = package("pro", "Pro", {"monthly": "100.00"}, position=2)
    return basic, pro


def test_catalogue_lists_packages_in_a_stable_order_with_net_and_gross(shop):
    _basic, _pro = shop
    package("vps-s", "VPS S", {"monthly": "80.00"}, group="vps")
    hidden = package("hidden", "Hidden", {"monthly": "1.00"})
    Product.update(active=False).where(Product.id == hidden.id).execute()
    groups = catalogue()
    assert [g.group.slug for g in groups] == ["hosting", "vps"]
    assert [c.product.slug for c in groups[0].packages] == ["basic", "pro"]
    monthly = groups[0].packages[0].price("monthly")
    assert (monthly.net, monthly.gross) == (D("50.00"), D("61.50"))
    assert groups[0].packages[0].price("annually").gross == D("615.00")


def test_an_order_with_a_code_is_one_proforma_with_a_discount_on_its_line_then_paid_and_provisioned(shop):
    basic, pro = shop
    promo("START20")
    customer = buyer("firma@example.test")
    calls = []

    class Listener:
        @hookimpl
        def on_order_placed(self, order, quote):
            calls.append(("on_order_placed", order.id, str(quote.gross)))

        @hookimpl
        def on_service_created(self, service, order):
            calls.append(("on_service_created", service.status, service.anchor_date.isoformat()))

    runtime.current().pm.register(Listener(), name="listener")
    placed = place_order(
        customer,
        [item(basic, domain="example.pl"), item(pro, domain="sklep.example.pl")],
        accept_terms=True,
        payment_method="testgateway",
        promo_code="start20",
    )
    order, proforma = placed.order, placed.document
    assert order.status == "awaiting_payment" and order.promo_code == "START20"
    snap = snapshot_of(proforma)
    assert [(ln.unit_net, ln.discount, ln.net) for ln in snap.lines] == [
        (D("50.00"), D("10.00"), D("40.00")),
        (D("100.00"), D("20.00"), D("80.00")),
    ]
    assert all(ln.net > 0 for ln in snap.lines)
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (D("120.00"), D("27.60"), D("147.60"))
    assert PromoUse.get(PromoUse.order_id == order.id).status == "reserved"
    clock.freeze("2026-03-18T09:00:00")
    pay(proforma)
    order = Order.get_by_id(order.id)
    assert order.status == "paid"
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    assert [ln.discount for ln in snapshot_of(invoice).lines] == [D("10.00"), D("20.00")]
    services = [link.service for link in OrderService.select().where(OrderService.order == order)]
    assert [(s.label, s.status, s.anchor_date, s.next_due) for s in services] == [
        ("example.pl", "active", day("2026-03-18"), day("2026-04-18")),
        ("sklep.example.pl", "active", day("2026-03-18"), day("2026-04-18")),
    ]
    # a first-period code: renewals at the catalogue price, a change prorates from what was charged
    assert [(s.recurring_net, s.period_net) for s in services] == [(D("50.00"), D("40.00")), (D("100.00"), D("80.00"))]
    assert PromoUse.get(PromoUse.order_id == order.id).status == "used"
    kinds = [m.kind for m in OutboxMessage.select().order_by(OutboxMessage.id)]
    assert kinds.count("provisioning") == 2
    mails = [m.payload["subject"] for m in OutboxMessage.select().where(OutboxMessage.kind == "mail")]
    assert any("Z/2026/" in s for s in mails)
    assert ("on_service_created", "pending", "2026-03-18") in calls
    assert calls[0][0] == "on_order_placed"


def test_a_consumer_without_the_early_start_request_starts_after_the_withdrawal_period(shop):
    basic, _ = shop
    customer = buyer("ola@example.test", PRIVATE)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="testgateway")
    pay(placed.document)
    service = Service.get(Service.customer == customer)
    assert (service.status, service.anchor_date) == ("pending", day("2026-03-30"))
    assert Order.get_by_id(placed.order.id).early_start_at is None
    from core.orders.paying import start_due_services

    assert start_due_services(day("2026-03-29")) == 0
    assert start_due_services(day("2026-03-30")) == 1
    assert Service.get_by_id(service.id).status == "active"


def test_bad_input_changes_nothing(shop):
    basic, pro = shop
    customer = buyer("firma@example.test")
    promo("OLD", valid_to=day("2026-01-31"))

    def attempt(items, **kwargs):
        kwargs.setdefault("accept_terms", True)
        kwargs.setdefault("payment_method", "testgateway")
        return place_order(customer, items, **kwargs)

    with pytest.raises(HookRefused) as refused:
        attempt([item(basic)], promo_code="NOPE")
    assert "NOPE" in str(refused.value.message)
    with pytest.raises(HookRefused):
        attempt([item(basic)], promo_code="OLD")
    with pytest.raises(ValidationError) as bad:
        attempt([item(basic, domain="http://example.pl/")])
    assert "domain" in bad.value.errors
    Product.update(active=False).where(Product.id == pro.id).execute()
    with pytest.raises(ValidationError) as gone:
        attempt([item(pro)])
    assert gone.value.errors == {"product": "This package cannot be ordered."}
    with pytest.raises(ValidationError) as terms:
        attempt([item(basic)], accept_terms="")
    assert "terms" in terms.value.errors
    with pytest.raises(Conflict) as changed:
        attempt([item(basic)], expected_gross="10.00")
    assert changed.value.code == "quote_changed"
    assert Order.select().count() == 0 and Document.select().count() == 0 and PromoUse.select().count() == 0
    first = attempt([item(basic)], checkout_token="tok-1")
    again = attempt([item(basic)], checkout_token="tok-1")
    assert again.duplicate and again.order.id == first.order.id
    assert Order.select().count() == 1 and Document.select().count() == 1
    stranger = buyer("obcy@example.test")
    with pytest.raises(Conflict):
        place_order(stranger, [item(basic)], accept_terms=True, payment_method="testgateway", checkout_token="tok-1")


def test_an_unpaid_order_is_cancelled_by_the_cron_job_and_its_code_released(shop):
    basic, _ = shop
    promo("ONCE", max_uses=1)
    customer = buyer("firma@example.test")
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer", promo_code="ONCE")
    other = buyer("druga@example.test")
    with pytest.raises(HookRefused):
        place_order(other, [item(basic)], accept_terms=True, payment_method="banktransfer", promo_code="ONCE")
    assert cancel_unpaid_orders(day("2026-03-29")) == 0
    assert cancel_unpaid_orders(day("2026-03-31")) == 1
    assert Order.get_by_id(placed.order.id).status == "cancelled"
    assert Document.get_by_id(placed.document.id).status == "cancelled"
    assert PromoUse.get(PromoUse.order_id == placed.order.id).status == "released"
    assert place_order(other, [item(basic)], accept_terms=True, payment_method="banktransfer", promo_code="ONCE")
    subjects = [m.payload["subject"] for m in OutboxMessage.select().where(OutboxMessage.kind == "mail")]
    assert any("anulowane" in s for s in subjects), subjects


def test_unpaid_days_count_from_the_providers_calendar_day(shop):
    basic, _ = shop
    clock.freeze("2026-03-17T00:30:00")  # 16 March in UTC, 17 March in Warsaw
    customer = buyer("poznonocna@example.test")
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    assert placed.order.created_at.date() == day("2026-03-16")
    assert cancel_unpaid_orders(day("2026-03-31")) == 0  # 14 days after the 17th is the 31st
    assert cancel_unpaid_orders(day("2026-04-01")) == 1
    assert Order.get_by_id(placed.order.id).status == "cancelled"


def test_on_order_quote_lines_are_priced_by_the_core_and_a_refusal_is_a_message(shop):
    basic, _ = shop
    customer = buyer("firma@example.test")

    class Setup:
        @hookimpl
        def on_order_quote(self, quote):
            if any(i.domain.endswith(".test") for i in quote.items):
                raise HookRefused("We do not host .test domains.")
            quote.add_line("fee", "Opłata instalacyjna", D("10.00"), label="Setup fee")
            quote.net = D("999.99")  # overwritten by the core

    runtime.current().pm.register(Setup(), name="setup-fee")
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    snap = snapshot_of(placed.document)
    assert [ln.description for ln in snap.lines][1] == "Opłata instalacyjna"
    assert (snap.total_net, snap.total_gross, placed.order.total_gross) == (D("60.00"), D("73.80"), D("73.80"))
    with pytest.raises(HookRefused):
        place_order(customer, [item(basic, domain="x.test")], accept_terms=True, payment_method="banktransfer")
    assert Order.select().count() == 1
