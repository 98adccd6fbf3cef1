"""Settings stored in the database (seller data, plugin settings), with declared defaults."""

from __future__ import annotations

from typing import Any

from core.extension import SettingSpec
from core.models import Setting

SELLER_KEYS = (
    "name",
    "tax_id",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "bank_account",
    "bank_name",
    "email",
    "phone",
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
    updated = Setting.update(value=value).where((Setting.namespace == namespace) & (Setting.key == key)).execute()
    if not updated:
        Setting.create(namespace=namespace, key=key, value=value)


def seller_data() -> dict[str, str]:
    """The provider's seller data as stored (name, NIP, address, bank account...)."""
    rows = Setting.select().where(Setting.namespace == "seller")
    data = dict.fromkeys(SELLER_KEYS, "")
    data.update({row.key: row.value for row in rows if row.key in SELLER_KEYS})
    return data


def parse_setting(spec: SettingSpec, raw: str | None) -> Any:
    """Turn a form value into the stored value of ``spec``'s kind; ValueError when it is not one."""
    text = (raw or "").strip()
    if spec.kind == "bool":
        return text in ("1", "true", "on", "yes")
    if spec.kind == "int":
        return int(text)
    return text


def update_declared(values: dict[str, str | None], staff: Any, ip: str = "") -> list[str]:
    """Store declared plugin settings from a form (``namespace.key`` -> raw value).

    A secret left empty keeps its stored value (secrets are never shown back).
    Raises core.errors.ValidationError naming each bad field; stores nothing then.
    Returns the ``namespace.key`` of the settings that changed.
    """
    from core import activity, db
    from core.errors import ValidationError
    from core.i18n import N_

    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in declared_settings():
        name = f"{spec.namespace}.{spec.key}"
        raw = values.get(name)
        if spec.kind == "secret" and not (raw or "").strip():
            continue
        if raw is None and spec.kind != "bool":
            continue
        try:
            parsed[name] = (spec, parse_setting(spec, raw))
        except ValueError:
            errors[name] = N_("Enter a whole number.")
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    with db.write_transaction():
        for name, (spec, value) in parsed.items():
            if get_setting(spec.namespace, spec.key) != value:
                set_setting(spec.namespace, spec.key, value)
                changed.append(name)
        if changed:
            # Names only: a secret's value never reaches the activity log.
            activity.record("settings.updated", actor=staff, subject_type="setting", ip=ip, settings=changed)
    return changed
