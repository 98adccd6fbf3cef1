"""Renewal periods billed per service (:class:`core.renewals.models.ServiceRenewal`)."""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the ``service_renewal`` table with its unique (service, period_start) index."""
    from core.renewals.models import ServiceRenewal

    db.create_tables([ServiceRenewal])
