"""Recovery codes: ten single-use codes shown once, stored as salted SHA-256 hashes.

Each code is 10 characters from a 31-letter alphabet without look-alikes
(about 49.5 bits), shown as ``xxxxx-xxxxx``; case, spaces and dashes are
ignored when one is typed. With that much entropy a fast salted hash is safe,
and it keeps a login from running ten argon2 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from core import clock
from plugins.totp.models import TotpCredential, TotpRecoveryCode

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes
RECOVERY_LENGTH = 10


def hash_code(salt: str, code: str) -> str:
    """SHA-256 of the salt and the normalised code, hex."""
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def replace_codes(cred: TotpCredential) -> list[str]:
    """Delete the credential's codes and make new ones; return them as shown to the owner (once)."""
    TotpRecoveryCode.delete().where(TotpRecoveryCode.credential == cred).execute()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        salt = secrets.token_hex(16)
        TotpRecoveryCode.create(credential=cred, salt=salt, code_hash=hash_code(salt, raw))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def use_code(cred: TotpCredential, code: str) -> bool:
    """Mark the unused code equal to normalised ``code`` used; False when none (a conditional update: once)."""
    for row in cred.recovery_codes.where(TotpRecoveryCode.used_at.is_null()):
        if hmac.compare_digest(row.code_hash, hash_code(row.salt, code)):
            claimed = (
                TotpRecoveryCode.update(used_at=clock.utcnow())
                .where((TotpRecoveryCode.id == row.id) & TotpRecoveryCode.used_at.is_null())
                .execute()
            )
            return bool(claimed)
    return False


def unused_count(cred: TotpCredential) -> int:
    """How many of the credential's recovery codes are still unused."""
    return cred.recovery_codes.where(TotpRecoveryCode.used_at.is_null()).count()
