"""The core's payment hook implementations (a built-in plugin).

``on_invoice_paid`` (``trylast``, after the change was applied): a fully paid
proforma gets its VAT invoice in the payment's transaction
(:func:`issue_vat_invoice`), and ``on_invoice_paid`` runs again for that VAT
invoice, which is issued paid: the event a plugin that reports sales (by the
invoice's number) listens for. Money received in an earlier month gets its
advance invoice first, and the VAT invoice settles the advance invoices
(:mod:`core.documents.advances`); ``hookbill_cron_jobs``: the advance invoices
of part payments left open at a month's end. The invoice carries the proforma's lines and the
buyer's billing data current at its issue, whatever data the proforma was
issued with (:mod:`core.documents.issuing`), and the payments that paid it, as
their methods describe them. When the buyer's tax treatment changed since the
proforma was issued, the invoice waits: the proforma is flagged and staff
correct it first (:mod:`core.documents.review`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core import activity, clock, runtime
from core.documents.advances import (
    SETTLEMENT_NOTE,
    advances_of,
    first_of_month,
    issue_advance,
    refs,
    run_advance_invoices,
)
from core.documents.build import LineInput
from core.documents.issuing import buyer_party, issue_document, snapshot_of
from core.documents.pdf_labels import fmt_money
from core.documents.snapshot import PaymentPart
from core.documents.state import payment_parts, payments_of, vat_invoice_of
from core.documents.taxation import tax_treatment
from core.extension import CronJob
from core.hookspecs import hookimpl
from core.models import Document
from core.money import ZERO

if TYPE_CHECKING:
    from core.extension import TemplateContext

#: Statutory notes the snapshot adds itself from the buyer and lines; never copied to the invoice.
STATUTORY_NOTES = ("odwrotne obciążenie", "mechanizm podzielonej płatności")


def invoice_waits(proforma: Document) -> bool:
    """True when the VAT invoice of ``proforma`` must wait for staff to correct it (and flag it so).

    It waits when the buyer's tax treatment changed since the proforma was
    issued: neither the old buyer nor the old amounts may go on a VAT invoice.
    """
    snap = snapshot_of(proforma)
    buyer = buyer_party(proforma.customer)
    if not proforma.needs_correction and tax_treatment(buyer) == tax_treatment(snap.buyer):
        return False
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
    return True


def issue_vat_invoice(
    proforma: Document, *, lines: Sequence[LineInput] | None = None, set_off: Sequence[PaymentPart] = ()
) -> Document | None:
    """Issue the VAT invoice of a proforma paid in full (once) and return it.

    Returns None when it has one already, or when it must wait
    (:func:`invoice_waits`). ``lines`` default to the proforma's; a package
    change invoiced as a correction plus a new invoice passes the new invoice's
    lines and ``set_off``, the correction's refund set off against it (the
    customer paid the proforma, which asked for the difference). Runs inside
    the payment's transaction; calls ``on_invoice_paid`` for the new invoice
    (it is issued paid).
    """
    if proforma.kind != "proforma" or proforma.status != "paid" or vat_invoice_of(proforma) is not None:
        return None
    if invoice_waits(proforma):
        return None
    issue_advance(proforma, first_of_month(clock.today()))  # money of an earlier month: its tax point passed
    settled = advances_of(proforma)
    snap = snapshot_of(proforma)
    buyer = buyer_party(proforma.customer)
    before = sum((a.total_gross for a in settled), ZERO)
    paid_parts = payment_parts(payments_of(proforma), proforma.total_gross)
    parts = tuple(set_off) + _after(paid_parts, before)
    items = [LineInput.from_line(ln) for ln in snap.lines] if lines is None else list(lines)
    invoice = issue_document(
        proforma.customer,
        "vat",
        items,
        buyer=buyer,
        proforma=proforma,
        paid=proforma.total_gross - before + sum((part.amount for part in set_off), ZERO),
        advances=refs(settled),
        payment_date=parts[-1].date if parts else None,
        payments=parts,
        sale_date=snap.sale_date,
        payment_method=parts[-1].method if parts else snap.payment_method,
        purpose=proforma.purpose,
        purpose_ref=proforma.purpose_ref,
        notes=[note for note in snap.notes if note not in STATUTORY_NOTES] + _settlement_note(settled, proforma),
    )
    # The sale is paid: plugins hear it for the VAT invoice too (``document.kind == "vat"``).
    runtime.hooks().on_invoice_paid(document=invoice)
    return invoice


def _settlement_note(settled: list[Document], proforma: Document) -> list[str]:
    if not settled:
        return []
    names = ", ".join(f"{a.number} ({fmt_money(a.total_gross)})" for a in settled)
    left = proforma.total_gross - sum((a.total_gross for a in settled), ZERO)
    return [SETTLEMENT_NOTE.format(advances=names, left=fmt_money(left), currency=proforma.currency)]


def _after(parts: tuple[PaymentPart, ...], documented: Decimal) -> tuple[PaymentPart, ...]:
    """``parts`` less the oldest ``documented`` gross (what advance invoices documented already)."""
    left, kept = documented, []
    for part in parts:
        if left >= part.amount:
            left -= part.amount
            continue
        kept.append(dataclasses.replace(part, amount=part.amount - left))
        left = ZERO
    return tuple(kept)


def run_advance_invoices_job() -> None:
    """Cron wrapper of :func:`core.documents.advances.run_advance_invoices`."""
    run_advance_invoices()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("advance-invoices", run_advance_invoices_job, every=timedelta(hours=6))]


@hookimpl(trylast=True)
def on_invoice_issue(document: Document) -> None:
    """A proforma with nothing to pay (its discounts took the whole price) is paid as it is issued.

    No money moves, so no payment is recorded: the proforma is marked paid and
    ``on_invoice_paid`` runs in the issuing transaction, as for a proforma the
    balance paid in full (the change applies, the renewal extends, the order's
    services are created, the VAT invoice is issued with the discounts).
    """
    if document.kind != "proforma" or document.status != "unpaid" or document.total_gross != 0:
        return
    document.status = "paid"
    document.paid_at = clock.utcnow()
    document.save()
    runtime.hooks().on_invoice_paid(document=Document.get_by_id(document.id))


@hookimpl(trylast=True)
def on_invoice_paid(document: Document) -> None:
    """Issue the VAT invoice of a fully paid proforma (once), unless it waits for a correction."""
    if document.kind == "proforma" and document.status == "paid":
        issue_vat_invoice(document)


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """Admin snippets: on the customer page the credit balance (with a link to its history and
    adjustments) and the customer's proformas to correct; on the dashboard the proformas to correct
    and the advance invoices due.

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
        from core.documents.advances import count_due
        from core.keyset import COUNT_CAP, capped_count

        return Markup(
            render_template("admin/_to_correct_card.html", count=capped_count(flagged, COUNT_CAP))
            + render_template("admin/_advances_due_card.html", count=count_due(COUNT_CAP))
        )
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
