"""Create the ``hello_login`` table: each customer's number of logins."""

from __future__ import annotations

import peewee
from core.models.base import BaseModel


class LoginCount(BaseModel):
    customer_id = peewee.IntegerField(unique=True)
    logins = peewee.IntegerField(default=0)

    class Meta:
        table_name = "hello_login"


def up(db: peewee.Database, migrator: object) -> None:
    """Create the table."""
    db.create_tables([LoginCount])
