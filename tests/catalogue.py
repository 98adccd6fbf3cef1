"""Test data for the catalogue: a product with prices and a service on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.models import Customer, Product, ProductGroup, ProductPrice, Service


def make_product(slug: str = "basic", name: str = "Basic", monthly: str = "50.00") -> Product:
    """A product in a "hosting" group with a monthly price."""
    group, _ = ProductGroup.get_or_create(slug="hosting", defaults={"name": "Hosting"})
    product = Product.create(group=group, slug=slug, name=name, features=[["Disk", "10 GB"]])
    ProductPrice.create(product=product, cycle="monthly", net_price=Decimal(monthly))
    return product


def make_service(
    customer: Customer, product: Product | None = None, period: tuple[date, date] = (date(2026, 3, 1), date(2026, 4, 1))
) -> Service:
    """An active monthly service of ``customer`` in ``period``."""
    product = product or make_product()
    price = ProductPrice.get(ProductPrice.product == product).net_price
    return Service.create(
        customer=customer,
        product=product,
        cycle="monthly",
        anchor_date=period[0],
        period_start=period[0],
        next_due=period[1],
        recurring_net=price,
        label="example.pl",
    )
