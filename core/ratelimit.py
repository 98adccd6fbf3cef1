"""Rate limits that hold across processes and nodes, counted in the database."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.models import RateEvent


def hit(scope: str, key: str) -> None:
    """Count one event (a failed login, a wrong code) for ``scope``/``key`` now."""
    RateEvent.create(scope=scope, key=key.lower(), at=clock.utcnow())


def count(scope: str, key: str, window: timedelta) -> int:
    """How many events ``scope``/``key`` had within the last ``window``."""
    since = clock.utcnow() - window
    return (
        RateEvent.select()
        .where((RateEvent.scope == scope) & (RateEvent.key == key.lower()) & (RateEvent.at > since))
        .count()
    )


def limited(scope: str, key: str, limit: int, window: timedelta) -> bool:
    """True when ``scope``/``key`` reached ``limit`` events within ``window``."""
    return count(scope, key, window) >= limit


def clear(scope: str, key: str) -> None:
    """Forget the events of ``scope``/``key`` (after a success)."""
    RateEvent.delete().where((RateEvent.scope == scope) & (RateEvent.key == key.lower())).execute()


def prune(older_than: timedelta) -> int:
    """Delete events older than ``older_than``; return how many (a cron job)."""
    return RateEvent.delete().where(RateEvent.at < clock.utcnow() - older_than).execute()
