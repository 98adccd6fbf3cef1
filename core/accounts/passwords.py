"""Password hashing with argon2id (argon2-cffi): memory-hard, salted, upgradable.

A hash costs a few hundred milliseconds of CPU on every core (four lanes) and
64 MiB of memory, on purpose. So that a storm of logins cannot take the
machine from the rest of the panel, at most ``security.password_hash_concurrency``
hashes run at once on one machine, across every process and thread that
shares the instance folder: each hash holds one of that many slots, lock files
under ``<instance_path>/hash-slots`` (``flock``; a crashed process lets go of
its lock with its file descriptors).

Who may wait for a slot: a request that proves something already (the owner
logging in from an address they used before, a logged-in person changing their
password, a reset link) waits up to :data:`PRIORITY_WAIT` seconds. Anyone else
(an unknown address, a registration) is refused at once when every slot is
taken (:class:`core.errors.RateLimited`, 429 with ``Retry-After``), so a storm of
such attempts costs the server a few milliseconds each and never queues in
front of other customers. Callers hash before they open a database
transaction, never inside one.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import RateLimited
from core.i18n import N_

_hasher = PasswordHasher()
# A hash of a random password, verified when the account does not exist, so a
# wrong e-mail and a wrong password take the same time.
_DUMMY = _hasher.hash("dummy password that nobody has")

#: Seconds a request that may wait (see the module docstring) waits for a free slot.
PRIORITY_WAIT = 15.0
#: ``Retry-After`` of a refusal because every slot was taken.
BUSY_RETRY_AFTER = 2
_POLL = 0.02


def _settings() -> tuple[int, Path]:
    from core import runtime

    try:
        config = runtime.config()
    except RuntimeError:  # not set up (a script hashing a password): one slot, in the current folder
        return 1, Path("instance")
    concurrency = max(1, int(config.get_value("security.password_hash_concurrency", 1)))
    return concurrency, Path(str(config.get_value("app.instance_path")))


def _try_slots(folder: Path, count: int) -> int | None:
    """An open, locked slot file's descriptor, or None when every slot is taken."""
    for index in range(count):
        fd = os.open(folder / f"slot-{index}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


def _busy() -> RateLimited:
    return RateLimited(N_("The panel is busy. Try again in a moment."), retry_after=BUSY_RETRY_AFTER)


@contextmanager
def _lock(path: Path, operation: int) -> Iterator[bool]:
    """``flock`` ``path`` with ``operation`` for the block; yields False when a non-blocking lock was refused."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing lets go of the lock


def _first_free_slot(folder: Path, count: int, wait: bool) -> int:
    """A locked slot's descriptor: waiting for one up to :data:`PRIORITY_WAIT` with ``wait``, else at once."""
    if not wait:
        # Someone who may wait is waiting (they hold the gate shared): strangers leave them the next slot.
        with _lock(folder / "waiting", fcntl.LOCK_EX | fcntl.LOCK_NB) as nobody_waits:
            if not nobody_waits:
                raise _busy()
        if (fd := _try_slots(folder, count)) is None:
            raise _busy()
        return fd
    deadline = time.monotonic() + PRIORITY_WAIT
    with _lock(folder / "waiting", fcntl.LOCK_SH):
        while (fd := _try_slots(folder, count)) is None:
            if time.monotonic() >= deadline:
                raise _busy()
            time.sleep(_POLL)
    return fd


@contextmanager
def hashing_slot(wait: bool = False) -> Iterator[None]:
    """Hold one of the machine's hashing slots for the block.

    With ``wait`` (a request that proved something already), wait up to
    :data:`PRIORITY_WAIT` seconds for one, ahead of anyone who may not wait;
    else take a free one or raise :class:`RateLimited` at once.
    """
    count, instance = _settings()
    folder = instance / "hash-slots"
    folder.mkdir(parents=True, exist_ok=True)
    fd = _first_free_slot(folder, count, wait)
    try:
        yield
    finally:
        os.close(fd)  # closing lets go of the lock


def hash_password(password: str, *, wait: bool = True) -> str:
    """An argon2id hash of ``password``, in a hashing slot (waiting for one unless ``wait`` is False)."""
    with hashing_slot(wait):
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str, *, wait: bool = True) -> bool:
    """True when ``password`` matches ``stored_hash``; the same work when there is no hash.

    In a hashing slot, waiting for one unless ``wait`` is False.
    """
    with hashing_slot(wait):
        return _verify(stored_hash, password)


def hash_in_slot(password: str) -> str:
    """An argon2id hash of ``password``, for a caller already holding a :func:`hashing_slot`."""
    return _hasher.hash(password)


def verify_in_slot(stored_hash: str | None, password: str) -> bool:
    """:func:`verify_password` for a caller already holding a :func:`hashing_slot`."""
    return _verify(stored_hash, password)


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
