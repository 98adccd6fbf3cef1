"""The TOTP credential and recovery code tables."""

from __future__ import annotations

import peewee

from plugins.totp.models import TotpCredential, TotpRecoveryCode


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``totp_credential`` and ``totp_recovery_code``."""
    db.create_tables([TotpCredential, TotpRecoveryCode])
