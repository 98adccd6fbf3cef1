"""Dunning for unpaid renewals: one reminder, then suspension, then termination.

Counted from the renewal proforma's due date (``Document.due_date``, which is
the service's old ``next_due`` or the day it was issued when later), in whole
days of the provider's calendar (``clock.today()``):

* ``billing.reminder_days_before_due`` (default 3) days before it: one
  ``renewal_reminder`` e-mail (outbox dedupe key ``renewal_reminder:<document>``
  and ``service_renewal.reminded_at``, so never twice).
* ``billing.suspend_after_days`` (default 7) days after it, still unpaid: the
  service is suspended (``set_service_status``, actor system, reason
  ``unpaid renewal <number>``), which queues the provisioning ``suspend``, and
  the customer is told. Once per renewal: if staff unsuspend by hand, the job
  does not suspend again for the same proforma (WHMCS's "override
  auto-suspend" made the default, because staff who unsuspend mean it).
* ``billing.terminate_after_days`` (default 30) days after it: the service is
  terminated, the renewal proforma is cancelled (anything partly paid on it
  goes to the credit balance), and the customer is told.

Each step runs in its own write transaction with the customer's lock and is
re-checked inside it; a step that does not apply is skipped. A threshold of 0
or less turns that step off.
"""

from __future__ import annotations

from datetime import date, timedelta

from core import activity, clock, db, mail, runtime
from core.i18n import N_, document_text
from core.models import Document, Service
from core.renewals.issuing import OPEN, current_document
from core.renewals.models import ServiceRenewal
from core.service_status import set_service_status


def _days(key: str, default: int) -> int:
    value = runtime.config().get_value(f"billing.{key}")
    return int(default if value is None or value == "" else value)


def _notify(service: Service, template: str, document: Document) -> None:
    customer = service.customer
    mail.queue_mail(
        customer.email,
        template,
        customer.language,
        dedupe_key=f"{template}:{document.id}",
        customer=customer,
        service=service,
        document=document,
    )


def _step(renewal_id: int, today: date) -> str:
    reminder = _days("reminder_days_before_due", 3)
    suspend = _days("suspend_after_days", 7)
    terminate = _days("terminate_after_days", 30)
    with db.write_transaction():
        renewal = ServiceRenewal.get_by_id(renewal_id)
        service = Service.get_by_id(renewal.service_id)
        db.lock_customer(service.customer_id)
        document = current_document(renewal)
        if renewal.extended_at or document is None or document.status not in OPEN or document.due_date is None:
            return ""
        due = document.due_date
        if terminate > 0 and today >= due + timedelta(days=terminate) and renewal.terminated_at is None:
            from core.upgrades.apply import release_document

            renewal.terminated_at = clock.utcnow()
            renewal.save()
            if service.status in ("active", "suspended"):
                service = set_service_status(service.id, "terminated", None, reason=f"unpaid renewal {document.number}")
                _notify(service, "renewal_terminated", document)
            document = Document.get_by_id(document.id)  # hooks of the status change may have moved it
            release_document(
                document,
                "stale_payment",
                document_text(N_("%(number)s: service terminated for non-payment"), number=document.number),
            )
            return "terminated"
        if (
            suspend > 0
            and today >= due + timedelta(days=suspend)
            and renewal.suspended_at is None
            and service.status == "active"
        ):
            renewal.suspended_at = clock.utcnow()
            renewal.save()
            service = set_service_status(service.id, "suspended", None, reason=f"unpaid renewal {document.number}")
            _notify(service, "renewal_suspended", document)
            return "suspended"
        if reminder > 0 and renewal.reminded_at is None and today <= due and today >= due - timedelta(days=reminder):
            renewal.reminded_at = clock.utcnow()
            renewal.save()
            _notify(service, "renewal_reminder", document)
            activity.record(
                "renewal.reminded", subject=service, customer_id=service.customer_id, document=document.number
            )
            return "reminded"
    return ""


def run_dunning(today: date | None = None) -> dict[str, int]:
    """Cron: remind, suspend and terminate for every unpaid renewal; return counts per step."""
    today = today or clock.today()
    done = {"reminded": 0, "suspended": 0, "terminated": 0}
    rows = [
        r.id
        for r in ServiceRenewal.select(ServiceRenewal.id)
        .where(
            ServiceRenewal.extended_at.is_null()
            & ServiceRenewal.terminated_at.is_null()
            & ServiceRenewal.document_id.is_null(False)
        )
        .order_by(ServiceRenewal.id)
    ]
    for renewal_id in rows:
        step = _step(renewal_id, today)
        if step:
            done[step] += 1
    return done
