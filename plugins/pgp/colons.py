"""Reading gpg's ``--with-colons`` key listings, and judging whether a key can encrypt.

gpg's machine-readable listing (doc/DETAILS in GnuPG) is one record per line, fields
separated by ``:``. We read the records of primary keys (``pub``/``sec``), their
subkeys (``sub``/``ssb``), fingerprints (``fpr``) and user ids (``uid``). Field 2 is
the validity gpg computed *now*: ``e`` expired, ``r`` revoked, ``i`` invalid,
``d`` disabled. Field 12 of a primary key lists its capabilities; an upper-case
``E`` means the key as a whole has a usable encryption (sub)key right now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.i18n import N_
from plugins.pgp.errors import KeyRejected

# RFC 4880 / RFC 6637 / RFC 9580 public-key algorithm ids.
_ALGORITHMS = {
    1: "rsa",
    2: "rsa",
    3: "rsa",
    16: "elgamal",
    17: "dsa",
    18: "ecdh",
    19: "ecdsa",
    22: "eddsa",
    25: "x25519",
    27: "ed25519",
}
_ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")


@dataclass(frozen=True)
class KeyInfo:
    """What a person needs to recognise a key: shown before and after upload."""

    fingerprint: str
    user_ids: tuple[str, ...]
    created: datetime
    expires: datetime | None
    algorithm: str


@dataclass
class _Subkey:
    validity: str
    capabilities: str
    expires: datetime | None


@dataclass
class ListedKey:
    """One primary key as gpg listed it, with the facts needed to judge it."""

    secret: bool
    validity: str
    capabilities: str
    created: datetime
    expires: datetime | None
    algorithm: str
    fingerprint: str = ""
    user_ids: list[str] = field(default_factory=list)
    subkeys: list[_Subkey] = field(default_factory=list)

    def info(self) -> KeyInfo:
        """Return the immutable, display-ready summary of this key."""
        return KeyInfo(self.fingerprint, tuple(self.user_ids), self.created, self.expires, self.algorithm)


def _when(epoch: str) -> datetime | None:
    """gpg prints times as seconds since the epoch (or, rarely, ISO 8601)."""
    if not epoch:
        return None
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.strptime(epoch, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def _unescape(text: str) -> str:
    """Undo gpg's ``\\xHH`` escaping of user ids and decode them as UTF-8."""
    raw = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "replace")


def _algorithm(fields: list[str]) -> str:
    curve = fields[16] if len(fields) > 16 else ""
    if curve:
        return curve
    name = _ALGORITHMS.get(int(fields[3] or 0), f"algo{fields[3]}")
    return f"{name}{fields[2]}" if name in ("rsa", "dsa", "elgamal") else name


def parse_listing(text: str) -> list[ListedKey]:
    """Parse a ``--with-colons --fixed-list-mode`` listing into primary keys, in order.

    Fingerprints of subkeys are skipped; each primary key gets its own fingerprint
    and its user ids that are not revoked or expired (gpg marks those ``r``/``e``).
    """
    keys: list[ListedKey] = []
    last = ""
    for line in text.splitlines():
        fields = line.split(":")
        kind = fields[0]
        if kind in ("pub", "sec") and len(fields) > 11:
            created = _when(fields[5]) or datetime.fromtimestamp(0, tz=UTC)
            keys.append(ListedKey(kind == "sec", fields[1], fields[11], created, _when(fields[6]), _algorithm(fields)))
        elif kind in ("sub", "ssb") and keys and len(fields) > 11:
            keys[-1].subkeys.append(_Subkey(fields[1], fields[11], _when(fields[6])))
        elif kind == "fpr" and keys and last in ("pub", "sec") and len(fields) > 9:
            keys[-1].fingerprint = fields[9].upper()
        elif kind == "uid" and keys and len(fields) > 9 and fields[1] not in ("r", "e"):
            keys[-1].user_ids.append(_unescape(fields[9]))
        if kind in ("pub", "sec", "sub", "ssb", "uid"):
            last = kind
    return keys


def judge_for_encryption(key: ListedKey, now: datetime | None = None) -> None:
    """Raise :class:`KeyRejected` unless ``key`` can encrypt right now.

    Refuses revoked, expired, invalid or disabled primary keys, and keys whose every
    encryption subkey is revoked or expired, or which have none at all. The expiry
    date is also compared with ``now`` so a key that expired since gpg's listing
    (or while gpg's clock said otherwise) is still refused.
    """
    now = now or datetime.now(UTC)
    fpr = key.fingerprint or "(no fingerprint)"
    if key.validity == "r":
        raise KeyRejected("revoked", N_("The key %(fingerprint)s has been revoked by its owner.", fingerprint=fpr))
    if key.validity == "e" or (key.expires is not None and key.expires <= now):
        if key.expires is None:
            raise KeyRejected("expired", N_("The key %(fingerprint)s has expired.", fingerprint=fpr))
        raise KeyRejected(
            "expired",
            N_("The key %(fingerprint)s expired on %(date)s.", fingerprint=fpr, date=key.expires.strftime("%Y-%m-%d")),
        )
    if key.validity in ("i", "d"):  # "n" and "-" are about trust, which we set aside
        raise KeyRejected("invalid", N_("gpg considers the key %(fingerprint)s invalid or disabled.", fingerprint=fpr))
    if "E" in key.capabilities:
        return
    enc = [s for s in key.subkeys if "e" in s.capabilities.lower()]
    if "e" in key.capabilities:  # lower case: the primary key itself may encrypt
        enc.append(_Subkey(key.validity, "e", key.expires))
    if enc and all(s.validity == "r" for s in enc):
        raise KeyRejected("revoked", N_("Every encryption subkey of %(fingerprint)s is revoked.", fingerprint=fpr))
    if enc and all(s.validity in ("e", "r") or (s.expires is not None and s.expires <= now) for s in enc):
        raise KeyRejected("expired", N_("Every encryption subkey of %(fingerprint)s has expired.", fingerprint=fpr))
    raise KeyRejected(
        "no_encryption_subkey",
        N_(
            "The key %(fingerprint)s cannot encrypt: it has no usable encryption subkey. "
            "Please add an encryption subkey or upload another key.",
            fingerprint=fpr,
        ),
    )
