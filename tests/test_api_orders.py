"""The API's catalogue and orders: same rules and errors as the form."""

from __future__ import annotations

from core import clock, db
from core.models import Document
from core.orders.models import Order
from tests.api_helpers import bearer, get_json, token_for
from tests.order_helpers import buyer, package, promo, setup_seller


def _post(client, raw, body, key=""):
    headers = bearer(raw) | ({"Idempotency-Key": key} if key else {})
    return client.post("/api/v1/orders", json=body, headers=headers)


def test_catalogue_and_placing_an_order(app, client):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        basic = package("basic", "Basic", {"monthly": "50.00"})
        promo("API10", value="10.00")
        customer = buyer("api@example.test")
        other = buyer("obcy@example.test")
    raw = token_for(customer)
    data = get_json(client, "/api/v1/catalogue", raw)
    card = data["groups"][0]["packages"][0]
    assert card["prices"]["monthly"] == {"net": "50.00", "gross": "61.50", "vat_rate": "23"}
    body = {
        "items": [{"product_id": basic.id, "cycle": "monthly", "domain": "example.pl"}],
        "accept_terms": "1",
        "payment_method": "banktransfer",
        "promo_code": "api10",
    }
    bad = _post(client, raw, {**body, "items": [{"product_id": basic.id, "cycle": "monthly", "domain": "a b"}]})
    assert bad.status_code == 422 and "domain" in bad.get_json()["fields"]
    unknown = _post(client, raw, {**body, "promo_code": "NOPE"})
    assert unknown.status_code == 422 and unknown.get_json()["error"] == "refused"
    changed = _post(client, raw, {**body, "expected_gross": "1.00"})
    assert changed.status_code == 409
    terms = _post(client, raw, {**body, "accept_terms": "0"})
    assert terms.status_code == 422 and "terms" in terms.get_json()["fields"]
    with db.connection():
        assert Order.select().count() == 0
    placed = _post(client, raw, body, key="k-1")
    assert placed.status_code == 201, placed.get_data(as_text=True)
    answer = placed.get_json()
    assert answer["status"] == "awaiting_payment" and answer["document"]["total_gross"] == "55.35"
    again = _post(client, raw, body, key="k-1")
    assert again.status_code == 200 and again.get_json()["id"] == answer["id"]
    stolen = _post(client, token_for(other), body, key="k-1")
    assert stolen.status_code == 409
    with db.connection():
        assert Order.select().count() == 1 and Document.select().count() == 1
