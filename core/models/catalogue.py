"""The catalogue: product groups, products (hosting packages), prices per cycle, change paths."""

from __future__ import annotations

from decimal import Decimal

import peewee

from core.models.base import BaseModel, JSONField, MoneyField, utc_now


class ProductGroup(BaseModel):
    """A group of products shown together (e.g. "Hosting WWW", "Serwery VPS")."""

    name = peewee.CharField(max_length=120)
    slug = peewee.CharField(max_length=64, unique=True)
    description = peewee.TextField(default="")
    position = peewee.IntegerField(default=0)


class Product(BaseModel):
    """A package a customer can hold as a service.

    ``features`` is an ordered list of ``[label, value]`` pairs (disk, transfer,
    domains...). ``vat_rate`` is a percentage string ("23") or a marker
    ("zw", "np"); empty means the configured default rate. ``max_quantity`` is
    how many units one order item may hold (1: the order form asks no quantity).
    """

    group = peewee.ForeignKeyField(ProductGroup, backref="products", on_delete="RESTRICT")
    group_id: int
    name = peewee.CharField(max_length=120)
    slug = peewee.CharField(max_length=64, unique=True)
    description = peewee.TextField(default="")
    features = JSONField(default=list)
    vat_rate = peewee.CharField(max_length=8, default="")
    active = peewee.BooleanField(default=True)
    position = peewee.IntegerField(default=0)
    provisioning_module = peewee.CharField(max_length=64, default="")
    module_settings = JSONField(default=dict)
    max_quantity = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utc_now)


class ProductPrice(BaseModel):
    """The net price of a product for one billing cycle."""

    product = peewee.ForeignKeyField(Product, backref="prices", on_delete="CASCADE")
    product_id: int
    cycle = peewee.CharField(max_length=16)
    net_price = MoneyField()

    class Meta:
        indexes = ((("product", "cycle"), True),)

    @property
    def amount(self) -> Decimal:
        """The net price as Decimal."""
        return self.net_price


class ProductChangePath(BaseModel):
    """The service of ``product`` may be changed to ``target`` (upgrade or downgrade)."""

    product = peewee.ForeignKeyField(Product, backref="change_paths", on_delete="CASCADE")
    product_id: int
    target = peewee.ForeignKeyField(Product, backref="reachable_from", on_delete="CASCADE")
    target_id: int

    class Meta:
        indexes = ((("product", "target"), True),)
