"""Changing the catalogue: the one way in for the admin pages, the demo data and scripts.

Every function checks what it is given (raising :class:`core.errors.ValidationError`
with a message per field), writes in its own write transaction (a savepoint
inside the caller's) and records the change in the activity log with the actor
(a staff member, or None for the system). Nothing here knows about forms: the
admin views parse text into the values these functions take.

A product's VAT rate is empty (``billing.vat_rate`` applies) or one of the
Polish rates a document can carry for it (:data:`PRODUCT_VAT_RATES`); reverse
charge (``oo``) and other states' OSS rates depend on the buyer and are chosen
when a document is issued (:mod:`core.documents.taxation`), never stored on a
product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from core import activity, db
from core.billing.cycles import Cycle
from core.documents.snapshot import VAT_RATES
from core.errors import ValidationError
from core.i18n import N_
from core.models import Product, ProductChangePath, ProductGroup, ProductPrice
from core.money import round_money, to_decimal
from core.untrusted import as_id

#: The rates a product may carry: the Polish rates of a document line except reverse charge.
PRODUCT_VAT_RATES: tuple[str, ...] = tuple(rate for rate in VAT_RATES if rate != "oo")
CYCLES: tuple[str, ...] = tuple(cycle.value for cycle in Cycle)


def check_slug(value: str, field: str = "slug") -> str:
    """``value`` trimmed and lower-cased; ValidationError unless it is letters, digits and hyphens."""
    slug = (value or "").strip().lower()
    if not slug or not all(c.isalnum() or c == "-" for c in slug) or len(slug) > 64:
        raise ValidationError({field: N_("Use lowercase letters, digits and hyphens.")})
    return slug


def check_vat_rate(value: str) -> str:
    """``value`` trimmed: empty (the configured default) or one of :data:`PRODUCT_VAT_RATES`."""
    rate = (value or "").strip().lower()
    if rate and rate not in PRODUCT_VAT_RATES:
        raise ValidationError(
            {"vat_rate": N_("Enter one of the VAT rates 23, 8, 5, 0, zw or np, or leave it empty for the default.")}
        )
    return rate


def check_prices(prices: Mapping[str, object]) -> dict[str, Decimal | None]:
    """``{cycle: net price}`` checked: every cycle known, each price empty/None (not offered) or whole grosze >= 0.

    Errors are keyed ``price_<cycle>``.
    """
    checked: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for cycle, raw in prices.items():
        if cycle not in CYCLES:
            raise ValueError(f"unknown billing cycle {cycle!r}")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            checked[cycle] = None
            continue
        try:
            value = to_decimal(raw.strip() if isinstance(raw, str) else raw)
        except (ValueError, TypeError):
            value = Decimal(-1)
        if value < 0 or value != round_money(value):
            errors[f"price_{cycle}"] = N_("Enter a net price like 49.99.")
        checked[cycle] = value
    if errors:
        raise ValidationError(errors)
    return checked


def check_features(features: Iterable[Sequence[str]]) -> list[list[str]]:
    """Ordered ``[[label, value], ...]`` with both parts non-empty."""
    checked = []
    for pair in features:
        label, value = (str(part).strip() for part in pair)
        if not label or not value:
            raise ValidationError({"features": N_("Every technical detail needs a label and a value.")})
        checked.append([label, value])
    return checked


def check_position(value: object) -> int | None:
    """A product's place in package lists (lower first): a whole number, or None/"" to keep the current one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError({"position": N_("Enter a whole number, e.g. 10.")}) from None


def _check_name(name: str) -> str:
    text = (name or "").strip()
    if not text or len(text) > 120:
        raise ValidationError({"name": N_("Give it a name (120 characters at most).")})
    return text


def _check_module(code: str) -> str:
    from core.upgrades.provisioning import modules

    code = (code or "").strip()
    if code and code not in modules():
        raise ValidationError({"provisioning_module": N_("No plugin provides this provisioning module.")})
    return code


