"""One document, one set of amounts: what is paid, how, and what is due, as every view shows it.

The snapshot (:mod:`core.documents.snapshot`) is the document as issued and never
changes. A proforma is issued before it is paid, and the credit balance is
applied to it in the issuing transaction, after the snapshot was taken; payments
arrive later. So what a document says about money *now* is its snapshot plus its
state: :func:`state_of` computes that once, and the client page, the admin page,
the JSON API and the PDF (:meth:`DocumentState.printed`) all show it, so they
agree at any moment, the balance applied included.

* **Proforma**: paid = ``Document.paid``; due = what is left while it is open,
  else 0; its payments are its own and those the earlier versions it supersedes
  had when they were superseded (a corrected proforma carries them over), each
  counted up to what it contributed (a payment above the amount due went to the
  credit balance).
* **VAT invoice**: issued paid; its payments are frozen in its snapshot at issue
  (those of the proforma it settles); ``settles`` is that proforma.
* **Correcting invoice**: its settlement (a refund put on the credit balance) is
  frozen in its snapshot.

:func:`state_key` names a state; the stored PDF records the key it was rendered
for, so a PDF is rendered again whenever the state changes
(:mod:`core.documents.files`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import clock, runtime
from core.documents.build import is_reverse_charge
from core.documents.issuing import REFUND_TO_PAYER_METHOD, snapshot_of
from core.documents.pdf_labels import fmt_rate, labels
from core.documents.snapshot import DocumentSnapshot, Party, PaymentPart
from core.models import Document, LedgerEntry, Payment
from core.money import ZERO

OPEN_STATUSES = ("unpaid", "partially_paid")


def version_ids(document: Document) -> list[int]:
    """``document`` and every earlier version it supersedes, newest first."""
    ids = [document.id]
    previous = document.supersedes_id
    while previous and previous not in ids:
        ids.append(previous)
        row = Document.get_or_none(Document.id == previous)
        previous = row.supersedes_id if row is not None else None
    return ids


def settled_proforma(document: Document) -> Document | None:
    """The proforma a VAT invoice settles, or None."""
    if document.kind != "vat" or not document.proforma_id:
        return None
    return Document.get_or_none(Document.id == document.proforma_id)


def vat_invoice_of(proforma: Document) -> Document | None:
    """The VAT invoice issued for a proforma, or None (not yet, or never)."""
    if proforma.kind != "proforma":
        return None
    return Document.get_or_none((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def payments_of(document: Document) -> list[Payment]:
    """The payments that paid ``document``, oldest first (module docstring); none for a correction."""
    if document.kind == "vat":
        proforma = settled_proforma(document)
        return payments_of(proforma) if proforma is not None else []
    if document.kind != "proforma":
        return []
    own = list(Payment.select().where(Payment.document == document.id))
    earlier = list(Payment.select().where(Payment.document.in_(version_ids(document)[1:])))
    if earlier:  # only what was applied to them: a payment arriving after the supersede went to the balance
        overpaid = {
            e.payment_id: e.amount
            for e in LedgerEntry.select().where(
                (LedgerEntry.kind == "overpayment") & LedgerEntry.payment_id.in_([p.id for p in earlier])
            )
        }
        earlier = [p for p in earlier if p.amount - overpaid.get(p.id, ZERO) > 0]
    return sorted(own + earlier, key=lambda p: (p.received_at, p.id))


def payment_day(payment: Payment) -> date:
    """The day a payment was received, in the provider's time zone."""
    return clock.to_local(payment.received_at).date()


def payment_parts(payments: list[Payment], paid: Decimal) -> tuple[PaymentPart, ...]:
    """``payments`` as printed parts, oldest first, each counted up to what was left of ``paid``."""
    from core.payments.methods import payment_part

    parts = []
    left = paid
    for payment in payments:
        if left <= 0:
            break
        amount = min(payment.amount, left)
        parts.append(payment_part(payment.method, amount, payment_day(payment)))
        left -= amount
    return tuple(parts)


@dataclass(frozen=True)
class PaymentRow:
    """One payment as a page lists it; ``method`` is the method's name, to translate."""

    day: date
    amount: Decimal
    currency: str
    method: str


