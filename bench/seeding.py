"""Data for the page benchmarks: one customer with many services, or many customers, in minutes.

The first rows of each kind are made through the domain services (the testing kit's
factories), so documents have real numbers and snapshots; the rest are copies
written with ``insert_many`` in batches, each batch its own transaction, with a
progress bar (:mod:`core.progress`) in a terminal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core import clock, db
from core.accounts.search import normalise
from core.i18n import N_
from core.migrate import migrate
from core.models import BillingProfile, Customer, Document, LedgerEntry, Service
from core.progress import Progress
from core.runtime import current
from core.testing.factories import PASSWORD, Factories
from core.tickets.models import Department, Ticket
from tests.helpers import password_hash
from tests.upgrade_helpers import setup_seller

BATCH = 2_000
#: The customer of the client-page benchmark, and the admin who reads the lists.
EMAIL = "bench@example.test"
STAFF = "admin@example.test"


def prepare() -> Factories:
    """Migrate the bound database and store the seller; the factories to make the first rows with."""
    migrate(current())
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
    return Factories()


def _batches(label: str, count: int, row: Any, model: Any) -> None:
    with Progress(label, total=count) as progress, db.connection():
        for start in range(0, count, BATCH):
            rows = [row(index) for index in range(start, min(count, start + BATCH))]
            with db.write_transaction():
                model.insert_many(rows).execute()
            progress.advance(len(rows))


def _document_copies(model: Document, count: int, customer_of: Any) -> None:
    fields = [f for f in Document._meta.sorted_fields if f.name != "id"]
    values = {f.name: getattr(model, f.name) for f in fields}

    def row(index: int) -> dict[str, Any]:
        return {**values, "customer": customer_of(index), "number": f"{model.number}/b{index}"}

    _batches(N_("Documents"), count, row, Document)


def client_data(services: int) -> None:
    """The benchmark customer with ``services`` services, as many documents and ledger entries."""
    make = prepare()
    customer = make.customer(EMAIL, password=PASSWORD)
    product = make.product("Hosting Start")
    make.service(customer, product)
    invoice = make.invoice(customer)
    make.proforma(customer)

    def service(index: int) -> dict[str, Any]:
        return {
            "customer": customer.id,
            "product": product.id,
            "cycle": "monthly",
            "status": "active",
            "label": f"strona{index}.pl",
            "anchor_date": date(2026, 3, 1),
            "period_start": date(2026, 3, 1),
            "next_due": date(2026, 4, 1),
            "recurring_net": Decimal("50.00"),
        }

    _batches(N_("Services"), services - 1, service, Service)
    _document_copies(invoice, services - 3, lambda _index: customer.id)
    entry = {"customer": customer.id, "kind": "staff_credit", "amount": Decimal("1.00"), "reason": "bench"}
    with db.connection(), db.write_transaction():
        LedgerEntry.insert_many([entry] * services).execute()


def admin_data(customers: int) -> None:
    """``customers`` customers, each with a service, a document and an open ticket; and the admin."""
    make = prepare()
    make.staff(STAFF, role="admin", password=PASSWORD)
    first = make.customer("pierwszy@example.test")
    product = make.product("Hosting Start")
    invoice = make.invoice(first)
    hashed = password_hash(PASSWORD)

    def customer(index: int) -> dict[str, Any]:
        email, last = f"klient{index}@example.test", f"Numer{index}"
        return {
            "email": email,
            "password_hash": hashed,
            "first_name": "Klient",
            "last_name": last,
            "search_key": normalise(f"{email} klient {last}"),
        }

    _batches(N_("Customers"), customers - 1, customer, Customer)
    with db.connection():
        ids = [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]
        department = Department.create(name="Techniczny", slug="techniczny")

    def service(index: int) -> dict[str, Any]:
        return {
            "customer": ids[index],
            "product": product.id,
            "cycle": "monthly",
            "status": "active",
            "label": f"strona{index}.pl",
            "anchor_date": date(2026, 3, 1),
            "period_start": date(2026, 3, 1),
            "next_due": date(2026, 4, 1),
            "recurring_net": Decimal("50.00"),
        }

    moment = datetime(2026, 3, 16, 10, 0)

    def ticket(index: int) -> dict[str, Any]:
        return {
            "customer": ids[index],
            "department": department.id,
            "subject": f"Sprawa {index}",
            "status": "open" if index % 3 else "closed",
            "last_reply_at": moment - timedelta(seconds=index),
        }

    _batches(N_("Services"), customers, service, Service)
    _document_copies(invoice, customers, lambda index: ids[index])
    _batches(N_("Tickets"), customers, ticket, Ticket)


def due_services(count: int, tag: str, next_due: date, *, status: str = "active") -> list[int]:
    """``count`` customers, each with billing data and one monthly service due on ``next_due``; their service ids.

    For the renewal benchmark: ``tag`` keeps each call's customers apart (their
    e-mail addresses start with it). The seller and the product are made by
    :func:`prepare` and :func:`renewal_product`.
    """
    hashed = password_hash(PASSWORD)
    product = renewal_product()

    def customer(index: int) -> dict[str, Any]:
        email = f"{tag}{index}@example.test"
        return {
            "email": email,
            "password_hash": hashed,
            "first_name": "Klient",
            "last_name": f"{tag.capitalize()}{index}",
            "search_key": normalise(f"{email} klient {tag}{index}"),
        }

    _batches(N_("Customers"), count, customer, Customer)
    with db.connection():
        ids = [
            c.id for c in Customer.select(Customer.id).where(Customer.email.startswith(f"{tag}")).order_by(Customer.id)
        ]

    def profile(index: int) -> dict[str, Any]:
        return {
            "customer": ids[index],
            "kind": "private",
            "name": f"Klient {tag}{index}",
            "address_line1": "ul. Prosta 1",
            "postcode": "00-001",
            "city": "Warszawa",
            "country": "PL",
        }

    start = date(next_due.year - (next_due.month == 1), (next_due.month - 2) % 12 + 1, min(next_due.day, 28))

    def service(index: int) -> dict[str, Any]:
        return {
            "customer": ids[index],
            "product": product.id,
            "cycle": "monthly",
            "status": status,
            "label": f"{tag}{index}.pl",
            "anchor_date": next_due,
            "period_start": start,
            "next_due": next_due,
            "recurring_net": Decimal("50.00"),
        }

    _batches(N_("Billing data"), count, profile, BillingProfile)
    _batches(N_("Services"), count, service, Service)
    tagged = Customer.select(Customer.id).where(Customer.email.startswith(tag))
    with db.connection():
        return [s.id for s in Service.select(Service.id).where(Service.customer.in_(tagged)).order_by(Service.id)]


def renewal_product() -> Any:
    """The package every benchmark service renews (made once)."""
    from core.models import Product
    from tests.upgrade_helpers import product

    with db.connection():
        found = Product.get_or_none(Product.slug == "bench-hosting")
        return found or product("bench-hosting", "Hosting Bench", {"monthly": "50.00"})
