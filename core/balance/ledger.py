"""Appending to the credit balance ledger (docs/billing.md rule 11).

The balance is the sum of a customer's :class:`core.models.LedgerEntry` rows
(gross). Entries are only ever appended; a correction is a new entry. Every
append runs inside :func:`core.db.write_transaction` with the customer's money
lock held (:func:`core.db.lock_customer`), checks that the balance stays at or
above zero, and calls ``on_balance_changed``. Reading: :func:`core.balance_view.balance_of`.

Staff credit is not money the customer paid (:mod:`core.balance.credit`): a
payment from the balance (``applied``) and a refund (``refund``) may only take
deposits, and staff credit given as a discount (``staff_credit_used``) only
staff credit; an append that would break this is refused like one that would
take the balance below zero.
"""

from __future__ import annotations

from decimal import Decimal

from core import activity, db, runtime
from core.balance import credit
from core.balance_view import balance_of
from core.errors import Conflict, ValidationError
from core.i18n import N_
from core.models import LedgerEntry
from core.models.billing import LEDGER_KINDS
from core.money import ZERO, round_money, to_decimal

#: Kinds that add to the balance, and kinds that take from it. A refund paid out
#: (``refund``) takes from the balance; a correcting invoice that returns money
#: (``correction_credit``) and a refund the gateway refused (``refund_reversed``)
#: add to it.
CREDIT_KINDS = (
    "topup",
    "overpayment",
    "downgrade_credit",
    "staff_credit",
    "stale_payment",
    "correction_credit",
    "refund_reversed",
    "staff_credit_returned",
)
DEBIT_KINDS = ("applied", "refund", "staff_debit", "staff_credit_used")
#: Debits that may only take money the customer paid (deposits), never staff credit.
DEPOSIT_DEBITS = ("applied", "refund")


def append(
    customer_id: int,
    kind: str,
    amount: Decimal,
    *,
    document_id: int | None = None,
    payment_id: int | None = None,
    staff_id: int | None = None,
    reason: str = "",
) -> LedgerEntry:
    """Append one entry; ``amount`` is signed (credit kinds > 0, debit kinds < 0).

    Promises: takes the customer's money lock (so callers that did not are
    still serialised), refuses with :class:`Conflict` (code
    ``insufficient_balance``) when the balance would go below zero, or when a
    payment or refund would take staff credit or a discount would take
    deposits (module docstring), and never updates or deletes an existing
    entry. Must run inside a write transaction.
    """
    if kind not in LEDGER_KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    value = to_decimal(amount)
    if value != round_money(value) or value == 0:
        raise ValueError(f"ledger amount must be whole grosze and not zero, got {value}")
    if (kind in CREDIT_KINDS and value < 0) or (kind in DEBIT_KINDS and value > 0):
        raise ValueError(f"ledger kind {kind!r} cannot have the amount {value}")
    db.lock_customer(customer_id)
    if value < 0 and balance_of(customer_id) + value < ZERO:
        raise Conflict(N_("The credit balance is too low."), code="insufficient_balance")
    if kind in DEPOSIT_DEBITS and -value > credit.parts_of(customer_id).deposits:
        raise Conflict(
            N_("Only money paid onto the balance can pay or be refunded; credit granted by staff cannot."),
            code="insufficient_balance",
        )
    if kind == credit.USED and -value > credit.parts_of(customer_id).staff_credit:
        raise Conflict(N_("The credit balance is too low."), code="insufficient_balance")
    entry = LedgerEntry.create(
        customer=customer_id,
        kind=kind,
        amount=value,
        document_id=document_id,
        payment_id=payment_id,
        staff_id=staff_id,
        reason=reason[:255],
    )
    if kind in credit.STAFF_CREDIT_IN:  # more staff credit: an open renewal proforma may now take more of it
        from core.renewals.schedule import mark_customer

        mark_customer(customer_id)
    runtime.hooks().on_balance_changed(entry=entry)
    return entry


def staff_adjust(customer_id: int, amount: object, reason: str, staff: object, ip: str = "") -> LedgerEntry:
    """Staff add (amount > 0) or remove (amount < 0) credit with a reason; logged.

    Promises: a reason is required (ValidationError ``reason``), the amount must
    be a non-zero amount in grosze (ValidationError ``amount``), removing more
    than the balance holds is refused (Conflict). One transaction, money lock held.
    """
    errors: dict[str, str] = {}
    try:
        value = to_decimal(amount)
        if value == 0 or value != round_money(value):
            errors["amount"] = N_("Enter a non-zero amount, e.g. 10.00 or -5.00.")
    except ValueError:
        value = ZERO
        errors["amount"] = N_("Enter a non-zero amount, e.g. 10.00 or -5.00.")
    if not reason.strip():
        errors["reason"] = N_("Give the reason; the customer sees it in the history.")
    if errors:
        raise ValidationError(errors)
    with db.write_transaction():
        entry = append(
            customer_id,
            "staff_credit" if value > 0 else "staff_debit",
            value,
            staff_id=getattr(staff, "id", None),
            reason=reason.strip(),
        )
        activity.record(
            "balance.adjusted",
            actor=staff,
            subject=entry,
            customer_id=customer_id,
            ip=ip,
            amount=str(value),
            reason=reason.strip(),
        )
    return entry


def history(customer_id: int, limit: int = 200) -> list[LedgerEntry]:
    """The customer's ledger entries, newest first."""
    return list(
        LedgerEntry.select().where(LedgerEntry.customer == customer_id).order_by(LedgerEntry.id.desc()).limit(limit)
    )
