"""The core's renewal hook implementations (a built-in plugin).

* ``on_invoice_paid``: a renewal proforma became fully paid: extend the service
  (:func:`core.renewals.paying.extend_paid_renewal`), inside the payment's
  transaction; the VAT invoice is issued by :mod:`core.payments.hooks`
  (``trylast``) in the same transaction.
* ``on_service_changed``: an applied upgrade or downgrade re-prices the open
  renewal proforma (or cancels it when the change moved the service's dates),
  in the change's transaction, so the customer never pays the old price.
* ``hookbill_cron_jobs``: ``renewals`` (hourly): issue due renewal proformas
  in batches, then re-price, remind, suspend and terminate the open ones whose
  day has come (:mod:`core.renewals.run`). Safe on several nodes: the cron slot
  is claimed once, and every step is idempotent on its own.
* ``hookbill_template_snippet`` ``client_service_detail``: the open renewal
  proforma of the service, with a link to pay it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.extension import CronJob
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.extension import TemplateContext
    from core.models import Document, Service, ServiceChange


@hookimpl
def on_invoice_paid(document: Document) -> None:
    """Extend the service whose renewal proforma was paid in full."""
    if document.kind != "proforma" or document.purpose != "renewal":
        return
    from core.renewals.paying import extend_paid_renewal

    extend_paid_renewal(document)


@hookimpl
def on_service_changed(service: Service, change: ServiceChange) -> None:
    """A package or cycle change applied: re-price or cancel the service's open renewal at once."""
    from core.renewals.issuing import refresh_open_renewals

    refresh_open_renewals(service.id)


def run_renewals() -> dict[str, int]:
    """Cron: issue renewals in batches, then re-price and dun the open ones due (:mod:`core.renewals.run`)."""
    from core.renewals.run import run_renewals as run

    return run()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("renewals", run_renewals, every=timedelta(hours=1))]


def open_renewal(service: Any) -> Any:
    """The service's renewal proforma still waiting for payment, or None."""
    from core.renewals.issuing import OPEN, current_document
    from core.renewals.models import ServiceRenewal

    rows = (
        ServiceRenewal.select()
        .where(
            (ServiceRenewal.service == service)
            & ServiceRenewal.extended_at.is_null()
            & ServiceRenewal.terminated_at.is_null()
        )
        .order_by(ServiceRenewal.period_start.desc())
    )
    for row in rows:
        document = current_document(row)
        if document is not None and document.status in OPEN:
            return document
    return None


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """On the client's service page: the open renewal proforma, with a link to it."""
    service = context.get("service")
    if name != "client_service_detail" or service is None:
        return None
    document = open_renewal(service)
    if document is None:
        return None
    from flask import render_template
    from markupsafe import Markup

    return Markup(render_template("client/_renewal_notice.html", service=service, document=document))
