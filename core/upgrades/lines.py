"""The one place a quote's lines become the lines of the documents its confirmation issues.

:func:`planned_documents` says which documents a confirmed (and paid) quote
produces and with which lines; the quote's totals are the sum of those
documents' totals, each computed as that document computes its own (VAT once
per rate, :func:`core.upgrades.settle.settle`), so the summary page, the API
and the documents never disagree by a grosz. Today that is one proforma (and
the VAT invoice issued for it with the same lines) on which every quote line is
one line: the credit for the unused part, the charge for the new package, and
any line a plugin added (a discount, a fee), each quantity 1 at its net.
Changing how a package change is invoiced (one line for the difference, or a
correcting invoice plus a new invoice, each rounding its own VAT) changes this
module, and the totals follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.documents.build import LineInput
from core.documents.snapshot import DocumentKind
from core.upgrades.quote import Quote

#: The unit of a service line on Polish invoices ("usługa").
UNIT = "usł."


def document_lines(quote: Quote) -> list[LineInput]:
    """The lines of the proforma confirming ``quote`` issues, in the quote's order.

    Each remembers the target package's own (domestic) rate as its base rate,
    so staff can re-price the proforma when the buyer's tax treatment changes
    before it is paid. Pure: no database, no configuration.
    """
    return [
        LineInput(
            line.description,
            Decimal(1),
            UNIT,
            line.net,
            line.vat_rate or quote.vat_rate,
            base_rate=quote.base_vat_rate,
        )
        for line in quote.lines
    ]


@dataclass(frozen=True)
class PlannedDocument:
    """A document confirming (and paying) a quote issues: its kind and its lines."""

    kind: DocumentKind
    lines: list[LineInput]


def planned_documents(quote: Quote) -> list[PlannedDocument]:
    """The documents confirming ``quote`` issues, each of which computes its own totals (module docstring)."""
    return [PlannedDocument("proforma", document_lines(quote))]
