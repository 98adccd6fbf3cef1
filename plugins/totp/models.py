"""The TOTP plugin's tables: one credential per account, and its recovery codes.

The shared secret is stored only encrypted (Fernet, key from ``totp.encryption_key``),
so a database dump alone does not reveal it. Recovery codes are stored as salted
SHA-256 hashes: they are random 50-bit values, so a fast hash is enough (a slow
one would make each login try ten argon2 hashes); the salt stops a precomputed table.
"""

from __future__ import annotations

import peewee

from core.models.base import BaseModel, utc_now


class TotpCredential(BaseModel):
    """The authenticator of one account (``account_kind`` customer | staff).

    ``confirmed_at`` is None while the account owner has not yet confirmed a
    code: the secret is pending and 2FA is off. ``last_step`` is the last
    accepted 30-second step (a code of that step or older is refused: no
    replay). ``locked_until`` is set after repeated wrong codes.
    """

    account_kind = peewee.CharField(max_length=16)
    account_id = peewee.IntegerField()
    secret_encrypted = peewee.TextField()
    confirmed_at = peewee.DateTimeField(null=True)
    last_step = peewee.BigIntegerField(null=True)
    locked_until = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)
    recovery_codes: peewee.ModelSelect[TotpRecoveryCode]  # backref of TotpRecoveryCode.credential

    class Meta:
        table_name = "totp_credential"
        indexes = ((("account_kind", "account_id"), True),)

    @property
    def enabled(self) -> bool:
        """True once a code confirmed the secret."""
        return self.confirmed_at is not None


class TotpRecoveryCode(BaseModel):
    """A single-use recovery code of a credential: only ``salt`` and ``code_hash`` are kept."""

    credential = peewee.ForeignKeyField(TotpCredential, backref="recovery_codes", on_delete="CASCADE")
    credential_id: int
    salt = peewee.CharField(max_length=32)
    code_hash = peewee.CharField(max_length=64)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "totp_recovery_code"
