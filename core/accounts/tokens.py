"""Single-use, expiring tokens (e-mail verification, password reset). Only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from core import clock
from core.models import AccountToken


def token_hash(raw: str) -> str:
    """SHA-256 of a token, the form stored in the database."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(purpose: str, user_kind: str, user_id: int, ttl: timedelta) -> str:
    """Create a token for ``purpose``; return the raw value (sent, never stored)."""
    raw = secrets.token_urlsafe(32)
    AccountToken.create(
        purpose=purpose,
        token_hash=token_hash(raw),
        user_kind=user_kind,
        user_id=user_id,
        expires_at=clock.utcnow() + ttl,
    )
    return raw


def consume(purpose: str, raw: str) -> AccountToken | None:
    """Mark the token used and return it; None when unknown, used, expired or of another purpose.

    The conditional update makes a token usable once even with two requests at once.
    """
    now = clock.utcnow()
    digest = token_hash(raw or "")
    used = (
        AccountToken.update(used_at=now)
        .where(
            (AccountToken.token_hash == digest)
            & (AccountToken.purpose == purpose)
            & (AccountToken.used_at.is_null())
            & (AccountToken.expires_at > now)
        )
        .execute()
    )
    return AccountToken.get(AccountToken.token_hash == digest) if used == 1 else None


def peek(purpose: str, raw: str) -> AccountToken | None:
    """The token if it is still usable, without using it (to show a form)."""
    now = clock.utcnow()
    return AccountToken.get_or_none(
        (AccountToken.token_hash == token_hash(raw or ""))
        & (AccountToken.purpose == purpose)
        & (AccountToken.used_at.is_null())
        & (AccountToken.expires_at > now)
    )


def spend_all(purpose: str, user_kind: str, user_id: int) -> int:
    """Mark every unused token of ``purpose`` of the account used (in the caller's transaction); return how many.

    After a password reset or change, no older reset link works any more.
    """
    return int(
        AccountToken.update(used_at=clock.utcnow())
        .where(
            (AccountToken.purpose == purpose)
            & (AccountToken.user_kind == user_kind)
            & (AccountToken.user_id == user_id)
            & AccountToken.used_at.is_null()
        )
        .execute()
    )
