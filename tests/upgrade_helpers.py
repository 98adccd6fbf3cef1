"""Building catalogue and service situations for the upgrade tests (and the benchmark)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core import db
from core.models import (
    BillingProfile,
    Customer,
    Document,
    LedgerEntry,
    Product,
    ProductChangePath,
    ProductGroup,
    ProductPrice,
    Service,
)
from core.settings import set_setting

SELLER = {
    "name": "Hostownia Testowa sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Prosta 1",
    "postcode": "00-001",
    "city": "Warszawa",
    "country": "PL",
    "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
    "bank_name": "Bank Testowy",
}


def setup_seller() -> None:
    """Store seller data (documents need it)."""
    with db.write_transaction():
        for key, value in SELLER.items():
            set_setting("seller", key, value)


def product(slug: str, name: str, prices: dict[str, Any], features: list[list[str]] | None = None) -> Product:
    """A product in the ``hosting`` group with ``{cycle: net price}``."""
    with db.write_transaction():
        group = ProductGroup.get_or_none(ProductGroup.slug == "hosting") or ProductGroup.create(
            name="Hosting WWW", slug="hosting"
        )
        item = Product.create(
            group=group, name=name, slug=slug, features=features or [["Disk", f"{slug} disk"], ["Domains", "1"]]
        )
        for cycle, price in prices.items():
            ProductPrice.create(product=item, cycle=str(cycle), net_price=Decimal(str(price)))
    return item


def link(*products: Product) -> None:
    """Change paths between every two of ``products``."""
    with db.write_transaction():
        for a in products:
            for b in products:
                if a.id != b.id:
                    ProductChangePath.insert(product=a, target=b).on_conflict_ignore().execute()


def service(
    customer: Customer,
    item: Product,
    cycle: str,
    anchor: date,
    start: date,
    due: date,
    price: Any,
    label: str = "example.pl",
) -> Service:
    """An active service in period ``[start, due)``."""
    with db.write_transaction():
        return Service.create(
            customer=customer,
            product=item,
            cycle=str(cycle),
            anchor_date=anchor,
            period_start=start,
            next_due=due,
            recurring_net=Decimal(str(price)),
            label=label,
        )


def give_balance(customer: Customer | int, amount: Any, kind: str = "topup") -> None:
    """Credit the customer's balance (append-only ledger); by default with money they paid (a top-up, a deposit).

    A deposit pays a proforma as a payment, which is what the worked examples
    (E2...) show; pass ``kind="staff_credit"`` for credit granted by staff,
    which is a discount on the next document instead (docs/billing.md, *The balance*).
    """
    if Decimal(str(amount)) == 0:
        return
    with db.write_transaction():
        LedgerEntry.create(customer=customer, kind=kind, amount=Decimal(str(amount)), reason="test")


def billing_profile(customer: Customer) -> None:
    """Private-person billing data."""
    with db.write_transaction():
        BillingProfile.create(
            customer=customer,
            kind="private",
            name=customer.full_name,
            address_line1="ul. Długa 5",
            postcode="80-831",
            city="Gdańsk",
            country="PL",
        )


def example_situation(ex: dict[str, Any], customer: Customer) -> tuple[Service, Product]:
    """The service and target product of a docs/billing.md worked example."""
    old = product(f"old-{ex['id'].lower()}", "Basic", {ex["old_cycle"]: ex["old_net_price"]})
    new = product(f"new-{ex['id'].lower()}", "Pro", {ex["new_cycle"]: ex["new_net_price"]})
    link(old, new)
    svc = service(customer, old, ex["old_cycle"], ex["anchor"], ex["period_start"], ex["next_due"], ex["old_net_price"])
    give_balance(customer, ex["balance"])
    return svc, new


def invoice_period(svc: Service, net: Any = "50.00") -> Document:
    """A paid VAT invoice billing ``svc``'s current period (what a renewal leaves), issued now."""
    from core.documents.build import LineInput
    from core.documents.issuing import issue_document

    with db.write_transaction():
        return issue_document(
            svc.customer,
            "vat",
            [
                LineInput(
                    f"{svc.product.name}, {svc.period_start:%d.%m}-{svc.next_due:%d.%m.%Y}",
                    Decimal(1),
                    "usł.",
                    Decimal(str(net)),
                )
            ],
            sale_date=svc.period_start,
            purpose="renewal",
            purpose_ref=svc.id,
        )
