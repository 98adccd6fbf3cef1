"""The payment-method interface every payment plugin implements, and the registry.

A method is an object returned by the ``hookbill_payment_methods`` hook. The
core asks it whether it can pay a document (:meth:`PaymentMethod.available_for`)
and to start a payment (:meth:`PaymentMethod.start`); the method answers with
a :class:`PaymentStart`: a page to show (bank transfer instructions), a URL to
send the customer to (an online gateway), or "done" (paid from the balance).
Money is recorded only through :func:`core.payments.recording.record_payment`,
idempotent by ``(method code, transaction id)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core import runtime
from core.errors import NotFound
from core.plugins import collect_by_code


@dataclass(frozen=True)
class PaymentStart:
    """What starting a payment gives the web layer.

    ``template`` + ``context``: render this page (instructions). ``redirect``:
    send the browser there. ``done``: the payment was recorded already;
    ``message`` says so.
    """

    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    redirect: str = ""
    done: bool = False
    message: str = ""


class PaymentMethod:
    """Base class of payment methods. Subclasses set ``code``, ``label``, ``order``.

    ``code`` is stored on every :class:`core.models.Payment` and is part of its
    idempotency key, so it never changes once payments exist.

    ``ksef_payment_form`` is how a VAT invoice says the money was paid: the
    FA(3) ``FormaPlatnosci`` code (``"1"`` cash, ``"2"`` card, ``"3"`` voucher,
    ``"4"`` cheque, ``"5"`` credit, ``"6"`` transfer, ``"7"`` mobile payment
    such as BLIK). Empty means none of these: the invoice then says
    ``PlatnoscInna`` with ``ksef_description``, Polish words for what happened
    (a set-off against the credit balance, say). Both are frozen into the
    invoice's snapshot when it is issued.
    """

    code: str = ""
    label: str = ""
    description: str = ""
    order: int = 100
    ksef_payment_form: str = ""
    ksef_description: str = ""

    def enabled(self) -> bool:
        """True when the provider offers this method at all (configured and switched on).

        A method that is registered but not enabled still names and describes
        the payments it recorded earlier; it is just not offered. Default: True.
        """
        return True

    def available_for(self, document: Any) -> bool:
        """True when this method can pay ``document`` now (default: enabled, and an open proforma)."""
        return self.enabled() and document.kind == "proforma" and document.status in ("unpaid", "partially_paid")

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        """Begin paying ``amount`` of ``document``; see :class:`PaymentStart`."""
        raise NotImplementedError


def all_methods() -> list[PaymentMethod]:
    """Every registered payment method, by ``order`` then code; two with one code stop the app."""
    found = collect_by_code(runtime.hooks().hookbill_payment_methods(), "payment method")
    return sorted(found.values(), key=lambda m: (m.order, m.code))


def get_method(code: str) -> PaymentMethod:
    """The payment method ``code``, or NotFound."""
    for method in all_methods():
        if method.code == code:
            return method
    raise NotFound("payment method")


def find_method(code: str) -> PaymentMethod | None:
    """The payment method ``code``, or None when no plugin provides it (any more)."""
    return next((m for m in all_methods() if m.code == code), None)


def methods_for(document: Any) -> list[PaymentMethod]:
    """The methods that can pay ``document`` now."""
    return [m for m in all_methods() if m.available_for(document)]
