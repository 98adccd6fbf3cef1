"""Document state beside the snapshot: ``document.needs_correction`` and ``document_file.state``.

The first migration creates tables from the current models, so on a fresh
database the columns exist already; each is added only where it is missing.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import migrate


def _missing(db: peewee.Database, table: str, column: str) -> bool:
    return column not in {c.name for c in db.get_columns(table)}


def up(db: peewee.Database, migrator: object) -> None:
    """Add the proforma's needs-correction flag (indexed) and the state key of a stored PDF."""
    operations = []
    if _missing(db, "document", "needs_correction"):
        operations.append(
            migrator.add_column("document", "needs_correction", peewee.BooleanField(default=False, index=True))  # type: ignore[attr-defined]
        )
    if _missing(db, "document_file", "state"):
        operations.append(migrator.add_column("document_file", "state", peewee.CharField(max_length=64, default="")))  # type: ignore[attr-defined]
    if operations:
        migrate(*operations)
