"""The activity log: who did what to which object, for staff to read."""

from __future__ import annotations

import peewee

from core.models.base import BaseModel, JSONField, utc_now


class ActivityLog(BaseModel):
    """One event. ``actor_kind``: ``staff``, ``customer`` or ``system``.

    ``details`` never holds secrets, codes or plaintext of encrypted messages.
    """

    actor_kind = peewee.CharField(max_length=16)
    actor_id = peewee.IntegerField(null=True)
    actor_name = peewee.CharField(max_length=254, default="")
    action = peewee.CharField(max_length=64, index=True)
    subject_type = peewee.CharField(max_length=32, default="")
    subject_id = peewee.IntegerField(null=True)
    customer_id = peewee.IntegerField(null=True, index=True)
    details = JSONField(default=dict)
    ip = peewee.CharField(max_length=64, default="")
    created_at = peewee.DateTimeField(default=utc_now, index=True)
