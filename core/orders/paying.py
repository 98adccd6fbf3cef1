"""A paid order creates its services: inside the payment's transaction, exactly once.

Called from ``on_invoice_paid`` (:mod:`core.orders.plugin`, ``tryfirst``) when
an order's proforma became fully paid; the core's own ``on_invoice_paid``
(``trylast``) then issues the VAT invoice with the proforma's lines in the
same transaction. For every ordered unit one :class:`core.models.Service` is
created, in status ``pending``, with:

* **its billing anchor and first period starting on the payment day**
  (``[today, today + 1 cycle)``), set here, in the payment's transaction: the
  provisioning module creates the account later (outbox), and however long that
  takes moves neither the anchor nor the period; renewals count from the anchor;
* its price for later periods (``recurring_net``: the catalogue price, or the
  discounted one under a recurring promotion) and, when the first period was
  charged another price (a first-period discount), that price (``period_net``),
  from which a later package change prorates;
* ``on_service_created`` called, then the service activated
  (:func:`core.service_status.set_service_status`), which queues the
  provisioning module's ``create`` in the outbox.

A consumer who did not ask for the service to start before the withdrawal
period ends (art. 21 ust. 2 of the consumer rights act) gets it when that
period ends: the services are created now, pending, with their first period
starting on that day, and the ``orders`` cron job activates them then
(:func:`start_due_services`).

Idempotent: only an order ``awaiting_payment`` is activated, and it is
``paid`` afterwards. The customer gets the ``order_paid`` mail.
"""

from __future__ import annotations

from datetime import date, timedelta

from core import activity, clock, db, mail, runtime
from core.billing.cycles import Cycle, add_cycles
from core.models import Document, Service
from core.money import round_money
from core.orders import terms
from core.orders.models import Order, OrderService, order_items
from core.service_status import set_service_status


def order_of(document: Document) -> Order | None:
    """The order an order proforma (or its VAT invoice) belongs to."""
    if document.purpose != "order" or not document.purpose_ref:
        return None
    return Order.get_or_none(Order.id == document.purpose_ref)


def start_day(order: Order, today: date) -> date:
    """The day the order's services start: today, or the end of a consumer's withdrawal period (module docstring)."""
    if order.consumer and order.early_start_at is None:
        return max(today, clock.local_date(order.created_at) + timedelta(days=terms.withdrawal_days()))
    return today


def activate_order(document: Document) -> list[Service]:
    """Create and activate the services of the order ``document`` paid (module docstring); return them."""
    order = order_of(document)
    if order is None or document.kind != "proforma" or order.status != "awaiting_payment":
        return []
    today = clock.today()
    start = start_day(order, today)
    order.status = "paid"
    order.paid_at = clock.utcnow()
    order.starts_on = start
    order.save()
    created: list[Service] = []
    for item in order_items(order):
        charged = round_money((item.unit_net * item.quantity - item.discount) / item.quantity)
        for _unit in range(item.quantity):
            service = Service.create(
                customer=order.customer_id,
                product=item.product_id,
                cycle=item.cycle,
                status="pending",
                label=item.domain,
                anchor_date=start,
                period_start=start,
                next_due=add_cycles(start, Cycle(item.cycle), 1),
                recurring_net=item.recurring_net,
                period_net=charged if charged != item.recurring_net else None,
            )
            OrderService.create(order=order, item=item, service=service)
            runtime.hooks().on_service_created(service=service, order=order)
            if start <= today:
                service = set_service_status(service.id, "active", None, reason=f"order {order.id} paid")
            created.append(service)
    activity.record(
        "order.paid",
        subject=order,
        customer_id=order.customer_id,
        document=document.number,
        services=[s.id for s in created],
        starts_on=start.isoformat(),
    )
    customer = order.customer
    from core.orders.placing import order_number

    mail.queue_mail(
        customer.email,
        "order_paid",
        customer.language,
        customer=customer,
        order=order,
        number=order_number(order),
        services=created,
        starts_on=start if start > today else None,
    )
    return created


def start_due_services(today: date | None = None) -> int:
    """Cron: activate the pending services of paid orders whose start day has come; return how many."""
    day = today or clock.today()
    rows = list(
        Service.select(Service.id)
        .join(OrderService, on=(OrderService.service == Service.id))
        .join(Order, on=(Order.id == OrderService.order))
        .where((Service.status == "pending") & (Order.status == "paid") & (Service.period_start <= day))
    )
    done = 0
    for row in rows:
        with db.write_transaction():
            service = Service.get_by_id(row.id)
            if service.status == "pending":
                set_service_status(service.id, "active", None, reason="withdrawal period ended")
                done += 1
    return done
