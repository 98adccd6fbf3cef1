"""Built-in plugin: payment by bank transfer.

The customer sees the seller's account (or their own virtual account, when
the statements plugin supplies one) and a transfer title carrying the
proforma number. The money is recorded when it is on the bank statement:
by staff (admin area, document page) or by a statement import
(:mod:`plugins.bankstatements`), both under this method's code with the
bank's reference as the transaction id, written one way
(:meth:`BankTransfer.transaction_key`). So recording the same statement line
twice, or importing a transfer staff already typed in, changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.documents.issuing import snapshot_of
from core.hookspecs import hookimpl
from core.i18n import N_
from core.payments.methods import PaymentMethod, PaymentStart

CODE = "banktransfer"


def reference_key(reference: str) -> str:
    """A bank reference written one way: no spaces anywhere, upper case (``"ab 12-3"`` -> ``"AB12-3"``).

    Banks print their references in groups and staff copy them as they see
    them; the letters and digits are what identifies the transaction.
    """
    return "".join(str(reference or "").split()).upper()[:128]


class BankTransfer(PaymentMethod):
    """Shows the transfer instructions; the payment is recorded by staff or a statement import."""

    code = CODE
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

    def transaction_key(self, reference: str) -> str:
        """See :func:`reference_key`."""
        return reference_key(reference)


@hookimpl
def hookbill_payment_methods() -> list[PaymentMethod]:
    return [BankTransfer()]
