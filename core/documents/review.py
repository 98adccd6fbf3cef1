"""What a change of billing data does to the customer's open proformas.

:func:`review_open_proformas` runs inside the billing-data change's transaction
(:func:`core.billing_data.service.change_billing_data`), after the new data were
stored. An *open* proforma is an unpaid or part-paid one, or one paid in full
whose VAT invoice waits for a correction. For each:

* **Same tax treatment** (:func:`core.documents.taxation.tax_treatment`; e.g. a
  Polish company becoming a Polish private person): nothing happens to it. It
  keeps the data it was issued with until staff correct it on request, and the
  VAT invoice issued when it is paid carries the new data
  (:mod:`core.documents.issuing`).
* **Other tax treatment** (a VAT rate, reverse charge: an EU company becoming a
  Polish consumer): its amounts are wrong for the new buyer, so no VAT invoice is
  issued for it, neither with the old buyer nor with the old amounts. It is
  flagged ``needs_correction`` (state beside the immutable snapshot), staff see it
  (the document and customer pages, the admin list of proformas to correct) and
  correct it (:mod:`core.documents.reissue`). A payment arriving meanwhile is
  recorded as usual (a change it pays is applied, a renewal extended); only the
  VAT invoice waits, and is issued by the correction, for the corrected amounts.
* **Treatment back to the proforma's** (the customer undid the change): the
  flag is cleared; one already paid gets its VAT invoice now.

:func:`open_proformas` tells the customer and staff where each open proforma
stands (the messages after saving billing data, the ticket link).
"""

from __future__ import annotations

from dataclasses import dataclass

from core import activity
from core.documents.issuing import buyer_party, snapshot_of
from core.documents.snapshot import Party
from core.documents.state import OPEN_STATUSES, vat_invoice_of
from core.documents.taxation import tax_treatment
from core.models import Customer, Document


@dataclass(frozen=True)
class ProformaReview:
    """Where one open proforma stands against the customer's current billing data."""

    document: Document
    carries_current_data: bool
    needs_correction: bool


def open_proforma_rows(customer_id: int) -> list[Document]:
    """The customer's open proformas (module docstring), oldest first."""
    rows = Document.select().where(
        (Document.customer == customer_id)
        & (Document.kind == "proforma")
        & (Document.status.in_([*OPEN_STATUSES, "paid"]))
    )
    return [d for d in rows.order_by(Document.id) if d.status in OPEN_STATUSES or _waiting(d)]


def _waiting(document: Document) -> bool:
    return document.status == "paid" and bool(document.needs_correction) and vat_invoice_of(document) is None


def treatment_changed(document: Document, buyer: Party) -> bool:
    """True when ``buyer`` is taxed otherwise than the buyer ``document`` was issued to."""
    return tax_treatment(snapshot_of(document).buyer) != tax_treatment(buyer)


def open_proformas(customer: Customer) -> list[ProformaReview]:
    """Each open proforma of ``customer`` against their current data (reads only)."""
    buyer = buyer_party(customer)
    return [
        ProformaReview(d, snapshot_of(d).buyer == buyer, bool(d.needs_correction))
        for d in open_proforma_rows(customer.id)
    ]


def review_open_proformas(customer: Customer) -> list[ProformaReview]:
    """Flag or unflag the customer's open proformas after a billing-data change (module docstring).

    Runs inside the change's write transaction; returns where each stands now.
    """
    from core.payments.hooks import issue_vat_invoice

    buyer = buyer_party(customer)
    for document in open_proforma_rows(customer.id):
        changed = treatment_changed(document, buyer)
        if changed == bool(document.needs_correction):
            continue
        document.needs_correction = changed
        document.save()
        old = tax_treatment(snapshot_of(document).buyer)
        activity.record(
            "document.needs_correction" if changed else "document.correction_not_needed",
            subject=document,
            customer_id=customer.id,
            number=document.number,
            treatment_before=old,
            treatment_now=tax_treatment(buyer),
        )
        if not changed and document.status == "paid":
            issue_vat_invoice(document)
    return open_proformas(customer)
