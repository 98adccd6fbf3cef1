"""Cancelling an unpaid order: by the cron job after ``orders.unpaid_cancel_days``, by staff, or by hand.

:func:`cancel_order` runs in one write transaction under the customer's money
lock: the order's open proforma is cancelled (what was paid on it, e.g. from
the balance, goes back to the credit balance) and ``on_invoice_cancelled``
runs for it (the promotions plugin releases the code's reserved use there);
the order becomes ``cancelled`` and the customer gets the ``order_cancelled``
mail. A paid order is never cancelled here (a consumer withdraws instead:
:mod:`core.orders.withdrawal`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core import activity, clock, db, mail
from core.errors import Conflict, NotFound
from core.i18n import N_, document_text
from core.models import Document
from core.orders import terms
from core.orders.models import Order
from core.upgrades.apply import release_document

OPEN = ("awaiting_check", "awaiting_payment")


def cancel_order(order_id: int, *, actor: Any = None, reason: str = "", ip: str = "") -> Order:
    """Cancel the unpaid order ``order_id`` (module docstring); Conflict when it is not open any more."""
    with db.write_transaction():
        found = Order.get_or_none(Order.id == order_id)
        if found is None:
            raise NotFound("order")
        db.lock_customer(found.customer_id)
        order = Order.get_by_id(order_id)
        if order.status not in OPEN:
            raise Conflict(N_("Only an unpaid order can be cancelled."), code="order_not_open")
        document = Document.get_or_none(Document.id == order.document_id) if order.document_id else None
        if document is not None and document.status in ("unpaid", "partially_paid"):
            release_document(
                document,
                "stale_payment",
                document_text(N_("%(number)s: the order was cancelled"), number=document.number),
            )
        order.status = "cancelled"
        order.cancelled_at = clock.utcnow()
        order.cancel_reason = reason[:255]
        order.save()
        activity.record(
            "order.cancelled", actor=actor, subject=order, customer_id=order.customer_id, ip=ip, reason=reason
        )
        customer = order.customer
        from core.orders.placing import order_number

        mail.queue_mail(
            customer.email,
            "order_cancelled",
            customer.language,
            customer=customer,
            order=order,
            number=order_number(order),
            document=document,
        )
    return Order.get_by_id(order_id)


def cancel_unpaid_orders(today: date | None = None) -> int:
    """Cron: cancel every order still unpaid ``orders.unpaid_cancel_days`` after it was placed; return how many."""
    day = today or clock.today()
    cutoff = clock.start_of_day_utc(day - timedelta(days=terms.unpaid_cancel_days()))
    rows = list(Order.select(Order.id).where(Order.status.in_(OPEN) & (Order.created_at < cutoff)))
    done = 0
    for row in rows:
        try:
            cancel_order(row.id, reason="unpaid")
        except Conflict:
            continue  # paid meanwhile
        done += 1
    return done
