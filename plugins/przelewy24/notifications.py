"""P24's transaction notification (``urlStatus``): check, verify with P24, then book once.

P24 POSTs a JSON notification for every successful payment, and repeats it
(after 3, 5, 15, 30, 60, 150 and 450 minutes) until the merchant verifies the
transaction. :func:`handle_notification` takes it through these steps, in order:

1. the sender's address, when ``allowed_ips`` is set;
2. the ``sign`` (SHA-384 keyed with the CRC, :mod:`plugins.przelewy24.signing`);
3. our merchant and POS id;
4. a checkout attempt with this ``sessionId``;
5. the amount (``amount`` and ``originAmount``, in grosze) and the currency
   registered for that attempt;
6. a repeat of a notification already booked: answered OK, nothing booked;
7. ``PUT /transaction/verify`` with P24 (outside any transaction) and, when P24
   confirms, the attempt marked ``verified``;
8. booking: :func:`core.payments.recording.record_payment` with the method code
   of the kind actually paid (BLIK, card, transfer) and the ``sessionId`` as the
   transaction id, in one transaction with the attempt marked ``booked``
   under the customer's money lock.

A notification refused at steps 1-5 books nothing, is logged (the Python log
and the activity log) and is answered 4xx JSON. When verifying fails (P24
unreachable, an error) the answer is 503 and nothing is booked: P24 sends the
notification again, since the transaction is not verified. When booking fails
after P24 confirmed, the attempt stays ``verified``: the answer is 500 (P24
will not repeat a verified transaction), and the ``przelewy24`` cron job books
every verified attempt later. Every answer is JSON, never an HTML page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core import activity, clock, db
from core.models import Document
from core.payments.recording import record_payment
from core.plugins import describe_failure
from plugins.przelewy24 import catalogue, signing
from plugins.przelewy24.checkout import grosze
from plugins.przelewy24.client import P24Client, P24Error
from plugins.przelewy24.models import P24Session
from plugins.przelewy24.settings import P24Settings, current

log = logging.getLogger("hookbill.przelewy24")

#: The payment method code a payment of each kind is booked under.
CODES = {"blik": "przelewy24_blik", "transfer": "przelewy24_transfer", "card": "przelewy24_card"}
UNVERIFIED = ("new", "registered", "failed")


@dataclass(frozen=True)
class Answer:
    """What the notification endpoint answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


def _refuse(status: int, reason: str, payload: Any, session: P24Session | None = None, ip: str = "") -> Answer:
    """Log a refused notification (never its sign) and answer it."""
    details = payload if isinstance(payload, dict) else {}
    log.warning(
        "Przelewy24 notification refused (%s) from %s: session %r, order %r, amount %r %r",
        reason,
        ip,
        details.get("sessionId"),
        details.get("orderId"),
        details.get("amount"),
        details.get("currency"),
    )
    with db.write_transaction():
        activity.record(
            "przelewy24.notification_refused",
            subject=session,
            customer_id=session.customer_id if session else None,
            ip=ip,
            reason=reason,
            session=str(details.get("sessionId", ""))[:100],
            order_id=str(details.get("orderId", ""))[:32],
            amount=str(details.get("amount", ""))[:32],
            currency=str(details.get("currency", ""))[:8],
        )
    return Answer(status, {"status": "refused", "reason": reason})


