"""The core's payment hook implementations (a built-in plugin).

``on_invoice_paid`` (``trylast``, after the change was applied): a fully paid
proforma gets its VAT invoice in the payment's transaction
(:func:`issue_vat_invoice`), and ``on_invoice_paid`` runs again for that VAT
invoice, which is issued paid: the event a plugin that reports sales (by the
invoice's number) listens for. The invoice carries the proforma's lines and the
buyer's billing data current at its issue, whatever data the proforma was
issued with (:mod:`core.documents.issuing`), and the payments that paid it, as
their methods describe them. When the buyer's tax treatment changed since the
proforma was issued, the invoice waits: the proforma is flagged and staff
correct it first (:mod:`core.documents.review`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import activity, runtime
from core.documents.build import LineInput
from core.documents.issuing import buyer_party, issue_document, snapshot_of
from core.documents.state import payment_parts, payments_of, vat_invoice_of
from core.documents.taxation import tax_treatment
from core.hookspecs import hookimpl
from core.models import Document

if TYPE_CHECKING:
    from core.extension import TemplateContext

#: Statutory notes the snapshot adds itself from the buyer and lines; never copied to the invoice.
STATUTORY_NOTES = ("odwrotne obciążenie", "mechanizm podzielonej płatności")


def issue_vat_invoice(proforma: Document) -> Document | None:
    """Issue the VAT invoice of a proforma paid in full (once) and return it.

    Returns None when it has one already, or when it must wait: the buyer's
    tax treatment changed since the proforma was issued (it is flagged
    ``needs_correction`` then), so neither the old buyer nor the old amounts
    may go on a VAT invoice. Runs inside the payment's transaction; calls
    ``on_invoice_paid`` for the new invoice (it is issued paid).
    """
    if proforma.kind != "proforma" or proforma.status != "paid" or vat_invoice_of(proforma) is not None:
        return None
    snap = snapshot_of(proforma)
    buyer = buyer_party(proforma.customer)
    if proforma.needs_correction or tax_treatment(buyer) != tax_treatment(snap.buyer):
        if not proforma.needs_correction:
            proforma.needs_correction = True
            proforma.save()
            activity.record(
                "document.needs_correction",
                subject=proforma,
                customer_id=proforma.customer_id,
                number=proforma.number,
                treatment_before=tax_treatment(snap.buyer),
                treatment_now=tax_treatment(buyer),
            )
        return None
    parts = payment_parts(payments_of(proforma), proforma.total_gross)
    invoice = issue_document(
        proforma.customer,
        "vat",
        [LineInput.from_line(ln) for ln in snap.lines],
        buyer=buyer,
        proforma=proforma,
        paid=proforma.total_gross,
        payment_date=parts[-1].date if parts else None,
        payments=parts,
        sale_date=snap.sale_date,
        payment_method=parts[-1].method if parts else snap.payment_method,
        purpose=proforma.purpose,
        purpose_ref=proforma.purpose_ref,
        notes=[note for note in snap.notes if note not in STATUTORY_NOTES],
    )
    # The sale is paid: plugins hear it for the VAT invoice too (``document.kind == "vat"``).
    runtime.hooks().on_invoice_paid(document=invoice)
    return invoice


@hookimpl(trylast=True)
def on_invoice_paid(document: Document) -> None:
    """Issue the VAT invoice of a fully paid proforma (once), unless it waits for a correction."""
    if document.kind == "proforma" and document.status == "paid":
        issue_vat_invoice(document)


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """Admin snippets: on the customer page the credit balance (with a link to its history and
    adjustments) and the customer's proformas to correct; on the dashboard the proformas to correct.

    The documents are listed (and linked) by the customer page itself.
    """
    if name not in ("admin_customer_detail", "admin_dashboard"):
        return None
    from flask import render_template
    from markupsafe import Markup

    from core.balance_view import balance_of

    flagged = Document.select().where(
        Document.needs_correction
        & (Document.kind == "proforma")
        & Document.status.in_(["unpaid", "partially_paid", "paid"])
    )
    if name == "admin_dashboard":
        return Markup(render_template("admin/_to_correct_card.html", count=flagged.count()))
    customer = context.get("customer")
    if customer is None:
        return None
    return Markup(
        render_template(
            "admin/_customer_billing.html",
            customer=customer,
            balance=balance_of(customer.id),
            to_correct=list(flagged.where(Document.customer == customer.id).order_by(Document.id)),
        )
    )
