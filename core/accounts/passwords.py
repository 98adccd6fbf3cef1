"""Password hashing with argon2id (argon2-cffi): memory-hard, salted, upgradable.

A hash costs tens of milliseconds of CPU and 64 MiB of memory on purpose. So
that a storm of logins cannot take every core from the rest of the panel, a
process computes at most ``security.password_hash_concurrency`` hashes at once;
the others wait for a slot (outside any database transaction: callers hash
before they open one), and after :data:`SLOT_WAIT` they are told to come back
(:class:`core.errors.RateLimited`, 429 with ``Retry-After``) instead of piling up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import RateLimited
from core.i18n import N_

_hasher = PasswordHasher()
# A hash of a random password, verified when the account does not exist, so a
# wrong e-mail and a wrong password take the same time.
_DUMMY = _hasher.hash("dummy password that nobody has")

#: Seconds a hash waits for a free slot before the request is refused with 429.
SLOT_WAIT = 20.0
#: ``Retry-After`` of that refusal.
BUSY_RETRY_AFTER = 5
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _concurrency() -> int:
    from core import runtime

    try:
        configured = runtime.config().get_value("security.password_hash_concurrency", 1)
    except RuntimeError:  # not set up (a script hashing a password): one at a time
        configured = 1
    return max(1, int(configured))


def _semaphore() -> threading.BoundedSemaphore:
    size = _concurrency()
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold one of the process's hashing slots; RateLimited when none frees up within :data:`SLOT_WAIT`."""
    semaphore = _semaphore()
    if not semaphore.acquire(timeout=SLOT_WAIT):
        raise RateLimited(N_("The panel is busy. Try again in a moment."), retry_after=BUSY_RETRY_AFTER)
    try:
        yield
    finally:
        semaphore.release()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (in a hashing slot)."""
    with hashing_slot():
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; constant-ish time when no hash (in a hashing slot)."""
    with hashing_slot():
        try:
            return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
