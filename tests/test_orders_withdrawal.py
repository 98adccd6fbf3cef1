"""A consumer's withdrawal: days used paid (art. 35), a correcting invoice, the refund by method or to the balance."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import clock
from core.balance_view import balance_of
from core.documents.issuing import snapshot_of
from core.errors import Conflict
from core.models import Document, LedgerEntry, Service
from core.orders.models import Order
from core.orders.placing import place_order
from core.orders.withdrawal import withdraw
from tests.order_helpers import PRIVATE, buyer, item, package, pay, setup_seller


@pytest.fixture
def paid(conn):
    clock.freeze("2026-03-01T10:00:00")
    setup_seller()
    basic = package("basic", "Basic", {"monthly": "62.00"})
    customer = buyer("ola@example.test", PRIVATE)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="testgateway", early_start=True)
    pay(placed.document)
    return customer, placed.order


def test_withdrawing_pays_for_the_days_used_and_refunds_the_rest_by_the_method_used(paid):
    customer, order = paid
    clock.freeze("2026-03-11T10:00:00")  # 10 of 31 days used
    correction = withdraw(customer.id, order.id)
    snap = snapshot_of(correction)
    assert snap.corrected is not None and [ln.net for ln in snap.corrected.lines_after] == [D("20.00")]
    assert (correction.total_net, correction.total_gross) == (D("-42.00"), D("-51.66"))
    kinds = [(e.kind, e.amount) for e in LedgerEntry.select().order_by(LedgerEntry.id)]
    assert kinds[-2:] == [("correction_credit", D("51.66")), ("refund", D("-51.66"))]
    assert balance_of(customer.id) == 0
    assert Order.get_by_id(order.id).status == "withdrawn"
    assert Service.get(Service.customer == customer).status == "cancelled"
    with pytest.raises(Conflict):
        withdraw(customer.id, order.id)


def test_the_consumer_may_choose_the_balance_instead(paid):
    customer, order = paid
    clock.freeze("2026-03-15T10:00:00")
    correction = withdraw(customer.id, order.id, refund_to="balance")
    assert balance_of(customer.id) == -correction.total_gross > 0
    assert Document.get_by_id(correction.id).kind == "correction"


def test_the_window_closes_after_the_withdrawal_period(paid):
    customer, order = paid
    clock.freeze("2026-03-15T10:00:00")  # ordered on 1 March: the 14 days end on the 15th (art. 30)
    from core.orders.withdrawal import withdrawal_open

    assert withdrawal_open(Order.get_by_id(order.id))
    clock.freeze("2026-03-16T10:00:00")
    assert not withdrawal_open(Order.get_by_id(order.id))
    with pytest.raises(Conflict):
        withdraw(customer.id, order.id)


def test_the_period_counts_from_the_providers_calendar_day_not_the_utc_one(conn):
    # 00:30 in Warsaw on 2 March is still 1 March in UTC: the contract was concluded on
    # 2 March, so the 14 days end on the 16th.
    clock.freeze("2026-03-02T00:30:00")
    setup_seller()
    basic = package("basic", "Basic", {"monthly": "62.00"})
    customer = buyer("nocna@example.test", PRIVATE)
    placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="testgateway", early_start=True)
    pay(placed.document)
    from core.orders.withdrawal import withdrawal_deadline, withdrawal_open

    order = Order.get_by_id(placed.order.id)
    assert order.created_at.date().isoformat() == "2026-03-01"  # stored in UTC
    assert withdrawal_deadline(order).isoformat() == "2026-03-16"
    clock.freeze("2026-03-16T23:00:00")
    assert withdrawal_open(Order.get_by_id(order.id))
