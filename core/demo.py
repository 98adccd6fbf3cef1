"""Demo data: a Polish hosting provider with a catalogue, two customers and a staff admin.

Safe to run twice: it does nothing when the demo staff account already exists.
Plugins add their part through ``hookbill_demo_data`` (:func:`load_plugin_demo_data`).
Dates are relative to the one clock, so services are always mid-period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core import clock, db, runtime
from core.accounts.service import register_customer
from core.billing.cycles import Cycle, period_containing
from core.catalogue import service as catalogue
from core.models import (
    BillingProfile,
    Customer,
    Product,
    ProductPrice,
    Service,
    Staff,
)
from core.payments.recording import record_payment
from core.settings import set_setting
from core.staff.service import create_staff

STAFF_EMAIL = "admin@hookbill.test"
STAFF_PASSWORD = "admin-demo-2026"
COMPANY_EMAIL = "firma@hookbill.test"
PRIVATE_EMAIL = "jan@hookbill.test"
CUSTOMER_PASSWORD = "klient-demo-2026"

SELLER = {
    "name": "Hostownia Przykładowa sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Świętokrzyska 12",
    "address_line2": "",
    "postcode": "00-916",
    "city": "Warszawa",
    "country": "PL",
    "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
    "bank_name": "Santander Bank Polska",
    "email": "faktury@hostownia.test",
    "phone": "+48 22 100 20 30",
}

HOSTING = [
    (
        "hosting-start",
        "Hosting Start",
        "25.00",
        [
            ("Disk", "10 GB SSD"),
            ("Transfer", "unlimited"),
            ("Domains", "1"),
            ("Mailboxes", "10"),
            ("Databases", "2"),
            ("Backups", "7 days"),
        ],
    ),
    (
        "hosting-basic",
        "Hosting Basic",
        "50.00",
        [
            ("Disk", "25 GB SSD"),
            ("Transfer", "unlimited"),
            ("Domains", "5"),
            ("Mailboxes", "50"),
            ("Databases", "10"),
            ("Backups", "14 days"),
        ],
    ),
    (
        "hosting-pro",
        "Hosting Pro",
        "100.00",
        [
            ("Disk", "100 GB NVMe"),
            ("Transfer", "unlimited"),
            ("Domains", "unlimited"),
            ("Mailboxes", "unlimited"),
            ("Databases", "unlimited"),
            ("Backups", "30 days"),
        ],
    ),
]
VPS = [
    ("vps-s", "VPS S", "40.00", [("vCPU", "2"), ("RAM", "4 GB"), ("Disk", "80 GB NVMe"), ("IPv4", "1")]),
    ("vps-m", "VPS M", "80.00", [("vCPU", "4"), ("RAM", "8 GB"), ("Disk", "160 GB NVMe"), ("IPv4", "1")]),
]
# Longer cycles get a discount on the monthly price; annual = 10 months.
CYCLE_FACTORS = {
    Cycle.monthly: Decimal(1),
    Cycle.quarterly: Decimal(3),
    Cycle.semiannually: Decimal("5.5"),
    Cycle.annually: Decimal(10),
    Cycle.biennially: Decimal(19),
    Cycle.triennially: Decimal(27),
}


@dataclass(frozen=True)
class DemoLogins:
    """What ``hookbill demo-data`` prints."""

    staff: tuple[str, str]
    customers: tuple[tuple[str, str], ...]


def _catalogue() -> dict[str, Product]:
    """The demo catalogue, made the way staff make one (:mod:`core.catalogue.service`)."""
    products: dict[str, Product] = {}
    for position, (slug, name, items) in enumerate([("hosting", "Hosting WWW", HOSTING), ("vps", "Serwery VPS", VPS)]):
        group = catalogue.create_group(name, slug, position=position)
        family = [catalogue.create_product(group.id, item[1], item[0], position=i) for i, item in enumerate(items)]
        for product, (pslug, pname, monthly, features) in zip(family, items, strict=True):
            catalogue.update_product(
                product,
                name=pname,
                features=features,
                prices={cycle.value: Decimal(monthly) * factor for cycle, factor in CYCLE_FACTORS.items()},
                targets=[other.id for other in family],
            )
            products[pslug] = product
    return products


def _service(customer: Customer, product: Product, cycle: Cycle, anchor: date, label: str) -> Service:
    start, next_due = period_containing(anchor, cycle, clock.today())
    price = ProductPrice.get((ProductPrice.product == product) & (ProductPrice.cycle == cycle.value)).net_price
    return Service.create(
        customer=customer,
        product=product,
        cycle=cycle.value,
        status="active",
        label=label,
        anchor_date=anchor,
        period_start=start,
        next_due=next_due,
        recurring_net=price,
    )


def load_demo_data() -> DemoLogins | None:
    """Create the demo provider; None when it already exists."""
    logins = DemoLogins(
        (STAFF_EMAIL, STAFF_PASSWORD), ((COMPANY_EMAIL, CUSTOMER_PASSWORD), (PRIVATE_EMAIL, CUSTOMER_PASSWORD))
    )
    with db.write_transaction():
        if Staff.select().where(Staff.email == STAFF_EMAIL).exists():
            return None
        for key, value in SELLER.items():
            set_setting("seller", key, value)
        admin = create_staff(STAFF_EMAIL, "Anna Administratorka", "admin", STAFF_PASSWORD, via="demo")
        from core.tickets.demo import load_demo_departments

        load_demo_departments(admin)
        products = _catalogue()
        today = clock.today()
        company = register_customer(COMPANY_EMAIL, CUSTOMER_PASSWORD, "Zofia", "Żółkiewska", verified=True)
        BillingProfile.create(
            customer=company,
            kind="company",
            name="Zażółć Gęślą Jaźń sp. z o.o.",
            tax_id="5260250274",
            address_line1="ul. Piotrkowska 120",
            postcode="90-006",
            city="Łódź",
            country="PL",
        )
        private = register_customer(PRIVATE_EMAIL, CUSTOMER_PASSWORD, "Jan", "Kowalski", verified=True)
        BillingProfile.create(
            customer=private,
            kind="private",
            name="Jan Kowalski",
            address_line1="ul. Długa 5/7",
            postcode="80-831",
            city="Gdańsk",
            country="PL",
        )
        anchor = today - timedelta(days=12)  # mid-period: 12 days used, the rest of the month left
        _service(company, products["hosting-basic"], Cycle.monthly, anchor, "zazolc.pl")
        _service(company, products["vps-s"], Cycle.quarterly, today - timedelta(days=40), "vps1.zazolc.pl")
        _service(private, products["hosting-start"], Cycle.monthly, anchor, "kowalski.net.pl")
        # money the customer paid onto the balance (a deposit, with its payment confirmation), which
        # the help page's upgrade settles automatically; staff credit would be a discount instead
        record_payment("banktransfer", "DEMO-TOPUP-1", Decimal("10.00"), customer_id=company.id)
    return logins


def load_plugin_demo_data() -> list[str]:
    """Let every plugin add its part of the demo (``hookbill_demo_data``); return the lines they report.

    Called after :func:`load_demo_data` on every run, also when the demo data was
    already there: plugins set up only what is missing.
    """
    rt = runtime.current()
    return [line for lines in rt.pm.hook.hookbill_demo_data(config=rt.config) for line in lines]
