"""The payment-method interface every payment plugin implements, and the registry.

A method is an object returned by the ``hookbill_payment_methods`` hook. The
core asks it whether it can pay a document (:meth:`PaymentMethod.available_for`)
and to start a payment (:meth:`PaymentMethod.start`); the method answers with
a :class:`PaymentStart`: a page to show (bank transfer instructions), a URL to
send the customer to (an online gateway), or "done" (paid from the balance).
Money is recorded only through :func:`core.payments.recording.record_payment`,
idempotent by ``(method code, transaction id)``.

How a payment appears on a document is the method's too, in one place:
``document_label`` (Polish words printed on the invoice, the document's
language: "przelew") and ``ksef_payment_form`` (the FA(3) ``FormaPlatnosci``
code: 1 cash, 2 card, 3 voucher, 4 cheque, 5 credit, 6 transfer, 7 mobile
payment such as BLIK). A method no listed form fits (a set-off against the
credit balance) leaves ``ksef_payment_form`` empty and KSeF gets
``PlatnoscInna`` with ``document_label``. :func:`payment_part` freezes both into
the document when it is issued (:class:`core.documents.snapshot.PaymentPart`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core import runtime
from core.documents.snapshot import PaymentPart
from core.errors import NotFound
from core.i18n import N_
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
    idempotency key, so it never changes once payments exist. How its payments
    read on documents: ``document_label`` and ``ksef_payment_form`` (module
    docstring). Whether it is offered at all: :meth:`enabled`.
    """

    code: str = ""
    label: str = ""
    description: str = ""
    order: int = 100
    #: how a recorded payment is named in lists ("Credit balance"); default: ``label``
    paid_with: str = ""
    #: how the payment is named on the invoice, in Polish (the document's language)
    document_label: str = ""
    #: FA(3) FormaPlatnosci code ("6" transfer, "2" card, "7" BLIK); "" = another form
    ksef_payment_form: str = ""

    def enabled(self) -> bool:
        """True when the provider offers this method at all (configured and switched on).

        The one switch for offering a method: a method that is not enabled is
        never listed and cannot start a payment, yet it stays registered, so
        the payments it recorded earlier keep their name and FA(3) form.
        Default: True.
        """
        return True

    def available_for(self, document: Any) -> bool:
        """True when this method can pay ``document`` now (default: enabled, and an open proforma)."""
        return self.enabled() and document.kind == "proforma" and document.status in ("unpaid", "partially_paid")

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        """Begin paying ``amount`` of ``document``; see :class:`PaymentStart`."""
        raise NotImplementedError

    def refund(self, payment: Any, amount: Decimal, *, reason: str) -> bool:
        """Send ``amount`` of ``payment`` back to the payer; True when this method does it by itself.

        Called inside the write transaction of a refund the core decides (a
        consumer's withdrawal, :mod:`core.orders.withdrawal`), with the
        customer's money lock held and the amount already on their credit
        balance (the correcting invoice put it there). A method that can send
        money back takes it off the balance (a ``refund`` ledger entry) and
        queues the transfer in the outbox (network I/O runs after commit), then
        returns True. Default: False: the core takes the amount off the balance
        itself and staff send it back by hand (the order's page says so).
        """
        return False

    def transaction_key(self, reference: str) -> str:
        """The transaction id a payment of this method is recorded under, from its reference as written.

        Default: the reference without surrounding spaces. A method whose
        references are copied by hand (a bank's, typed in by staff) writes
        them one way here, so that one transaction always gets one key,
        whoever records it.
        """
        return str(reference or "").strip()


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


def transaction_key(code: str, reference: str) -> str:
    """The key payment method ``code`` records ``reference`` under (see :meth:`PaymentMethod.transaction_key`).

    A method that is not registered (its plugin disabled) keeps the reference as written, stripped.
    """
    method = find_method(code)
    return method.transaction_key(reference) if method is not None else str(reference or "").strip()


def methods_for(document: Any) -> list[PaymentMethod]:
    """The methods that can pay ``document`` now."""
    return [m for m in all_methods() if m.available_for(document)]


def method_name(code: str) -> str:
    """The name of payment method ``code`` for a page (an English msgid to translate); unknown: "Other"."""
    method = find_method(code)
    if method is None:
        return N_("Other payment method")
    return method.paid_with or method.label or N_("Other payment method")


#: Invoice words for a payment whose method is no longer installed: what it was, not its code.
UNKNOWN_METHOD_LABEL = "inna forma płatności"


def payment_part(method_code: str, amount: Decimal, day: date) -> PaymentPart:
    """How ``amount`` paid by ``method_code`` on ``day`` is printed and sent to KSeF.

    Label and FA(3) form come from the method (module docstring); a method
    that is not registered any more is "inna forma płatności", never its code.
    """
    method = find_method(method_code)
    label = (method.document_label if method else "") or UNKNOWN_METHOD_LABEL
    form = method.ksef_payment_form if method else ""
    return PaymentPart(amount=amount, date=day, method=method_code, label=label, ksef_form=form)
