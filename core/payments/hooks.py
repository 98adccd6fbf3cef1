"""The core's payment hook implementations (a built-in plugin).

``on_invoice_paid`` (``trylast``, after the change was applied): a fully paid
proforma gets its VAT invoice in the payment's transaction. The invoice
carries the buyer data the proforma was issued with (docs/billing.md, "Documents")
and the proforma's lines.
"""

from __future__ import annotations

from typing import Any

from core import clock
from core.documents.build import LineInput
from core.documents.issuing import issue_document, snapshot_of
from core.hookspecs import hookimpl
from core.models import Document, Payment


@hookimpl(trylast=True)
def on_invoice_paid(document: Any) -> None:
    """Issue the VAT invoice of a fully paid proforma (once)."""
    if document.kind != "proforma" or document.status != "paid":
        return
    if Document.select().where((Document.kind == "vat") & (Document.proforma_id == document.id)).exists():
        return
    snap = snapshot_of(document)
    lines = [LineInput(ln.description, ln.quantity, ln.unit, ln.unit_net, ln.vat_rate, ln.annex15) for ln in snap.lines]
    last = Payment.select().where(Payment.document == document.id).order_by(Payment.id.desc()).first()
    issue_document(
        document.customer,
        "vat",
        lines,
        buyer=snap.buyer,
        proforma=document,
        paid=document.total_gross,
        payment_date=clock.today(),
        sale_date=snap.sale_date,
        payment_method=last.method if last else "transfer",
        purpose=document.purpose,
        purpose_ref=document.purpose_ref,
        notes=list(snap.notes),
    )


@hookimpl
def hookbill_template_snippet(name: str, context: Any) -> Any:
    """In the admin customer page: the credit balance and a link to its history and adjustments.

    The documents are listed (and linked) by the customer page itself.
    """
    if name != "admin_customer_detail" or context.get("customer") is None:
        return None
    from flask import render_template
    from markupsafe import Markup

    from core.balance_view import balance_of

    customer = context.get("customer")
    return Markup(render_template("admin/_customer_billing.html", customer=customer, balance=balance_of(customer.id)))
