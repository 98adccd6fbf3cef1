"""Built-in plugin: an online test gateway, the shape of a real one (Przelewy24, PayU).

Flow: "Pay online" redirects the customer to the gateway's payment page (here
a local page, ``/pay/testgateway/checkout/<document>``), which starts a
checkout attempt with its own transaction id (:mod:`plugins.testgateway.checkout`).
When the customer pays there, the gateway notifies us server-to-server with a
signed callback under that transaction id (``POST /pay/testgateway/callback``,
JSON body, header ``X-Hookbill-Signature: hex(HMAC-SHA256(secret, raw body))``)
and sends the customer back to the proforma. The local page delivers that
callback in-process, through the very function the HTTP route uses; clicking
"pay" again, or ten times at once, books the attempt once.

Callback rules: a missing or wrong signature is refused with 403 (constant-
time comparison); a body that is not a JSON object with a timestamp, or holds
text no database stores (:func:`core.untrusted.loads_json`), is 400; a
timestamp outside ``replay_window_seconds`` is refused with 400 (a replay); a
document id that names no document is 404, an amount that is not one 422; a
transaction id already recorded answers 409
``duplicate`` and changes nothing (:func:`record_payment` is idempotent). A
real gateway plugin should answer a duplicate its gateway's "OK" instead, so
the gateway stops retrying.

Config ``[testgateway]``: ``secret`` (default: derived from
``app.secret_key``), ``replay_window_seconds`` (600), ``enabled`` (true in development, false in production).
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from core import runtime
from core.config import Config, app_secret_key
from core.extension import MigrationSet
from core.hookspecs import hookimpl
from core.i18n import N_
from core.payments.methods import PaymentMethod, PaymentStart
from core.untrusted import as_id, loads_json

CODE = "testgateway"


class CallbackRefused(Exception):
    """A callback that must not be processed.

    ``status`` and ``code`` say why, for the gateway's server; ``detail`` is the
    English explanation in the JSON answer. For a person: ``reason`` is the message
    of the domain rule or plugin that refused the payment (an English message id),
    else ``message`` says what happened (an English message id). Pages translate both.
    """

    def __init__(self, status: int, code: str, detail: str, reason: str = "") -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.reason = status, code, detail, reason
        self.message = CUSTOMER_MESSAGES.get(code, UNVERIFIED)


#: What a person is told when the gateway's notification is refused, by code.
UNVERIFIED = N_("The payment was not recorded: the gateway's confirmation could not be verified. Please try again.")
CUSTOMER_MESSAGES = {
    "not_configured": N_("The payment was not recorded: the test gateway has no secret to sign its confirmations."),
    "duplicate": N_("This payment was already recorded; nothing changed."),
    "not_found": N_("The payment was not recorded: the document no longer exists."),
    "currency": N_("The payment was not recorded: its currency does not match the document's."),
}


def secret() -> bytes:
    """The shared HMAC secret: ``[testgateway] secret``, else derived from the app's secret key.

    The app's secret key is the one :func:`core.config.app_secret_key` resolves,
    so in development (no key configured) the gateway signs with the key kept in
    the instance folder, like sessions and CSRF do.
    """
    config = runtime.config()
    value = str(config.get_value("testgateway.secret") or "")
    if not value:
        app_key = app_secret_key(config)
        if not app_key:
            return b""
        value = hmac.new(app_key.encode(), b"hookbill-testgateway", hashlib.sha256).hexdigest()
    return value.encode()


def sign(body: bytes) -> str:
    """The signature of a raw callback body."""
    return hmac.new(secret(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None) -> dict[str, Any]:
    """Check the signature and freshness of a callback; return its parsed payload."""
    from core import clock

    key = secret()
    if not key:
        raise CallbackRefused(503, "not_configured", "the gateway secret is not configured")
    if not signature:
        raise CallbackRefused(403, "signature_missing", "the callback is not signed")
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), signature.strip().lower()):
        raise CallbackRefused(403, "signature_invalid", "the callback signature is wrong")
    try:
        payload = loads_json(body)
        stamp = int(payload["timestamp"])
    except (ValueError, KeyError, TypeError, OverflowError):
        raise CallbackRefused(400, "malformed", "the callback body is not valid") from None
    window = int(runtime.config().get_value("testgateway.replay_window_seconds") or 600)
    if abs(int(clock.now().timestamp()) - stamp) > window:
        raise CallbackRefused(400, "replayed", "the callback is too old (a replay?)")
    return dict(payload)


def handle_callback(body: bytes, signature: str | None) -> dict[str, Any]:
    """Verify and record one callback; return the JSON answer. Raises CallbackRefused."""
    from core.errors import DomainError, ValidationError
    from core.models import Document
    from core.payments.recording import record_payment

    payload = verify(body, signature)
    document_id = as_id(payload.get("document_id"))
    document = Document.get_or_none(Document.id == document_id) if document_id is not None else None
    if document is None:
        raise CallbackRefused(404, "not_found", "no such document")
    if str(payload.get("currency") or "") != document.currency:
        raise CallbackRefused(422, "currency", "the currency does not match the document")
    try:
        outcome = record_payment(
            CODE,
            str(payload.get("transaction_id") or ""),
            payload.get("amount"),
            document,
            details={"gateway": CODE, "timestamp": payload["timestamp"]},
        )
    except DomainError as exc:  # a rule, or a plugin refused the payment (HookRefused): its message is for the person
        message = next(iter(exc.errors.values())) if isinstance(exc, ValidationError) else exc.message
        raise CallbackRefused(exc.status, exc.code, exc.message, message) from None
    if outcome.duplicate:
        raise CallbackRefused(409, "duplicate", "this transaction was already recorded; nothing changed")
    return {
        "status": "recorded",
        "payment_id": outcome.payment.id,
        "applied": str(outcome.applied),
        "overpaid": str(outcome.overpaid),
    }


class TestGateway(PaymentMethod):
    """Online payment through the local test gateway page."""

    __test__ = False  # not a pytest class
    code = CODE
    label = "Online payment (test gateway)"
    description = "Pay online; the package changes as soon as the gateway confirms."
    order = 30

    def enabled(self) -> bool:
        """``[testgateway] enabled``: off in production unless the provider turns it on."""
        return bool(runtime.config().get_value("testgateway.enabled", True))

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        return PaymentStart(redirect=f"{base_url}/pay/{CODE}/checkout/{document.id}")

    def refund(self, payment: Any, amount: Decimal, *, reason: str) -> bool:
        """The test gateway returns money at once: the amount leaves the balance as a refund to the card."""
        from core.balance import ledger
        from core.i18n import document_text

        ledger.append(
            payment.customer_id,
            "refund",
            -amount,
            payment_id=payment.id,
            reason=document_text(N_("Refund to the payer's card by the test gateway")),
        )
        return True


@hookimpl
def hookbill_configure(config: Config) -> None:
    # A test gateway takes no real money: on in development and demos, off in
    # production unless the provider turns it on on purpose.
    config.section("testgateway", {"secret": "", "replay_window_seconds": 600, "enabled": not config.production})


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("testgateway", "plugins.testgateway.migrations")]


@hookimpl
def hookbill_payment_methods() -> list[PaymentMethod]:
    return [TestGateway()]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Any]:
    from plugins.testgateway.views import bp

    return [bp]
