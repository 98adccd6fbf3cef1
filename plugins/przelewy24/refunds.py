"""Refunding a Przelewy24 payment: the books first, then P24's refund API, then its notification.

Staff refund part or all of a payment: :func:`plan_refund` says what will
happen (the confirmation page shows it), :func:`request_refund` does it. In one
transaction under the customer's money lock, before P24 is asked:

* the part of the refund that returns money a VAT invoice was issued for gets a
  correcting invoice (art. 106j ust. 1 pkt 3 and 4 of the VAT act: a refund of
  the price or of a payment), issued through :mod:`core.documents.corrections`
  like every correction: the whole invoice reversed, or one negative line that
  lowers the gross by exactly the refunded amount. It says the refund goes back
  to the payer's account through Przelewy24 (:data:`REFUND_LABEL`), not that an
  amount is still to be refunded by a date. The correction's amount is
  credited to the credit balance (``correction_credit``);
* the refund itself is taken from the balance (``refund``). Money a payment
  left on the balance (an overpayment, a payment for a document no longer open)
  is refunded the same way, without a correction. Money that still sits on an
  open proforma is not refundable until the proforma is cancelled.

So the ledger shows both movements, and the balance never goes below zero.
The customer is mailed about the refund in the same transaction
(:func:`core.balance.notify.mail_refund`, through the outbox).
Then ``POST /transaction/refund`` is sent outside the transaction, with our
``requestId`` and ``refundsUuid`` (P24 refuses the same ``requestId`` twice, so
sending it again after a lost answer cannot refund twice). When P24 refuses
the refund, at once or later in its refund notification, the amount goes back
on the customer's credit balance (``refund_reversed``): the correction stands,
and the money owed to the customer is on their balance, where staff can see it;
the customer is mailed that too (:func:`core.balance.notify.mail_refund_reversed`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core import activity, clock, db
from core.balance import ledger, notify
from core.documents.build import LineInput
from core.documents.corrections import issue_correction, lowered_by_gross
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_, document_text
from core.models import Document, LedgerEntry, Payment
from core.money import ZERO, round_money, to_decimal
from plugins.przelewy24 import signing
from plugins.przelewy24.checkout import grosze, public_url
from plugins.przelewy24.client import NO_REASON, P24Client, P24Error
from plugins.przelewy24.models import P24Refund, P24Session
from plugins.przelewy24.notifications import CODES, Answer
from plugins.przelewy24.settings import current

log = logging.getLogger("hookbill.przelewy24")

OPEN = ("requested", "accepted", "unknown")
#: How a refund's correcting invoice names the way its amount goes back (Polish, the document's language).
REFUND_LABEL = "zwrot na rachunek płatnika przez Przelewy24"


def refunded(payment: Payment) -> Decimal:
    """What was refunded (or is being refunded) of ``payment``: every refund not rejected."""
    rows = P24Refund.select().where((P24Refund.payment == payment.id) & (P24Refund.status != "rejected"))
    return sum((r.amount for r in rows), ZERO)


def refundable(payment: Payment) -> Decimal:
    """What may still be refunded of ``payment``."""
    return max(payment.amount - refunded(payment), ZERO)


def invoice_of(payment: Payment) -> Document | None:
    """The VAT invoice issued for the proforma ``payment`` paid, if any."""
    if payment.document_id is None:
        return None
    return Document.get_or_none((Document.kind == "vat") & (Document.proforma_id == payment.document_id))


def _applied(payment: Payment) -> Decimal:
    """The part of ``payment`` that paid its proforma (the rest went to the balance)."""
    rows = LedgerEntry.select().where((LedgerEntry.payment_id == payment.id) & (LedgerEntry.kind == "overpayment"))
    return payment.amount - sum((e.amount for e in rows), ZERO)


def _on_open_proforma(payment: Payment) -> bool:
    document = Document.get_or_none(Document.id == payment.document_id) if payment.document_id else None
    return document is not None and document.kind == "proforma" and document.status in ("unpaid", "partially_paid")


def _amount(raw: object) -> Decimal:
    try:
        value = to_decimal(raw)
    except ValueError:
        value = ZERO
    if value <= 0 or value != round_money(value):
        raise ValidationError({"amount": N_("Enter an amount, e.g. 21.73.")})
    return value


@dataclass(frozen=True)
class RefundPlan:
    """What refunding ``amount`` of ``payment`` does (module docstring), worked out before anything is done.

    ``corrected`` is the gross a correcting invoice lowers ``invoice`` by
    (0: no correction, ``invoice`` is then None); ``after`` is the state the
    correction corrects the invoice to.
    """

    payment: Payment
    amount: Decimal
    invoice: Document | None = None
    corrected: Decimal = ZERO
    after: tuple[LineInput, ...] = ()
    description: str = ""


def _p24_payment(payment_id: int) -> Payment:
    found = Payment.get_or_none(Payment.id == payment_id)
    if found is None or found.method not in CODES.values():
        raise NotFound("payment")
    return found


def _plan(payment: Payment, value: Decimal) -> RefundPlan:
    """The plan for refunding ``value`` of ``payment`` as the database stands; raises what :func:`plan_refund` says."""
    session = P24Session.get_or_none((P24Session.payment_id == payment.id) & (P24Session.status == "booked"))
    if session is None or session.order_id is None:
        raise NotFound("payment")
    if value > refundable(payment):
        raise ValidationError({"amount": N_("The amount is more than what is left to refund of this payment.")})
    invoice = invoice_of(payment)
    if invoice is not None:
        earlier = P24Refund.select().where(P24Refund.payment == payment.id)
        corrected = min(value, max(_applied(payment) - sum((r.corrected for r in earlier), ZERO), ZERO))
        if corrected > 0:
            text = document_text(N_("Refund of a payment for %(number)s"), number=invoice.number)
            after = lowered_by_gross(invoice, corrected, text)
            return RefundPlan(payment, value, invoice, corrected, tuple(after), text)
    if _on_open_proforma(payment) and value > payment.amount - _applied(payment):
        raise Conflict(
            N_(
                "This payment is on a proforma that is still open. Cancel the proforma first: "
                "what was paid on it goes to the credit balance, and can then be refunded."
            ),
            code="refund_open_proforma",
        )
    return RefundPlan(payment, value)


def plan_refund(payment_id: int, amount: object) -> RefundPlan:
    """What refunding ``amount`` of P24 payment ``payment_id`` would do, without doing it (the staff's confirmation).

    Raises NotFound for a payment that is not a booked Przelewy24 payment,
    ValidationError for a bad amount or one above what is left to refund, and
    Conflict when P24 is not configured, the money is on an open proforma, or
    the correcting invoice cannot lower the invoice by exactly that amount.
    """
    if not current().configured:
        raise Conflict(N_("Przelewy24 is not configured."), code="p24_not_configured")
    return _plan(_p24_payment(payment_id), _amount(amount))


def request_refund(payment_id: int, amount: object, reason: str, staff: Any, *, ip: str = "") -> P24Refund:
    """Refund ``amount`` of P24 payment ``payment_id``; see the module docstring. Returns the refund.

    Raises what :func:`plan_refund` raises, checked again under the
    customer's money lock, where the plan is carried out. The refund is then
    sent to P24 at once (:func:`send_refund`).
    """
    if not current().configured:
        raise Conflict(N_("Przelewy24 is not configured."), code="p24_not_configured")
    value = _amount(amount)
    reason = (reason or "").strip()[:200]
    found = _p24_payment(payment_id)
    with db.write_transaction():
        db.lock_customer(found.customer_id)
        payment = Payment.get_by_id(found.id)
        plan = _plan(payment, value)
        session = P24Session.get((P24Session.payment_id == payment.id) & (P24Session.status == "booked"))
        correction = None
        if plan.invoice is not None:
            correction = issue_correction(
                plan.invoice,
                plan.after,
                f"{plan.description}: {reason}" if reason else plan.description,
                purpose="refund",
                purpose_ref=payment.id,
                refund_to_payer_label=REFUND_LABEL,
            )
            ledger.append(
                payment.customer_id,
                "correction_credit",
                -correction.total_gross,
                document_id=correction.id,
                payment_id=payment.id,
                reason=document_text(N_("Correcting invoice %(number)s"), number=correction.number),
            )
        entry = ledger.append(
            payment.customer_id,
            "refund",
            -value,
            payment_id=payment.id,
            staff_id=getattr(staff, "id", None),
            reason=document_text(N_("Refund to the payer's account by Przelewy24")),
        )
        refund = P24Refund.create(
            session=session.id,
            payment=payment.id,
            customer_id=payment.customer_id,
            amount=value,
            currency=payment.currency,
            corrected=plan.corrected,
            correction_id=correction.id if correction is not None else None,
            request_id=uuid.uuid4().hex,
            refunds_uuid=uuid.uuid4().hex,
            reason=reason,
            staff_id=getattr(staff, "id", None),
        )
        activity.record(
            "przelewy24.refund_requested",
            actor=staff,
            subject=refund,
            customer_id=payment.customer_id,
            ip=ip,
            payment=payment.id,
            amount=str(value),
            correction=correction.number if correction is not None else "",
        )
        notify.mail_refund(entry, correction)
    send_refund(refund.id)
    return P24Refund.get_by_id(refund.id)


def queue_refund(payment: Payment, amount: Decimal, reason: str) -> P24Refund | None:
    """Refund ``amount`` of ``payment`` whose correcting invoice the caller issued already; sent after commit.

    For a refund the core decides (a consumer's withdrawal): inside the
    caller's write transaction, with the money on the customer's balance, the
    amount is taken off it (``refund``) and a :class:`P24Refund` without a
    correction of its own is recorded; the outbox sends it to P24 after commit
    (kind ``przelewy24_refund``). None when the payment is not a booked P24
    payment, P24 is not configured, or less is left to refund.
    """
    from core import outbox

    session = P24Session.get_or_none((P24Session.payment_id == payment.id) & (P24Session.status == "booked"))
    if not current().configured or session is None or session.order_id is None or amount > refundable(payment):
        return None
    ledger.append(
        payment.customer_id,
        "refund",
        -amount,
        payment_id=payment.id,
        reason=document_text(N_("Refund to the payer's account by Przelewy24")),
    )
    refund = P24Refund.create(
        session=session.id,
        payment=payment.id,
        customer_id=payment.customer_id,
        amount=amount,
        currency=payment.currency,
        corrected=amount,
        correction_id=None,
        request_id=uuid.uuid4().hex,
        refunds_uuid=uuid.uuid4().hex,
        reason=reason[:200],
        staff_id=None,
    )
    outbox.enqueue("przelewy24_refund", {"refund_id": refund.id}, dedupe_key=f"przelewy24_refund:{refund.id}")
    return refund


def send_queued_refund(payload: dict[str, Any]) -> None:
    """The outbox handler of ``przelewy24_refund``: send the refund (:func:`send_refund`)."""
    send_refund(int(payload["refund_id"]))


def send_refund(refund_pk: int) -> str:
    """Send refund ``refund_pk`` to P24 (again, when its answer was lost); return its new status.

    Only a refund that is ``requested`` or ``unknown`` is sent. P24's answer
    "Request already exists" means the first request got through: accepted.
    """
    refund = P24Refund.get_by_id(refund_pk)
    if refund.status not in ("requested", "unknown"):
        return str(refund.status)
    session = P24Session.get_by_id(refund.session_id)
    document = Document.get_by_id(session.document_id)
    body = {
        "requestId": refund.request_id,
        "refundsUuid": refund.refunds_uuid,
        "urlStatus": public_url("/pay/przelewy24/refund-status"),
        "refunds": [
            {
                "orderId": session.order_id,
                "sessionId": session.session_id,
                "amount": grosze(refund.amount),
                "description": document_text(N_("Refund %(number)s"), number=document.number)[:35],
            }
        ],
    }
    try:
        items = P24Client(current()).refund(body)
    except P24Error as exc:
        if exc.status == 400 and "already exists" in exc.message.lower():
            return _settle(refund.id, "accepted", "")
        if exc.transient:
            return _settle(refund.id, "unknown", exc.message)
        return _settle(refund.id, "rejected", exc.message)
    item = items[0] if items else {}
    if item.get("status") is True:
        return _settle(refund.id, "accepted", "")
    return _settle(refund.id, "rejected", str(item.get("message") or NO_REASON))


def _settle(refund_pk: int, status: str, message: str) -> str:
    """Move a refund to ``status``; a rejection puts the amount back on the balance (once)."""
    first = P24Refund.get_by_id(refund_pk)
    with db.write_transaction():
        db.lock_customer(first.customer_id)
        refund = P24Refund.get_by_id(refund_pk)
        allowed = {
            "accepted": ("requested", "unknown"),
            "unknown": ("requested",),
            "completed": OPEN,
            "rejected": OPEN,
        }[status]
        if refund.status not in allowed:
            return str(refund.status)
        refund.status = status
        refund.message = message[:255]
        refund.updated_at = clock.utcnow()
        refund.save()
        if status == "rejected":
            back = ledger.append(
                refund.customer_id,
                "refund_reversed",
                refund.amount,
                payment_id=refund.payment_id,
                reason=document_text(N_("Przelewy24 did not make the refund; the amount stays on the balance")),
            )
            notify.mail_refund_reversed(back)
        activity.record(
            f"przelewy24.refund_{status}",
            subject=refund,
            customer_id=refund.customer_id,
            amount=str(refund.amount),
            message=message[:200],
        )
    return status


def handle_refund_notification(payload: Any) -> Answer:
    """P24's refund notification: check its sign and figures, then complete or reject the refund.

    A bad sign, an unknown ``refundsUuid`` or figures that do not match the
    refund change nothing and are logged; a repeat answers OK and changes nothing.
    """
    settings = current()
    if not settings.configured:
        return Answer(503, {"status": "not_configured"})
    if not isinstance(payload, dict) or not signing.check(signing.REFUND_NOTIFICATION_FIELDS, payload, settings.crc):
        log.warning("Przelewy24 refund notification refused: bad sign")
        return Answer(400, {"status": "refused", "reason": "bad_sign"})
    refund = P24Refund.get_or_none(P24Refund.refunds_uuid == payload["refundsUuid"])
    session = P24Session.get_or_none(P24Session.id == refund.session_id) if refund is not None else None
    if (
        refund is None
        or session is None
        or payload["merchantId"] != settings.merchant_id
        or payload["orderId"] != session.order_id
        or payload["sessionId"] != session.session_id
        or payload["amount"] != grosze(refund.amount)
        or payload["currency"] != refund.currency
        or payload["status"] not in (0, 1)
    ):
        log.warning("Przelewy24 refund notification refused: %r does not match a refund", payload.get("refundsUuid"))
        return Answer(400, {"status": "refused", "reason": "unknown_refund"})
    _settle(refund.id, "completed" if payload["status"] == 0 else "rejected", "")
    return Answer(200, {"status": "OK"})
