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


def _renewal_line(service):
    from core.documents.issuing import snapshot_of
    from core.models import Document
    from core.renewals.issuing import issue_renewal

    issue_renewal(service.id)
    proforma = (
        Document.select()
        .where(
            (Document.purpose == "renewal")
            & (Document.kind == "proforma")
            & (Document.purpose_ref == service.id)
            & (Document.status != "cancelled")
        )
        .order_by(Document.id.desc())
        .get()
    )
    [line] = snapshot_of(proforma).lines
    return proforma, line


def test_a_recurring_code_renews_at_the_list_price_with_its_discount_as_rabat(catalogue):
    """hookbill_renewal_list_price: the renewal shows the price and the code's discount, as the order did."""
    basic, pro, _vps = catalogue
    promo("ZAWSZE", value="10.00", recurring=True, products=[basic.id, pro.id])
    service = _ordered(basic, "ZAWSZE")
    proforma, line = _renewal_line(service)
    assert (line.unit_net, line.discount, line.net) == (D("62.00"), D("6.20"), D("55.80"))
    assert (proforma.total_net, proforma.total_gross) == (D("55.80"), D("68.63"))
    # carried over to Pro by a package change: the catalogue's price of Pro less the code
    clock.freeze("2026-03-17T10:00:00")
    pay(confirm_change(service.customer_id, service.id, pro.id, "monthly").document, "TG-2")
    service = Service.get_by_id(service.id)
    assert service.recurring_net == D("111.60")
    _proforma, line = _renewal_line(service)  # the open renewal was re-priced for Pro
    assert (line.unit_net, line.discount, line.net) == (D("124.00"), D("12.40"), D("111.60"))


def test_a_price_set_by_hand_renews_as_it_is(catalogue):
    basic, _pro, _vps = catalogue
    promo("RAZ", value="50.00")  # a first-period code: the service renews at the catalogue price
    service = _ordered(basic, "RAZ")
    _proforma, line = _renewal_line(service)
    assert (line.unit_net, line.discount, line.net) == (D("62.00"), D("0.00"), D("62.00"))
    Service.update(recurring_net=D("50.00")).where(Service.id == service.id).execute()  # staff's own price
    other = buyer("inna@example.test")
    hand = Service.create(
        customer=other,
        product=basic,
        cycle="monthly",
        anchor_date=service.anchor_date,
        period_start=service.period_start,
        next_due=service.next_due,
        recurring_net=D("50.00"),
        status="active",
    )
    _proforma, line = _renewal_line(hand)
    assert (line.unit_net, line.discount) == (D("50.00"), D("0.00"))
