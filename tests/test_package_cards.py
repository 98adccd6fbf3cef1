"""The package cards of the change page: one stable order, gross prices for private buyers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from core import clock, db, i18n
from core.models import BillingProfile, Product
from tests.helpers import login, make_customer, make_staff, post_form, staff_login
from tests.upgrade_helpers import link, product, service, setup_seller


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        # Created most expensive first, so that an order by id is not the order by price.
        pro = product("pro", "Pro", {"monthly": "100.00", "annually": "1000.00"})
        basic = product("basic", "Basic", {"monthly": "50.00"})
        start = product("start", "Start", {"monthly": "20.00"})
        mini = product("mini", "Mini", {"annually": "120.00"})  # 10.00 a month
        link(pro, basic, start, mini)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    return {"alice": alice, "svc": svc, "pro": pro, "basic": basic}


def card_order(client, svc):
    page = client.get(f"/services/{svc.id}/change").get_data(as_text=True)
    return re.findall(r'data-testid="option-([a-z]+)"', page), page


def test_cards_are_ordered_by_price_per_month_and_the_current_one_keeps_its_place(client, shop):
    login(client, "alice@example.test")
    order, page = card_order(client, shop["svc"])
    assert order == ["mini", "start", "basic", "pro"]
    assert (
        page.index('data-testid="option-basic"') < page.index("Obecny pakiet") < page.index('data-testid="option-pro"')
    )


def test_staff_set_the_order_in_the_catalogue(client, app, shop):
    staff = app.test_client()
    staff_login(staff, make_staff(role="billing").email)
    path = f"/admin/catalogue/products/{shop['pro'].id}"
    form = {
        "name": "Pro",
        "price_monthly": "100.00",
        "price_annually": "1000.00",
        "active": "on",
        "position": "-1",
        "targets": [str(shop["basic"].id)],
    }
    assert post_form(staff, path, form).status_code == 302
    with db.connection():
        assert Product.get_by_id(shop["pro"].id).position == -1
    refused = post_form(staff, path, {**form, "position": "pierwszy"})
    assert refused.status_code == 422 and "Podaj liczbę całkowitą" in refused.get_data(as_text=True)
    login(client, "alice@example.test")
    order, _page = card_order(client, shop["svc"])
    assert order[0] == "pro"


def test_a_private_buyer_sees_gross_beside_net(client, shop):
    login(client, "alice@example.test")
    _order, page = card_order(client, shop["svc"])
    for cycle, gross in (("monthly", "123.00"), ("annually", "1230.00")):
        shown = re.search(rf'data-testid="gross-pro-{cycle}">\(([^)]*)\)', page).group(1)
        assert shown == f"{i18n.money(Decimal(gross), 'PLN', 'pl')} brutto"


def test_a_company_buyer_sees_net_prices_only(client, shop):
    with db.connection():
        BillingProfile.create(
            customer=shop["alice"],
            kind="company",
            name="Alicja sp. z o.o.",
            tax_id="5213017228",
            address_line1="ul. Długa 5",
            postcode="80-831",
            city="Gdańsk",
            country="PL",
        )
    login(client, "alice@example.test")
    _order, page = card_order(client, shop["svc"])
    assert "brutto" not in page and "netto" in page