def _checked(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check; their results by key, or one ValidationError with every field's message."""
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, check in checks.items():
        try:
            results[key] = check()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return results


def create_group(name: str, slug: str, *, position: int = 0, actor: Any = None, ip: str = "") -> ProductGroup:
    """A new product group; ValidationError for an empty name or a bad or taken slug."""
    values = _checked({"name": lambda: _check_name(name), "slug": lambda: check_slug(slug)})
    with db.write_transaction():
        if ProductGroup.select().where(ProductGroup.slug == values["slug"]).exists():
            raise ValidationError({"slug": N_("This slug is taken.")})
        group = ProductGroup.create(name=values["name"], slug=values["slug"], position=position)
        activity.record("catalogue.created", actor=actor, subject=group, ip=ip, name=group.name)
    return group


def _group(group_id: object) -> ProductGroup:
    key = as_id(group_id)
    group = ProductGroup.get_or_none(ProductGroup.id == key) if key is not None else None
    if group is None:
        raise ValidationError({"group": N_("Choose a group.")})
    return group


def create_product(
    group_id: object,
    name: str,
    slug: str,
    *,
    features: Iterable[Sequence[str]] = (),
    position: int = 0,
    actor: Any = None,
    ip: str = "",
) -> Product:
    """A new product (no prices yet: it is offered once :func:`update_product` gives it some).

    ValidationError for a missing group, an empty name or a bad or taken slug.
    """
    values = _checked(
        {
            "name": lambda: _check_name(name),
            "slug": lambda: check_slug(slug),
            "group": lambda: _group(group_id),
            "features": lambda: check_features(features),
        }
    )
    with db.write_transaction():
        if Product.select().where(Product.slug == values["slug"]).exists():
            raise ValidationError({"slug": N_("This slug is taken.")})
        product = Product.create(position=position, **values)
        activity.record("catalogue.created", actor=actor, subject=product, ip=ip, name=product.name)
    return product


def update_product(
    product: Product,
    *,
    name: str,
    description: str = "",
    features: Iterable[Sequence[str]] = (),
    vat_rate: str = "",
    active: bool = True,
    provisioning_module: str = "",
    position: object = None,
    prices: Mapping[str, object] | None = None,
    targets: Iterable[int] | None = None,
    actor: Any = None,
    ip: str = "",
) -> Product:
    """Change a product: its details, its prices per cycle and the products its services may change to.

    ``prices`` maps cycles to net prices (None or "" stops offering that cycle;
    cycles not named keep their price); ``targets`` replaces the change paths
    (the product itself is ignored); ``position`` (a whole number, or None/""
    to keep it) orders the package cards. Raises ValidationError naming every
    bad field (``name``, ``vat_rate``, ``features``, ``provisioning_module``,
    ``position``, ``price_<cycle>``); nothing is written then.
    """
    values = _checked(
        {
            "name": lambda: _check_name(name),
            "vat_rate": lambda: check_vat_rate(vat_rate),
            "features": lambda: check_features(features),
            "provisioning_module": lambda: _check_module(provisioning_module),
            "prices": lambda: check_prices(prices or {}),
            "position": lambda: check_position(position),
        }
    )
    new_prices: dict[str, Decimal | None] = values.pop("prices")
    new_position: int | None = values.pop("position")
    chosen = sorted({int(t) for t in targets} - {product.id}) if targets is not None else None
    with db.write_transaction():
        rate_changed = values["vat_rate"] != (product.vat_rate or "")
        for key, value in values.items():
            setattr(product, key, value)
        product.description = description or ""
        product.active = bool(active)
        if new_position is not None:
            product.position = new_position
        product.save()
        for cycle, price in new_prices.items():
            ProductPrice.delete().where((ProductPrice.product == product) & (ProductPrice.cycle == cycle)).execute()
            if price is not None:
                ProductPrice.create(product=product, cycle=cycle, net_price=price)
        if chosen is not None:
            set_change_paths(product, chosen)
        if rate_changed:  # open renewal proformas of it are re-priced by the next renewal run
            from core.renewals.schedule import mark_product

            mark_product(product.id)
        activity.record(
            "catalogue.product_updated",
            actor=actor,
            subject=product,
            ip=ip,
            prices={k: str(v) for k, v in new_prices.items() if v is not None},
            targets=chosen or [],
        )
    return product


def set_change_paths(product: Product, targets: Iterable[int]) -> None:
    """Services of ``product`` may change to exactly the products ``targets`` (unknown ids are ignored)."""
    ids = sorted({int(t) for t in targets} - {product.id})
    with db.write_transaction():
        ProductChangePath.delete().where(ProductChangePath.product == product).execute()
        for target in Product.select().where(Product.id.in_(ids or [0])):
            ProductChangePath.create(product=product, target=target)
