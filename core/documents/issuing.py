"""Issuing documents: the one place a proforma, VAT invoice or correction is created.

:func:`issue_document` runs inside the caller's write transaction: it takes the
next number, freezes the snapshot (seller and buyer data as they are now, the
priced lines, totals per VAT rate), saves the :class:`Document`, calls the
``on_invoice_issue`` hook and queues ``document_issued`` in the outbox, whose
handler (PDF, e-mail) runs after commit. Issued documents are never edited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import clock, db, outbox, runtime
from core.documents.build import LineInput, build_snapshot
from core.documents.numbering import next_number
from core.documents.snapshot import DocumentKind, DocumentSnapshot, Party
from core.models import BillingProfile, Customer, Document
from core.money import ZERO
from core.settings import seller_data


def seller_party() -> Party:
    """The provider as seller, from the stored seller settings."""
    data = seller_data()
    return Party(
        kind="company",
        name=data["name"] or str(runtime.config().get_value("app.name")),
        tax_id=data["tax_id"],
        address_line1=data["address_line1"],
        address_line2=data["address_line2"],
        postcode=data["postcode"],
        city=data["city"],
        country=data["country"] or "PL",
        email=data["email"],
        bank_account=data["bank_account"],
        bank_name=data["bank_name"],
    )


#: What ``hookbill_seller_overrides`` may change on a document's seller party.
SELLER_OVERRIDE_KEYS = frozenset({"bank_account", "bank_name"})


def seller_party_for(customer: Customer, kind: str) -> Party:
    """The seller as printed on ``customer``'s document of ``kind``: the stored data, with a plugin's payment details.

    The ``hookbill_seller_overrides`` hook may supply another bank account
    (and bank name) for this customer and kind; any other key is a plugin's
    error and stops the issue.
    """
    seller = seller_party()
    overrides = runtime.hooks().hookbill_seller_overrides(customer=customer, kind=kind)
    if not overrides:
        return seller
    unknown = set(overrides) - SELLER_OVERRIDE_KEYS
    if unknown:
        raise RuntimeError(
            f"hookbill_seller_overrides may only return {sorted(SELLER_OVERRIDE_KEYS)}, got {sorted(unknown)}"
        )
    return dataclasses.replace(
        seller,
        bank_account=str(overrides.get("bank_account", seller.bank_account)),
        bank_name=str(overrides.get("bank_name", seller.bank_name)),
    )


def current_profile(customer: Customer | int) -> BillingProfile | None:
    """The customer's current billing data (the newest version), or None."""
    return BillingProfile.select().where(BillingProfile.customer == customer).order_by(BillingProfile.id.desc()).first()


def buyer_party(customer: Customer) -> Party:
    """The customer as buyer, from their current billing data (name only when they have none)."""
    profile = current_profile(customer)
    if profile is None:
        return Party(
            kind="private",
            name=customer.full_name,
            address_line1="",
            postcode="",
            city="",
            country="PL",
            email=customer.email,
        )
    return Party(
        kind="company" if profile.kind == "company" else "private",
        name=profile.name,
        tax_id=profile.tax_id if profile.kind == "company" else "",
        address_line1=profile.address_line1,
        address_line2=profile.address_line2,
        postcode=profile.postcode,
        city=profile.city,
        country=profile.country,
        email=customer.email,
    )


def snapshot_of(document: Document) -> DocumentSnapshot:
    """The frozen snapshot of an issued document."""
    return DocumentSnapshot.from_json(document.snapshot)


def issue_document(
    customer: Customer,
    kind: DocumentKind,
    lines: Sequence[LineInput],
    *,
    buyer: Party | None = None,
    sale_date: date | None = None,
    due_date: date | None = None,
    payment_method: str = "transfer",
    paid: Decimal = ZERO,
    payment_date: date | None = None,
    proforma: Document | None = None,
    corrects: Document | None = None,
    correction_reason: str = "",
    supersedes: Document | None = None,
    purpose: str = "",
    purpose_ref: int | None = None,
    notes: Sequence[str] = (),
) -> Document:
    """Issue one document inside the current write transaction and return it.

    ``buyer`` defaults to the customer's current billing data; a VAT invoice
    made from a proforma passes the proforma's buyer so it carries the data
    the proforma was issued with. The status starts as ``unpaid`` (proforma),
    ``paid`` (VAT invoice issued on payment) or ``issued`` (correction).
    """
    if not db.database.obj.in_transaction():
        raise RuntimeError("issue_document() must run inside a write transaction")
    config = runtime.config()
    today = clock.today()
    series, number = next_number(kind, today)
    due = due_date or today + timedelta(days=int(config.get_value("billing.proforma_due_days")))
    snap = build_snapshot(
        kind=kind,
        number=number,
        issue_date=today,
        sale_date=sale_date or today,
        due_date=due,
        seller=seller_party_for(customer, kind),
        buyer=buyer or buyer_party(customer),
        lines=lines,
        currency=str(config.get_value("app.currency")),
        place_of_issue=str(config.get_value("billing.place_of_issue")),
        paid=paid,
        payment_date=payment_date,
        payment_method=payment_method,
        proforma_number=proforma.number if proforma else "",
        corrects=snapshot_of(corrects) if corrects else None,
        correction_reason=correction_reason,
        notes=notes,
    )
    status = {"proforma": "unpaid", "vat": "paid", "correction": "issued"}[kind]
    document = Document.create(
        customer=customer,
        kind=kind,
        series=series,
        number=number,
        status=status,
        issue_date=today,
        due_date=due,
        currency=snap.currency,
        total_net=snap.total_net,
        total_vat=snap.total_vat,
        total_gross=snap.total_gross,
        paid=paid,
        paid_at=clock.utcnow() if kind == "vat" else None,
        snapshot=snap.to_json(),
        proforma_id=proforma.id if proforma else None,
        corrects_id=corrects.id if corrects else None,
        supersedes_id=supersedes.id if supersedes else None,
        purpose=purpose,
        purpose_ref=purpose_ref,
    )
    runtime.hooks().on_invoice_issue(document=document)
    outbox.enqueue("document_issued", {"document_id": document.id}, dedupe_key=f"document_issued:{document.id}")
    return document


def reissue_with_current_data(proforma: Document, staff: Any) -> Document:
    """Supersede an unpaid proforma with a new version carrying the customer's current data.

    Staff do this on the customer's request. The old version stays, marked
    ``superseded``; the caller records the activity log entry.
    """
    from core.errors import Conflict

    if proforma.kind != "proforma" or proforma.status != "unpaid":
        raise Conflict("Only an unpaid proforma can be corrected.", code="not_correctable")
    old = snapshot_of(proforma)
    lines = [
        LineInput(
            description=ln.description,
            quantity=ln.quantity,
            unit=ln.unit,
            unit_net=ln.unit_net,
            vat_rate=ln.vat_rate,
            annex15=ln.annex15,
        )
        for ln in old.lines
    ]
    new = issue_document(
        proforma.customer,
        "proforma",
        lines,
        sale_date=old.sale_date,
        due_date=old.due_date,
        payment_method=old.payment_method,
        supersedes=proforma,
        purpose=proforma.purpose,
        purpose_ref=proforma.purpose_ref,
        notes=list(old.notes),
    )
    proforma.status = "superseded"
    proforma.superseded_by_id = new.id
    proforma.save()
    runtime.hooks().on_invoice_cancelled(document=proforma)
    return new
