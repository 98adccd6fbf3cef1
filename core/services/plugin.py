"""The hook implementations of services added by hand and of cancellations (a built-in plugin of the core).

* ``hookbill_migrations``: the ``services`` component (the cancellation requests).
* ``hookbill_blueprints``: the customer's cancellation buttons
  (:mod:`core.web.cancellations`), staff's pages to add a service and decide on
  cancellations (:mod:`core.web.admin_services`), and to issue documents with
  lines of their own (:mod:`core.web.admin_invoices`).
* ``hookbill_admin_menu``: "Cancellations".
* ``on_invoice_paid``: the first proforma of a service staff added as
  ``pending`` was paid in full: the service is activated, which queues the
  provisioning module's ``create`` (:func:`core.service_status.set_service_status`),
  in the payment's transaction.
* ``hookbill_cron_jobs``: ``cancellations`` (hourly) ends the services whose
  approved cancellation's day has come.
* ``hookbill_template_snippet``: on the customer's service page the
  cancellation card (ask, or the open request and a button to withdraw it); on
  the admin dashboard the number of requests waiting for a decision.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core import db
from core.config import Config
from core.extension import CronJob, MenuItem, MigrationSet
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.extension import TemplateContext
    from core.models import Document, Staff


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("services", "core.services.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.web import admin_invoices, admin_services, cancellations

    return [cancellations.bp, admin_services.bp, admin_invoices.bp]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [
        MenuItem(
            "Cancellations",
            "admin_services.cancellations",
            order=25,
            roles=("admin", "billing", "support"),
            active_prefix="/admin/cancellations",
        )
    ]


@hookimpl
def on_invoice_paid(document: Document) -> None:
    """Activate a pending service whose first proforma (added by staff) was paid in full."""
    from core.services.manual import PURPOSE

    if document.kind != "proforma" or document.purpose != PURPOSE or not document.purpose_ref:
        return
    from core.models import Service
    from core.service_status import set_service_status

    service = Service.get_or_none(Service.id == document.purpose_ref)
    if service is not None and service.status == "pending":
        set_service_status(service.id, "active", None, reason=f"first period paid {document.number}")


def end_due_services() -> int:
    """Cron: end the services of approved cancellations whose day has come."""
    from core.services.cancellation import run_due_cancellations

    with db.connection():
        return run_due_cancellations()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("cancellations", end_due_services, every=timedelta(hours=1))]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """The customer's cancellation card on a service page; the waiting requests on the admin dashboard."""
    if name not in ("client_service_detail", "admin_dashboard"):
        return None
    from flask import render_template
    from markupsafe import Markup

    from core.services.models import CancellationRequest

    if name == "admin_dashboard":
        from core.keyset import COUNT_CAP, capped_count

        waiting = capped_count(CancellationRequest.select().where(CancellationRequest.status == "requested"), COUNT_CAP)
        return Markup(render_template("admin/_cancellations_card.html", waiting=waiting))
    service = context.get("service")
    if service is None:
        return None
    from core.services.cancellation import CANCELLABLE, open_request
    from core.web.forms import EmptyForm

    request = open_request(service.id)
    if request is None and service.status not in CANCELLABLE:
        return None
    return Markup(render_template("client/_cancellation.html", service=service, request=request, form=EmptyForm()))
