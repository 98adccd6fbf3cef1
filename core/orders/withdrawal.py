"""A consumer withdraws from the order within the withdrawal period (art. 27 of the consumer rights act).

Who may: the buyer was a private person (a consumer, or a sole trader buying
outside their profession, art. 38a), the order is paid, and no more than
``orders.withdrawal_days`` (14) days passed since it was placed (the day the
distance contract was concluded). The button is on the order's page while
that holds (:func:`withdrawal_open`).

What withdrawing does, in one write transaction under the customer's money lock
(:func:`withdraw`):

* **The services end**: each is cancelled (the provisioning module terminates
  it, after commit).
* **Days used are paid for** (art. 35): a service that started before the
  withdrawal (at the consumer's request, art. 21 ust. 2) costs its line's net
  in proportion to the days it ran, ``round(net x days used / days of the
  period)``, counting whole days from the start to the withdrawal day (that
  day is not charged, as a change day is not, docs/billing.md rule 3). A service
  that has not started costs nothing.
* **A correcting invoice** (art. 106j of the VAT act) corrects the VAT invoice
  to what is kept, through the one corrections path
  (:mod:`core.documents.corrections`); nothing kept reverses every line.
* **The refund** is the correction's gross. By default it goes back by the
  payment method used (art. 32 ust. 1): a method that can send money back does
  so (:meth:`core.payments.methods.PaymentMethod.refund`: Przelewy24 through
  its refund API, after commit), otherwise staff transfer it (the order's page
  and the activity log say so), within 14 days. What was paid from the credit
  balance goes back to it. The consumer may instead choose the credit balance
  for all of it (art. 32 ust. 2: only when they expressly agree).
* The order becomes ``withdrawn``; the consumer gets the ``order_withdrawn`` mail.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db, mail
from core.balance import ledger
from core.documents.build import LineInput
from core.documents.corrections import current_lines, issue_correction
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_, document_text
from core.models import Document, Payment, Service
from core.money import ZERO, round_money
from core.orders import terms
from core.orders.models import Order, OrderService, order_items
from core.payments.methods import find_method, method_name
from core.payments.recording import BALANCE_METHOD
from core.service_status import set_service_status

REFUND_TO = ("method", "balance")


def withdrawal_deadline(order: Order) -> date:
    """The last day the consumer may withdraw from ``order``."""
    return clock.local_date(order.created_at) + timedelta(days=terms.withdrawal_days())


def withdrawal_open(order: Order, today: date | None = None) -> bool:
    """True when the consumer may withdraw from ``order`` now (module docstring)."""
    return bool(order.consumer) and order.status == "paid" and (today or clock.today()) <= withdrawal_deadline(order)


def vat_invoice_of(order: Order) -> Document | None:
    """The VAT invoice issued when the order's proforma was paid."""
    if not order.document_id:
        return None
    return Document.get_or_none((Document.kind == "vat") & (Document.proforma_id == order.document_id))


def days_used(service: Service, today: date) -> tuple[int, int]:
    """``(days used, days of the period)`` of a service up to the withdrawal day (module docstring)."""
    period = (service.next_due - service.period_start).days
    used = min(max((today - service.period_start).days, 0), period)
    return used, period


def kept_lines(order: Order, invoice: Document, today: date) -> tuple[list[LineInput], int]:
    """The state the correction corrects the invoice to, and the days used in all (module docstring)."""
    lines = list(current_lines(invoice))
    items = order_items(order)
    used_all, period_all = 0, 0
    fractions: list[tuple[int, int]] = []
    for item in items:
        used_sum, period_sum = 0, 0
        for link in OrderService.select().where(OrderService.item == item):
            used, period = days_used(link.service, today)
            used_sum, period_sum = used_sum + used, period_sum + period
        fractions.append((used_sum, period_sum))
        used_all, period_all = used_all + used_sum, period_all + period_sum
    if used_all == 0:
        return [], 0
    after = []
    for index, line in enumerate(lines):
        used, period = fractions[index] if index < len(fractions) else (used_all, period_all)
        kept = round_money(line.net * used / period) if period else ZERO
        after.append(LineInput(line.description, Decimal(1), line.unit, kept, line.vat_rate, base_rate=line.base_rate))
    return after, used_all


