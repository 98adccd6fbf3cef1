"""What a downgrade gives back, and how: one rule for the summary and for applying it.

A downgrade's quote ends in a negative total: the unused part of the dearer
package is worth more than the rest of the period costs on the cheaper one.
Where that money goes is the provider's ``billing.downgrade`` mode:

* ``credit``: the change applies now and the difference, gross, goes to the
  customer's credit balance, through a correcting invoice (art. 106j ust. 1) of
  the VAT invoice of the current period; the balance pays later invoices. The
  amount is the correction's own gross total, computed by the one corrections
  path (:mod:`core.documents.corrections`: VAT once per rate on the invoice's
  totals before and after, the invoice as it stands after any earlier
  correction), so the summary shows to the grosz what the balance gets. The
  correction keeps the corrected invoice's buyer and tax treatment. Without such
  an invoice (or when what it still stands at is less than the credit: a
  correction cannot take an invoice below zero) the quote's gross goes to the
  balance without a correction.
* ``none``: the change applies now and nothing is given back; the summary says
  so and names the value of the unused part.
* ``end_of_period``: nothing is given back and nothing is lost: the paid package
  stays until the next due date, when the change applies.

:func:`downgrade_refund` answers for a quote; :mod:`core.upgrades.apply` moves the
money with the same :func:`credit_correction_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.documents.build import LineInput
from core.documents.corrections import UNIT, current_lines, preview_correction, state_net
from core.documents.issuing import snapshot_of
from core.documents.taxation import default_rate, line_rate_for_buyer
from core.models import Document, Service, ServiceChange
from core.money import ZERO

#: The reason printed on the correcting invoice (Polish, the document's language).
CORRECTION_REASON = "Zmiana pakietu na tańszy (downgrade), zwrot na saldo"


@dataclass(frozen=True)
class DowngradeRefund:
    """What the customer gets back for a downgrade, and how (module docstring).

    ``amount`` goes back now (gross, 0 unless ``mode == "credit"``); ``unused``
    is the gross value of the difference; ``invoice`` is the VAT invoice a
    correcting invoice will correct (credit mode), None when the credit goes to
    the balance without one; ``apply_on`` is the day a scheduled change applies.
    """

    mode: str
    amount: Decimal
    unused: Decimal
    invoice: Document | None = None
    apply_on: date | None = None


def current_vat_invoice(service: Service) -> Document | None:
    """The VAT invoice of the service's current period: its newest, issued no earlier than a period before."""
    change_ids = [c.id for c in ServiceChange.select(ServiceChange.id).where(ServiceChange.service == service)]
    span = service.next_due - service.period_start
    by_service = Document.purpose.in_(["renewal", "order"]) & (Document.purpose_ref == service.id)
    by_change = (Document.purpose == "service_change") & Document.purpose_ref.in_(change_ids or [0])
    return (
        Document.select()
        .where(
            (Document.kind == "vat")
            & (Document.customer == service.customer_id)
            & (by_service | by_change)
            & (Document.issue_date >= service.period_start - span)
        )
        .order_by(Document.id.desc())
        .first()
    )


def credit_correction_lines(
    invoice: Document, net: Decimal, vat_rate: str, product: Any, reason: str
) -> list[LineInput]:
    """The after-state lines of the correction: the invoice's current lines plus one negative line ``net``.

    The current lines are those after any earlier correction of the invoice
    (:func:`core.documents.corrections.current_lines`), so a second correction
    never undoes the first. The new line is taxed the way the corrected
    invoice's buyer is taxed.
    """
    after = [LineInput.from_line(ln) for ln in current_lines(invoice)]
    domestic = default_rate(product)
    rate = line_rate_for_buyer(vat_rate, domestic, snapshot_of(invoice).buyer)
    after.append(LineInput(reason, Decimal(1), UNIT, net, rate, base_rate=domestic))
    return after


def correction_gross(invoice: Document, lines: list[LineInput]) -> Decimal:
    """The gross total the correction of ``invoice`` to ``lines`` will have (no writes).

    It is :func:`core.documents.corrections.preview_correction`'s: the document
    :mod:`core.upgrades.apply` issues, to the grosz.
    """
    return preview_correction(invoice, lines, CORRECTION_REASON).total_gross


def correctable_invoice(service: Service, net: Decimal) -> Document | None:
    """The current period's VAT invoice, when a correction by ``net`` (< 0) keeps its current state at or above zero."""
    invoice = current_vat_invoice(service)
    if invoice is None or state_net(current_lines(invoice)) + net < 0:
        return None
    return invoice


def downgrade_refund(quote: Any) -> DowngradeRefund | None:
    """What confirming the downgrade ``quote`` gives back (module docstring); None when it is no downgrade."""
    if quote.net >= 0:
        return None
    unused = -quote.gross
    if quote.action == "credit":
        invoice = correctable_invoice(quote.service, quote.net)
        if invoice is None:
            return DowngradeRefund("credit", unused, unused)
        lines = credit_correction_lines(invoice, quote.net, quote.vat_rate, quote.target, "-")
        return DowngradeRefund("credit", max(-correction_gross(invoice, lines), ZERO), unused, invoice)
    if quote.action == "schedule":
        return DowngradeRefund("end_of_period", ZERO, unused, apply_on=quote.apply_on)
    return DowngradeRefund("none", ZERO, unused)
