"""A private customer's request for invoices for advances: ``customer.advance_invoices`` (art. 106b ust. 3).

The first migration creates tables from the current models, so on a fresh
database the column exists already; it is added only where it is missing.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import migrate


def up(db: peewee.Database, migrator: object) -> None:
    """Add the flag (default off: a consumer gets an advance invoice only on request)."""
    if "advance_invoices" not in {c.name for c in db.get_columns("customer")}:
        migrate(migrator.add_column("customer", "advance_invoices", peewee.BooleanField(default=False)))  # type: ignore[attr-defined]
