"""Durable queues: the outbox of outside effects, cron runs, and plugin settings."""

from __future__ import annotations

import peewee

from core.models.base import BaseModel, JSONField, utc_now


class OutboxMessage(BaseModel):
    """Work with an outside effect (mail, provisioning, e-invoice), done after commit.

    ``status``: ``pending``, ``sending`` (claimed by a worker), ``sent``, ``failed``.
    ``dedupe_key`` (optional, unique) makes queuing the same effect twice a no-op.
    """

    kind = peewee.CharField(max_length=32, index=True)
    payload = JSONField()
    status = peewee.CharField(max_length=16, default="pending", index=True)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=utc_now, index=True)
    claimed_by = peewee.CharField(max_length=64, default="")
    claimed_at = peewee.DateTimeField(null=True)
    last_error = peewee.TextField(default="")
    dedupe_key = peewee.CharField(max_length=191, null=True, unique=True)
    created_at = peewee.DateTimeField(default=utc_now)
    sent_at = peewee.DateTimeField(null=True)


class CronRun(BaseModel):
    """A claimed run of a cron job for one time slot; unique, so one node runs it."""

    job = peewee.CharField(max_length=64)
    slot = peewee.CharField(max_length=32)
    node = peewee.CharField(max_length=64, default="")
    started_at = peewee.DateTimeField(default=utc_now)
    finished_at = peewee.DateTimeField(null=True)
    error = peewee.TextField(default="")

    class Meta:
        indexes = ((("job", "slot"), True),)


class Setting(BaseModel):
    """A setting stored in the database, per namespace (``core``, ``seller``, a plugin)."""

    namespace = peewee.CharField(max_length=64)
    key = peewee.CharField(max_length=64)
    value = JSONField(null=True)

    class Meta:
        indexes = ((("namespace", "key"), True),)
