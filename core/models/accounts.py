"""Accounts: customers, staff, server-side web sessions, one-time tokens, rate events."""

from __future__ import annotations

from typing import Any

import peewee

from core.models.base import BaseModel, JSONField, configured_language, utc_now


class Customer(BaseModel):
    """A customer account of the client area.

    ``status``: ``active``, ``suspended`` (cannot log in, sessions revoked) or
    ``deleted`` (kept for the documents that name it, cannot log in).
    """

    email = peewee.CharField(max_length=254, unique=True)
    password_hash = peewee.CharField(max_length=255)
    first_name = peewee.CharField(max_length=100, default="")
    last_name = peewee.CharField(max_length=100, default="")
    phone = peewee.CharField(max_length=40, default="")
    language = peewee.CharField(max_length=8, default=configured_language)
    status = peewee.CharField(max_length=16, default="active", index=True)
    email_verified_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)
    updated_at = peewee.DateTimeField(default=utc_now)
    # Lower-cased e-mail, names, billing name and tax id: staff search with LIKE
    # on both engines (SQLite's LOWER() only folds ASCII, so Python folds it).
    search_key = peewee.TextField(default="", index=True)
    #: a private person asked for invoices for advances (art. 106b ust. 3); companies always get them
    advance_invoices = peewee.BooleanField(default=False)

    def save(self, *args: Any, **kwargs: Any) -> int:
        """Save, refreshing ``search_key`` from the fields staff search by."""
        self.search_key = self.compute_search_key()
        return super().save(*args, **kwargs)

    def compute_search_key(self, extra: tuple[str, ...] = ()) -> str:
        """The text staff search matches: e-mail, names, current billing name and tax id."""
        parts = [self.email, self.first_name, self.last_name, *extra]
        if self.id is not None and not extra:
            from core.models.billing import BillingProfile

            profile = (
                BillingProfile.select(BillingProfile.name, BillingProfile.tax_id)
                .where(BillingProfile.customer == self.id)
                .order_by(BillingProfile.id.desc())
                .first()
            )
            if profile is not None:
                parts += [profile.name, profile.tax_id]
        return " ".join(p for p in parts if p).casefold()

    @property
    def full_name(self) -> str:
        """First and last name, or the e-mail when both are empty."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    @property
    def can_log_in(self) -> bool:
        """True for an active account."""
        return self.status == "active"


STAFF_ROLES = ("admin", "billing", "support")


class Staff(BaseModel):
    """A member of the provider's staff; ``role`` is one of :data:`STAFF_ROLES`."""

    email = peewee.CharField(max_length=254, unique=True)
    password_hash = peewee.CharField(max_length=255)
    name = peewee.CharField(max_length=200, default="")
    role = peewee.CharField(max_length=16, default="support")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utc_now)

    @property
    def full_name(self) -> str:
        """The staff member's name, or e-mail when unnamed."""
        return self.name or self.email

    @property
    def can_log_in(self) -> bool:
        """True for an active staff account."""
        return bool(self.active)


class WebSession(BaseModel):
    """A server-side browser session; the cookie holds a random token, we keep its hash.

    ``user_kind`` is ``customer`` or ``staff`` once someone logged in, and
    ``auth_level`` is ``full`` or ``partial`` (password given, second factor due).
    """

    token_hash = peewee.CharField(max_length=64, unique=True)
    data = JSONField(default=dict)
    user_kind = peewee.CharField(max_length=16, null=True)
    user_id = peewee.IntegerField(null=True)
    auth_level = peewee.CharField(max_length=16, default="none")
    ip = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utc_now)
    last_seen = peewee.DateTimeField(default=utc_now)
    expires_at = peewee.DateTimeField(index=True)

    class Meta:
        indexes = ((("user_kind", "user_id"), False),)


class AccountToken(BaseModel):
    """A single-use, expiring token (e-mail verification, password reset); hash only."""

    purpose = peewee.CharField(max_length=32)
    token_hash = peewee.CharField(max_length=64, unique=True)
    user_kind = peewee.CharField(max_length=16, default="customer")
    user_id = peewee.IntegerField()
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)


class RateEvent(BaseModel):
    """One counted event (a failed login, a wrong code) for rate limits across processes."""

    scope = peewee.CharField(max_length=32)
    key = peewee.CharField(max_length=255)
    at = peewee.DateTimeField(default=utc_now)

    class Meta:
        indexes = ((("scope", "key", "at"), False),)
