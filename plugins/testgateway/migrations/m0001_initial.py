"""The checkout attempt table."""

from __future__ import annotations

import peewee

from plugins.testgateway.models import CheckoutAttempt


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``testgateway_checkout``."""
    db.create_tables([CheckoutAttempt])
