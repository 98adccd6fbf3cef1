"""Payment confirmations ("Potwierdzenie wpłaty") of money paid onto the credit balance.

A top-up, or the part of a payment above what its proforma asked (an
overpayment), is not tied to a service: it is a refundable deposit, not an
advance for a supply (EU Court C-419/02 BUPA; interpretation
0115-KDIT1-2.4012.87.2018.1.RS), so no VAT is due on receiving it and it gets
no invoice. The customer gets a payment confirmation instead: not a tax
document, no VAT, no number from any invoice series (it is named by the day the
money arrived). VAT is due when the balance pays a proforma: that payment is
recorded on that day, and the VAT invoice names it.

A confirmation is read from the ledger entry and its payment when asked for; it
is never stored, so nothing about it can drift from the books.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import clock
from core.documents.issuing import current_profile
from core.models import BillingProfile, Document, LedgerEntry, Payment
from core.payments.methods import method_name
from core.settings import seller_data

#: The ledger kinds that are money the customer paid onto the balance (deposits).
DEPOSIT_KINDS = ("topup", "overpayment")


@dataclass(frozen=True)
class DepositConfirmation:
    """What a payment confirmation says: who paid whom how much, when, by which method, onto what."""

    entry: LedgerEntry
    amount: Decimal
    currency: str
    received_on: date
    method: str  # the method's name, an English msgid to translate
    reference: str
    seller: dict[str, str]
    payer: BillingProfile | None
    proforma_number: str


def is_deposit(entry: LedgerEntry) -> bool:
    """True for a ledger entry that is money paid onto the balance and has its payment (it gets a confirmation)."""
    return entry.kind in DEPOSIT_KINDS and entry.payment_id is not None


def confirmation(customer_id: int, entry_id: int) -> DepositConfirmation | None:
    """The payment confirmation of ledger entry ``entry_id``, when it is ``customer_id``'s deposit; else None.

    The amount is the entry's (what went onto the balance, not the whole
    payment when part of it paid a proforma); the day and method are the
    payment's; the payer is the customer's current billing data.
    """
    entry = LedgerEntry.get_or_none((LedgerEntry.id == entry_id) & (LedgerEntry.customer == customer_id))
    if entry is None or not is_deposit(entry):
        return None
    payment = Payment.get_by_id(entry.payment_id)
    proforma = Document.get_or_none(Document.id == entry.document_id) if entry.document_id else None
    return DepositConfirmation(
        entry=entry,
        amount=entry.amount,
        currency=str(payment.currency),
        received_on=clock.to_local(payment.received_at).date(),
        method=method_name(str(payment.method)),
        reference=str(payment.transaction_id),
        seller=seller_data(),
        payer=current_profile(customer_id),
        proforma_number=str(proforma.number) if proforma is not None else "",
    )