def handle_notification(payload: Any, ip: str = "") -> Answer:
    """Take one notification through the steps of the module docstring; return the answer."""
    settings = current()
    if not settings.configured:
        return Answer(503, {"status": "not_configured"})
    if not settings.ip_allowed(ip):
        return _refuse(403, "address", payload, ip=ip)
    if not isinstance(payload, dict):
        return _refuse(400, "malformed", {}, ip=ip)
    if not signing.check(signing.NOTIFICATION_FIELDS, payload, settings.crc):
        return _refuse(400, "bad_sign", payload, ip=ip)
    if payload["merchantId"] != settings.merchant_id or payload["posId"] != settings.pos_id:
        return _refuse(400, "merchant", payload, ip=ip)
    session = P24Session.get_or_none(P24Session.session_id == payload["sessionId"])
    if session is None:
        return _refuse(404, "unknown_session", payload, ip=ip)
    expected = grosze(session.amount)
    if payload["amount"] != expected or payload["originAmount"] != expected:
        return _refuse(400, "amount", payload, session, ip)
    if payload["currency"] != session.currency:
        return _refuse(400, "currency", payload, session, ip)
    if session.status == "booked":
        return _repeat(session, payload)
    if session.status in UNVERIFIED:
        try:
            P24Client(settings).verify(session.session_id, payload["orderId"], expected, session.currency)
        except P24Error as exc:
            log.warning("Przelewy24 did not verify session %s: %s", session.session_id, exc)
            return Answer(503, {"status": "retry", "reason": "verify_failed"})
        _mark_verified(settings, session, payload)
    try:
        booked = book(session.id)
    except Exception as exc:  # a rule, a plugin's refusal or bug: the payment waits for the cron job
        log.error(
            "booking the verified Przelewy24 session %s failed (%s); the cron job retries",
            session.session_id,
            describe_failure(exc),
            exc_info=exc,
        )
        return Answer(500, {"status": "error", "reason": "booking_failed"})
    if not booked:
        return _repeat(session, payload)
    return Answer(200, {"status": "OK"})


def _repeat(session: P24Session, payload: dict[str, Any]) -> Answer:
    log.info("Przelewy24 notification for session %s repeated; nothing booked", session.session_id)
    with db.write_transaction():
        activity.record(
            "przelewy24.notification_repeated",
            subject=session,
            customer_id=session.customer_id,
            order_id=str(payload.get("orderId", ""))[:32],
        )
    return Answer(200, {"status": "OK", "repeat": True})


def _mark_verified(settings: P24Settings, session: P24Session, payload: dict[str, Any]) -> None:
    """Record P24's confirmation and the kind actually paid (fixed from now on)."""
    kind = catalogue.kind_of(settings, payload["methodId"], session.kind)
    with db.write_transaction():
        P24Session.update(
            status="verified",
            order_id=payload["orderId"],
            method_id=payload["methodId"],
            statement=str(payload["statement"])[:255],
            kind=kind,
            verified_at=clock.utcnow(),
        ).where((P24Session.id == session.id) & P24Session.status.in_(UNVERIFIED)).execute()


def book(session_pk: int) -> bool:
    """Book the payment of a verified attempt; False when it was booked already.

    One transaction under the customer's money lock: the attempt is re-read,
    the payment recorded (``record_payment`` is itself idempotent by method and
    ``sessionId``) and the attempt marked ``booked``, or nothing happens.
    """
    first = P24Session.get_by_id(session_pk)
    with db.write_transaction():
        db.lock_customer(first.customer_id)
        session = P24Session.get_by_id(session_pk)
        if session.status == "booked":
            return False
        if session.status != "verified":
            raise RuntimeError(f"session {session.session_id} is {session.status}, not verified")
        outcome = record_payment(
            CODES[session.kind],
            session.session_id,
            session.amount,
            Document.get_by_id(session.document_id),
            details={"gateway": "przelewy24", "order_id": session.order_id, "method_id": session.method_id},
        )
        session.status = "booked"
        session.payment_id = outcome.payment.id
        session.booked_at = clock.utcnow()
        session.save()
        activity.record(
            "przelewy24.payment_booked",
            subject=session,
            customer_id=session.customer_id,
            payment=outcome.payment.id,
            amount=str(session.amount),
            kind=session.kind,
        )
    return True


def book_verified() -> int:
    """Cron: book every attempt P24 confirmed but that is not booked yet; return how many were booked."""
    done = 0
    for session in P24Session.select(P24Session.id).where(P24Session.status == "verified"):
        try:
            done += int(book(session.id))
        except Exception as exc:
            log.error(
                "booking Przelewy24 session %s failed (%s); next run tries again",
                session.id,
                describe_failure(exc),
                exc_info=exc,
            )
    return done
