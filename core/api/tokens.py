"""Personal API tokens: create (the raw value is returned once), list, revoke, check.

A token is ``hbk_`` followed by 43 random URL-safe characters; the database keeps
its SHA-256 hash and its first :data:`PREFIX_LENGTH` characters. Rules:

* a token works only while it is not revoked, not expired, and its customer is
  active (a suspended or deleted customer's tokens stop working at once, because
  the customer's status is read on every request);
* a password change or reset, and "log out everywhere", revoke every token of
  the customer (:func:`revoke_all`, called by the API plugin's
  ``on_password_changed`` and ``on_logout_everywhere`` inside the transaction of
  the change): whoever does it may not trust what was made before. The
  confirmation page of "log out everywhere" says so, and so does the tokens page;
* ``last_used_at`` is written at most once per :data:`TOUCH_EVERY`.

Creating and revoking are logged in the activity log with the name and prefix,
never the token. Functions that write open their own write transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from core import activity, clock, db
from core.accounts.tokens import token_hash
from core.api.models import ApiToken
from core.errors import NotFound, ValidationError
from core.i18n import N_
from core.models import Customer, Staff

TOKEN_START = "hbk_"
PREFIX_LENGTH = 12
TOUCH_EVERY = timedelta(minutes=1)
MAX_ACTIVE = 20
EXPIRY_DAYS = (0, 30, 90, 365)


def active_tokens(customer_id: int) -> list[ApiToken]:
    """The customer's tokens that are not revoked (expired ones included), newest first."""
    return list(
        ApiToken.select()
        .where((ApiToken.customer == customer_id) & ApiToken.revoked_at.is_null())
        .order_by(ApiToken.id.desc())
    )


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    """True when the token has an expiry and it has passed."""
    return token.expires_at is not None and token.expires_at <= (now or clock.utcnow())


def create_token(customer: Customer, name: str, expires_in_days: int = 0, ip: str = "") -> tuple[ApiToken, str]:
    """Create a named token for ``customer``; return the row and the raw token (shown once).

    ``expires_in_days`` 0 means no expiry. Raises :class:`ValidationError`
    (``name``, ``expires_in_days``) for an empty or long name, an unknown expiry,
    or more than :data:`MAX_ACTIVE` tokens.
    """
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": N_("Enter a name (100 characters at most).")})
    if expires_in_days not in EXPIRY_DAYS:
        raise ValidationError({"expires_in_days": N_("Choose how long the token is valid.")})
    raw = TOKEN_START + secrets.token_urlsafe(32)
    now = clock.utcnow()
    with db.write_transaction():
        if len(active_tokens(customer.id)) >= MAX_ACTIVE:
            raise ValidationError({"name": N_("You have too many tokens. Revoke one you do not use.")})
        token = ApiToken.create(
            customer=customer,
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            token_hash=token_hash(raw),
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        activity.record(
            "api_token.created",
            actor=customer,
            subject=customer,
            ip=ip,
            token_id=token.id,
            name=name,
            prefix=token.prefix,
            expires_at=token.expires_at.isoformat() if token.expires_at else None,
        )
    return token, raw


def revoke_token(customer_id: int, token_id: int, actor: Customer | Staff, ip: str = "") -> ApiToken:
    """Revoke the customer's token ``token_id`` (by the customer or staff); :class:`NotFound` otherwise.

    Revoking a revoked token changes nothing and is not logged again.
    """
    with db.write_transaction():
        token = ApiToken.get_or_none((ApiToken.id == token_id) & (ApiToken.customer == customer_id))
        if token is None:
            raise NotFound("token not found")
        if token.revoked_at is None:
            token.revoked_at = clock.utcnow()
            token.revoked_reason = "staff" if isinstance(actor, Staff) else "customer"
            token.save()
            activity.record(
                "api_token.revoked",
                actor=actor,
                subject=token.customer,
                ip=ip,
                token_id=token.id,
                name=token.name,
                prefix=token.prefix,
            )
    return token


def revoke_all(customer_id: int, reason: str) -> int:
    """Revoke every live token of the customer (inside the caller's transaction); return how many."""
    count = (
        ApiToken.update(revoked_at=clock.utcnow(), revoked_reason=reason[:32])
        .where((ApiToken.customer == customer_id) & ApiToken.revoked_at.is_null())
        .execute()
    )
    if count:
        activity.record(
            "api_token.revoked_all",
            actor_kind="system",
            customer_id=customer_id,
            subject_type="customer",
            reason=reason,
            count=count,
        )
    return int(count)


def check_token(raw: str, ip: str = "") -> tuple[ApiToken, Customer] | None:
    """The live token ``raw`` and its active customer, or None (unknown, revoked, expired, inactive).

    Records the use (``last_used_at``/``last_used_ip``) at most once a minute.
    """
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return None
    token = ApiToken.get_or_none(ApiToken.token_hash == token_hash(raw))
    now = clock.utcnow()
    if token is None or token.revoked_at is not None or is_expired(token, now):
        return None
    customer = Customer.get_or_none(Customer.id == token.customer_id)
    if customer is None or not customer.can_log_in:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        with db.write_transaction():
            ApiToken.update(last_used_at=now, last_used_ip=ip[:64]).where(ApiToken.id == token.id).execute()
        token.last_used_at = now
    return token, customer
