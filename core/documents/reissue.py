"""Correcting a proforma to the customer's current billing data: a new version of it.

A proforma keeps the buyer data it was issued with. Staff correct it when the
customer asks (a ticket), and must when a billing-data change altered its tax
treatment (it is flagged, :mod:`core.documents.review`). :func:`plan_reissue`
says what correcting would do, in numbers staff confirm before anything
happens; :func:`reissue` does exactly that, inside the caller's write
transaction with the customer's money lock (:func:`core.documents.staff.correct_proforma`).

* **Which proformas.** An open one: unpaid or part-paid (a customer with a
  credit balance always has a part-paid one: the balance is applied on issue),
  and one paid in full whose VAT invoice waits for this correction (flagged).
  Not a superseded version (the newest is corrected), a cancelled one, one whose
  VAT invoice was issued (a VAT invoice is corrected by a correcting invoice),
  or one that already carries the current data. The plan says why in words.
* **The new version.** The same lines (description, quantity, unit, net price),
  date of supply, due date and purpose (the change or renewal it pays); the
  buyer is the customer's current billing data, and each line's VAT rate follows
  the current buyer's tax treatment (:func:`core.documents.taxation.line_rate_for_buyer`),
  so an EU company that became a Polish consumer pays Polish VAT and a Polish
  company that became an EU one is reverse-charged.
* **Money.** Every payment of the old version is carried over, as
  :func:`core.payments.recording.record_payment` would apply it: the new
  version's paid is ``min(paid, new gross)``; what exceeds a lower gross goes
  to the credit balance (``overpayment``); when the gross is higher the rest is
  due as on any part-paid proforma (the credit balance is applied on issue
  first). The old version is marked ``superseded`` and keeps its own figures;
  ``on_invoice_cancelled`` runs for it.
* **The VAT invoice.** When the new version is paid in full, ``on_invoice_paid``
  runs for it in the same transaction, so the VAT invoice is issued now, for
  the corrected amounts and with the current data (a change or renewal the old
  version paid for was applied then and is not applied twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core import runtime
from core.balance import ledger
from core.balance.credit import parts_of
from core.documents.build import LineInput, build_snapshot, rate_totals
from core.documents.issuing import buyer_party, issue_document, seller_party, snapshot_of
from core.documents.snapshot import DocumentSnapshot, Party, RateTotal
from core.documents.state import OPEN_STATUSES, vat_invoice_of
from core.documents.taxation import line_rate_for_buyer, tax_treatment
from core.errors import Conflict
from core.i18n import N_, document_text
from core.models import Document
from core.money import ZERO


class NotCorrectable(Conflict):
    """Staff cannot correct this proforma; ``message`` (with ``params``) says why."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message, code="not_correctable")
        self.params = params


@dataclass(frozen=True)
class ReissuePlan:
    """What correcting ``proforma`` would do; ``refusal`` is empty when staff can do it."""

    proforma: Document
    refusal: str = ""
    refusal_params: dict[str, Any] = field(default_factory=dict)
    old_buyer: Party | None = None
    new_buyer: Party | None = None
    lines: tuple[LineInput, ...] = ()
    old_rates: tuple[str, ...] = ()
    new_rates: tuple[str, ...] = ()
    old_gross: Decimal = ZERO
    new_gross: Decimal = ZERO
    carried: Decimal = ZERO
    to_balance: Decimal = ZERO
    balance_applied: Decimal = ZERO

    @property
    def possible(self) -> bool:
        """True when staff can correct the proforma."""
        return not self.refusal

    @property
    def treatment_changes(self) -> bool:
        """True when the corrected amounts differ: the buyer's tax treatment changed."""
        return self.old_rates != self.new_rates

    @property
    def due_after(self) -> Decimal:
        """What the customer still has to pay on the new version (after the balance applied on issue)."""
        return max(self.new_gross - self.carried - self.balance_applied, ZERO)

    @property
    def paid_in_full(self) -> bool:
        """True when the new version is paid in full at once, so its VAT invoice is issued now."""
        return self.due_after == 0

    def raise_refusal(self) -> None:
        """Raise :class:`NotCorrectable` when staff cannot correct the proforma."""
        if self.refusal:
            raise NotCorrectable(self.refusal, **self.refusal_params)


