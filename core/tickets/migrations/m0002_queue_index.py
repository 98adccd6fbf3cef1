"""The tickets queue's index: status, then newest reply first, ties told apart by id.

The queue lists the tickets in some statuses by ``(last_reply_at, id)`` descending,
a page at a time by keyset (:mod:`core.keyset`); this index answers it without
reading the closed tickets that pile up over the years.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the queue index where the table was made before it was declared."""
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "ticket_status_last_reply_at_id" ON "ticket" ("status", "last_reply_at", "id")'
    )
