"""hookbill-hello's tables: notes for the footer, and each customer's number of logins."""

from __future__ import annotations

import peewee
from core.models.base import BaseModel, utc_now


class Note(BaseModel):
    """A note to show in the footer; the newest one is shown."""

    text = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "hello_note"


class LoginCount(BaseModel):
    """How many times a customer has logged in since the plugin was installed."""

    customer_id = peewee.IntegerField(unique=True)
    logins = peewee.IntegerField(default=0)

    class Meta:
        table_name = "hello_login"
