"""Applying, scheduling, cancelling and expiring service changes.

Everything here runs inside the caller's write transaction with the
customer's money lock held (the confirm service, the payment's transaction,
or the cron job). Outside effects go to the outbox: the provisioning module
is told to change the package (kind ``provisioning``) and the customer gets
an e-mail, both after commit.

**Stale changes (docs/billing.md rule 10).** A change awaiting payment is stale
when the service changed in another way since the quote (``Service.version``
differs, or it is no longer active) or when its payment window ended
(``expires_at``: the end of the proforma's due date, which is never after the
period the quote prorates against). A stale change is never applied: its
proforma is cancelled and everything paid on it goes to the credit balance
(``stale_payment``), and the customer is told by e-mail and on the service page.

**Credit-mode downgrades (rule 9).** The gross difference goes to the balance
through a correcting invoice to the VAT invoice of the current period: the
newest VAT invoice of this service issued no earlier than one period before
the current period starts. The correction adds one negative line (the quote's
net) to that invoice as it stands after any earlier correction, through the
one corrections path (:mod:`core.documents.corrections`), and keeps its buyer;
the balance gets the correction's gross total, and the correction says the
refund was settled on the balance ("rozliczono na saldzie"), not a transfer to
wait for. When there is no such invoice, or what it still stands at is less
than the credit (a correction cannot take an invoice below zero), the quote's
gross credit goes to the balance without a correction and the ledger entry's
reason says so, so staff can correct by hand. :mod:`core.upgrades.refund` is
the rule; the summary shows its amount.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db, mail, outbox, runtime
from core.balance import ledger
from core.documents.corrections import issue_correction, latest_state
from core.errors import Conflict, NotFound
from core.i18n import N_, document_text
from core.models import Document, Service, ServiceChange
from core.money import ZERO
from core.renewals.schedule import mark_service
from core.upgrades.refund import CORRECTION_REASON, correctable_invoice, credit_correction_lines

UNIT = "usł."


def change_proforma(change_id: int) -> Document | None:
    """The proforma a change awaits payment on: its newest version (staff may have corrected it)."""
    return (
        Document.select()
        .where(
            (Document.kind == "proforma")
            & (Document.purpose == "service_change")
            & (Document.purpose_ref == change_id)
            & (Document.status != "superseded")
        )
        .order_by(Document.id.desc())
        .first()
    )


def _d(value: str) -> date:
    return date.fromisoformat(value)


def end_of_day_utc(day: date) -> datetime:
    """The first moment after ``day`` in the provider's zone, as stored naive UTC."""
    local = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=clock.zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def stale_reason(change: ServiceChange, service: Service | None = None) -> str | None:
    """Why an awaiting change may no longer be applied: ``expired``, ``service_changed``, ``invoice_corrected`` or None.

    ``invoice_corrected``: in ``correction`` mode the quote planned a correcting
    invoice of the period's invoice as it stood then; a correction issued since
    (staff's, a withdrawal's) changed what that correction would be, so the
    documents would no longer add up to what the proforma asked for.
    """
    service = service or Service.get_by_id(change.service_id)
    if service.version != change.service_version or service.status != "active":
        return "service_changed"
    if change.expires_at is not None and clock.utcnow() >= change.expires_at:
        return "expired"
    if _corrected_since_quoted(change):
        return "invoice_corrected"
    return None


def _corrected_since_quoted(change: ServiceChange) -> bool:
    quote = change.quote
    invoice_id, state_id = quote.get("corrects_invoice_id"), quote.get("corrects_state_id")
    if quote.get("document_mode") != "correction" or not invoice_id or not state_id:
        return False
    return latest_state(Document.get_by_id(invoice_id)).id != state_id


def _notify(service: Service, template: str, **context: Any) -> None:
    customer = service.customer
    mail.queue_mail(customer.email, template, customer.language, customer=customer, service=service, **context)


def release_document(document: Document, kind: str, reason: str) -> Decimal:
    """Cancel an open proforma and put what was paid on it on the balance.

    Its advance invoices, if any, are corrected to nothing, the refund settled
    on the balance (:func:`core.documents.advances.return_advances`). Staff
    credit it took as a discount goes back to the balance as staff credit
    (:func:`core.balance.credit.give_back`): it was never money paid.
    """
    from core.balance.credit import give_back
    from core.documents.advances import return_advances

    refunded = document.paid
    if document.status in ("unpaid", "partially_paid", "paid"):
        document.status = "cancelled"
        document.save()
        give_back(document)
        if refunded > 0:
            ledger.append(document.customer_id, kind, refunded, document_id=document.id, reason=reason)
            return_advances(document)
        runtime.hooks().on_invoice_cancelled(document=document)
    return refunded


def mark_stale(change: ServiceChange, reason: str) -> Decimal:
    """Never apply ``change``: cancel its proforma, credit what was paid; return that amount."""
    change.status = "stale"
    change.save()
    mark_service(change.service_id)  # a downgrade priced into the open renewal no longer applies
    refunded = ZERO
    document = change_proforma(change.id)
    if document is not None:
        refunded = release_document(
            document,
            "stale_payment",
            document_text(N_("%(number)s: the quote was no longer valid"), number=document.number),
        )
    service = Service.get_by_id(change.service_id)
    activity.record(
        "service.change_stale", subject=change, customer_id=change.customer_id, reason=reason, refunded=str(refunded)
    )
    _notify(service, "change_stale", change=change, reason=reason, refunded=refunded)
    return refunded


