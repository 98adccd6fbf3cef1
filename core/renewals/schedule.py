"""When the renewal run next has something to do for an open renewal: ``service_renewal.next_step_on``.

The hourly run must not look at renewals that need nothing: a provider with
100 000 services has about as many open renewals for much of every month. So
each open renewal carries the day its next step can fall due, and the run reads
only the rows whose day has come, by the index on that column:

* **Dunning dates** (:mod:`core.renewals.overdue`), counted from the proforma's
  due date: the first day of the reminder window, the day to suspend, the day
  to terminate, whichever step not done yet comes first after today
  (:func:`next_step_on`). Set when the proforma is issued, and again each time
  the run has looked at the renewal.
* **Today, when something the renewal depends on changed** (:func:`mark_service`
  and its kin): the service's status (staff terminating it makes the proforma
  obsolete; staff lifting their own suspension lets dunning suspend again), its
  next due date (a payment, a package change), a downgrade scheduled, cancelled
  or gone stale, the customer's billing data (the buyer's country decides the VAT
  rate), a product's VAT rate, and the VAT and dunning settings of the
  configuration (:func:`check_settings`, at the start of every run). The run
  then re-prices the renewal if it must (:func:`core.renewals.issuing.reprice`)
  and takes its dunning step, if one is due.
* **None** when nothing is left to do: the renewal was paid or terminated, its
  proforma cancelled, or every dunning step is done or switched off.

An event only ever moves the day earlier, inside its own transaction; the run
moves it later only after reading the renewal under its locks, so a change that
commits while the run works on a renewal leaves its mark for the next run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import peewee

from core import clock, db, runtime
from core.models import Service, ServiceChange
from core.renewals.models import ServiceRenewal

#: Where the settings the open renewals were scheduled with are remembered (:func:`check_settings`).
SETTINGS_NAMESPACE, SETTINGS_KEY = "renewals", "scheduled_with"


@dataclass(frozen=True)
class Thresholds:
    """The dunning steps' distances from the due date, in days (0 or less: the step is off)."""

    reminder: int
    suspend: int
    terminate: int

    @classmethod
    def configured(cls) -> Thresholds:
        """The ``[billing]`` thresholds of the running configuration."""
        return cls(
            _days("reminder_days_before_due", 3), _days("suspend_after_days", 7), _days("terminate_after_days", 30)
        )


def _days(key: str, default: int) -> int:
    value = runtime.config().get_value(f"billing.{key}")
    return int(default if value is None or value == "" else value)


def next_step_on(
    renewal: ServiceRenewal, due: date | None, today: date, thresholds: Thresholds, *, looked_today: bool = False
) -> date | None:
    """The first day on which a dunning step not yet done falls due (module docstring); None when none will.

    ``due`` is the open proforma's due date (None: no dunning). A step whose
    day has passed counts from ``today`` (the run takes it when it next looks),
    except after the run has just looked at the renewal (``looked_today``):
    then only days after today count, since what could be done today was done
    (a suspension that a suspension by staff stood in the way of waits for the
    next change of status, which marks the renewal again).
    """
    if due is None:
        return None
    starts: list[date] = []
    if thresholds.reminder > 0 and renewal.reminded_at is None and today <= due:
        starts.append(due - timedelta(days=thresholds.reminder))  # the reminder window opens; it closes on ``due``
    if thresholds.suspend > 0 and renewal.suspended_at is None:
        starts.append(due + timedelta(days=thresholds.suspend))
    if thresholds.terminate > 0 and renewal.terminated_at is None:
        starts.append(due + timedelta(days=thresholds.terminate))
    if looked_today:
        later = [day for day in starts if day > today]
        return min(later) if later else None
    return max(min(starts), today) if starts else None


def _open() -> peewee.Expression:
    return (
        ServiceRenewal.extended_at.is_null()
        & ServiceRenewal.terminated_at.is_null()
        & ServiceRenewal.document_id.is_null(False)
    )


def _mark(where: peewee.Expression) -> None:
    ServiceRenewal.update(next_step_on=clock.today()).where(_open() & where).execute()


def mark_service(service_id: int) -> None:
    """The service changed (status, dates, a scheduled change): its open renewals are looked at on the next run."""
    _mark(ServiceRenewal.service == service_id)


def mark_customer(customer_id: int) -> None:
    """The customer's billing data changed: their open renewals are looked at on the next run."""
    _mark(ServiceRenewal.service.in_(Service.select(Service.id).where(Service.customer == customer_id)))


def mark_product(product_id: int) -> None:
    """A product's VAT rate changed: open renewals that bill it are looked at on the next run."""
    changes = ServiceChange.select(ServiceChange.id).where(ServiceChange.to_product == product_id)
    _mark(
        ServiceRenewal.service.in_(Service.select(Service.id).where(Service.product == product_id))
        | ServiceRenewal.change_id.in_(changes)
    )


def _settings() -> dict[str, Any]:
    """What the open renewals' prices and dunning dates depend on in the configuration."""
    config = runtime.config()
    thresholds = Thresholds.configured()
    return {
        "vat_rate": str(config.get_value("billing.vat_rate") or ""),
        "vat_rates_by_country": config.get_value("billing.vat_rates_by_country") or {},
        "dunning": [thresholds.reminder, thresholds.suspend, thresholds.terminate],
    }


def check_settings() -> bool:
    """At the start of a run: when the VAT or dunning settings changed since the last run, mark every open renewal.

    One read when nothing changed; else its own write transaction. Returns True when it marked them.
    """
    from core.models import Setting

    current = json.loads(json.dumps(_settings(), sort_keys=True))
    where = (Setting.namespace == SETTINGS_NAMESPACE) & (Setting.key == SETTINGS_KEY)
    stored = Setting.select(Setting.value).where(where).first()
    if stored is not None and stored.value == current:
        return False
    with db.write_transaction():
        _mark(ServiceRenewal.id.is_null(False))
        Setting.insert(namespace=SETTINGS_NAMESPACE, key=SETTINGS_KEY, value=current).on_conflict(
            conflict_target=[Setting.namespace, Setting.key], update={Setting.value: peewee.EXCLUDED.value}
        ).execute()  # two runs starting at once both store it
    return True
