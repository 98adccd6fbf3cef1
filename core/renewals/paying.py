"""A paid renewal extends its service: inside the payment's transaction, exactly once.

Called from ``on_invoice_paid`` (:mod:`core.renewals.plugin`) when a renewal
proforma became fully paid; the customer's money lock is held by
:func:`core.payments.recording.record_payment`. The VAT invoice itself is issued
by the generic ``on_invoice_paid`` of :mod:`core.payments.hooks` (``trylast``,
it copies ``purpose="renewal"`` and the service id), in the same transaction.

What extending does (docs/billing.md rules 3-4):

* ``period_start = next_due`` and ``next_due`` = the end of the renewed period
  (``add_cycles(anchor, cycle, n + 1)``, stored on the ``service_renewal`` row
  when the proforma was issued), and ``version += 1``.
* When a scheduled downgrade was priced into this renewal, that change already
  moved the dates if it applied first (``next_due == period_end``): nothing is
  moved twice. If the renewal is paid first, the change keeps its validity
  (its ``service_version`` follows the new version), because the customer paid
  for the period it describes; on the due date it applies with the same dates.
* A service suspended by the dunning job for this or an earlier unpaid renewal
  is unsuspended (``set_service_status``, actor system), which queues the
  provisioning ``unsuspend``; a service suspended by staff stays suspended.
* The customer gets the ``renewal_paid`` e-mail through the outbox.

Idempotent: the row's ``extended_at`` is set once; a duplicate payment is a
no-op in :func:`record_payment` already, and a second ``on_invoice_paid`` for the
same proforma finds ``extended_at`` set. A renewal paid after the service was
terminated (its proforma was cancelled, so the money went to the balance) or
after it moved to other dates never changes the service: the row is marked and
the activity log says why, so staff can look.
"""

from __future__ import annotations

from typing import Any

from core import activity, clock, mail
from core.models import Document, Service, ServiceChange
from core.renewals.issuing import current_document
from core.renewals.models import ServiceRenewal
from core.renewals.schedule import mark_service
from core.service_status import set_service_status


def renewal_of(document: Document) -> ServiceRenewal | None:
    """The ``service_renewal`` row a renewal proforma (or a staff re-issue of it) belongs to."""
    if document.kind != "proforma" or document.purpose != "renewal" or not document.purpose_ref:
        return None
    rows = list(
        ServiceRenewal.select().where(ServiceRenewal.service == document.purpose_ref).order_by(ServiceRenewal.id.desc())
    )
    for row in rows:
        if row.document_id == document.id:
            return row
    for row in rows:
        if row.document_id is None:
            return row  # issued in this very transaction; paid from the balance on issue
        current = current_document(row)
        if current is not None and current.id == document.id:
            return row
    return None


def _suspended_by_dunning(service: Service) -> bool:
    """True when the dunning job suspended it and no other unpaid renewal keeps it suspended."""
    rows = list(
        ServiceRenewal.select().where((ServiceRenewal.service == service) & ServiceRenewal.suspended_at.is_null(False))
    )
    return bool(rows) and all(row.extended_at is not None for row in rows)


def extend_paid_renewal(document: Document) -> Service | None:
    """Extend the service of the fully paid renewal proforma ``document`` (module docstring)."""
    renewal = renewal_of(document)
    if renewal is None or renewal.extended_at is not None:
        return None
    service = Service.get_by_id(renewal.service_id)
    renewal.extended_at = clock.utcnow()
    renewal.next_step_on = None  # paid: nothing left for the renewal run to do
    renewal.save()
    if service.status not in ("active", "suspended"):
        activity.record(
            "renewal.not_extended",
            subject=service,
            customer_id=service.customer_id,
            document=document.number,
            reason=f"service is {service.status}",
        )
        return None
    if service.next_due == renewal.period_start:
        service.period_start, service.next_due = renewal.period_start, renewal.period_end
    elif service.next_due != renewal.period_end:
        activity.record(
            "renewal.not_extended",
            subject=service,
            customer_id=service.customer_id,
            document=document.number,
            reason="the service's dates changed since the renewal",
        )
        return None
    service.version += 1
    service.period_net = None  # a renewal charges the price the service renews at
    service.updated_at = clock.utcnow()
    service.save()
    mark_service(service.id)  # its dates moved: any other open renewal of it may be obsolete now
    if renewal.change_id:
        ServiceChange.update(service_version=service.version).where(
            (ServiceChange.id == renewal.change_id) & (ServiceChange.status == "scheduled")
        ).execute()
    activity.record(
        "renewal.paid",
        subject=service,
        customer_id=service.customer_id,
        document=document.number,
        next_due=service.next_due.isoformat(),
    )
    if service.status == "suspended" and _suspended_by_dunning(service):
        service = set_service_status(service.id, "active", None, reason=f"renewal {document.number} paid")
    _mail(service, "renewal_paid", document=document)
    return service


def _mail(service: Service, template: str, **context: Any) -> None:
    customer = service.customer
    mail.queue_mail(customer.email, template, customer.language, customer=customer, service=service, **context)
