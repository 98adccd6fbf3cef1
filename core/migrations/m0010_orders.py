"""Orders, their items and services, VIES checks; a product's order limit and a service's charged price.

The first migration creates tables from the current models, so on a fresh
database the columns exist already; each is added only where it is missing.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import migrate

#: Released as ``m0006_orders`` (three migrations shared the number 6); a database that applied it
#: under that name does not run it again (:mod:`core.migrate`).
REPLACES = ("m0006_orders",)


def _missing(db: peewee.Database, table: str, column: str) -> bool:
    return column not in {c.name for c in db.get_columns(table)}


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``shop_order``, ``order_item``, ``order_service`` and ``vat_check``; add the two columns."""
    from core.orders.models import Order, OrderItem, OrderService, VatCheck

    db.create_tables([Order, OrderItem, OrderService, VatCheck])
    operations = []
    if _missing(db, "product", "max_quantity"):
        operations.append(migrator.add_column("product", "max_quantity", peewee.IntegerField(default=1)))  # type: ignore[attr-defined]
    if _missing(db, "service", "period_net"):
        operations.append(migrator.add_column("service", "period_net", peewee.BigIntegerField(null=True)))  # type: ignore[attr-defined]
    if operations:
        migrate(*operations)
