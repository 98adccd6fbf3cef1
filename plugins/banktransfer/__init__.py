"""Built-in plugin: payment by bank transfer.

The customer sees the seller's account and a transfer title carrying the
proforma number; staff record the money when it is on the bank statement
(admin area, document page), with the bank's reference as the transaction
id, so recording the same statement line twice changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.documents.issuing import snapshot_of
from core.hookspecs import hookimpl
from core.i18n import N_
from core.payments.methods import PaymentMethod, PaymentStart


class BankTransfer(PaymentMethod):
    """Shows the transfer instructions; the payment is recorded by staff."""

    code = "banktransfer"
    label = N_("Bank transfer")
    description = N_("Pay by transfer to our bank account; we record it when it arrives.")
    order = 50
    document_label = "przelew"
    ksef_payment_form = "6"

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        snap = snapshot_of(document)
        return PaymentStart(
            template="payments/banktransfer.html",
            context={
                "account": snap.seller.bank_account,
                "bank": snap.seller.bank_name,
                "recipient": snap.seller.name,
                "title": snap.transfer_title or document.number,
                "amount": amount,
                "document": document,
            },
        )


@hookimpl
def hookbill_payment_methods() -> list[PaymentMethod]:
    return [BankTransfer()]
