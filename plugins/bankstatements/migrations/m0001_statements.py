"""Banks, imports and the statement entries (one per bank transaction)."""

from __future__ import annotations

import peewee

from plugins.bankstatements.models import Bank, StatementEntry, StatementImport


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``bankstatements_bank``, ``bankstatements_import`` and ``bankstatements_entry``."""
    db.create_tables([Bank, StatementImport, StatementEntry])