def _refusal(proforma: Document) -> tuple[str, dict[str, Any]]:
    if proforma.kind != "proforma":
        return N_(
            "Only a proforma is corrected by a new version; a VAT invoice is corrected by a correcting invoice."
        ), {}
    if proforma.status == "superseded":
        newer = Document.get_or_none(Document.id == (proforma.superseded_by_id or 0))
        return N_("This version was already replaced by %(number)s: correct that one."), {
            "number": newer.number if newer else "?"
        }
    if proforma.status == "cancelled":
        return N_("This proforma was cancelled: there is nothing to pay on it and nothing to correct."), {}
    invoice = vat_invoice_of(proforma)
    if invoice is not None:
        return N_(
            "This proforma is paid and its VAT invoice %(number)s was issued: "
            "a VAT invoice is corrected by a correcting invoice, not by a new proforma."
        ), {"number": invoice.number}
    if proforma.status not in OPEN_STATUSES and not proforma.needs_correction:
        return N_("This proforma is paid; its VAT invoice is issued with the customer's current data."), {}
    return "", {}


def plan_reissue(proforma: Document) -> ReissuePlan:
    """What correcting ``proforma`` to the customer's current data would do (no writes)."""
    message, params = _refusal(proforma)
    if message:
        return ReissuePlan(proforma, message, params)
    old = snapshot_of(proforma)
    buyer = buyer_party(proforma.customer)
    lines = tuple(
        LineInput.from_line(ln, vat_rate=line_rate_for_buyer(ln.vat_rate, ln.base_rate, buyer)) for ln in old.lines
    )
    preview = build_snapshot(
        kind="proforma",
        number=proforma.number,
        issue_date=old.issue_date,
        sale_date=old.sale_date,
        due_date=old.due_date,
        seller=seller_party(),
        buyer=buyer,
        lines=lines,
        currency=old.currency,
    )
    if buyer == old.buyer and tax_treatment(buyer) == tax_treatment(old.buyer):
        return ReissuePlan(proforma, N_("This proforma already carries the customer's current billing data."), {})
    carried = min(proforma.paid, preview.total_gross)
    due = preview.total_gross - carried
    applies = bool(runtime.config().get_value("balance.apply_on_issue", True))
    balance = min(parts_of(proforma.customer_id).deposits, due) if applies and due > 0 else ZERO
    return ReissuePlan(
        proforma,
        old_buyer=old.buyer,
        new_buyer=buyer,
        lines=lines,
        old_rates=tuple(ln.vat_rate for ln in old.lines),
        new_rates=tuple(ln.vat_rate for ln in preview.lines),
        old_gross=proforma.total_gross,
        new_gross=preview.total_gross,
        carried=carried,
        to_balance=proforma.paid - carried,
        balance_applied=max(balance, ZERO),
    )


def reissue(proforma: Document) -> Document:
    """Supersede ``proforma`` with a corrected version (module docstring) and return the new version.

    Runs inside the caller's write transaction, with the customer's money lock
    held. Raises :class:`NotCorrectable` when the plan refuses.
    """
    plan = plan_reissue(proforma)
    plan.raise_refusal()
    old = snapshot_of(proforma)
    new = issue_document(
        proforma.customer,
        "proforma",
        plan.lines,
        buyer=plan.new_buyer,
        sale_date=old.sale_date,
        due_date=old.due_date,
        payment_method=old.payment_method,
        paid=plan.carried,
        supersedes=proforma,
        planned_totals=_planned_totals(old, plan),
        purpose=proforma.purpose,
        purpose_ref=proforma.purpose_ref,
        notes=[note for note in old.notes if note not in _STATUTORY],
    )
    proforma.status = "superseded"
    proforma.superseded_by_id = new.id
    proforma.needs_correction = False
    proforma.save()
    if plan.to_balance > 0:
        ledger.append(
            proforma.customer_id,
            "overpayment",
            plan.to_balance,
            document_id=new.id,
            reason=document_text(
                N_("%(old)s corrected to %(new)s: paid above the corrected amount"), old=proforma.number, new=new.number
            ),
        )
    hooks = runtime.hooks()
    hooks.on_invoice_cancelled(document=proforma)
    new = Document.get_by_id(new.id)
    if new.status == "paid" and plan.carried >= new.total_gross:
        hooks.on_invoice_paid(document=new)  # paid by the carried payments: the VAT invoice is issued now
    return Document.get_by_id(new.id)


def _planned_totals(old: DocumentSnapshot, plan: ReissuePlan) -> tuple[RateTotal, ...] | None:
    """The old version's totals when they were those of the documents its payment issues and the rates stay.

    A proforma of a package change invoiced as a correction plus a new invoice
    asks for the sum of their totals, each rounding its own VAT
    (:mod:`core.upgrades.lines`); a new version for another buyer with the same
    tax treatment asks for the same.
    """
    if old.totals == rate_totals(old.lines) or plan.treatment_changes:
        return None
    return old.totals


#: Statutory notes build_snapshot adds from the buyer and lines itself; never copied from an earlier document.
_STATUTORY = ("odwrotne obciążenie", "mechanizm podzielonej płatności")
