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

Which renewals are looked at, and when: each open renewal carries the day
its next step can fall due (``service_renewal.next_step_on``,
:mod:`core.renewals.schedule`), and the renewal run reads only those whose day
has come (:mod:`core.renewals.run`). They are taken in batches, one write
transaction each, and nothing is read before the locks: first the money locks
of the batch's customers, in id order (the lock every payment takes, and a
payment may extend this very renewal), then the renewals' rows, claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (a row another run is working on is
skipped, never waited for; on SQLite the write transaction already serialises
the runs). Each renewal then has its own savepoint: everything is re-read, and
a step that does not apply is skipped. Each step also inserts its
:class:`core.renewals.models.DunningStep` row, unique per renewal and step, so
overlapping cron runs (a long run still going when the next slot starts, on
this node or another) remind, suspend and terminate once, and log it once. A
threshold of 0 or less turns that step off.
"""

from __future__ import annotations

from datetime import date, timedelta

import peewee

from core import activity, clock, db, mail
from core.i18n import N_, document_text
from core.models import Document, Service
from core.renewals.issuing import OPEN, current_document
from core.renewals.models import DunningStep, ServiceRenewal
from core.renewals.schedule import Thresholds
from core.service_status import set_service_status


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


def _mark(renewal: ServiceRenewal, step: str) -> bool:
    """Record ``step`` as done for ``renewal``; False when it was done already (the unique index)."""
    try:
        with db.write_transaction():  # a savepoint: a duplicate rolls back only this insert
            DunningStep.create(renewal=renewal.id, step=step)
    except peewee.IntegrityError:
        return False
    return True


def dunning_step(renewal: ServiceRenewal, today: date, thresholds: Thresholds) -> str:
    """Take the one dunning step due for ``renewal`` today, if any; return its name (``""`` for none).

    Inside the caller's write transaction, with the customer's money lock held
    and the renewal's row claimed and read under it (:mod:`core.renewals.run`).
    """
    service = Service.get_by_id(renewal.service_id)
    document = current_document(renewal)
    if renewal.extended_at or document is None or document.status not in OPEN or document.due_date is None:
        return ""
    due = document.due_date
    reminder, suspend, terminate = thresholds.reminder, thresholds.suspend, thresholds.terminate
    if terminate > 0 and today >= due + timedelta(days=terminate) and renewal.terminated_at is None:
        from core.upgrades.apply import release_document

        if not _mark(renewal, "terminated"):
            return ""
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
        if not _mark(renewal, "suspended"):
            return ""
        renewal.suspended_at = clock.utcnow()
        renewal.save()
        service = set_service_status(service.id, "suspended", None, reason=f"unpaid renewal {document.number}")
        _notify(service, "renewal_suspended", document)
        return "suspended"
    if reminder > 0 and renewal.reminded_at is None and today <= due and today >= due - timedelta(days=reminder):
        if not _mark(renewal, "reminded"):
            return ""
        renewal.reminded_at = clock.utcnow()
        renewal.save()
        _notify(service, "renewal_reminder", document)
        activity.record("renewal.reminded", subject=service, customer_id=service.customer_id, document=document.number)
        return "reminded"
    return ""


def run_dunning(today: date | None = None) -> dict[str, int]:
    """Cron: remind, suspend and terminate for every unpaid renewal whose step is due; return counts per step.

    The renewal run's pass over open renewals (:func:`core.renewals.run.attend_open_renewals`),
    which also re-prices the ones marked for it.
    """
    from core.renewals.run import attend_open_renewals

    done = attend_open_renewals(today, dunning=True)
    return {step: done[step] for step in ("reminded", "suspended", "terminated")}
