"""The three ways to pay through Przelewy24, as hookbill payment methods.

Each is offered when P24 is configured and its kind is in ``[przelewy24]
methods``; each is also the method code its payments are booked under, with
the words and FA(3) payment form a VAT invoice gives that kind
(``document_label``, ``ksef_payment_form``): BLIK is a mobile payment (7), a
card is 2, pay-by-link a transfer (6). A kind no longer offered is not
:meth:`~core.payments.methods.PaymentMethod.enabled` but stays registered, so
the payments booked under it keep their name and form.

Starting a payment registers a P24 transaction and sends the customer to
P24's page; for pay-by-link with ``show_banks``, our payment step first shows
P24's list of banks (the customer's choice goes to P24 as ``method``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core import runtime
from core.i18n import N_
from core.payments.methods import PaymentMethod, PaymentStart
from plugins.przelewy24 import catalogue
from plugins.przelewy24.checkout import start_checkout
from plugins.przelewy24.notifications import CODES
from plugins.przelewy24.settings import current


def customer_language(document: Any) -> str:
    """The language the customer reads (for P24's page and its bank names): theirs, else the panel's."""
    return str(getattr(document.customer, "language", "") or runtime.config().get_value("app.language"))


class Przelewy24Method(PaymentMethod):
    """Base of the Przelewy24 methods; subclasses set ``kind``."""

    kind = ""

    def enabled(self) -> bool:
        """Offered when P24 is configured and this kind is in ``[przelewy24] methods``."""
        return current().offers(self.kind)

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        lang = customer_language(document)
        return PaymentStart(redirect=start_checkout(document, amount, self.kind, language=lang))

    def refund(self, payment: Any, amount: Decimal, *, reason: str) -> bool:
        """Refund through P24's refund API, after commit (:func:`plugins.przelewy24.refunds.queue_refund`)."""
        from plugins.przelewy24.refunds import queue_refund

        return queue_refund(payment, amount, reason) is not None


class Przelewy24Blik(Przelewy24Method):
    """BLIK: the customer confirms with a code from their banking app."""

    kind = "blik"
    code = CODES["blik"]
    label = N_("BLIK")
    description = N_("Pay with a BLIK code from your banking app (Przelewy24).")
    order = 20
    document_label = "BLIK"
    ksef_payment_form = "7"


class Przelewy24Transfer(Przelewy24Method):
    """Pay-by-link: the customer picks a bank (here or on P24's page) and confirms there."""

    kind = "transfer"
    code = CODES["transfer"]
    label = N_("Online bank transfer (Przelewy24)")
    description = N_("Choose your bank and confirm a ready-made transfer there.")
    order = 21
    document_label = "przelew online (Przelewy24)"
    ksef_payment_form = "6"

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        settings = current()
        lang = customer_language(document)
        banks = catalogue.banks(settings, lang) if settings.show_banks else []
        if not banks:
            return super().start(document, amount, base_url=base_url)
        return PaymentStart(
            template="przelewy24/choose_bank.html", context={"document": document, "amount": amount, "banks": banks}
        )


class Przelewy24Card(Przelewy24Method):
    """A payment card (also through Apple Pay and Google Pay)."""

    kind = "card"
    code = CODES["card"]
    label = N_("Payment card (Przelewy24)")
    description = N_("Visa or Mastercard, also through Apple Pay and Google Pay.")
    order = 22
    document_label = "karta płatnicza (Przelewy24)"
    ksef_payment_form = "2"


def all_p24_methods() -> list[PaymentMethod]:
    """One object of each Przelewy24 method."""
    return [Przelewy24Blik(), Przelewy24Transfer(), Przelewy24Card()]
