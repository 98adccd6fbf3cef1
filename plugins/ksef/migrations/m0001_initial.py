"""Each invoice's way through KSeF, its errors, and the open connection."""

from __future__ import annotations

import peewee

from plugins.ksef.models import KsefConnection, KsefError, KsefSubmission


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``ksef_submission``, ``ksef_error`` and ``ksef_connection``."""
    db.create_tables([KsefSubmission, KsefError, KsefConnection])
