"""The Przelewy24 checkout attempts, refunds and the cached list of payment methods."""

from __future__ import annotations

import peewee

from plugins.przelewy24.models import P24MethodCache, P24Refund, P24Session


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``p24_session``, ``p24_refund`` and ``p24_method_cache``."""
    db.create_tables([P24Session, P24Refund, P24MethodCache])
