"""What the order page and the API's catalogue show: groups, packages, technical details, prices.

Every active product with at least one price, in its group, each with its
price per billing cycle net and gross. Gross is at the rate the buyer's
documents would carry (a visitor: the product's domestic rate), so a consumer
compares gross prices, as the consumer rights act expects. The order is
stable: groups by their position, then name; packages by the position staff
set, then the lowest price per month, then the name (the package-change cards
use the same rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.billing.cycles import Cycle
from core.documents.build import rate_percent
from core.documents.snapshot import Party
from core.documents.taxation import default_rate, rate_for_buyer
from core.models import Product, ProductGroup, ProductPrice
from core.money import vat_of


@dataclass(frozen=True)
class Price:
    """One billing cycle of a package: net and gross per cycle, and net per month (to compare)."""

    cycle: str
    net: Decimal
    gross: Decimal
    vat_rate: str


@dataclass(frozen=True)
class Package:
    """A package card: the product and its prices in cycle order."""

    product: Product
    prices: tuple[Price, ...]

    def price(self, cycle: str) -> Price | None:
        """The price of ``cycle``, or None when the package has none."""
        return next((p for p in self.prices if p.cycle == cycle), None)


@dataclass(frozen=True)
class Group:
    """A product group and its package cards."""

    group: ProductGroup
    packages: tuple[Package, ...]


def gross_of(net: Decimal, vat_rate: str) -> Decimal:
    """``net`` plus its VAT at ``vat_rate`` (a rate without VAT: ``net``)."""
    percent = rate_percent(vat_rate)
    return net + vat_of(net, percent) if percent is not None else net


def package(product: Product, rows: Iterable[ProductPrice], buyer: Party | None = None) -> Package:
    """The card of ``product`` from its price rows, for ``buyer`` (None: a visitor)."""
    rate = rate_for_buyer(product, buyer) if buyer is not None else default_rate(product)
    by_cycle = {row.cycle: row.net_price for row in rows}
    prices = tuple(
        Price(c.value, by_cycle[c.value], gross_of(by_cycle[c.value], rate), rate) for c in Cycle if c.value in by_cycle
    )
    return Package(product, prices)


def _order(card: Package) -> tuple[Any, ...]:
    monthly = [p.net / Cycle(p.cycle).months for p in card.prices]
    return (card.product.position, min(monthly, default=Decimal(0)), card.product.name, card.product.id)


def catalogue(buyer: Party | None = None) -> list[Group]:
    """Every group with its orderable packages, in the stable order of the module docstring (two queries)."""
    products = list(Product.select(Product, ProductGroup).join(ProductGroup).where(Product.active).order_by(Product.id))
    prices: dict[int, list[ProductPrice]] = {}
    for row in ProductPrice.select().where(ProductPrice.product.in_([p.id for p in products] or [0])):
        prices.setdefault(row.product_id, []).append(row)
    groups: dict[int, list[Package]] = {}
    for product in products:
        if prices.get(product.id):
            groups.setdefault(product.group_id, []).append(package(product, prices[product.id], buyer))
    result = [Group(cards[0].product.group, tuple(sorted(cards, key=_order))) for cards in groups.values() if cards]
    return sorted(result, key=lambda g: (g.group.position, g.group.name, g.group.id))


def find_package(slug: str, buyer: Party | None = None) -> Package | None:
    """The orderable package with ``slug``, or None."""
    product = Product.get_or_none((Product.slug == slug) & Product.active)
    if product is None:
        return None
    rows = list(ProductPrice.select().where(ProductPrice.product == product))
    return package(product, rows, buyer) if rows else None
