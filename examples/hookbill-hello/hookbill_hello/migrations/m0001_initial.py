"""Create the ``hello_note`` table.

The migration keeps its own copy of the table as it is at this step, so a later
change to models.py never changes what this migration does. Later changes go in
``m0002_....py`` and use ``migrator`` (playhouse.migrate) to add or alter columns.
"""

from __future__ import annotations

import peewee
from core.models.base import BaseModel, utc_now


class Note(BaseModel):
    text = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "hello_note"


def up(db: peewee.Database, migrator: object) -> None:
    """Create the table."""
    db.create_tables([Note])
