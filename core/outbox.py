"""The outbox: outside effects queued in a transaction, done after it commits.

Queue with :func:`enqueue` inside the transaction of the event, so the work is
there exactly when the event is. The worker (:func:`process`, run by
``hookbill outbox``, by cron, and after a request that queued something) claims
a message with a conditional update, so two workers never take the same one,
runs its handler outside any transaction, and retries with back-off.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from core import clock, db
from core.models import OutboxMessage

log = logging.getLogger("hookbill.outbox")

Handler = Callable[[dict[str, Any]], None]
STALE_CLAIM = timedelta(minutes=15)
_queued = threading.local()


FORGET_KEY = "_forget"


def enqueue(
    kind: str, payload: dict[str, Any], dedupe_key: str | None = None, forget: tuple[str, ...] = ()
) -> OutboxMessage | None:
    """Queue ``payload`` for the handler of ``kind`` in the current transaction.

    With ``dedupe_key``, queuing the same key again is a no-op and returns None.
    ``forget`` names payload keys that carry a secret (the body of a mail with a
    one-time link): once the message is done, or given up, they are removed
    from the stored payload, so the row does not keep a usable secret.
    """
    if dedupe_key is not None and OutboxMessage.get_or_none(OutboxMessage.dedupe_key == dedupe_key):
        return None
    _queued.flag = True
    if forget:
        payload = {**payload, FORGET_KEY: list(forget)}
    return OutboxMessage.create(kind=kind, payload=payload, dedupe_key=dedupe_key)


def enqueue_many(kind: str, messages: Sequence[tuple[dict[str, Any], str | None]]) -> None:
    """Queue many ``(payload, dedupe_key)`` messages for the handler of ``kind`` in one statement.

    As :func:`enqueue` for each, in the current transaction: a message whose
    dedupe key is queued already is skipped. For a batch that queues one message
    per item of its work (the renewal run's issued documents).
    """
    if not messages:
        return
    _queued.flag = True
    rows = [{"kind": kind, "payload": payload, "dedupe_key": key} for payload, key in messages]
    OutboxMessage.insert_many(rows).on_conflict_ignore().execute()


def _without_secrets(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload with the keys it asked to forget removed (None when there are none)."""
    names = payload.get(FORGET_KEY)
    if not names:
        return None
    kept = {key: value for key, value in payload.items() if key not in names and key != FORGET_KEY}
    kept["forgotten"] = list(names)
    return kept


def take_queued_flag() -> bool:
    """True once after this thread queued something (lets a request kick the worker)."""
    flag = bool(getattr(_queued, "flag", False))
    _queued.flag = False
    return flag


def handlers() -> dict[str, Handler]:
    """Every outbox handler from the ``hookbill_outbox_handlers`` hook."""
    from core.runtime import hooks

    merged: dict[str, Handler] = {}
    for mapping in hooks().hookbill_outbox_handlers():
        for kind, handler in mapping.items():
            if kind in merged:
                raise RuntimeError(f"two plugins handle outbox kind {kind!r}")
            merged[kind] = handler
    return merged


def _claim(message_id: int, node: str) -> bool:
    now = clock.utcnow()
    with db.write_transaction():
        claimed = (
            OutboxMessage.update(status="sending", claimed_by=node, claimed_at=now)
            .where(
                (OutboxMessage.id == message_id)
                & (
                    (OutboxMessage.status == "pending")
                    | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM))
                )
            )
            .execute()
        )
    return claimed == 1


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def process(limit: int = 100, max_attempts: int = 8) -> int:
    """Run up to ``limit`` due messages; return how many were done. Safe on many nodes."""
    node = f"{socket.gethostname()}:{os.getpid()}"
    table = handlers()
    done = 0
    due = list(
        OutboxMessage.select(OutboxMessage.id)
        .where((OutboxMessage.status.in_(["pending", "sending"])) & (OutboxMessage.next_attempt_at <= clock.utcnow()))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    for row in due:
        if not _claim(row.id, node):
            continue
        message = OutboxMessage.get_by_id(row.id)
        handler = table.get(message.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for outbox kind {message.kind!r}")
            handler(message.payload)
        except Exception as exc:
            attempts = message.attempts + 1
            failed = attempts >= max_attempts
            log.warning("outbox %s #%s failed (attempt %s): %s", message.kind, message.id, attempts, exc)
            changes: dict[str, Any] = {
                "status": "failed" if failed else "pending",
                "attempts": attempts,
                "last_error": str(exc)[:2000],
                "next_attempt_at": clock.utcnow() + _backoff(attempts),
            }
            if failed and (scrubbed := _without_secrets(message.payload)) is not None:
                changes["payload"] = scrubbed
            with db.write_transaction():
                OutboxMessage.update(**changes).where(OutboxMessage.id == message.id).execute()
            continue
        done_changes: dict[str, Any] = {"status": "sent", "sent_at": clock.utcnow(), "attempts": message.attempts + 1}
        if (scrubbed := _without_secrets(message.payload)) is not None:
            done_changes["payload"] = scrubbed
        with db.write_transaction():
            OutboxMessage.update(**done_changes).where(OutboxMessage.id == message.id).execute()
        done += 1
    return done


def per_minute() -> int:
    """How many messages the every-minute cron run and ``hookbill outbox`` take at most (``outbox.per_minute``).

    Raises ConfigError when the value is not a whole number of at least 1.
    """
    from core.config import ConfigError
    from core.runtime import config

    value = config().get_value("outbox.per_minute")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"outbox.per_minute must be a whole number of at least 1, not {value!r}")
    return value


def pending_count() -> int:
    """Messages waiting to be sent (pending or claimed)."""
    return OutboxMessage.select().where(OutboxMessage.status.in_(["pending", "sending"])).count()
