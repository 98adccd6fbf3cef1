"""Services customers hold, and the changes (upgrade/downgrade) requested on them."""

from __future__ import annotations

import peewee

from core.models.accounts import Customer
from core.models.base import BaseModel, JSONField, MoneyField, utc_now
from core.models.catalogue import Product

SERVICE_STATUSES = ("pending", "active", "suspended", "terminated", "cancelled")


class Service(BaseModel):
    """A product held by a customer on a billing cycle.

    The current period is ``[period_start, next_due)``; due dates are counted
    from ``anchor_date`` (docs/billing.md rule 4). ``version`` grows with every change
    of package, cycle or price, so a stale quote can be recognised.
    ``period_net`` is the net actually charged for the current period when it
    differs from ``recurring_net`` (a first-period discount); a package change
    prorates from it. None: the period was charged ``recurring_net``.
    ``renewal_billed_for`` is the ``next_due`` whose renewal proforma was issued
    last: while it differs from ``next_due`` (and the service is billed) the
    renewal run has work for it, found by the partial index
    ``service_renewal_due`` (:mod:`core.renewals.run`).
    """

    customer = peewee.ForeignKeyField(Customer, backref="services", on_delete="RESTRICT")
    customer_id: int
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    product_id: int
    cycle = peewee.CharField(max_length=16)
    status = peewee.CharField(max_length=16, default="active", index=True)
    label = peewee.CharField(max_length=255, default="")
    anchor_date = peewee.DateField()
    period_start = peewee.DateField()
    next_due = peewee.DateField(index=True)
    recurring_net = MoneyField()
    period_net = MoneyField(null=True)
    version = peewee.IntegerField(default=1)
    renewal_billed_for = peewee.DateField(null=True)
    module_ref = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utc_now)
    updated_at = peewee.DateTimeField(default=utc_now)

    @classmethod
    def with_product(cls) -> peewee.ModelSelect[Service]:
        """Services joined with their products: ``service.product`` of each row costs no query."""
        return cls.select(cls, Product).join(Product, on=(cls.product == Product.id))


CHANGE_STATUSES = ("awaiting_payment", "scheduled", "applied", "cancelled", "stale")


class ServiceChange(BaseModel):
    """A requested change of package and/or cycle and the quote it was priced with.

    A service has at most one change in ``awaiting_payment`` or ``scheduled``.
    ``quote`` is the frozen quote (JSON) the customer confirmed.
    """

    service = peewee.ForeignKeyField(Service, backref="changes", on_delete="CASCADE")
    service_id: int
    customer = peewee.ForeignKeyField(Customer, on_delete="RESTRICT")
    customer_id: int
    from_product = peewee.ForeignKeyField(Product, on_delete="RESTRICT", backref="+")
    from_product_id: int
    from_cycle = peewee.CharField(max_length=16)
    to_product = peewee.ForeignKeyField(Product, on_delete="RESTRICT", backref="+")
    to_product_id: int
    to_cycle = peewee.CharField(max_length=16)
    direction = peewee.CharField(max_length=16)
    status = peewee.CharField(max_length=20, index=True)
    quote = JSONField()
    service_version = peewee.IntegerField()
    expires_at = peewee.DateTimeField(null=True)
    apply_on = peewee.DateField(null=True)
    document_id = peewee.IntegerField(null=True, index=True)
    created_at = peewee.DateTimeField(default=utc_now)
    applied_at = peewee.DateTimeField(null=True)
