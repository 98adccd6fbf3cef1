"""Settings stored in the database (seller data, plugin settings), with declared defaults.

Plugins declare settings with :class:`core.extension.SettingSpec` from the
``hookbill_settings`` hook; an admin edits them on the settings page, where
:func:`update_declared` parses and checks every value (:func:`parse_setting`)
and stores all of them or, when one is refused, none.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from core.extension import SettingSpec
from core.i18n import N_
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


def declared_spec(namespace: str, key: str) -> SettingSpec | None:
    """The declared spec of ``namespace``/``key``, or None when no plugin declares it."""
    return next((spec for spec in declared_settings() if spec.namespace == namespace and spec.key == key), None)


def get_setting(namespace: str, key: str, default: Any = _MISSING) -> Any:
    """The stored value of ``namespace``/``key``; else ``default``, else the declared default.

    A stored ``decimal`` setting is returned as :class:`decimal.Decimal` (it is
    stored as its exact text).
    """
    row = Setting.get_or_none((Setting.namespace == namespace) & (Setting.key == key))
    spec = declared_spec(namespace, key)
    if row is not None:
        if spec is not None and spec.kind == "decimal" and row.value is not None:
            return Decimal(str(row.value))
        return row.value
    if default is not _MISSING:
        return default
    return spec.default if spec is not None else None


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


class SettingInvalid(ValueError):
    """A value an admin entered is not one the setting takes; ``message`` (an ``N_`` msgid) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


TRUE_WORDS = ("1", "true", "on", "yes")


def _number(spec: SettingSpec, text: str) -> int | Decimal:
    value: int | Decimal
    if spec.kind == "int":
        try:
            value = int(text)
        except ValueError:
            raise SettingInvalid(N_("Enter a whole number.")) from None
    else:
        try:
            value = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise SettingInvalid(N_("Enter a number, e.g. 12.50.")) from None
        if not value.is_finite():
            raise SettingInvalid(N_("Enter a number, e.g. 12.50."))
    # The page states the bounds beside the field; the message says which one was crossed.
    if spec.minimum is not None and value < spec.minimum:
        raise SettingInvalid(N_("This number is too small."))
    if spec.maximum is not None and value > spec.maximum:
        raise SettingInvalid(N_("This number is too large."))
    return value


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise SettingInvalid(N_("Enter a full web address starting with https:// or http://."))
    return text


def parse_setting(spec: SettingSpec, raw: str | None) -> Any:
    """Turn a form value into the value stored for ``spec``, or raise :class:`SettingInvalid`.

    ``bool``: a ticked box (``1``, ``true``, ``on``, ``yes``) is True, anything
    else False. Empty text is "" (None for numbers), refused when ``required``.
    ``decimal`` accepts a comma or a point and is returned as its exact text,
    so the JSON column keeps every digit. ``spec.validate`` runs last, on the
    parsed value (a Decimal for ``decimal``).
    """
    text = (raw or "").strip()
    if spec.kind == "bool":
        value: Any = text.lower() in TRUE_WORDS
    elif not text:
        if spec.required:
            raise SettingInvalid(N_("This field is required."))
        return None if spec.kind in ("int", "decimal") else ""
    elif spec.kind in ("int", "decimal"):
        value = _number(spec, text)
    elif spec.kind == "url":
        value = _url(text)
    elif spec.kind == "choice":
        if text not in {choice for choice, _label in spec.choice_list()}:
            raise SettingInvalid(N_("Choose one of the listed options."))
        value = text
    else:
        value = text
    message = spec.validate(value) if spec.validate is not None else None
    if message:
        raise SettingInvalid(message)
    return str(value) if isinstance(value, Decimal) else value


def update_declared(values: Mapping[str, str | None], staff: Any, ip: str = "") -> list[str]:
    """Store declared plugin settings from a form (``namespace.key`` -> raw value).

    A secret left empty keeps its stored value (secrets are never shown back).
    Raises core.errors.ValidationError naming each bad field; stores nothing then.
    Returns the ``namespace.key`` of the settings that changed.
    """
    from core import activity, db
    from core.errors import ValidationError

    parsed: dict[str, tuple[SettingSpec, Any]] = {}
    errors: dict[str, str] = {}
    for spec in declared_settings():
        raw = values.get(spec.name)
        if spec.kind == "secret" and not (raw or "").strip():
            continue
        if raw is None and spec.kind != "bool":
            continue
        try:
            parsed[spec.name] = (spec, parse_setting(spec, raw))
        except SettingInvalid as exc:
            errors[spec.name] = exc.message
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    with db.write_transaction():
        for name, (spec, value) in parsed.items():
            row = Setting.get_or_none((Setting.namespace == spec.namespace) & (Setting.key == spec.key))
            if row is None or row.value != value:
                set_setting(spec.namespace, spec.key, value)
                changed.append(name)
        if changed:
            # Names only: a secret's value never reaches the activity log.
            activity.record("settings.updated", actor=staff, subject_type="setting", ip=ip, settings=changed)
    return changed
