"""A promotion code's maximum holds under concurrency: 20 simultaneous checkouts, 5 uses, 5 orders (both engines)."""

from __future__ import annotations

import threading

from core import clock, db
from core.errors import DomainError
from core.orders.models import Order
from core.orders.placing import place_order
from plugins.promotions.models import PromoUse
from tests.order_helpers import buyer, item, package, promo, setup_seller

CHECKOUTS = 20


def test_twenty_simultaneous_checkouts_with_a_five_use_code_succeed_five_times(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        basic = package("basic", "Basic", {"monthly": "50.00"})
        promo("PIEC", max_uses=5)
        customers = [buyer(f"klient{n}@example.test") for n in range(CHECKOUTS)]
    start = threading.Barrier(CHECKOUTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def checkout(customer) -> None:
        with app.app_context(), db.connection():
            start.wait()
            try:
                place_order(
                    customer, [item(basic)], accept_terms=True, payment_method="banktransfer", promo_code="PIEC"
                )
                result = "placed"
            except DomainError as exc:
                result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=checkout, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("placed") == 5, outcomes
    assert set(outcomes) == {"placed", "refused"}
    with db.connection():
        assert Order.select().count() == 5
        assert PromoUse.select().where(PromoUse.status == "reserved").count() == 5
