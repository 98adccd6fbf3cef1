"""Issuing documents: the one place a proforma, VAT invoice or correction is created.

:func:`issue_document` runs inside the caller's write transaction: it takes the
next number, freezes the snapshot (seller and buyer data as they are now, the
priced lines, totals per VAT rate), saves the :class:`Document`, calls the
``on_invoice_issue`` hook and queues ``document_issued`` in the outbox, whose
handler (PDF, e-mail) runs after commit. Issued documents are never edited.

**Whose data a document carries.** Every proforma and every VAT invoice carries
the buyer's billing data current at its issue: a VAT invoice issued after the
customer changed their billing data carries the new data, whatever proforma it
settles (the help page: "all later proformas and VAT invoices carry the updated
data"). An issued proforma keeps the data it was issued with until staff correct
it (:mod:`core.documents.reissue`). When a change alters the tax treatment of an
open proforma (its VAT rate, reverse charge), no VAT invoice is issued with
either the old buyer or the old amounts: the proforma waits for that correction
(:mod:`core.documents.review`). A correcting invoice always keeps the buyer of
the invoice it corrects (art. 106j: it corrects that invoice).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from core import clock, db, outbox, runtime
from core.documents.build import LineInput, build_snapshot
from core.documents.numbering import next_number
from core.documents.snapshot import AdvanceRef, DocumentKind, DocumentSnapshot, Party, PaymentPart, RateTotal
from core.i18n import N_, document_text
from core.models import BillingProfile, Customer, Document
from core.money import ZERO
from core.settings import seller_data

#: How a correction's refund settled on the credit balance is named on it (Polish, the document's language).
REFUND_ON_BALANCE_LABEL = "zwrot zaliczony na saldo konta klienta"
#: The payment method code of a set-off between two documents (a correction and a new invoice).
SET_OFF_METHOD = "set_off"
#: The payment method code of a correction's refund paid back to the payer's account by a payment provider.
REFUND_TO_PAYER_METHOD = "refund_to_payer"


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


def seller_party_for(customer: Customer, kind: str, seller: Party | None = None) -> Party:
    """The seller as printed on ``customer``'s document of ``kind``: the stored data, with a plugin's payment details.

    The ``hookbill_seller_overrides`` hook may supply another bank account
    (and bank name) for this customer and kind; any other key is a plugin's
    error and stops the issue. ``seller`` is :func:`seller_party` when the
    caller read it already (once for many documents).
    """
    seller = seller or seller_party()
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
    """The customer as buyer, from their billing data current now (name only when they have none)."""
    return party_of(customer, current_profile(customer))


def party_of(customer: Customer, profile: BillingProfile | None) -> Party:
    """The customer as buyer with the billing data ``profile`` (their current one, read by the caller)."""
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
    payments: Sequence[PaymentPart] = (),
    refund_on_balance: bool = False,
    set_off_label: str = "",
    refund_to_payer_label: str = "",
    planned_totals: Sequence[RateTotal] | None = None,
    advances: Sequence[AdvanceRef] = (),
    order_value: Decimal | None = None,
    staff_credit: Decimal = ZERO,
) -> Document:
    """Issue one document inside the current write transaction and return it.

    ``buyer`` defaults to the customer's billing data current now (module
    docstring); a correction always takes the buyer of the document it corrects
    (a ``buyer`` passed with it is ignored), and its date of supply is that
    document's. ``payments`` are the payments that settled it (a VAT invoice
    issued paid). ``refund_on_balance`` (a correction that lowers the amount):
    the refund is settled on the customer's credit balance, and the correction
    says so instead of asking for a transfer; the caller credits the balance.
    ``set_off_label`` (a correction that lowers the amount): the refund is set
    off against another document (a package change's new invoice), named in
    these words. ``refund_to_payer_label`` (a correction that lowers the
    amount): the refund is paid back to the payer's account at once by a
    payment provider (a Przelewy24 refund), named in these words; the
    correction does not ask anyone to transfer it. ``planned_totals``,
    ``advances`` and ``order_value``: see
    :func:`core.documents.build.build_snapshot` (an advance invoice, a
    settlement invoice). ``staff_credit`` (a proforma): the gross that
    discounts from the customer's staff credit take off the ``lines``
    (:func:`core.balance.credit.split`); the ledger is debited by it
    (``staff_credit_used``, naming this document) before ``on_invoice_issue``
    runs, so the balance plugin pays only what is left from deposits.
    The status starts as ``unpaid`` (a proforma; ``partially_paid``/``paid``
    when ``paid`` carries payments of an earlier version over), ``paid`` (VAT
    invoice issued on payment) or ``issued`` (correction).
    """
    if not db.database.obj.in_transaction():
        raise RuntimeError("issue_document() must run inside a write transaction")
    config = runtime.config()
    today = clock.today()
    corrected = snapshot_of(corrects) if corrects else None
    if corrected is not None:
        buyer = corrected.buyer
        sale_date = sale_date or corrected.sale_date
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
        corrects=corrected,
        correction_reason=correction_reason,
        notes=notes,
        payments=payments,
        planned_totals=planned_totals,
        advances=advances,
        order_value=order_value,
    )
    if snap.corrected is not None and corrects is not None:
        ksef_number = runtime.hooks().hookbill_ksef_number(document=corrects)
        if ksef_number:  # the corrected invoice's number in the national e-invoice system (FA(3) NrKSeF)
            snap = dataclasses.replace(snap, corrected=dataclasses.replace(snap.corrected, ksef_number=ksef_number))
    settlement = (
        ("balance", REFUND_ON_BALANCE_LABEL)
        if refund_on_balance
        else (SET_OFF_METHOD, set_off_label)
        if set_off_label
        else (REFUND_TO_PAYER_METHOD, refund_to_payer_label)
        if refund_to_payer_label
        else None
    )
    if settlement is not None and kind == "correction" and snap.total_gross < 0:
        method, label = settlement
        part = PaymentPart(amount=snap.total_gross, date=today, method=method, label=label, ksef_form="")
        snap = dataclasses.replace(
            snap, paid=snap.total_gross, amount_due=ZERO, payments=(part,), payment_method=method, payment_date=today
        )
    status = {"proforma": "unpaid", "vat": "paid", "advance": "paid", "correction": "issued"}[kind]
    if kind == "proforma" and paid > 0:
        status = "paid" if paid >= snap.total_gross else "partially_paid"
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
        paid=snap.paid,
        paid_at=clock.utcnow() if status == "paid" else None,
        snapshot=snap.to_json(),
        proforma_id=proforma.id if proforma else None,
        corrects_id=corrects.id if corrects else None,
        supersedes_id=supersedes.id if supersedes else None,
        purpose=purpose,
        purpose_ref=purpose_ref,
    )
    if staff_credit > 0:
        if kind != "proforma":
            raise ValueError("staff credit is given as a discount on a proforma, not on a tax document")
        from core.balance import credit, ledger

        ledger.append(
            customer.id,
            credit.USED,
            -staff_credit,
            document_id=document.id,
            reason=document_text(N_("Discount on %(number)s"), number=number),
        )
    runtime.hooks().on_invoice_issue(document=document)
    outbox.enqueue("document_issued", {"document_id": document.id}, dedupe_key=f"document_issued:{document.id}")
    return document