@dataclass(frozen=True)
class DocumentState:
    """What a document says about money now; see the module docstring."""

    document: Document
    snap: DocumentSnapshot
    paid: Decimal
    due: Decimal
    payments: list[Payment]
    parts: tuple[PaymentPart, ...]
    settles: Document | None = None
    invoice: Document | None = None

    @property
    def paid_on(self) -> date | None:
        """The day it was settled in full (the last payment's day), or None while anything is due."""
        if self.document.kind == "proforma" and self.document.status != "paid":
            return None
        if self.parts:
            return self.parts[-1].date
        return self.snap.payment_date

    @property
    def refunded_to_payer(self) -> bool:
        """True for a correction whose refund a payment provider paid back to the payer's account."""
        return (
            self.document.kind == "correction"
            and bool(self.parts)
            and all(part.method == REFUND_TO_PAYER_METHOD and part.amount < 0 for part in self.parts)
        )

    @property
    def settled_on_balance(self) -> bool:
        """True for a correction whose refund was put on the customer's credit balance."""
        return (
            self.document.kind == "correction"
            and bool(self.parts)
            and all(part.method == "balance" and part.amount < 0 for part in self.parts)
        )

    @property
    def waits_for_correction(self) -> bool:
        """True for a proforma paid in full whose VAT invoice waits for staff to correct it."""
        return _waits_for_correction(self.document, self.invoice is not None)

    def rate_label(self, vat_rate: str, buyer: Party | None = None) -> str:
        """A VAT rate as the documents print it (``23%``; ``np.`` for services to an EU taxpayer)."""
        return fmt_rate(vat_rate, eu_services=is_reverse_charge(buyer or self.snap.buyer))

    @property
    def payment_rows(self) -> list[PaymentRow]:
        """The payments as pages list them: day, amount, and the method's name (an English msgid)."""
        from core.payments.methods import method_name

        return [PaymentRow(payment_day(p), p.amount, p.currency, method_name(p.method)) for p in self.payments]

    def printed(self) -> DocumentSnapshot:
        """The snapshot as the PDF prints it now: the issued document with the current amounts."""
        text = labels(str(runtime.config().get_value("app.language")))  # the PDF's language
        notes = list(self.snap.notes)
        if self.document.status == "superseded" and self.document.superseded_by_id:
            newer = Document.get_or_none(Document.id == self.document.superseded_by_id)
            if newer is not None:
                notes.append(text["superseded_note"].format(number=newer.number))
        elif self.document.status == "cancelled":
            notes.append(text["cancelled_note"])
        amount_due = self.due if self.document.kind == "proforma" else self.snap.amount_due
        return dataclasses.replace(
            self.snap,
            paid=self.paid,
            amount_due=amount_due,
            payments=self.parts,
            payment_date=self.paid_on or self.snap.payment_date,
            notes=tuple(notes),
        )


def _waits_for_correction(document: Document, invoiced: bool) -> bool:
    paid = document.kind == "proforma" and document.status == "paid"
    return paid and bool(document.needs_correction) and not invoiced


@dataclass(frozen=True)
class ListedProforma:
    """A proforma as a list shows it: what is paid, and whether its VAT invoice waits for a correction.

    The same answers as :func:`state_of`'s, without its per-document reads
    (see :func:`listed_proformas`).
    """

    document: Document
    invoiced: bool

    @property
    def paid(self) -> Decimal:
        """What was paid on the proforma (:attr:`DocumentState.paid`)."""
        return self.document.paid

    @property
    def waits_for_correction(self) -> bool:
        """As :attr:`DocumentState.waits_for_correction`."""
        return _waits_for_correction(self.document, self.invoiced)


def listed_proformas(documents: list[Document]) -> list[ListedProforma]:
    """``documents`` (proformas) for a list; which have a VAT invoice is read in one query for all of them."""
    ids = [d.id for d in documents]
    invoiced: set[int] = set()
    if ids:
        rows = Document.select(Document.proforma_id).where((Document.kind == "vat") & Document.proforma_id.in_(ids))
        invoiced = {row.proforma_id for row in rows if row.proforma_id is not None}
    return [ListedProforma(d, d.id in invoiced) for d in documents]


def state_of(document: Document) -> DocumentState:
    """The state of ``document`` now (module docstring)."""
    snap = snapshot_of(document)
    if document.kind == "proforma":
        payments = payments_of(document)
        paid = document.paid
        due = max(document.total_gross - paid, ZERO) if document.status in OPEN_STATUSES else ZERO
        return DocumentState(
            document,
            snap,
            paid,
            due,
            payments,
            payment_parts(payments, paid),
            invoice=vat_invoice_of(document),
        )
    payments = payments_of(document)
    parts = snap.payments or (payment_parts(payments, snap.paid) if document.kind == "vat" else ())
    return DocumentState(
        document,
        snap,
        snap.paid,
        snap.amount_due if snap.amount_due > 0 else ZERO,
        payments,
        parts,
        settles=settled_proforma(document),
    )


def paid_on(document: Document) -> date | None:
    """The day ``document`` was settled in full, as :attr:`DocumentState.paid_on` says (cheap, for lists)."""
    if document.kind == "proforma":
        return clock.to_local(document.paid_at).date() if document.status == "paid" and document.paid_at else None
    snap = snapshot_of(document)
    return snap.payment_day if snap.settled else None


def state_key(state: DocumentState) -> str:
    """A short name of everything the PDF prints beyond the snapshot (changes when any of it changes)."""
    doc = state.document
    data = {
        "status": doc.status,
        "paid": str(state.paid),
        "due": str(state.due),
        "superseded_by": doc.superseded_by_id,
        "parts": [[str(p.amount), p.date.isoformat(), p.method] for p in state.parts],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
