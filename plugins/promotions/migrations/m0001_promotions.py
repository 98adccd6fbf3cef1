"""The promotions tables: codes, uses and the services a recurring code stays on."""

from __future__ import annotations

import peewee


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``promo_code``, ``promo_use`` and ``promo_service``."""
    from plugins.promotions.models import PromoCode, PromoService, PromoUse

    db.create_tables([PromoCode, PromoUse, PromoService])
