"""The queue's index: state, then id.

The queue lists the queued transfers oldest first, a page at a time by keyset
(:mod:`core.keyset`); this index answers a page without reading the booked
transfers that pile up over the years.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the queue index where the table was made before it was declared."""
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "bankstatements_entry_state_id" ON "bankstatements_entry" ("state", "id")'
    )
