"""Encrypting TOTP secrets at rest, and the ``[totp]`` configuration section.

``totp.encryption_key`` is a Fernet key (``python -c "from cryptography.fernet
import Fernet; print(Fernet.generate_key().decode())"``) or a list of them: the
first encrypts, every one decrypts, so a key can be rotated by putting the new
one first. Production refuses to start without it. In development, when it is
empty, a stable key is derived from the app's secret key
(:func:`core.config.app_secret_key`, the development one included): the
same secret gives the same key across restarts, and changing it makes stored
TOTP secrets unreadable (those accounts then need a staff reset).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core import runtime
from core.config import Config, ConfigError, app_secret_key

DEFAULTS: dict[str, Any] = {
    "encryption_key": "",
    "max_failures": 5,  # wrong codes in lock_minutes before the account is locked
    "lock_minutes": 15,  # how long the lock lasts (and the window failures are counted in)
    "require_for_staff": False,
    "issuer": "",  # shown in the authenticator app; empty: app.name
}


def derive_development_key(material: str) -> str:
    """A Fernet key derived from ``material`` (development only): SHA-256 of a labelled input."""
    digest = hashlib.sha256(b"hookbill totp encryption key v1\0" + material.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configure(config: Config) -> None:
    """Fill the ``[totp]`` defaults and check the key; raise ConfigError naming ``totp.encryption_key``."""
    section = config.section("totp", DEFAULTS)
    if not section["issuer"]:
        section["issuer"] = str(config.get_value("app.name") or "hookbill")
    keys = section["encryption_key"]
    if not keys:
        if config.production:
            raise ConfigError(
                "totp.encryption_key is not set (a Fernet key; set it in config.toml or HOOKBILL_TOTP_ENCRYPTION_KEY)"
            )
        section["encryption_key"] = derive_development_key(app_secret_key(config))
    try:
        _make_fernet(section["encryption_key"])
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"totp.encryption_key is not a valid Fernet key: {exc}") from exc


def _make_fernet(keys: str | list[str]) -> MultiFernet:
    listed = [keys] if isinstance(keys, str) else list(keys)
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in listed])


def encrypt(secret: str) -> str:
    """The base32 ``secret`` encrypted with the current key (a Fernet token)."""
    return _make_fernet(runtime.config().get_value("totp.encryption_key")).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The base32 secret inside ``token``; raises ValueError when no configured key opens it."""
    try:
        return _make_fernet(runtime.config().get_value("totp.encryption_key")).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the TOTP secret cannot be decrypted with totp.encryption_key") from exc
