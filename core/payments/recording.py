"""Recording money received: the one path every payment takes.

:func:`record_payment` is idempotent by ``(method, transaction_id)`` (a unique
index on :class:`core.models.Payment`): a duplicate or replayed notification
returns the payment recorded the first time and changes nothing. It runs in a
write transaction with the customer's money lock, so payments and spending of
one customer are serialised on SQLite and PostgreSQL.

Arithmetic: towards an open proforma, ``min(amount, amount due)`` is applied;
a partial payment leaves it ``partially_paid``; what exceeds the amount due,
and any payment for a document that is no longer open (paid, cancelled,
superseded), goes to the credit balance as ``overpayment``. A payment with
method ``balance`` is a debit of the ledger (``applied``) and may never exceed
the amount due. Then ``on_payment`` runs, and ``on_invoice_paid`` when the
document became fully paid and, read again from the database after every
``on_payment`` implementation returned, still is (an implementation that
cancels the proforma, e.g. of a stale package change, says so by cancelling it,
not by changing the instance it was given), all inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import peewee

from core import activity, clock, db, runtime
from core.balance import ledger
from core.errors import Conflict, ValidationError
from core.i18n import N_, document_text
from core.models import Document, Payment
from core.money import ZERO, round_money, to_decimal

BALANCE_METHOD = "balance"
OPEN_STATUSES = ("unpaid", "partially_paid")


@dataclass(frozen=True)
class PaymentOutcome:
    """The result: the payment, whether it was a duplicate, what was applied and overpaid."""

    payment: Payment
    duplicate: bool
    applied: Decimal
    overpaid: Decimal


def amount_due(document: Document) -> Decimal:
    """What is still to pay on an open proforma (0 for anything else)."""
    if document.kind != "proforma" or document.status not in OPEN_STATUSES:
        return ZERO
    return max(document.total_gross - document.paid, ZERO)


def _amount(value: object) -> Decimal:
    try:
        amount = to_decimal(value)
    except ValueError:
        raise ValidationError({"amount": N_("Enter an amount, e.g. 21.73.")}) from None
    if amount <= 0 or amount != round_money(amount):
        raise ValidationError({"amount": N_("The amount must be positive and in grosze.")})
    return amount


def _existing(method: str, transaction_id: str) -> Payment | None:
    return Payment.get_or_none((Payment.method == method) & (Payment.transaction_id == transaction_id))


def record_payment(
    method: str,
    transaction_id: str,
    amount: object,
    document: Document | None = None,
    *,
    customer_id: int | None = None,
    staff: Any = None,
    details: dict[str, Any] | None = None,
    ip: str = "",
    received_at: datetime | None = None,
) -> PaymentOutcome:
    """Record ``amount`` received by ``method`` under ``transaction_id``; see the module docstring.

    ``document`` None is a top-up of ``customer_id``'s balance. ``received_at``
    (naive UTC) is when the money arrived, if earlier than now: a bank
    statement's booking date; documents print it as the payment date. Promises: at
    most one Payment per ``(method, transaction_id)``, ever; the balance never
    goes below zero; the proforma's ``paid`` never exceeds its gross total.
    Raises ValidationError for a bad amount or empty transaction id, Conflict
    for a balance payment larger than the balance or the amount due.
    """
    value = _amount(amount)
    txid = str(transaction_id or "").strip()[:128]
    if not txid:
        raise ValidationError({"transaction_id": N_("The transaction id is required.")})
    cid = document.customer_id if document is not None else customer_id
    if cid is None:
        raise ValueError("record_payment() needs a document or a customer")
    try:
        with db.write_transaction():
            db.lock_customer(cid)
            found = _existing(method, txid)
            if found is not None:
                return PaymentOutcome(found, True, ZERO, ZERO)
            return _record(method, txid, value, document, cid, staff, details or {}, ip, received_at)
    except peewee.IntegrityError:
        found = _existing(method, txid)  # a concurrent twin won the unique index
        if found is None:
            raise
        return PaymentOutcome(found, True, ZERO, ZERO)


def _record(
    method: str,
    txid: str,
    value: Decimal,
    document: Document | None,
    cid: int,
    staff: Any,
    details: dict[str, Any],
    ip: str,
    received_at: datetime | None = None,
) -> PaymentOutcome:
    doc = Document.get_by_id(document.id) if document is not None else None
    due = amount_due(doc) if doc is not None else ZERO
    applied = min(value, due)
    overpaid = value - applied
    if method == BALANCE_METHOD and overpaid > 0:
        raise Conflict(N_("A payment from the balance cannot exceed the amount due."), code="balance_over_due")
    payment = Payment.create(
        customer=cid,
        document=doc,
        method=method,
        transaction_id=txid,
        amount=value,
        currency=doc.currency if doc else str(runtime.config().get_value("app.currency")),
        recorded_by_staff=getattr(staff, "id", None),
        details=details,
        received_at=received_at or clock.utcnow(),
    )
    if method == BALANCE_METHOD:
        ledger.append(
            cid,
            "applied",
            -value,
            document_id=doc.id if doc else None,
            payment_id=payment.id,
            reason=document_text(N_("Applied to %(number)s"), number=doc.number) if doc else "",
        )
    became_paid = False
    if doc is not None and applied > 0:
        doc.paid = doc.paid + applied
        doc.status = "paid" if doc.paid >= doc.total_gross else "partially_paid"
        if doc.status == "paid":
            doc.paid_at = clock.utcnow()
            became_paid = True
        doc.save()
    if overpaid > 0:
        kind = "topup" if doc is None else "overpayment"
        reason = (
            ""
            if doc is None
            else (
                document_text(N_("Overpayment of %(number)s"), number=doc.number)
                if due > 0
                else document_text(N_("Payment for %(number)s, which was no longer open"), number=doc.number)
            )
        )
        ledger.append(cid, kind, overpaid, document_id=doc.id if doc else None, payment_id=payment.id, reason=reason)
    activity.record(
        "payment.recorded",
        actor=staff,
        actor_kind=None if staff else "system",
        subject=payment,
        customer_id=cid,
        ip=ip,
        method=method,
        amount=str(value),
        applied=str(applied),
        overpaid=str(overpaid),
        document=doc.number if doc else "",
    )
    hooks = runtime.hooks()
    hooks.on_payment(payment=payment, document=doc)
    if doc is not None and became_paid:
        # What on_payment did is in the database, not on this instance: an
        # implementation may have cancelled the proforma (a stale change's).
        doc = Document.get_by_id(doc.id)
        if doc.status == "paid":
            hooks.on_invoice_paid(document=doc)
    return PaymentOutcome(payment, False, applied, overpaid)


def pay_from_balance(document: Document, transaction_id: str, *, ip: str = "") -> PaymentOutcome | None:
    """Pay as much of ``document`` as the deposits on the balance allow, under the money lock.

    Only deposits pay (money the customer paid onto the balance): staff credit
    is not a payment, it is a discount on the next document issued
    (:mod:`core.balance.credit`). Returns None when nothing could be applied
    (nothing due or no deposits). Fifty concurrent calls for one document
    spend the balance once: each reads the balance and the amount due only
    after taking the customer's lock.
    """
    from core.balance.credit import parts_of
    from core.balance_view import balance_of

    if db.database.obj.in_transaction():
        # Inside the caller's transaction (a proforma being issued) an empty balance needs no savepoint:
        # the lock and one read, and most proformas of a renewal run are done.
        db.lock_customer(document.customer_id)
        if balance_of(document.customer_id) <= 0:
            return None
    with db.write_transaction():
        db.lock_customer(document.customer_id)
        if balance_of(document.customer_id) <= 0:
            return None  # no deposits either: the two parts add up to the balance, both at least 0
        doc = Document.get_by_id(document.id)
        amount = min(parts_of(doc.customer_id).deposits, amount_due(doc))
        if amount <= 0:
            return None
        return record_payment(BALANCE_METHOD, transaction_id, amount, doc, ip=ip)
