"""Personal API tokens of customers.

Only the SHA-256 hash of a token is stored, with a short visible ``prefix``
(the token's first characters) so people can tell their tokens apart. A revoked
token keeps its row (``revoked_at``) for the record; it never works again.
"""

from __future__ import annotations

import peewee

from core.models import Customer
from core.models.base import BaseModel, utc_now


class ApiToken(BaseModel):
    """One named token of one customer; ``expires_at`` None means it does not expire."""

    customer = peewee.ForeignKeyField(Customer, backref="api_tokens", on_delete="CASCADE")
    customer_id: int
    name = peewee.CharField(max_length=100)
    prefix = peewee.CharField(max_length=16)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utc_now)
    expires_at = peewee.DateTimeField(null=True)
    last_used_at = peewee.DateTimeField(null=True)
    last_used_ip = peewee.CharField(max_length=64, default="")
    revoked_at = peewee.DateTimeField(null=True)
    revoked_reason = peewee.CharField(max_length=32, default="")
