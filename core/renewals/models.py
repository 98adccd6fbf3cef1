"""The record of each billed renewal period: one row per service and period."""

from __future__ import annotations

import peewee

from core.models.base import BaseModel, utc_now
from core.models.services import Service

#: The partial index that finds services whose next period is still to be billed, and its condition.
#: The condition is written in literals, and a query uses it word for word, so that both engines
#: see that the index covers it (a parameter in its place would hide that from the planner). The
#: comparison is one expression (not an OR of two), so PostgreSQL can keep statistics of it
#: (:data:`DUE_STATISTICS`) and knows that few services match; without them it may read them all.
DUE_INDEX = "service_renewal_due"
DUE_COMPARISON = "COALESCE(renewal_billed_for <> next_due, TRUE)"
DUE_CONDITION = f"status IN ('active', 'suspended') AND {DUE_COMPARISON}"
DUE_STATISTICS = "service_renewal_due_stats"


def awaiting_renewal() -> peewee.Node:
    """Billed services whose next period has no renewal proforma yet (the condition of :data:`DUE_INDEX`).

    For a query whose only table in ``FROM`` is ``service``.
    """
    return peewee.SQL(f"({DUE_CONDITION})")


class ServiceRenewal(BaseModel):
    """A renewal proforma issued for ``service`` and the period ``[period_start, period_end)``.

    The unique index on ``(service, period_start)`` is what makes issuing
    idempotent across cron runs and nodes: a second insert for the same period
    fails, so one period is billed once. ``document_id`` is the current proforma
    (replaced when an untouched proforma is re-priced, see
    :mod:`core.renewals.issuing`); ``change_id`` the scheduled change priced in.
    ``terms`` is the key of the price it was issued with. ``reminded_at``,
    ``suspended_at``, ``terminated_at`` and ``extended_at`` record the dunning
    steps and the payment, each done once. ``next_step_on`` is the day the renewal
    run next has something to check for this row (a dunning step falls due, or
    something its price depends on changed: :mod:`core.renewals.schedule`); None
    when nothing is left to do. The run finds its work by the index on it, so
    open renewals that need nothing cost nothing.
    """

    service = peewee.ForeignKeyField(Service, backref="renewals", on_delete="CASCADE")
    service_id: int
    period_start = peewee.DateField()
    period_end = peewee.DateField()
    document_id = peewee.IntegerField(null=True, index=True)
    change_id = peewee.IntegerField(null=True)
    terms = peewee.CharField(max_length=191, default="")
    reminded_at = peewee.DateTimeField(null=True)
    suspended_at = peewee.DateTimeField(null=True)
    terminated_at = peewee.DateTimeField(null=True)
    extended_at = peewee.DateTimeField(null=True)
    next_step_on = peewee.DateField(null=True, index=True)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "service_renewal"
        indexes = ((("service", "period_start"), True),)


class DunningStep(BaseModel):
    """One dunning step done for one renewal: ``reminded``, ``suspended`` or ``terminated``.

    The unique index on ``(renewal, step)`` is what makes each step happen
    once, however many cron runs overlap: the step's row is inserted in the
    step's own transaction, and a second insert fails, rolling back a second
    reminder, suspension or termination with it.
    """

    renewal = peewee.ForeignKeyField(ServiceRenewal, backref="dunning_steps", on_delete="CASCADE")
    renewal_id: int
    step = peewee.CharField(max_length=16)
    done_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "renewal_dunning_step"
        indexes = ((("renewal", "step"), True),)
