"""The PGP plugin's own table: a customer's public key (component ``pgp``)."""

from __future__ import annotations

import peewee

from core.models import Customer
from core.models.base import BaseModel, utc_now


class CustomerKey(BaseModel):
    """A customer's OpenPGP public key: staff replies in encrypted tickets go to it."""

    customer = peewee.ForeignKeyField(Customer, unique=True, on_delete="CASCADE")
    customer_id: int
    fingerprint = peewee.CharField(max_length=64)
    armored = peewee.TextField()
    user_id = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "pgp_customer_key"
