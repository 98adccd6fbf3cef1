"""Personal API tokens of customers (:class:`core.api.models.ApiToken`)."""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create the ``api_token`` table (unique token hash)."""
    from core.api.models import ApiToken

    db.create_tables([ApiToken])
