"""Staff record a bank transfer they see on the bank's statement: amount, date, the bank's reference.

The payment takes the one path every payment takes,
:func:`core.payments.recording.record_payment`, under the bank-transfer
method's code and the key the bank's reference gives
(:func:`core.payments.methods.transaction_key`, the bank-transfer plugin writes
references one way). A statement import (:mod:`plugins.bankstatements`)
records under the same key, so a transfer typed in by staff and later imported,
or typed in twice, is one payment. An amount below what is due leaves the
proforma partially paid; an amount above it goes to the credit balance as an
overpayment; a payment for a document no longer open goes there whole.

The payment date is the day the money arrived as the bank states it (the
documents print it); it is stored as noon of that day in the provider's time
zone (:func:`arrival_time`), as the statement import stores a booking date, so
one day never reads as the day before in another zone. It may not be in the
future.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from core import clock
from core.errors import ValidationError
from core.i18n import N_
from core.models import Document
from core.payments.methods import transaction_key
from core.payments.recording import PaymentOutcome, record_payment

METHOD = "banktransfer"


def arrival_time(day: date) -> datetime:
    """Noon of ``day`` in the provider's zone, as the naive UTC time payments store, never later than now."""
    moment = datetime.combine(day, time(12), tzinfo=clock.zone()).astimezone(UTC).replace(tzinfo=None)
    return min(moment, clock.utcnow())


def received_on(value: object, field: str = "received_on") -> date:
    """The payment date staff typed (``YYYY-MM-DD``; empty means today), not in the future.

    Raises ValidationError on ``field``.
    """
    text = str(value or "").strip()
    if not text:
        return clock.today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: N_("Enter a date, e.g. 2026-04-16.")}) from None
    if day > clock.today():
        raise ValidationError({field: N_("The payment date cannot be in the future.")})
    return day


def record_bank_transfer(
    document: Document,
    amount: object,
    reference: str,
    day: object = "",
    *,
    staff: Any = None,
    note: str = "",
    ip: str = "",
) -> PaymentOutcome:
    """Record a transfer of ``amount`` that arrived on ``day`` under the bank's ``reference`` (module docstring).

    Runs in its own write transaction, or in the caller's (then a refusal or an
    error rolls the caller's work back too). Raises ValidationError for a bad
    amount, date or an empty reference (on the fields ``amount``,
    ``received_on``, ``transaction_id``). A reference recorded before returns
    that payment with ``duplicate`` set and changes nothing.
    """
    when = received_on(day)
    key = transaction_key(METHOD, reference)
    if not key:
        raise ValidationError({"transaction_id": N_("Enter the bank's reference of the transfer.")})
    return record_payment(
        METHOD,
        key,
        amount,
        document,
        staff=staff,
        ip=ip,
        details={"note": str(note or "")[:255], "entered_by": "staff"},
        received_at=arrival_time(when),
    )
