"""The shop's pages: bad input on the forms, another customer's order, staff's list and order page."""

from __future__ import annotations

from core import clock, db
from core.orders.models import Order
from core.orders.placing import place_order
from tests.helpers import csrf, login, make_staff, post_form, staff_login
from tests.order_helpers import PRIVATE, buyer, item, package, promo, setup_seller


def test_cart_bad_input_and_staff_orders(app, client):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        basic = package("basic", "Basic", {"monthly": "50.00"})
        promo("OLD", valid_to=clock.today().replace(day=1))
        owner = buyer("ola@example.test", PRIVATE)
        placed = place_order(owner, [item(basic)], accept_terms=True, payment_method="banktransfer", early_start=True)
        buyer("obcy@example.test")
        make_staff("szef@example.test")
    page = client.get("/order")
    assert page.status_code == 200 and "61,50" in page.get_data(as_text=True)
    bad = post_form(client, "/order/basic", {"cycle": "monthly", "domain": "nie domena"})
    assert bad.status_code == 422
    assert post_form(client, "/order/basic", {"cycle": "weekly", "domain": "ok.pl"}).status_code == 422
    assert client.get("/order/nope").status_code == 404
    added = post_form(client, "/order/basic", {"cycle": "monthly", "domain": "ok.pl"}, form_page="/order/basic")
    assert added.status_code == 302
    refused = post_form(client, "/cart", {"promo_code": "OLD"})
    assert refused.status_code == 422 and "OLD" in refused.get_data(as_text=True)
    login(client, "obcy@example.test")
    assert client.get(f"/orders/{placed.order.id}").status_code == 404
    cart = client.get("/checkout")
    assert cart.status_code == 200  # the cart survived the login
    token = csrf(client, "/checkout")
    twice = [
        client.post(
            "/checkout",
            data={
                **PRIVATE,
                "accept_terms": "1",
                "payment_method": "banktransfer",
                "checkout_token": "dbl",
                "csrf_token": token,
            },
        )
        for _ in range(2)
    ]
    # the bank transfer's instructions, then the order the first click placed
    assert [r.status_code for r in twice] == [200, 302] and "/orders/" in twice[1].headers["Location"]
    with db.connection():
        assert Order.select().where(Order.checkout_token == "dbl").count() == 1
    staff = app.test_client()
    staff_login(staff, "szef@example.test")
    listing = staff.get("/admin/orders?status=awaiting_payment").get_data(as_text=True)
    assert listing.count('data-testid="order-row"') == 2
    detail = staff.get(f"/admin/orders/{placed.order.id}").get_data(as_text=True)
    assert "wersja 1" in detail and "UTC" in detail
    cancelled = post_form(
        staff, f"/admin/orders/{placed.order.id}/cancel", {}, form_page=f"/admin/orders/{placed.order.id}"
    )
    assert cancelled.status_code == 302
    with db.connection():
        assert Order.get_by_id(placed.order.id).status == "cancelled"