def _credit_downgrade(change: ServiceChange, service: Service) -> None:
    quote = change.quote
    net, gross = Decimal(quote["net"]), Decimal(quote["gross"])
    invoice = correctable_invoice(service, net)
    reason = document_text(
        N_("Downgrade %(old)s -> %(new)s on %(date)s: unused %(left)s/%(days)s days"),
        old=change.from_product.name,
        new=change.to_product.name,
        date=quote["change_date"],
        left=quote["remaining_days"],
        days=quote["period_days"],
    )
    if invoice is not None:
        after = credit_correction_lines(invoice, net, quote["vat_rate"], change.to_product, reason)
        correction = issue_correction(
            invoice,
            after,
            CORRECTION_REASON,
            purpose="service_change",
            purpose_ref=change.id,
            refund_on_balance=True,
        )
        if correction.total_gross < 0:
            ledger.append(
                service.customer_id,
                "downgrade_credit",
                -correction.total_gross,
                document_id=correction.id,
                reason=reason,
            )
        change.document_id = correction.id
    elif gross < 0:
        ledger.append(
            service.customer_id,
            "downgrade_credit",
            -gross,
            reason=document_text(N_("%(reason)s (no VAT invoice of the current period to correct)"), reason=reason),
        )


def apply_change(change: ServiceChange) -> Service:
    """Give the service the change's package, cycle and price; tell provisioning and the customer.

    Promises: the service's version grows by one; for another cycle the new
    period and anchor of the quote are taken (rule 6); ``on_service_changed``
    runs in this transaction; a ``provisioning`` outbox message (deduplicated
    per change) and a ``service_changed`` mail are queued.
    """
    service = Service.get_by_id(change.service_id)
    quote = change.quote
    if quote["action"] == "credit":
        _credit_downgrade(change, service)
    service.product_id = change.to_product_id
    service.cycle = change.to_cycle
    service.recurring_net = Decimal(quote["new_price"])
    service.period_net = None  # the change charged the new package at its price
    if quote.get("new_anchor"):
        service.anchor_date = _d(quote["new_anchor"])
    if quote["action"] == "schedule" or not quote["same_cycle"]:
        service.period_start = _d(quote["new_period_start"])
        service.next_due = _d(quote["new_next_due"])
    service.version += 1
    service.updated_at = clock.utcnow()
    service.save()
    change.status = "applied"
    change.applied_at = clock.utcnow()
    change.save()
    runtime.hooks().on_service_changed(service=service, change=change)
    product = service.product
    outbox.enqueue(
        "provisioning",
        {
            "service_id": service.id,
            "action": "change_package",
            "product": product.slug,
            "module": product.provisioning_module,
            "change_id": change.id,
        },
        dedupe_key=f"provisioning:change:{change.id}",
    )
    activity.record(
        "service.changed",
        subject=service,
        customer_id=service.customer_id,
        change=change.id,
        product=product.slug,
        cycle=service.cycle,
    )
    _notify(service, "service_changed", change=change, product=product)
    return service


def cancel_change(customer_id: int, change_id: int, *, actor: Any = None, ip: str = "") -> ServiceChange:
    """The customer cancels their scheduled (or unpaid) change before it applies.

    Promises: another customer's change is NotFound; an applied, stale or
    cancelled change is a Conflict; an unpaid change's proforma is cancelled
    and anything already paid on it goes to the balance.
    """
    with db.write_transaction():
        db.lock_customer(customer_id)
        change = ServiceChange.get_or_none((ServiceChange.id == change_id) & (ServiceChange.customer == customer_id))
        if change is None:
            raise NotFound("change")
        if change.status not in ("scheduled", "awaiting_payment"):
            raise Conflict(N_("This change can no longer be cancelled."), code="change_closed")
        document = change_proforma(change.id)
        if document is not None and change.status == "awaiting_payment":
            if document.status == "paid":
                raise Conflict(N_("This change was already paid."), code="change_paid")
            release_document(
                document,
                "stale_payment",
                document_text(N_("%(number)s: change cancelled by the customer"), number=document.number),
            )
        change.status = "cancelled"
        change.save()
        mark_service(change.service_id)  # a downgrade priced into the open renewal no longer applies
        activity.record("service.change_cancelled", actor=actor, subject=change, customer_id=customer_id, ip=ip)
    return change


def run_due_changes(today: date | None = None) -> dict[str, int]:
    """Cron: apply scheduled changes due by ``today``; expire unpaid changes whose window ended.

    Each change is handled in its own transaction with the customer's lock and
    re-checked inside it, so two cron nodes never apply one change twice.
    """
    today = today or clock.today()
    done = {"applied": 0, "stale": 0}
    due = [
        c.id
        for c in ServiceChange.select(ServiceChange.id).where(
            (ServiceChange.status == "scheduled") & (ServiceChange.apply_on <= today)
        )
    ]
    waiting = [
        c.id
        for c in ServiceChange.select(ServiceChange.id).where(
            (ServiceChange.status == "awaiting_payment") & (ServiceChange.expires_at <= clock.utcnow())
        )
    ]
    for change_id in due + waiting:
        with db.write_transaction():
            change = ServiceChange.get_by_id(change_id)
            db.lock_customer(change.customer_id)
            change = ServiceChange.get_by_id(change_id)
            service = Service.get_by_id(change.service_id)
            if change.status == "scheduled" and change.apply_on is not None and change.apply_on <= today:
                if service.version != change.service_version or service.status != "active":
                    mark_stale(change, "service_changed")
                    done["stale"] += 1
                else:
                    apply_change(change)
                    done["applied"] += 1
            elif change.status == "awaiting_payment" and stale_reason(change, service):
                mark_stale(change, stale_reason(change, service) or "expired")
                done["stale"] += 1
    return done
