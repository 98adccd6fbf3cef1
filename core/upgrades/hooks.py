"""The core's hook implementations for service changes (a built-in plugin).

``on_payment``: a payment towards the proforma of a change awaiting payment;
if the change went stale (docs/billing.md rule 10) it is released here, inside the
payment's transaction: the proforma is cancelled and everything paid on it
goes to the balance (in the database: the payment's recording reads the
proforma again after ``on_payment`` and, seeing it cancelled, calls no
``on_invoice_paid`` for it). ``on_invoice_paid``: the proforma is fully paid, so
the change is applied in the same transaction (rule 7), and in ``correction``
mode its correcting invoice and new VAT invoice are issued
(:mod:`core.upgrades.invoicing`). ``hookbill_cron_jobs``:
apply scheduled downgrades and expire unpaid changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.extension import CronJob
from core.hookspecs import hookimpl
from core.models import ServiceChange

if TYPE_CHECKING:
    from core.extension import TemplateContext
    from core.models import Document, Payment


def _change_of(document: Document | None) -> ServiceChange | None:
    if document is None or document.kind != "proforma" or document.purpose != "service_change":
        return None
    return ServiceChange.get_or_none(ServiceChange.id == document.purpose_ref)


@hookimpl
def on_payment(payment: Payment, document: Document | None) -> None:
    """Release a stale change's proforma to the balance instead of applying it."""
    from core.upgrades.apply import mark_stale, stale_reason

    change = _change_of(document)
    if change is None or change.status != "awaiting_payment":
        return
    reason = stale_reason(change)
    if reason:
        mark_stale(change, reason)  # cancels the proforma in the database


@hookimpl(tryfirst=True)
def on_invoice_paid(document: Document) -> None:
    """Apply the change whose proforma became fully paid; in ``correction`` mode issue its two documents."""
    from core.upgrades.apply import apply_change
    from core.upgrades.invoicing import issue_change_documents

    change = _change_of(document)
    if change is not None and change.status == "awaiting_payment":
        apply_change(change)
        issue_change_documents(ServiceChange.get_by_id(change.id), document)


def run_due_changes_job() -> None:
    """Cron wrapper of :func:`core.upgrades.apply.run_due_changes`."""
    from core.upgrades.apply import run_due_changes

    run_due_changes()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("service-changes", run_due_changes_job, every=timedelta(hours=1))]


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Any]:
    from core.upgrades.provisioning import handle_provisioning

    return {"provisioning": handle_provisioning}


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """On the service page: the pending (scheduled or unpaid) change, with a link to it."""
    if name != "client_service_detail":
        return None
    from flask import render_template

    from core.upgrades.quoting import pending_change

    service = context.get("service")
    change = pending_change(service) if service is not None else None
    if change is None:
        return None
    from markupsafe import Markup

    return Markup(render_template("client/_pending_change.html", service=service, pending=change))
