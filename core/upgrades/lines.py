"""The one place a quote's lines become the documents its confirmation (and payment) issues.

:func:`planned_documents` says which documents a paid quote produces and with
which lines; the quote's totals are the sum of those documents' totals, each
computed as that document computes its own (VAT once per rate,
:func:`core.upgrades.settle.settle`), so the summary page, the proforma, the API
and the documents never disagree by a grosz. A VAT invoice carries no negative
line for the unused part of the old package (art. 106j: lowering the tax base of
a service billed on an earlier invoice is a correcting invoice's job), so a paid
change (``charge > credit``) is invoiced in one of two shapes, chosen by the
provider in ``billing.change_documents``:

* ``difference`` (default): one positive line, "Dopłata za zmianę pakietu
  Basic -> Pro za okres 16.03-31.03.2026", whose net is ``charge - credit``;
  VAT on that net. The totals are exactly those of the credit and charge lines
  side by side (the same net, VAT once on it).
* ``correction``: a correcting invoice of the invoice that billed the current
  period (:class:`core.upgrades.quote.CurrentInvoice`), adding the unused part
  as a negative line to it, and a new VAT invoice for the charge; the two are
  settled against each other, so the customer pays the difference once. Each
  document rounds its own VAT. Without such an invoice (none, or it stands at
  less than the credit) the change is invoiced as in ``difference`` mode.

Lines a plugin added (a discount, a fee) go on the new invoice as they are.
Staff credit on the balance is a discount on the new invoice's lines
(``quote.staff_discounts``, decided by :mod:`core.upgrades.settle`), never on
the correction.
The proforma mirrors the documents its payment produces: its lines are theirs
(in ``correction`` mode the correction's line is named as one) and its totals
are their sums (:func:`proforma_lines`). A quote that asks for no money (a
downgrade, rule 9) keeps its lines as they are: a credit-mode downgrade is
documented by its own correction (:mod:`core.upgrades.refund`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.documents.build import LineInput, difference_totals, make_line, rate_totals
from core.documents.snapshot import DocumentKind, Line, RateTotal
from core.i18n import N_, document_text
from core.money import ZERO
from core.upgrades.quote import Quote, QuoteLine

#: The unit of a service line on Polish invoices ("usługa").
UNIT = "usł."
#: The kinds of quote line the change itself consists of (the proration plugin's).
CHANGE_KINDS = ("credit", "charge")


def _input(quote: Quote, line: QuoteLine, *, description: str = "", net: Decimal | None = None) -> LineInput:
    return LineInput(
        description or line.description,
        Decimal(1),
        UNIT,
        line.net if net is None else net,
        line.vat_rate or quote.vat_rate,
        base_rate=quote.base_vat_rate,
    )


def period_text(start: date, last: date) -> str:
    """A period as Polish invoices print it: ``16.03-31.03.2026``, or with both years when they differ."""
    if start.year == last.year:
        return f"{start:%d.%m}-{last:%d.%m.%Y}"
    return f"{start:%d.%m.%Y}-{last:%d.%m.%Y}"


def change_period(quote: Quote) -> tuple[date, date]:
    """The first and last day the charge of the change pays for (the stored period is half-open)."""
    if not quote.same_cycle and quote.new_period_start and quote.new_next_due:
        return quote.new_period_start, quote.new_next_due - timedelta(days=1)
    return quote.change_date, quote.service.next_due - timedelta(days=1)


def difference_description(quote: Quote) -> str:
    """The text of the one ``difference`` line, in the document language, naming both packages and the period."""
    start, last = change_period(quote)
    return document_text(
        N_("Surcharge for changing the package %(old)s -> %(new)s for the period %(period)s"),
        old=quote.service.product.name,
        new=quote.target.name,
        period=period_text(start, last),
    )


def _pays_difference(quote: Quote) -> bool:
    return bool(quote.lines_of("charge")) and quote.charge - quote.credit > 0


def _corrects(quote: Quote) -> bool:
    """True when a ``correction``-mode quote has an invoice it can correct by the credit."""
    invoice = quote.current_invoice
    if quote.document_mode != "correction" or invoice is None or not _pays_difference(quote):
        return False
    return sum((ln.net for ln in invoice.lines), ZERO) >= quote.credit


def correction_after(quote: Quote) -> list[LineInput]:
    """The state the current period's invoice is corrected to: its lines plus the unused part, negative."""
    invoice = quote.current_invoice
    assert invoice is not None
    after = [LineInput.from_line(ln) for ln in invoice.lines]
    for line in quote.lines_of("credit"):
        after.append(
            LineInput(line.description, Decimal(1), UNIT, line.net, invoice.vat_rate, base_rate=quote.base_vat_rate)
        )
    return after


