"""Staff create and change promotion codes: checked here, recorded in the activity log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core import activity, db
from core.catalogue.service import CYCLES
from core.errors import ValidationError
from core.i18n import N_
from core.money import round_money
from plugins.promotions.models import PromoCode
from plugins.promotions.rules import normalize

#: The largest amount a code may take off (a typing error beyond it is refused, not stored).
MAX_VALUE = Decimal("1000000.00")

FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "valid_from",
    "valid_to",
    "max_uses",
    "max_uses_per_customer",
)


def _date(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[field] = N_("Enter a date like 2026-12-31.")
        return None


def _limit(text: str, field: str, errors: dict[str, str]) -> int | None:
    if not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        errors[field] = N_("Enter a whole number of uses, or leave it empty for no limit.")
        return None
    return value


def check(values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of a code form; ValidationError names every bad field."""
    errors: dict[str, str] = {}
    code = normalize(str(values.get("code") or ""))
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_" for c in code):
        errors["code"] = N_("Use letters, digits, hyphens and underscores.")
    kind = str(values.get("kind") or "")
    if kind not in ("percent", "fixed"):
        errors["kind"] = N_("Choose a percentage or a fixed amount.")
    try:
        value = Decimal(str(values.get("value") or "").replace(",", ".").strip())
        if not value.is_finite() or abs(value) > MAX_VALUE or value != round_money(value):
            value = Decimal(-1)
    except InvalidOperation:
        value = Decimal(-1)
    if value <= 0 or (kind == "percent" and value > 100):
        errors["value"] = N_("Enter a percentage up to 100, or a net amount like 10.00.")
    cycles = [c for c in values.get("cycles") or [] if c in CYCLES]
    products = sorted({int(p) for p in values.get("products") or [] if str(p).isdigit()})
    result: dict[str, Any] = {
        "code": code,
        "description": str(values.get("description") or "").strip()[:255],
        "kind": kind,
        "value": value,
        "products": products,
        "cycles": cycles,
        "recurring": bool(values.get("recurring")),
        "active": bool(values.get("active")),
        "valid_from": _date(str(values.get("valid_from") or ""), "valid_from", errors),
        "valid_to": _date(str(values.get("valid_to") or ""), "valid_to", errors),
        "max_uses": _limit(str(values.get("max_uses") or ""), "max_uses", errors),
        "max_uses_per_customer": _limit(
            str(values.get("max_uses_per_customer") or ""), "max_uses_per_customer", errors
        ),
    }
    if result["valid_from"] and result["valid_to"] and result["valid_to"] < result["valid_from"]:
        errors["valid_to"] = N_("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    return result


def save_code(
    values: Mapping[str, Any], *, promo: PromoCode | None = None, actor: Any = None, ip: str = ""
) -> PromoCode:
    """Create a code, or change ``promo``; ValidationError for bad values or a code that is taken."""
    checked = check(values)
    with db.write_transaction():
        taken = PromoCode.select().where(PromoCode.code == checked["code"])
        if promo is not None:
            taken = taken.where(PromoCode.id != promo.id)
        if taken.exists():
            raise ValidationError({"code": N_("This code exists already.")})
        if promo is None:
            promo = PromoCode.create(**checked)
        else:
            for key, value in checked.items():
                setattr(promo, key, value)
            promo.save()
        activity.record(
            "promotions.saved",
            actor=actor,
            subject=promo,
            ip=ip,
            code=promo.code,
            kind=promo.kind,
            value=str(promo.value),
            max_uses=promo.max_uses,
        )
    return promo
