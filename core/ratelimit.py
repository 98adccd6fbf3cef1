"""Rate limits that hold across processes and nodes, counted in the database.

Events (a failed login, a wrong code) are rows of ``rate_event`` under a scope
and a key. A :class:`Rule` says how many a key may have within a window, and
how long to wait past it. Two ways to use them:

* :func:`reserve` for attempts that are expensive or must hold exactly under
  concurrency (a password check): in one short transaction, locked per key, it
  refuses when a rule's wait is not over, else records the attempt *before*
  it is made, as if it failed. Forty attempts at once see each other's
  reservations, so no more than the limit are ever evaluated. A successful
  attempt takes its events back with :func:`release`.
* :func:`hit` / :func:`wait_seconds` for cheap checks where a few extra
  attempts under concurrency do no harm (a random API token).

A refusal is a :class:`core.errors.RateLimited` carrying ``retry_after``
seconds: the caller answers 429 with it at once, nobody sleeps.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import clock, db
from core.errors import RateLimited
from core.models import RateEvent

#: The first wait of a growing rule once its limit is reached; it doubles with each further failure.
GROWING_BASE = timedelta(seconds=30)
#: Scopes whose events are not failures but remembered facts, kept longer by :func:`prune`.
LONG_LIVED_SUFFIX = "-known"
LONG_LIVED = timedelta(days=90)


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` events of ``scope``/``key`` within ``window``.

    Past the limit the key waits until enough events left the window (a fixed
    window), or, when ``growing``, ``GROWING_BASE`` after the latest event,
    doubled for every event beyond the limit, up to ``window``. A rule with
    ``enforce=False`` is counted but never refuses (its events feed a check
    made elsewhere).
    """

    scope: str
    key: str
    limit: int
    window: timedelta
    growing: bool = False
    enforce: bool = True

    @property
    def lock(self) -> str:
        """The name that serialises counting this key (:func:`core.db.lock_name`)."""
        return f"rate:{self.scope}:{_key(self.key)}"


def address_key(ip: str) -> str:
    """The key an address is counted under: IPv4 as it is, IPv6 by its /64 network.

    One IPv6 connection usually holds a whole /64: counting single addresses
    would let one client take a fresh address for every attempt.
    """
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _key(key: str) -> str:
    """The stored form of a key: lower case; a long or odd one (an essay, a NUL byte as e-mail) by its SHA-256."""
    lowered = key.lower()
    if len(lowered) > 200 or not lowered.isprintable():
        return "sha256:" + hashlib.sha256(lowered.encode()).hexdigest()
    return lowered


def hit(scope: str, key: str) -> RateEvent:
    """Count one event (a failed login, a wrong code) for ``scope``/``key`` now."""
    return RateEvent.create(scope=scope, key=_key(key), at=clock.utcnow())


def _times(scope: str, key: str, since: datetime) -> list[datetime]:
    query = (
        RateEvent.select(RateEvent.at)
        .where((RateEvent.scope == scope) & (RateEvent.key == _key(key)) & (RateEvent.at > since))
        .order_by(RateEvent.at)
    )
    return [row.at for row in query]


def count(scope: str, key: str, window: timedelta) -> int:
    """How many events ``scope``/``key`` had within the last ``window``."""
    since = clock.utcnow() - window
    return (
        RateEvent.select()
        .where((RateEvent.scope == scope) & (RateEvent.key == _key(key)) & (RateEvent.at > since))
        .count()
    )


def wait_seconds(rule: Rule) -> int:
    """Seconds until ``rule`` lets one more attempt through (0: now)."""
    now = clock.utcnow()
    times = _times(rule.scope, rule.key, now - rule.window)
    over = len(times) - rule.limit
    if over < 0:
        return 0
    # Growing: from the latest event. Fixed: until the event that keeps the key at the limit leaves the window.
    until = times[-1] + min(rule.window, GROWING_BASE * 2**over) if rule.growing else times[over] + rule.window
    return max(0, math.ceil((until - now).total_seconds()))


def limited(scope: str, key: str, limit: int, window: timedelta) -> bool:
    """True when ``scope``/``key`` reached ``limit`` events within ``window``."""
    return count(scope, key, window) >= limit


def reserve(rules: Sequence[Rule], message: str) -> list[int]:
    """Refuse or record one attempt against every rule, atomically; return the recorded event ids.

    In its own write transaction, with every rule's key locked (in a fixed
    order): when an enforced rule must still wait, raise
    :class:`RateLimited` (``message``, ``retry_after`` the longest wait) and
    record nothing; else record one event per rule and commit, so the attempt
    counts as a failure until :func:`release` takes it back.
    """
    with db.write_transaction():
        for name in sorted({rule.lock for rule in rules}):
            db.lock_name(name)
        waits = [wait_seconds(rule) for rule in rules if rule.enforce]
        longest = max(waits, default=0)
        if longest > 0:
            raise RateLimited(message, retry_after=longest)
        return [hit(rule.scope, rule.key).id for rule in rules]


def release(event_ids: Sequence[int]) -> None:
    """Take back events recorded by :func:`reserve` (the attempt succeeded); in the caller's transaction."""
    if event_ids:
        RateEvent.delete().where(RateEvent.id.in_(list(event_ids))).execute()


def remember(scope: str, key: str) -> None:
    """Keep a fact (an address an account logged in from) under a long-lived scope; once per key."""
    if not scope.endswith(LONG_LIVED_SUFFIX):
        raise ValueError(f"remembered facts live in a scope ending in {LONG_LIVED_SUFFIX!r}")
    found = RateEvent.get_or_none((RateEvent.scope == scope) & (RateEvent.key == _key(key)))
    if found is None:
        hit(scope, key)
    else:
        RateEvent.update(at=clock.utcnow()).where(RateEvent.id == found.id).execute()


def known(scope: str, key: str) -> bool:
    """True when :func:`remember` kept ``scope``/``key`` within :data:`LONG_LIVED`."""
    return count(scope, key, LONG_LIVED) > 0


def clear(scope: str, key: str) -> None:
    """Forget the events of ``scope``/``key`` (after a success)."""
    RateEvent.delete().where((RateEvent.scope == scope) & (RateEvent.key == _key(key))).execute()


def prune(older_than: timedelta) -> int:
    """Delete events older than ``older_than`` (remembered facts: than :data:`LONG_LIVED`); return how many."""
    now = clock.utcnow()
    long_lived = RateEvent.scope.endswith(LONG_LIVED_SUFFIX)
    return (
        RateEvent.delete()
        .where(((RateEvent.at < now - older_than) & ~long_lived) | ((RateEvent.at < now - LONG_LIVED) & long_lived))
        .execute()
    )
