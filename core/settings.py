"""Settings stored in the database (seller data, plugin settings), with declared defaults."""

from __future__ import annotations

from typing import Any

from core.models import Setting

SELLER_KEYS = (
    "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country",
    "bank_account", "bank_name", "email", "phone",
)


def get_setting(namespace: str, key: str, default: Any = None) -> Any:
    """The stored value of ``namespace``/``key``, or ``default`` when unset."""
    row = Setting.get_or_none((Setting.namespace == namespace) & (Setting.key == key))
    return default if row is None else row.value


def set_setting(namespace: str, key: str, value: Any) -> None:
    """Store ``value`` (JSON-serialisable) for ``namespace``/``key``; call inside a transaction."""
    updated = (
        Setting.update(value=value)
        .where((Setting.namespace == namespace) & (Setting.key == key))
        .execute()
    )
    if not updated:
        Setting.create(namespace=namespace, key=key, value=value)


def seller_data() -> dict[str, str]:
    """The provider's seller data as stored (name, NIP, address, bank account...)."""
    rows = Setting.select().where(Setting.namespace == "seller")
    data = {key: "" for key in SELLER_KEYS}
    data.update({row.key: row.value for row in rows if row.key in SELLER_KEYS})
    return data
