"""The index of staff's list of cancellation requests: status, then id.

The list reads the requests of one status a page at a time by keyset
(:mod:`core.keyset`); this index answers a page without reading the requests
decided over the years.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the list's index where the table was made before it was declared."""
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "cancellation_request_status_id" ON "cancellation_request" ("status", "id")'
    )
