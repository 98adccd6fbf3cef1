"""Departments, tickets, messages and attachments."""

from __future__ import annotations

import peewee

from core.tickets.models import ALL_TABLES


def up(db: peewee.Database, migrator: object) -> None:
    """Create the ticket tables."""
    db.create_tables(ALL_TABLES)
