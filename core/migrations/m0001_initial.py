"""The core tables of the first release.

Once released, this file never changes: later schema changes come as new
migration modules using ``playhouse.migrate`` operations.
"""

from __future__ import annotations

import peewee

from core import models


def up(db: peewee.Database, migrator: object) -> None:
    """Create the core tables."""
    db.create_tables(
        [
            models.Customer,
            models.Staff,
            models.WebSession,
            models.AccountToken,
            models.RateEvent,
            models.ActivityLog,
            models.OutboxMessage,
            models.CronRun,
            models.Setting,
            models.ProductGroup,
            models.Product,
            models.ProductPrice,
            models.ProductChangePath,
            models.Service,
            models.ServiceChange,
            models.BillingProfile,
            models.Document,
            models.DocumentSequence,
            models.Payment,
            models.LedgerEntry,
        ]
    )
