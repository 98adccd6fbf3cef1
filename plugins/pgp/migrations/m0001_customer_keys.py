"""Customers' public keys."""

from __future__ import annotations

import peewee

from plugins.pgp.models import CustomerKey


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``pgp_customer_key``."""
    db.create_tables([CustomerKey])
