"""Counting wrong codes, locking an account's second factor, and the ``[totp]`` settings.

``max_failures`` wrong codes (or passwords when turning 2FA off) within
``lock_minutes`` lock the account's codes for ``lock_minutes``: even a right
code is refused, and the owner gets a mail. One address (an IPv6 client by
its /64) may fail ``4 * max_failures`` times within the window, across
accounts. Every check runs under :func:`lock`, so the limits hold however
many attempts arrive at once.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from core import activity, clock, db, mail, ratelimit, runtime
from core.errors import RateLimited
from core.i18n import N_
from core.models import Customer, Staff
from core.settings import get_setting
from plugins.totp.models import TotpCredential

Account = Customer | Staff


STORED_SETTINGS = ("max_failures", "lock_minutes", "require_for_staff")


def setting(key: str) -> Any:
    """``[totp]`` config value, overridden by a stored setting for :data:`STORED_SETTINGS`."""
    default = runtime.config().get_value(f"totp.{key}")
    return get_setting("totp", key, default) if key in STORED_SETTINGS else default


def kind_of(account: Account) -> str:
    """``staff`` or ``customer``."""
    return "staff" if isinstance(account, Staff) else "customer"


def account_key(account: Account) -> str:
    """The rate-limit key of an account: ``kind:id``."""
    return f"{kind_of(account)}:{account.id}"


def window() -> timedelta:
    """The window failures are counted in, and the length of a lock."""
    return timedelta(minutes=int(setting("lock_minutes")))


def language_of(account: Account) -> str:
    """The language to mail ``account`` in."""
    return str(getattr(account, "language", "") or runtime.config().get_value("app.language"))


def lock(account: Account, ip: str) -> None:
    """Serialise code checks of ``account`` and of ``ip`` (inside the write transaction, before reading).

    Checking the limit, checking the code and counting a failure then happen
    one attempt at a time, on PostgreSQL as on SQLite: forty codes sent at once
    are judged against the limit one by one, and no more than the limit are tried.
    """
    names = {f"totp:{account_key(account)}"}
    if ip:
        names.add(f"totp-ip:{ratelimit.address_key(ip)}")
    for name in sorted(names):
        db.lock_name(name)


def _address_rule(ip: str) -> ratelimit.Rule:
    return ratelimit.Rule("totp-ip", ratelimit.address_key(ip), 4 * int(setting("max_failures")), window())


def refuse_if_limited(cred: TotpCredential, ip: str) -> None:
    """Raise RateLimited (with ``retry_after``) while the account is locked or the address is over its limit."""
    now = clock.utcnow()
    if cred.locked_until is not None and cred.locked_until > now:
        raise RateLimited(
            N_("Too many wrong codes: two-step verification is locked for a while. Try again later."),
            retry_after=math.ceil((cred.locked_until - now).total_seconds()),
        )
    wait = ratelimit.wait_seconds(_address_rule(ip)) if ip else 0
    if wait:
        raise RateLimited(N_("Too many wrong codes from your address. Try again later."), retry_after=wait)


def record_failure(cred: TotpCredential, account: Account, ip: str, reason: str) -> None:
    """Count a wrong code; lock and mail the owner when it reaches the limit."""
    key = account_key(account)
    ratelimit.hit("totp", key)
    if ip:
        ratelimit.hit("totp-ip", _address_rule(ip).key)
    activity.record("totp.failed", actor=account, subject=account, ip=ip, reason=reason)
    if ratelimit.count("totp", key, window()) < int(setting("max_failures")):
        return
    minutes = int(setting("lock_minutes"))
    cred.locked_until = clock.utcnow() + timedelta(minutes=minutes)
    cred.save()
    ratelimit.clear("totp", key)
    activity.record("totp.locked", actor_kind="system", subject=account, ip=ip, minutes=minutes)
    mail.queue_mail(account.email, "totp_locked", language_of(account), account=account, minutes=minutes, ip=ip)
