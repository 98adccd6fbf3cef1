"""``hookbill_change_targets``: a plugin leaves packages out of a service's possible changes, everywhere.

The package cards page does not show them, the quote builder refuses them (the
summary page, confirming and the API answer "This service cannot change to
that package."), and the API's list of packages leaves them out. Two plugins
that answer both have their way: a package stays only when both keep it.
"""

from __future__ import annotations

import html
from datetime import date

import pytest

from core import clock, db
from core.models import Document, ServiceChange
from core.upgrades.quoting import change_options
from tests.api_helpers import bearer, token_for
from tests.helpers import csrf, login, make_customer
from tests.refusal_helpers import write_plugin
from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller

NO_RESELLER = '''
from core.hookspecs import hookimpl


@hookimpl
def hookbill_change_targets(service, products):
    """Reseller packages are sold by staff, never changed to by a customer."""
    return [p for p in products if p.slug != "reseller"]
'''

NO_START_FOR_ALICE = '''
from core.hookspecs import hookimpl


@hookimpl
def hookbill_change_targets(service, products):
    """Alice's contract forbids the smallest package; everybody else: no opinion."""
    if service.customer.email != "alice@example.test":
        return None
    return [p for p in products if p.slug != "start"]
'''

REFUSED = "Tej usługi nie można przenieść na ten pakiet."  # "This service cannot change to that package."


@pytest.fixture
def app_overrides(tmp_path):
    folder = tmp_path / "dropins"
    write_plugin(folder, "no_reseller", NO_RESELLER)
    write_plugin(folder, "no_start_for_alice", NO_START_FOR_ALICE)
    return {"plugins": {"folder": str(folder)}}


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        start = product("start", "Start", {"monthly": "20.00"})
        reseller = product("reseller", "Reseller", {"monthly": "300.00"})
        link(basic, pro, start, reseller)
        services = {}
        for email in ("alice@example.test", "bob@example.test"):
            customer = make_customer(email)
            billing_profile(customer)
            services[email] = service(
                customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00"
            )
    return {"services": services, "pro": pro, "start": start, "reseller": reseller}


def _slugs(svc):
    with db.connection():
        return [option.product.slug for option in change_options(svc)]


def test_each_plugin_has_its_way_and_the_current_package_stays(shop):
    services = shop["services"]
    assert _slugs(services["alice@example.test"]) == ["basic", "pro"]  # neither start nor reseller
    assert _slugs(services["bob@example.test"]) == ["start", "basic", "pro"]  # only the reseller package left out


def test_the_cards_page_and_the_api_list_only_what_the_plugins_allow(app, shop):
    svc = shop["services"]["alice@example.test"]
    client = app.test_client()
    login(client, "alice@example.test")
    page = client.get(f"/services/{svc.id}/change").get_data(as_text=True)
    assert 'data-testid="option-pro"' in page and 'data-testid="option-basic"' in page
    assert 'data-testid="option-start"' not in page and 'data-testid="option-reseller"' not in page
    with db.connection():
        raw = token_for(svc.customer)
    listed = client.get(f"/api/v1/services/{svc.id}/packages", headers=bearer(raw))
    assert listed.status_code == 200
    assert [(p["slug"], p["current"]) for p in listed.get_json()["packages"]] == [("basic", True), ("pro", False)]
    assert listed.get_json()["packages"][1]["prices"] == {"monthly": "100.00"}


@pytest.mark.parametrize("target", ["start", "reseller"])
def test_a_package_left_out_is_refused_on_the_summary_on_confirming_and_in_the_api(app, shop, target):
    svc = shop["services"]["alice@example.test"]
    product_id = shop[target].id
    client = app.test_client()
    login(client, "alice@example.test")
    summary = client.get(f"/services/{svc.id}/change/summary?product={product_id}&cycle=monthly")
    assert summary.status_code == 422 and REFUSED in html.unescape(summary.get_data(as_text=True))
    confirmed = client.post(
        f"/services/{svc.id}/change/confirm",
        data={"csrf_token": csrf(client, f"/services/{svc.id}/change"), "product": product_id, "cycle": "monthly"},
    )
    assert confirmed.status_code == 422 and REFUSED in html.unescape(confirmed.get_data(as_text=True))
    with db.connection():
        raw = token_for(svc.customer)
    quote = client.get(f"/api/v1/services/{svc.id}/quote?product={product_id}&cycle=monthly", headers=bearer(raw))
    change = client.post(
        f"/api/v1/services/{svc.id}/change", json={"product": product_id, "cycle": "monthly"}, headers=bearer(raw)
    )
    for answer in (quote, change):
        assert answer.status_code == 422 and answer.get_json()["error"] == "validation"
        assert answer.get_json()["fields"]["product"] == "This service cannot change to that package."
    with db.connection():
        assert not ServiceChange.select().exists() and not Document.select().exists()


def test_another_customer_may_still_change_to_it(app, shop):
    svc = shop["services"]["bob@example.test"]
    client = app.test_client()
    login(client, "bob@example.test")
    summary = client.get(f"/services/{svc.id}/change/summary?product={shop['start'].id}&cycle=monthly")
    assert summary.status_code == 200


def test_the_packages_of_another_customers_service_are_not_found(app, shop):
    with db.connection():
        raw = token_for(shop["services"]["bob@example.test"].customer)
    alice_service = shop["services"]["alice@example.test"]
    answer = app.test_client().get(f"/api/v1/services/{alice_service.id}/packages", headers=bearer(raw))
    assert answer.status_code == 404 and answer.mimetype == "application/json"
