"""The one place a quote's lines become the lines of the documents its confirmation issues.

Today every quote line is one line of the proforma (and so of the VAT invoice
issued for it): the credit for the unused part, the charge for the new package,
and any line a plugin added (a discount, a fee), each quantity 1 at its net.
The quote's totals are computed from these document lines
(:func:`core.upgrades.settle.settle`), so the summary page, the API and the
proforma never disagree by a grosz. Changing how a package change is invoiced
(one line for the difference, or a correcting invoice plus a new invoice)
changes this module, and the totals follow.
"""

from __future__ import annotations

from decimal import Decimal

from core.documents.build import LineInput
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
