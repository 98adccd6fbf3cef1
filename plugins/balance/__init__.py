"""Built-in plugin: the credit balance in quotes, on proformas and as a payment method.

Only the money the customer paid onto the balance (deposits) pays: credit
granted by staff is a discount the core puts on the document's lines before it
is issued (:mod:`core.balance.credit`), whatever this plugin does.

* ``on_upgrade_quote`` (``trylast``): offers the customer's available balance
  to the quote (``balance_offered``). It only decides the amount; the core
  applies the deposits, up to it, to the settled gross total and computes what
  is left to pay (:mod:`core.upgrades.settle`, docs/billing.md rule 7). Pure:
  the balance was read by the quote builder.
* ``on_order_quote`` (``trylast``): the same for a new order's quote.
* ``on_invoice_issue``: when a proforma is issued, the deposits on the balance
  are applied to it automatically as a payment (method ``balance``), never as a
  negative line; inside the issuing transaction, with the money lock. Not to
  the proforma behind a VAT invoice for a transfer already received
  (:mod:`core.documents.manual`): that transfer pays it, not the credit.
* ``hookbill_payment_methods``: "Pay from balance" for an open proforma, while
  there are deposits on the balance.

Settings: ``[balance] apply_on_issue`` (default true) turns the automatic
application of deposits off for providers who want the customer to choose.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core import runtime
from core.config import Config
from core.hookspecs import hookimpl
from core.i18n import N_
from core.money import ZERO
from core.payments.methods import PaymentMethod, PaymentStart
from core.upgrades.quote import Quote

if TYPE_CHECKING:
    from core.models import Document
    from core.orders.quote import OrderQuote


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.section("balance", {"apply_on_issue": True})


@hookimpl(trylast=True)
def on_upgrade_quote(quote: Quote) -> None:
    """Offer the whole available balance: the proforma gets it as a payment when it is issued."""
    quote.balance_offered = max(quote.balance_available, ZERO)


@hookimpl(trylast=True)
def on_order_quote(quote: OrderQuote) -> None:
    """Offer the whole available balance to a new order, as for a change: the proforma gets it on issue."""
    quote.balance_offered = max(quote.balance_available, ZERO)


@hookimpl
def on_invoice_issue(document: Document) -> None:
    """Pay a new proforma from the balance, as far as it goes."""
    if document.kind != "proforma" or not runtime.config().get_value("balance.apply_on_issue", True):
        return
    from core.documents.manual import PAYMENT_RECEIVED

    if document.purpose == PAYMENT_RECEIVED:
        return
    from core.payments.recording import pay_from_balance

    pay_from_balance(document, f"auto:{document.id}")


class BalanceMethod(PaymentMethod):
    """Pay an open proforma from the credit balance (as much as it holds)."""

    code = "balance"
    label = N_("Pay from balance")
    description = N_("Use the money on your credit balance.")
    order = 10
    paid_with = "Credit balance"
    # A set-off against money the customer paid in advance: no FA(3) form fits.
    document_label = "kompensata z saldem przedpłat klienta"
    ksef_payment_form = ""

    def available_for(self, document: Any) -> bool:
        """Offered while money paid onto the balance is there (staff credit is a discount, never a payment)."""
        from core.balance.credit import parts_of

        return super().available_for(document) and parts_of(document.customer_id).deposits > 0

    def start(self, document: Any, amount: Decimal, *, base_url: str = "") -> PaymentStart:
        import uuid

        from core.payments.recording import pay_from_balance

        outcome = pay_from_balance(document, f"web:{uuid.uuid4().hex}")
        if outcome is None:
            return PaymentStart(done=False, message=N_("There is nothing to pay from the balance."))
        return PaymentStart(done=True, message=N_("Paid from your credit balance."))


@hookimpl
def hookbill_payment_methods() -> list[PaymentMethod]:
    return [BalanceMethod()]
