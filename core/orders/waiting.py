"""Orders waiting for VIES: asked again by the cron job, or decided by staff.

An order from a buyer with an EU VAT ID that VIES could not check is placed as
``awaiting_check``, without a proforma (:mod:`core.orders.placing`). The
``orders`` cron job asks VIES again (:func:`recheck_waiting_orders`): a valid
answer issues the proforma with the order's frozen lines and the order waits
for payment; an invalid one cancels the order, and the customer is told. Staff
may decide instead (:func:`decide_order`), with the same two outcomes.
"""

from __future__ import annotations

from typing import Any

from core import activity, db
from core.errors import Conflict, NotFound
from core.i18n import N_
from core.models import Customer
from core.orders import vies
from core.orders.cancelling import cancel_order
from core.orders.models import Order
from core.orders.placing import frozen_lines, issue_proforma


def _release(order_id: int, valid: bool, *, actor: Any = None, ip: str = "") -> Order:
    """Issue the proforma of a waiting order (valid) or cancel it (invalid)."""
    if not valid:
        return cancel_order(order_id, actor=actor, reason="vat_id_invalid", ip=ip)
    with db.write_transaction():
        order = Order.get_by_id(order_id)
        db.lock_customer(order.customer_id)
        order = Order.get_by_id(order_id)
        if order.status != "awaiting_check":
            raise Conflict(N_("This order does not wait for a check."), code="order_not_waiting")
        Order.update(status="awaiting_payment").where(Order.id == order.id).execute()
        issue_proforma(Order.get_by_id(order.id), frozen_lines(order))
        activity.record("order.checked", actor=actor, subject=order, customer_id=order.customer_id, ip=ip)
    return Order.get_by_id(order_id)


def decide_order(order_id: int, valid: bool, staff: Any, *, ip: str = "") -> Order:
    """Staff decide on the EU VAT ID of a waiting order: valid issues its proforma, invalid cancels it."""
    order = Order.get_or_none(Order.id == order_id)
    if order is None:
        raise NotFound("order")
    if order.status != "awaiting_check":
        raise Conflict(N_("This order does not wait for a check."), code="order_not_waiting")
    with db.write_transaction():
        vies.decide(Customer.get_by_id(order.customer_id), valid, staff, ip=ip)
    return _release(order_id, valid, actor=staff, ip=ip)


def recheck_waiting_orders() -> dict[str, int]:
    """Cron: ask VIES again for every waiting order's buyer (module docstring)."""
    done = {"issued": 0, "cancelled": 0, "waiting": 0}
    for order in list(Order.select().where(Order.status == "awaiting_check")):
        check = vies.check_customer(order.customer, force=True)
        status = check.status if check is not None else "valid"
        if status == "unavailable":
            done["waiting"] += 1
            continue
        try:
            _release(order.id, status in vies.ACCEPTED)
        except Conflict:
            continue
        done["issued" if status in vies.ACCEPTED else "cancelled"] += 1
    return done
