"""A checkout attempt: the gateway's payment page, paid once however often its button is clicked.

A real gateway registers a transaction when the customer arrives at its
payment page, and charges that transaction once. The test gateway does the
same, so that a plugin for a real gateway copied from it is idempotent by
construction:

* :func:`current_attempt` is called when the payment page is shown: it
  returns the document's attempt still open for the amount due, or starts one
  (a new transaction id, stored). Under the customer's money lock, so two
  pages opened at once share one attempt.
* :func:`pay` books an attempt through the signed callback, exactly as the
  gateway's server would, always under the attempt's own transaction id:
  :func:`core.payments.recording.record_payment` is idempotent by (method,
  transaction id), so the first click books it and ten quick clicks, or ten
  clicks at once, book it once.

An attempt is open until a payment is recorded under its transaction id.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from core import clock, db
from core.models import Document, Payment
from plugins.testgateway import CODE, handle_callback, sign
from plugins.testgateway.models import CheckoutAttempt


def _recorded(attempt: CheckoutAttempt) -> bool:
    same = (Payment.method == CODE) & (Payment.transaction_id == attempt.transaction_id)
    return bool(Payment.select().where(same).exists())


def current_attempt(document: Document, amount: Decimal) -> CheckoutAttempt:
    """The open attempt to pay ``amount`` on ``document``, started now if there is none (module docstring)."""
    with db.write_transaction():
        db.lock_customer(document.customer_id)
        latest = (
            CheckoutAttempt.select()
            .where((CheckoutAttempt.document == document.id) & (CheckoutAttempt.amount == amount))
            .order_by(CheckoutAttempt.id.desc())
            .first()
        )
        if latest is not None and not _recorded(latest):
            return latest
        return CheckoutAttempt.create(
            document=document.id,
            customer=document.customer_id,
            transaction_id=f"TG-{uuid.uuid4().hex[:20]}",
            amount=amount,
        )


def find_attempt(document: Document, transaction_id: str) -> CheckoutAttempt | None:
    """The attempt of ``document`` with ``transaction_id`` (as the payment page sent it back), or None."""
    return CheckoutAttempt.get_or_none(
        (CheckoutAttempt.document == document.id) & (CheckoutAttempt.transaction_id == transaction_id.strip()[:64])
    )


def callback_body(attempt: CheckoutAttempt, currency: str) -> bytes:
    """The JSON the gateway's server would POST to the callback for ``attempt``."""
    payload = {
        "document_id": attempt.document_id,
        "transaction_id": attempt.transaction_id,
        "amount": str(attempt.amount),
        "currency": currency,
        "timestamp": int(clock.now().timestamp()),
    }
    return json.dumps(payload, sort_keys=True).encode()


def pay(attempt: CheckoutAttempt, document: Document) -> dict[str, Any]:
    """Deliver the attempt's signed callback in-process; the callback's answer. Raises CallbackRefused."""
    body = callback_body(attempt, document.currency)
    return handle_callback(body, sign(body))
