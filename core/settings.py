"""Settings stored in the database (seller data, plugin settings), with declared defaults."""

from __future__ import annotations

from typing import Any

from core.extension import SettingSpec
from core.models import Setting

SELLER_KEYS = (
    "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country",
    "bank_account", "bank_name", "email", "phone",
)


_MISSING = object()


def declared_settings() -> list[SettingSpec]:
    """Every setting declared by a plugin through the ``hookbill_settings`` hook."""
    from core.runtime import hooks

    return [spec for group in hooks().hookbill_settings() for spec in group]


def get_setting(namespace: str, key: str, default: Any = _MISSING) -> Any:
    """The stored value of ``namespace``/``key``; else ``default``, else the declared default."""
    row = Setting.get_or_none((Setting.namespace == namespace) & (Setting.key == key))
    if row is not None:
        return row.value
    if default is not _MISSING:
        return default
    for spec in declared_settings():
        if spec.namespace == namespace and spec.key == key:
            return spec.default
    return None


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
