"""Confirming a quote: the customer accepts the price (docs/billing.md rule 10).

:func:`confirm_change` re-prices the change inside one write transaction with
the customer's money lock held, so the balance it applies is the balance at
that moment and two confirms of one service never both succeed (a service has
at most one pending change). What happens next follows the quote's action:

* ``pay`` (rule 7): a :class:`ServiceChange` ``awaiting_payment`` and a proforma
  whose lines and totals are those of the documents its payment issues
  (:func:`core.upgrades.lines.proforma_lines`), with the staff credit the
  quote used as a discount on them (the ledger debited in the same
  transaction, :mod:`core.balance.credit`). Issuing it lets the balance
  plugin apply the deposits on the balance as a payment. **When the balance covers
  the whole gross total** the proforma is issued all the same and paid in full
  from the balance in this transaction, so the change applies at once and the
  VAT invoice is issued, with the usual paper trail (proforma -> payment ->
  VAT invoice) rather than a VAT invoice out of nowhere.
* ``apply`` (rule 8, or downgrade mode ``none``) and ``credit``: applied now.
* ``schedule`` (downgrade mode ``end_of_period``): kept for the next due date;
  the customer may cancel it until then.

The summary the customer confirmed carries the gross total and the time it
was priced; when the fresh price differs, or the summary is older than
``billing.quote_valid_minutes``, :class:`Conflict` asks them to look again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db, runtime
from core.accounts.verified import check_can_order
from core.balance.credit import staff_credit_notes
from core.documents.issuing import issue_document
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_, document_text
from core.models import Document, Service, ServiceChange
from core.money import to_decimal
from core.renewals.schedule import mark_service
from core.upgrades.apply import apply_change, end_of_day_utc
from core.upgrades.lines import corrects_current_invoice, proforma_lines
from core.upgrades.quote import Quote
from core.upgrades.quoting import build_quote


@dataclass(frozen=True)
class Confirmation:
    """What confirming did: the change, its proforma (for ``pay``), and the quote."""

    change: ServiceChange
    document: Document | None
    quote: Quote

    @property
    def status(self) -> str:
        """The change's status after confirming (``applied``, ``scheduled``, ``awaiting_payment``)."""
        return str(self.change.status)


def quote_is_fresh(quoted_at: datetime | None) -> bool:
    """True when a summary priced at ``quoted_at`` (naive UTC) is still within its validity."""
    if quoted_at is None:
        return True
    minutes = int(runtime.config().get_value("billing.quote_valid_minutes") or 60)
    return clock.utcnow() - quoted_at <= timedelta(minutes=minutes)


def proforma_due_date(quote: Quote) -> Any:
    """``proforma_due_days`` from today, but never after the last day of the prorated period."""
    days = int(runtime.config().get_value("billing.proforma_due_days") or 7)
    last_day = quote.service.next_due - timedelta(days=1)
    return max(quote.change_date, min(quote.change_date + timedelta(days=days), last_day))


def _amount(value: object) -> Decimal:
    """The price the customer saw, or ValidationError when it is not an amount (a float, a thousand digits...)."""
    try:
        return to_decimal(value)
    except ValueError:
        raise ValidationError({"expected_gross": N_("Enter an amount, e.g. 21.73.")}) from None


def confirm_change(
    customer_id: int,
    service_id: int,
    product_id: object,
    cycle: object,
    *,
    expected_gross: object = None,
    quoted_at: datetime | None = None,
    actor: Any = None,
    ip: str = "",
) -> Confirmation:
    """Confirm the change of the customer's service; see the module docstring.

    Raises NotFound for another customer's service, EmailNotVerified when the
    customer must confirm their e-mail address first, ValidationError for a
    target the service cannot change to, Conflict when a change is pending,
    the price changed since the summary, or the summary expired.
    """
    with db.write_transaction():
        db.lock_customer(customer_id)
        service = Service.get_or_none((Service.id == service_id) & (Service.customer == customer_id))
        if service is None:
            raise NotFound("service")
        check_can_order(service.customer)  # a package change is an order
        if not quote_is_fresh(quoted_at):
            raise Conflict(N_("The summary expired. Please check the new price."), code="quote_expired")
        quote = build_quote(service, product_id, cycle)
        if expected_gross not in (None, "") and _amount(expected_gross) != quote.gross:
            raise Conflict(
                N_("The price changed since you saw the summary. Please check it again."), code="quote_changed"
            )
        change = ServiceChange.create(
            service=service,
            customer=customer_id,
            from_product=service.product_id,
            from_cycle=service.cycle,
            to_product=quote.target.id,
            to_cycle=quote.target_cycle,
            direction=quote.direction,
            status="awaiting_payment" if quote.action == "pay" else "scheduled",
            quote=quote.to_json(),
            service_version=service.version,
            apply_on=quote.apply_on,
        )
        if change.status == "scheduled":
            mark_service(service.id)  # the next renewal run prices the change into the open renewal
        document = None
        if quote.action == "pay":
            due = proforma_due_date(quote)
            change.expires_at = end_of_day_utc(due)
            change.save()
            document = issue_document(
                service.customer,
                "proforma",
                proforma_lines(quote),
                due_date=due,
                planned_totals=quote.rate_totals if corrects_current_invoice(quote) else None,
                purpose="service_change",
                purpose_ref=change.id,
                notes=[
                    document_text(
                        N_("Change of service %(service)s: %(old)s -> %(new)s"),
                        service=service.label or f"#{service.id}",
                        old=service.product.name,
                        new=quote.target.name,
                    ),
                    *staff_credit_notes(quote.staff_discount),
                ],
                staff_credit=quote.staff_credit_applied,
            )
            change = ServiceChange.get_by_id(change.id)
            document = Document.get_by_id(document.id)
        elif quote.action in ("apply", "credit"):
            apply_change(change)
            change = ServiceChange.get_by_id(change.id)
        activity.record(
            "service.change_confirmed",
            actor=actor,
            subject=change,
            customer_id=customer_id,
            ip=ip,
            outcome=quote.action,
            gross=str(quote.gross),
            document=document.number if document else "",
        )
    return Confirmation(change, document, quote)
