"""Factories for test data, made the way the panel makes it: through the domain services.

A customer is registered with :func:`core.accounts.service.register_customer`
(so ``on_customer_registered`` runs and the verification mail is queued) and
verified with a real token; billing data go through
:func:`core.billing_data.service.change_billing_data`; staff accounts through
:func:`core.staff.service.create_staff`; the catalogue through
:mod:`core.catalogue.service`; documents are issued with
:func:`core.documents.issuing.issue_document` and paid with
:func:`core.payments.recording.record_payment`, so every hook a plugin
implements runs as it would in production. A service is written as a row: the
panel has no service for creating one yet (orders come from outside).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import clock, db, runtime
from core.accounts import tokens
from core.accounts.service import register_customer, verify_email
from core.billing.cycles import Cycle, add_cycles
from core.billing_data.service import change_billing_data
from core.catalogue.service import create_group, create_product, set_change_paths, update_product
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Customer, Document, Product, ProductChangePath, ProductGroup, ProductPrice, Service, Staff
from core.payments.recording import PaymentOutcome, amount_due, record_payment
from core.seller import update_seller
from core.staff.service import create_staff

#: The password of every account the factories make.
PASSWORD = "correct horse battery"

#: Seller data that pass validation (a real NIP checksum, a valid IBAN).
SELLER: dict[str, str] = {
    "name": "Hostownia Testowa sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Prosta 1",
    "postcode": "00-001",
    "city": "Warszawa",
    "country": "PL",
    "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
    "bank_name": "Bank Testowy",
    "email": "faktury@hookbill.test",
}

#: Billing data of a private person and of a Polish company.
PRIVATE: dict[str, str] = {
    "kind": "private",
    "name": "Ala Nowak",
    "address_line1": "ul. Długa 5",
    "postcode": "80-831",
    "city": "Gdańsk",
    "country": "PL",
}
COMPANY: dict[str, str] = {
    "kind": "company",
    "name": "Żuraw sp. z o.o.",
    "tax_id": "5260250274",
    "address_line1": "ul. Piotrkowska 120",
    "postcode": "90-006",
    "city": "Łódź",
    "country": "PL",
}

Lines = Sequence[LineInput | tuple[str, Any] | tuple[str, Any, str]]


class Factories:
    """Makes staff, customers, products, services and documents in the test's database."""

    def __init__(self) -> None:
        self._seq = itertools.count(1)

    def _next(self) -> int:
        return next(self._seq)

    # -- people --------------------------------------------------------------------

    def staff(self, email: str | None = None, role: str = "admin", password: str = PASSWORD, name: str = "") -> Staff:
        """An active staff member with ``role`` (admin, billing or support)."""
        email = email or f"staff{self._next()}@hookbill.test"
        with db.connection():
            return create_staff(email, name or f"Staff {role}", role, password, via="testing kit")

    def customer(
        self,
        email: str | None = None,
        *,
        password: str = PASSWORD,
        first_name: str = "Ala",
        last_name: str = "Nowak",
        language: str | None = None,
        billing: str | Mapping[str, str] | None = "private",
        verified: bool = True,
    ) -> Customer:
        """A registered customer, e-mail verified unless ``verified=False``.

        ``billing`` is ``"private"``, ``"company"``, a dict of billing-data fields
        (see :data:`PRIVATE`), or None for none. ``language`` defaults to the
        provider's (``app.language``).
        """
        email = email or f"customer{self._next()}@hookbill.test"
        lang = language or str(runtime.config().get_value("app.language"))
        with db.connection():
            customer = register_customer(email, password, first_name, last_name, language=lang)
            if verified:
                with db.write_transaction():
                    raw = tokens.issue("verify_email", "customer", customer.id, timedelta(hours=1))
                verify_email(raw)
            if billing is not None:
                fields = {"private": PRIVATE, "company": COMPANY}[billing] if isinstance(billing, str) else billing
                change_billing_data(customer, fields, actor=customer)
            return Customer.get_by_id(customer.id)

    def seller(self, **fields: str) -> dict[str, str]:
        """Store the provider's seller data (:data:`SELLER` with ``fields`` over it), validated."""
        with db.connection():
            return update_seller({**SELLER, **fields}, None)

    # -- catalogue and services ----------------------------------------------------

    def product(
        self,
        name: str = "Hosting Basic",
        *,
        slug: str | None = None,
        prices: Mapping[str, Any] | None = None,
        group: str = "hosting",
        features: list[list[str]] | None = None,
        vat_rate: str = "",
        changes_to: Sequence[Product] = (),
    ) -> Product:
        """A product with net ``prices`` per cycle (default ``{"monthly": "50.00"}``).

        ``changes_to`` lists products a service of this one may be changed to
        (and back).
        """
        slug = slug or f"product-{self._next()}"
        with db.connection(), db.write_transaction():
            product_group = ProductGroup.get_or_none(ProductGroup.slug == group) or create_group(
                group.capitalize(), group
            )
            product = create_product(product_group.id, name, slug, features=features or [])
            update_product(
                product,
                name=name,
                features=features or [],
                vat_rate=vat_rate,
                prices={str(Cycle(cycle)): price for cycle, price in (prices or {"monthly": "50.00"}).items()},
                targets=[other.id for other in changes_to],
            )
            for other in changes_to:
                current = [
                    path.target_id for path in ProductChangePath.select().where(ProductChangePath.product == other)
                ]
                set_change_paths(other, [*current, product.id])
        return Product.get_by_id(product.id)

    def service(
        self,
        customer: Customer,
        product: Product | None = None,
        *,
        cycle: str = "monthly",
        start: date | None = None,
        label: str = "example.test",
        status: str = "active",
    ) -> Service:
        """A service of ``customer`` on ``product`` whose current period starts on ``start`` (today).

        The price is the product's price for ``cycle``; the next due date is one
        cycle after ``start``, which is also the billing anchor.
        """
        product = product or self.product()
        begin = start or clock.today()
        with db.connection(), db.write_transaction():
            price = ProductPrice.get((ProductPrice.product == product) & (ProductPrice.cycle == str(Cycle(cycle))))
            return Service.create(
                customer=customer,
                product=product,
                cycle=str(Cycle(cycle)),
                status=status,
                anchor_date=begin,
                period_start=begin,
                next_due=add_cycles(begin, Cycle(cycle), 1),
                recurring_net=price.net_price,
                label=label,
            )

    # -- documents and payments ----------------------------------------------------

    def proforma(self, customer: Customer, lines: Lines | None = None, *, due_date: date | None = None) -> Document:
        """A proforma for ``customer`` with ``lines``: ``(description, net)``, ``(description, net, vat_rate)``
        or :class:`~core.documents.build.LineInput` (default: one line of 50.00 net at 23%).

        Issued with ``issue_document`` in a write transaction under the customer's
        lock, so ``on_invoice_issue`` runs (the balance plugin may pay it at once).
        """
        items = [_line(item) for item in (lines or [("Hosting", "50.00")])]
        with db.connection(), db.write_transaction():
            db.lock_customer(customer.id)
            document = issue_document(customer, "proforma", items, due_date=due_date)
        return Document.get_by_id(document.id)

    def pay(
        self,
        document: Document,
        amount: Any = None,
        *,
        method: str = "banktransfer",
        transaction_id: str | None = None,
    ) -> PaymentOutcome:
        """Record a payment of ``amount`` (default: what is due) for ``document`` by ``method``.

        A proforma paid in full gets its VAT invoice in the same transaction
        (see :meth:`invoice`).
        """
        with db.connection():
            fresh = Document.get_by_id(document.id)
            value = amount if amount is not None else amount_due(fresh)
            return record_payment(method, transaction_id or f"test-{self._next()}", value, fresh)

    def invoice(self, customer: Customer, lines: Lines | None = None) -> Document:
        """A VAT invoice: a proforma with ``lines`` paid in full by bank transfer."""
        proforma = self.proforma(customer, lines)
        self.pay(proforma)
        with db.connection():
            return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))

    def top_up(self, customer: Customer, amount: Any, *, method: str = "banktransfer") -> PaymentOutcome:
        """Put ``amount`` on the customer's credit balance as a payment without a document."""
        with db.connection():
            return record_payment(method, f"test-{self._next()}", amount, None, customer_id=customer.id)


def _line(item: LineInput | tuple[Any, ...]) -> LineInput:
    if isinstance(item, LineInput):
        return item
    description, net, *rest = item
    return LineInput(description, Decimal(1), "usł.", Decimal(str(net)), rest[0] if rest else "23")
