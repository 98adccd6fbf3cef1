"""After an order with a code: a change prorates from the price charged; a recurring code carries over in scope."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import clock
from core.models import Service
from core.orders.placing import place_order
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from plugins.promotions.models import PromoService
from tests.order_helpers import buyer, item, package, pay, promo, setup_seller
from tests.upgrade_helpers import link


@pytest.fixture
def catalogue(conn):
    clock.freeze("2026-03-01T10:00:00")
    setup_seller()
    basic = package("basic", "Basic", {"monthly": "62.00"})
    pro = package("pro", "Pro", {"monthly": "124.00"})
    vps = package("vps", "VPS", {"monthly": "200.00"}, group="vps")
    link(basic, pro, vps)
    return basic, pro, vps


def _ordered(basic, code):
    customer = buyer("firma@example.test")
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="testgateway", promo_code=code)
    pay(placed.document)
    return Service.get(Service.customer == customer)


def test_a_first_period_code_prorates_the_change_from_the_price_charged(catalogue):
    basic, pro, _ = catalogue
    promo("RAZ", value="50.00")
    service = _ordered(basic, "RAZ")
    assert (service.recurring_net, service.period_net) == (D("62.00"), D("31.00"))
    clock.freeze("2026-03-17T10:00:00")  # 15 of 31 days left
    quote = build_quote(service, pro.id, "monthly")
    assert quote.old_price == D("31.00") and quote.credit == D("15.00")


def test_a_recurring_code_carries_over_only_within_its_scope(catalogue):
    basic, pro, vps = catalogue
    promo("ZAWSZE", value="10.00", recurring=True, products=[basic.id, pro.id])
    service = _ordered(basic, "ZAWSZE")
    assert service.recurring_net == D("55.80") and service.period_net is None
    assert PromoService.select().where(PromoService.service_id == service.id).exists()
    clock.freeze("2026-03-17T10:00:00")
    assert build_quote(service, pro.id, "monthly").new_price == D("111.60")  # Pro at 10% off
    assert build_quote(service, vps.id, "monthly").new_price == D("200.00")  # outside the scope: full price
    result = confirm_change(service.customer_id, service.id, vps.id, "monthly")
    pay(result.document, "TG-2")
    service = Service.get_by_id(service.id)
    assert service.recurring_net == D("200.00")
    assert not PromoService.select().where(PromoService.service_id == service.id).exists()
