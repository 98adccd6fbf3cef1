"""Invoicing a paid package change in ``correction`` mode: a correcting invoice plus a new VAT invoice.

The quote planned the two documents (:mod:`core.upgrades.lines`) and the
proforma asked for the sum of their totals. When the proforma is paid in full
(``on_invoice_paid``, in the payment's transaction, after the change was
applied) :func:`issue_change_documents` issues them:

1. the **correcting invoice** (art. 106j ust. 1) of the invoice that billed the
   current period, adding the unused part of the old package as a negative
   line to it as it stands now (the one corrections path,
   :mod:`core.documents.corrections`); its refund is not paid out but set off
   against the new invoice ("kompensata", art. 498 of the Civil Code);
2. the **VAT invoice** for the new package (the proforma's lines without the
   correction's), paid by that set-off and by the payments of the proforma.

So the customer pays the difference once, each document rounds its own VAT,
and the proforma, the summary page and the two documents agree to the grosz.
In ``difference`` mode nothing happens here: the proforma's lines are the
invoice's and the payments' hook issues it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core import clock
from core.documents.build import LineInput
from core.documents.corrections import UNIT, current_lines, issue_correction
from core.documents.issuing import SET_OFF_METHOD, snapshot_of
from core.documents.snapshot import PaymentPart
from core.documents.state import vat_invoice_of
from core.i18n import N_, document_text
from core.models import Document, ServiceChange

#: How the two documents name their set-off (Polish: the documents' language is fixed by law for KSeF).
CORRECTION_SET_OFF = "kompensata z należnością za nowy pakiet (proforma {proforma})"
INVOICE_SET_OFF = "kompensata z korektą {correction} faktury {invoice}"


def planned_correction(change: ServiceChange) -> bool:
    """True when the paid change's quote planned a correcting invoice besides the new invoice."""
    quote = change.quote
    return quote.get("document_mode") == "correction" and bool(quote.get("corrects_invoice_id"))


def issue_change_documents(change: ServiceChange, proforma: Document) -> Document | None:
    """Issue the correction and the new VAT invoice of a paid ``correction``-mode change; return the invoice.

    Does nothing (returns None) for a change that planned no correction, a
    proforma that already has its VAT invoice, or one whose invoice waits for
    staff (:func:`core.payments.hooks.invoice_waits`).
    """
    from core.payments.hooks import invoice_waits, issue_vat_invoice

    if not planned_correction(change) or proforma.status != "paid" or vat_invoice_of(proforma) is not None:
        return None
    if invoice_waits(proforma):
        return None
    quote = change.quote
    credits = [line for line in quote["lines"] if line["kind"] == "credit"]
    snap = snapshot_of(proforma)
    own, mirrored = snap.lines[: len(snap.lines) - len(credits)], snap.lines[len(snap.lines) - len(credits) :]
    corrected = Document.get_by_id(quote["corrects_invoice_id"])
    after = [LineInput.from_line(ln) for ln in current_lines(corrected)]
    after += [
        LineInput(
            credit["description"], Decimal(1), UNIT, Decimal(credit["net"]), line.vat_rate, base_rate=line.base_rate
        )
        for credit, line in zip(credits, mirrored, strict=True)
    ]
    reason = document_text(
        N_("Change of package %(old)s -> %(new)s on %(date)s: the unused part of the period"),
        old=change.from_product.name,
        new=change.to_product.name,
        date=f"{date.fromisoformat(quote['change_date']):%d.%m.%Y}",
    )
    correction = issue_correction(
        corrected,
        after,
        reason,
        purpose="service_change",
        purpose_ref=change.id,
        set_off_label=CORRECTION_SET_OFF.format(proforma=proforma.number),
    )
    part = PaymentPart(
        amount=-correction.total_gross,
        date=clock.today(),
        method=SET_OFF_METHOD,
        label=INVOICE_SET_OFF.format(correction=correction.number, invoice=corrected.number),
        ksef_form="",
    )
    return issue_vat_invoice(proforma, lines=[LineInput.from_line(ln) for ln in own], set_off=(part,))
