"""Cancellation requests (:class:`core.services.models.CancellationRequest`)."""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the ``cancellation_request`` table."""
    from core.services.models import CancellationRequest

    db.create_tables([CancellationRequest])
