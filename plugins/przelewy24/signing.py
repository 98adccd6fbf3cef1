"""Przelewy24's ``sign``: SHA-384 over a JSON object of named fields and the CRC key.

P24's documentation (REST API, "Calculating Sign") defines each sign as the
hex SHA-384 of a JSON object whose keys come in a fixed order, the last one
being ``"crc"``, encoded the way PHP's ``json_encode`` does with
``JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES``: no spaces, UTF-8 as it is,
slashes not escaped. Integers stay integers (amounts in grosze, ids); strings
stay strings. The orders, from the documentation:

* registration: ``sessionId, merchantId, amount, currency, crc``
* verification: ``sessionId, orderId, amount, currency, crc``
* transaction notification: ``merchantId, posId, sessionId, amount,
  originAmount, currency, orderId, methodId, statement, crc``
* refund notification: ``orderId, sessionId, refundsUuid, merchantId, amount,
  currency, status, crc``
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

REGISTER_FIELDS = ("sessionId", "merchantId", "amount", "currency")
VERIFY_FIELDS = ("sessionId", "orderId", "amount", "currency")
NOTIFICATION_FIELDS = (
    "merchantId",
    "posId",
    "sessionId",
    "amount",
    "originAmount",
    "currency",
    "orderId",
    "methodId",
    "statement",
)
REFUND_NOTIFICATION_FIELDS = ("orderId", "sessionId", "refundsUuid", "merchantId", "amount", "currency", "status")

INT_FIELDS = frozenset({"merchantId", "posId", "amount", "originAmount", "orderId", "methodId", "status"})


class SignError(ValueError):
    """A field the sign needs is missing or has the wrong type."""


def signed_json(fields: Sequence[str], values: Mapping[str, Any], crc: str) -> str:
    """The exact text P24 hashes: ``fields`` in order from ``values``, then ``crc``."""
    data: dict[str, Any] = {}
    for name in fields:
        if name not in values:
            raise SignError(f"missing field {name}")
        value = values[name]
        if name in INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise SignError(f"{name} must be an integer")
        elif not isinstance(value, str):
            raise SignError(f"{name} must be a string")
        data[name] = value
    data["crc"] = crc
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sign(fields: Sequence[str], values: Mapping[str, Any], crc: str) -> str:
    """The hex SHA-384 of :func:`signed_json`."""
    return hashlib.sha384(signed_json(fields, values, crc).encode("utf-8")).hexdigest()


def check(fields: Sequence[str], values: Mapping[str, Any], crc: str) -> bool:
    """True when ``values["sign"]`` is the sign of ``values`` (constant-time comparison).

    A missing sign, a missing field or a field of the wrong type is False.
    """
    given = values.get("sign")
    if not isinstance(given, str) or not crc:
        return False
    try:
        expected = sign(fields, values, crc)
    except SignError:
        return False
    return hmac.compare_digest(expected, given.strip().lower())