def withdraw(
    customer_id: int, order_id: int, *, refund_to: str = "method", actor: Any = None, ip: str = ""
) -> Document:
    """Withdraw from the customer's order (module docstring); return the correcting invoice.

    Raises NotFound for another customer's order, ValidationError for an
    unknown ``refund_to``, and Conflict when the withdrawal period is over or
    the order is not a consumer's paid order.
    """
    if refund_to not in REFUND_TO:
        raise ValidationError({"refund_to": N_("Choose where the money goes back.")})
    with db.write_transaction():
        db.lock_customer(customer_id)
        order = Order.get_or_none((Order.id == order_id) & (Order.customer == customer_id))
        if order is None:
            raise NotFound("order")
        invoice = vat_invoice_of(order)
        if not withdrawal_open(order) or invoice is None:
            raise Conflict(N_("This order can no longer be withdrawn from."), code="withdrawal_closed")
        today = clock.today()
        after, used = kept_lines(order, invoice, today)
        reason = document_text(
            N_(
                "Withdrawal from a distance contract (art. 27 of the consumer rights act); "
                "charge for %(days)s days of service (art. 35)"
            ),
            days=used,
        )
        correction = issue_correction(
            invoice, after, reason, purpose="withdrawal", purpose_ref=order.id, refund_on_balance=refund_to == "balance"
        )
        refund = -correction.total_gross
        if refund > 0:
            ledger.append(
                customer_id,
                "correction_credit",
                refund,
                document_id=correction.id,
                reason=document_text(N_("Correcting invoice %(number)s"), number=correction.number),
            )
            if refund_to == "method":
                _refund_by_methods(order, refund, reason)
        for link in OrderService.select().where(OrderService.order == order):
            service = Service.get_by_id(link.service_id)
            target = {"active": "cancelled", "pending": "cancelled", "suspended": "terminated"}.get(service.status)
            if target is not None:
                set_service_status(service.id, target, None, reason="withdrawal")
        order.status = "withdrawn"
        order.withdrawn_at = clock.utcnow()
        order.save()
        activity.record(
            "order.withdrawn",
            actor=actor,
            subject=order,
            customer_id=customer_id,
            ip=ip,
            correction=correction.number,
            refund=str(refund),
            refund_to=refund_to,
            days_used=used,
        )
        customer = order.customer
        from core.orders.placing import order_number

        mail.queue_mail(
            customer.email,
            "order_withdrawn",
            customer.language,
            customer=customer,
            order=order,
            number=order_number(order),
            correction=correction,
            refund=refund,
            refund_to=refund_to,
            currency=order.currency,
        )
    return correction


def _refund_by_methods(order: Order, refund: Decimal, reason: str) -> None:
    """Send ``refund`` back by the methods that paid the proforma, newest payment first (module docstring)."""
    left = refund
    payments = (
        Payment.select()
        .where((Payment.document == order.document_id) & (Payment.method != BALANCE_METHOD))
        .order_by(Payment.id.desc())
    )
    for payment in payments:
        if left <= 0:
            break
        part = min(left, payment.amount)
        method = find_method(payment.method)
        if method is None or not method.refund(payment, part, reason=reason):
            ledger.append(
                order.customer_id,
                "refund",
                -part,
                payment_id=payment.id,
                reason=document_text(
                    N_("Refund of %(number)s to be sent back by %(method)s"),
                    number=str(order.id),
                    method=document_text(method_name(payment.method)),
                ),
            )
            activity.record(
                "order.refund_due",
                subject=order,
                customer_id=order.customer_id,
                amount=str(part),
                method=payment.method,
                payment=payment.id,
            )
        left -= part
