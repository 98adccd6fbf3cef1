"""How a paid proforma was paid, as the VAT invoice states it: one part per method and day.

A proforma may be paid in several payments: the credit balance applied when it
was issued, then the rest online, say. Its VAT invoice lists each way of
paying with its amount and day (FA(3) ``ZaplataCzesciowa`` with its own
``FormaPlatnosci``; the PDF's payment section). The parts add up to what was
applied to the proforma, never more: a payment's overpaid remainder went to the
credit balance and is not part of this invoice's payment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core import clock
from core.documents.snapshot import PaymentPart
from core.models import Document, Payment
from core.money import ZERO
from core.payments.methods import find_method


def _form_of(method: str) -> tuple[str, str]:
    found = find_method(method)
    if found is None:
        return "", ""
    return found.ksef_payment_form, found.ksef_description


def payment_parts(document: Document) -> list[PaymentPart]:
    """The parts that paid ``document``, in the order they arrived, grouped by method and local day.

    Payments are applied in the order they were recorded, each up to what was
    still due (as :func:`core.payments.recording.record_payment` applied them),
    so the parts sum to ``min(paid, total_gross)``.
    """
    left = min(document.paid, document.total_gross)
    grouped: dict[tuple[str, date], Decimal] = {}
    for payment in Payment.select().where(Payment.document == document.id).order_by(Payment.id):
        applied = min(payment.amount, left)
        if applied <= ZERO:
            break
        left -= applied
        day = clock.to_local(payment.received_at).date()
        key = (payment.method, day)
        grouped[key] = grouped.get(key, ZERO) + applied
    parts = []
    for (method, day), amount in grouped.items():
        form, description = _form_of(method)
        parts.append(PaymentPart(method, amount, day, form, description))
    return parts
