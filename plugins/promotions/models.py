"""The promotions plugin's tables: codes, their uses, and the services a recurring code stays on."""

from __future__ import annotations

import peewee

from core.models.base import BaseModel, JSONField, MoneyField, utc_now


class PromoCode(BaseModel):
    """A promotion code (see the plugin's docstring).

    ``kind``: ``percent`` (``value`` is a percentage, e.g. 20.00) or ``fixed``
    (``value`` is a net amount off each unit). ``products`` and ``cycles`` limit
    it (empty: every product, every cycle). ``recurring``: renewals keep the
    discount; else the first period only. ``max_uses`` (in total) and
    ``max_uses_per_customer``: None for no limit.
    """

    code = peewee.CharField(max_length=64, unique=True)
    description = peewee.CharField(max_length=255, default="")
    kind = peewee.CharField(max_length=16, default="percent")
    value = MoneyField()
    products = JSONField(default=list)
    cycles = JSONField(default=list)
    recurring = peewee.BooleanField(default=False)
    valid_from = peewee.DateField(null=True)
    valid_to = peewee.DateField(null=True)
    max_uses = peewee.IntegerField(null=True)
    max_uses_per_customer = peewee.IntegerField(null=True)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "promo_code"


#: ``reserved`` when the order is placed, ``used`` when it is paid, ``released`` when it is cancelled unpaid.
USE_STATUSES = ("reserved", "used", "released")


class PromoUse(BaseModel):
    """One use of a code by one order."""

    promo = peewee.ForeignKeyField(PromoCode, backref="uses", on_delete="CASCADE")
    promo_id: int
    customer_id = peewee.IntegerField(index=True)
    order_id = peewee.IntegerField(unique=True)
    status = peewee.CharField(max_length=16, default="reserved", index=True)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "promo_use"


class PromoService(BaseModel):
    """A service that renews at a recurring code's discounted price."""

    promo = peewee.ForeignKeyField(PromoCode, on_delete="CASCADE")
    promo_id: int
    service_id = peewee.IntegerField(unique=True)

    class Meta:
        table_name = "promo_service"
