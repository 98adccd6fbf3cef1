"""Stored PDFs of issued documents (:class:`core.models.DocumentFile`)."""

from __future__ import annotations

import peewee

from core import models


def up(db: peewee.Database, migrator: object) -> None:
    """Create the document file table."""
    db.create_tables([models.DocumentFile])
