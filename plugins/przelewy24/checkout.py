"""Starting a Przelewy24 payment, and what the return page tells the customer.

:func:`start_checkout` saves the checkout attempt first (so a notification can
always be matched to it), then registers the transaction with P24
(``POST /transaction/register``: the amount in grosze, our ``sessionId``,
``urlReturn`` and ``urlStatus`` on ``app.base_url``, the channel or the bank
the customer chose) and answers the URL of P24's payment page,
``{base}/trnRequest/{token}``. Every attempt gets a new ``sessionId``: paying
again after an abandoned attempt is a new transaction at P24.

The return page never books anything: P24 sends the customer back whether or
not the payment went through, and only the verified notification is proof.
:func:`return_state` says what to show: ``paid`` once the notification was
booked, ``confirming`` while it may still come, ``not_confirmed`` when the time
P24 gives the customer has long passed without one.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db, runtime
from core.documents.issuing import snapshot_of
from core.errors import Conflict
from core.i18n import N_, document_text
from core.models import Document
from plugins.przelewy24.client import P24Client, P24Error
from plugins.przelewy24.models import P24Session
from plugins.przelewy24.settings import P24Settings, current

#: P24 ``channel`` per kind (summed flags from P24's documentation): BLIK 8192;
#: card with Apple Pay and Google Pay 1; pay-by-link 64 plus online transfer 2.
CHANNELS = {"blik": 8192, "card": 1, "transfer": 66}
#: Languages P24's payment page speaks (ISO 639-1), from its documentation.
P24_LANGUAGES = frozenset(["bg", "cs", "de", "en", "es", "fr", "hr", "hu", "it", "nl", "pl", "pt", "se", "sk", "ro"])
#: The page's language for a reader whose language P24 does not speak.
P24_FALLBACK_LANGUAGE = "en"
TRANSFER_LABEL = re.compile(r"^[a-zA-Z0-9ęółśążźćńĘÓŁŚĄŻŹĆŃ ./\\:-]{1,20}$")
#: How long after registering, beyond P24's time limit, the return page keeps waiting.
CONFIRM_GRACE = timedelta(minutes=15)


def grosze(amount: Decimal) -> int:
    """``Decimal("21.73")`` -> ``2173``: P24 takes amounts in the lowest currency unit."""
    return int(amount * 100)


def new_session_id(document: Document) -> str:
    """A fresh, unguessable ``sessionId`` naming the document (at most 100 characters)."""
    return f"hb-{document.id}-{secrets.token_hex(12)}"


def public_url(path: str) -> str:
    """``path`` on the panel's public address (``app.base_url``), which P24 must reach."""
    return str(runtime.config().get_value("app.base_url")).rstrip("/") + path


def page_language(language: str) -> str:
    """The language of P24's payment page: ``language``, else the panel's, else P24's fallback (English)."""
    for candidate in (language, str(runtime.config().get_value("app.language"))):
        if candidate in P24_LANGUAGES:
            return candidate
    return P24_FALLBACK_LANGUAGE


def register_fields(session: P24Session, document: Document, settings: P24Settings, language: str) -> dict[str, Any]:
    """The registration body (without merchantId, posId and sign, which the client adds)."""
    customer = document.customer
    fields: dict[str, Any] = {
        "sessionId": session.session_id,
        "amount": grosze(session.amount),
        "currency": session.currency,
        "description": document_text(N_("Payment for %(number)s"), number=document.number),
        "email": customer.email[:50],
        "client": customer.full_name[:40],
        "country": snapshot_of(document).buyer.country,
        "language": page_language(language),
        "urlReturn": public_url(f"/pay/przelewy24/return/{session.session_id}"),
        "urlStatus": public_url("/pay/przelewy24/status"),
        "timeLimit": settings.time_limit_minutes,
        "waitForResult": settings.wait_for_result,
    }
    if TRANSFER_LABEL.match(document.number):
        fields["transferLabel"] = document.number
    if session.bank_method is not None:
        fields["method"] = session.bank_method
    else:
        fields["channel"] = CHANNELS[session.kind]
    return fields


def start_checkout(
    document: Document, amount: Decimal, kind: str, *, bank_method: int | None = None, language: str = ""
) -> str:
    """Register a P24 transaction for ``amount`` of ``document``; return P24's payment page URL.

    Raises Conflict when the kind is not offered, nothing is due, or P24
    refused or could not be reached (the attempt is kept as ``failed``, with
    P24's answer, for staff).
    """
    settings = current()
    if not settings.offers(kind):
        raise Conflict(N_("This payment method is not available."), code="p24_not_offered")
    if amount <= 0:
        raise Conflict(N_("Nothing is due on this document."), code="nothing_due")
    with db.write_transaction():
        session = P24Session.create(
            session_id=new_session_id(document),
            customer=document.customer_id,
            document=document.id,
            kind=kind,
            bank_method=bank_method,
            amount=amount,
            currency=document.currency,
        )
        activity.record("przelewy24.checkout_started", subject=session, customer_id=document.customer_id, kind=kind)
    try:
        token = P24Client(settings).register(register_fields(session, document, settings, language))
    except P24Error as exc:
        P24Session.update(status="failed", last_error=exc.message[:255]).where(P24Session.id == session.id).execute()
        raise Conflict(
            N_("Przelewy24 cannot take the payment right now. Try again in a moment or choose another method."),
            code="p24_unavailable",
        ) from None
    P24Session.update(status="registered", token=token).where(
        (P24Session.id == session.id) & (P24Session.status == "new")
    ).execute()
    return f"{settings.base_url}/trnRequest/{token}"


def return_state(session: P24Session) -> str:
    """``paid``, ``confirming`` or ``not_confirmed``: see the module docstring."""
    if session.status == "booked":
        return "paid"
    if session.status == "verified":
        return "confirming"
    limit = timedelta(minutes=current().time_limit_minutes or 99) + CONFIRM_GRACE
    if clock.utcnow() - session.created_at > limit:
        return "not_confirmed"
    return "confirming"