def correction_reason(quote: Quote) -> str:
    """Why the current period's invoice is corrected (printed on the correcting invoice)."""
    return document_text(
        N_("Change of package %(old)s -> %(new)s on %(date)s: the unused part of the period"),
        old=quote.service.product.name,
        new=quote.target.name,
        date=f"{quote.change_date:%d.%m.%Y}",
    )


def invoice_lines(quote: Quote) -> list[LineInput]:
    """The lines of the VAT invoice a paid quote gets, in the quote's order (module docstring).

    Each carries its discount from staff credit (``quote.staff_discounts``,
    set by the core when it settles the quote; none before).
    """
    lines = _plain_invoice_lines(quote)
    if not quote.staff_discounts:
        return lines
    return [
        dataclasses.replace(line, discount=line.discount + extra)
        for line, extra in zip(lines, quote.staff_discounts, strict=True)
    ]


def _plain_invoice_lines(quote: Quote) -> list[LineInput]:
    if not _pays_difference(quote):
        return [_input(quote, line) for line in quote.lines]
    others = [_input(quote, line) for line in quote.lines if line.kind not in CHANGE_KINDS]
    if _corrects(quote):
        return [_input(quote, line) for line in quote.lines_of("charge")] + others
    charge = quote.lines_of("charge")[0]
    difference = _input(quote, charge, description=difference_description(quote), net=quote.charge - quote.credit)
    return [difference, *others]


def proforma_lines(quote: Quote) -> list[LineInput]:
    """The lines of the proforma confirming ``quote`` issues: the lines of the documents its payment issues.

    In ``correction`` mode the new invoice's lines, then the correction's line
    (the unused part, negative), named as a correction of that invoice. Each
    line remembers the target package's own (domestic) rate as its base rate,
    so staff can re-price the proforma when the buyer's tax treatment changes.
    """
    lines = invoice_lines(quote)
    if _corrects(quote):
        invoice = quote.current_invoice
        assert invoice is not None
        for line in quote.lines_of("credit"):
            text = document_text(
                N_("Correction of invoice %(number)s: %(what)s"), number=invoice.number, what=line.description
            )
            lines.append(LineInput(text, Decimal(1), UNIT, line.net, invoice.vat_rate, base_rate=quote.base_vat_rate))
    return lines


#: Kept for callers that name the proforma's lines by their old name.
document_lines = proforma_lines


@dataclass(frozen=True)
class PlannedDocument:
    """A document paying a quote issues: its kind and its lines (for a correction, the state after it).

    ``before`` is a correction's state before it (the corrected invoice's current lines).
    """

    kind: DocumentKind
    lines: list[LineInput]
    before: tuple[Line, ...] = field(default_factory=tuple)

    def totals(self, *, reverse_charge: bool = False) -> tuple[RateTotal, ...]:
        """This document's own totals per rate, as it computes them when it is issued."""
        if self.kind == "correction":
            after = [make_line(item) for item in self.lines]
            return difference_totals(rate_totals(self.before), rate_totals(after))
        return rate_totals(make_line(item, reverse_charge=reverse_charge) for item in self.lines)


def planned_documents(quote: Quote) -> list[PlannedDocument]:
    """The tax documents paying ``quote`` issues, each computing its own totals (module docstring)."""
    documents = []
    if _corrects(quote):
        assert quote.current_invoice is not None
        documents.append(PlannedDocument("correction", correction_after(quote), quote.current_invoice.lines))
    documents.append(PlannedDocument("vat", invoice_lines(quote)))
    return documents


def corrects_current_invoice(quote: Quote) -> bool:
    """True when paying ``quote`` issues a correcting invoice besides the new VAT invoice."""
    return _corrects(quote)


@dataclass(frozen=True)
class DocumentPreview:
    """A tax document paying a quote issues, as the summary page names it: its kind, gross and what it corrects."""

    kind: DocumentKind
    gross: Decimal
    corrects: str = ""


def document_previews(quote: Quote) -> list[DocumentPreview]:
    """The documents paying ``quote`` issues with their gross totals (they add up to the quote's gross)."""
    previews = []
    for document in planned_documents(quote):
        gross = sum((t.gross for t in document.totals(reverse_charge=quote.reverse_charge)), ZERO)
        number = quote.current_invoice.number if document.kind == "correction" and quote.current_invoice else ""
        previews.append(DocumentPreview(document.kind, gross, number))
    return previews
