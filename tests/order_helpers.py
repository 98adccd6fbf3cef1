"""A shop to order from: a seller, hosting packages, promotion codes, customers with billing data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core import db
from core.billing_data.service import change_billing_data
from core.models import Customer, Product, ProductGroup, ProductPrice
from core.payments.recording import record_payment
from plugins.promotions.models import PromoCode
from tests.billing_doc_helpers import COMPANY, PRIVATE, setup_seller
from tests.helpers import make_customer

__all__ = ["COMPANY", "PRIVATE", "setup_seller"]


def package(
    slug: str,
    name: str,
    prices: dict[str, str],
    *,
    group: str = "hosting",
    position: int = 0,
    features: list[list[str]] | None = None,
    max_quantity: int = 1,
) -> Product:
    """An orderable package in ``group`` with ``{cycle: net price}``."""
    with db.write_transaction():
        grp = ProductGroup.get_or_none(ProductGroup.slug == group) or ProductGroup.create(
            name={"hosting": "Hosting WWW", "vps": "Serwery VPS"}.get(group, group), slug=group
        )
        item = Product.create(
            group=grp,
            name=name,
            slug=slug,
            position=position,
            max_quantity=max_quantity,
            features=features or [["Dysk", f"{slug} SSD"], ["Domeny", "1"]],
        )
        for cycle, price in prices.items():
            ProductPrice.create(product=item, cycle=cycle, net_price=Decimal(price))
    return item


def promo(code: str, kind: str = "percent", value: str = "20.00", **fields: Any) -> PromoCode:
    """A promotion code."""
    with db.write_transaction():
        return PromoCode.create(code=code, kind=kind, value=Decimal(value), **fields)


def buyer(email: str, data: dict[str, str] | None = None) -> Customer:
    """A verified customer with billing data (a Polish company by default)."""
    customer = make_customer(email)
    change_billing_data(customer, data or COMPANY)
    return customer


def item(product: Product, cycle: str = "monthly", domain: str = "example.pl", quantity: int = 1) -> dict[str, Any]:
    """A cart item for ``place_order``."""
    return {"product_id": product.id, "cycle": cycle, "domain": domain, "quantity": quantity}


def pay(document: Any, txid: str = "TG-1", amount: Decimal | None = None) -> Any:
    """Pay ``document``'s amount due through the test gateway's recording path."""
    from core.payments.recording import amount_due

    return record_payment("testgateway", txid, amount if amount is not None else amount_due(document), document)


def day(text: str) -> date:
    """A date from ISO text."""
    return date.fromisoformat(text)
