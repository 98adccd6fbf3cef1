"""Staff decide where a queued transfer goes: a document, a customer's balance, or not ours.

Each decision runs in one write transaction that first locks the entry (a
row lock on PostgreSQL; SQLite's write lock covers it), so two staff members
deciding the same transfer at once decide it once: the second is told it
was dealt with already. Money is recorded as every other payment, under the
entry's key (:func:`plugins.bankstatements.importing.book`), and each
decision goes to the activity log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core import activity, clock, db
from core.errors import Conflict, NotFound
from core.i18n import N_
from core.models import Customer, Document
from core.money import ZERO
from plugins.bankstatements.importing import book
from plugins.bankstatements.matching import Decision, current_version
from plugins.bankstatements.models import StatementEntry


def _locked(entry_id: int) -> StatementEntry:
    query = StatementEntry.select().where(StatementEntry.id == entry_id)
    if db.is_postgres():
        query = query.for_update()
    entry = query.first()
    if entry is None:
        raise NotFound("transfer")
    if entry.state != "queued":
        raise Conflict(N_("This transfer was dealt with already."), code="not_queued")
    return entry


def assign_to_document(
    entry_id: int, document_id: int, staff: Any, *, with_vat: bool = False, ip: str = ""
) -> StatementEntry:
    """Pay ``document`` (its newest version) with the queued transfer; the rules of every payment apply.

    ``with_vat``: a split payment whose bank credited the net amount; the VAT
    the bank moved to the VAT account (stored with the entry) is paid too.
    """
    with db.write_transaction():
        entry = _locked(entry_id)
        found = Document.get_or_none(Document.id == document_id)
        if found is None:
            raise NotFound("document")
        document = current_version(found)
        if document.currency != entry.currency:
            raise Conflict(N_("The transfer is in another currency than the document."), code="currency")
        amount: Decimal = entry.amount + ((entry.vat_amount or ZERO) if with_vat else ZERO)
        decision = Decision("book", "staff", document.customer_id, [(document, amount)])
        decision.vat = entry.vat_amount if with_vat else None
        db.lock_customer(document.customer_id)
        book(entry, decision, staff, state="assigned")
        activity.record(
            "statements.assigned_document",
            actor=staff,
            subject=entry,
            customer_id=document.customer_id,
            ip=ip,
            document=document.number,
            amount=str(amount),
        )
        return entry


def assign_to_customer(entry_id: int, customer_id: int, staff: Any, *, ip: str = "") -> StatementEntry:
    """Put the queued transfer on ``customer_id``'s credit balance (a top-up)."""
    with db.write_transaction():
        entry = _locked(entry_id)
        if Customer.get_or_none(Customer.id == customer_id) is None:
            raise NotFound("customer")
        db.lock_customer(customer_id)
        book(entry, Decision("book", "staff", customer_id, [(None, entry.amount)]), staff, state="assigned")
        activity.record(
            "statements.assigned_customer",
            actor=staff,
            subject=entry,
            customer_id=customer_id,
            ip=ip,
            amount=str(entry.amount),
        )
        return entry


def mark_not_ours(entry_id: int, staff: Any, *, note: str = "", ip: str = "") -> StatementEntry:
    """Mark the queued transfer as not a customer's payment (returned, an internal transfer...); no money moves."""
    with db.write_transaction():
        entry = _locked(entry_id)
        entry.state = "not_ours"
        entry.reason = note.strip()[:255]
        entry.resolved_by = getattr(staff, "id", None)
        entry.resolved_at = clock.utcnow()
        entry.save()
        activity.record(
            "statements.not_ours", actor=staff, subject=entry, ip=ip, amount=str(entry.amount), note=note[:255]
        )
        return entry


def recognise_payment(payment: Any) -> None:
    """A bank transfer recorded by other means (staff on the document page) takes its entry out of the queue.

    Called from ``on_payment``, inside the payment's transaction.
    """
    if payment.method != "banktransfer" or "statement_entry" in (payment.details or {}):
        return
    entry = StatementEntry.get_or_none(
        (StatementEntry.key == payment.transaction_id) & (StatementEntry.state == "queued")
    )
    if entry is None:
        return
    entry.state = "recorded"
    entry.rule = "staff"
    entry.customer_id = payment.customer_id
    entry.document_id = payment.document_id
    entry.payment_id = payment.id
    entry.resolved_by = payment.recorded_by_staff
    entry.resolved_at = clock.utcnow()
    entry.save()
