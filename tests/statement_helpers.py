"""A seller, customers with billing data and open proformas, for the bank statement tests (and the benchmark)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from core import clock, db
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import BillingProfile, Customer, Document, LedgerEntry, Payment
from core.money import ZERO
from tests.helpers import make_customer
from tests.upgrade_helpers import setup_seller

DATA = Path(__file__).resolve().parent / "data" / "statements"


def statement(name: str) -> bytes:
    """The bytes of a sample statement in ``tests/data/statements``."""
    return (DATA / name).read_bytes()


def customer(email: str, name: str, *, company: bool = False, tax_id: str = "") -> Customer:
    """A customer whose billing name is ``name`` (a company with ``tax_id``, or a private person)."""
    first, _, last = name.partition(" ")
    made = make_customer(email, first_name=first, last_name=last or first)
    with db.write_transaction():
        BillingProfile.create(
            customer=made,
            kind="company" if company else "private",
            name=name,
            tax_id=tax_id,
            address_line1="ul. Prosta 1",
            postcode="00-001",
            city="Warszawa",
            country="PL",
        )
    return made


def proforma(owner: Customer, net: str = "100.00", description: str = "Hosting Basic") -> Document:
    """An open proforma of ``owner`` for one line of ``net`` at 23% VAT (100.00 net -> 123.00 gross)."""
    with db.write_transaction():
        return issue_document(owner, "proforma", [LineInput(description, Decimal(1), "szt.", Decimal(net))])


def shop(today: str = "2026-03-16T10:00:00") -> None:
    """The clock frozen on ``today`` and the seller's data stored."""
    clock.freeze(today)
    setup_seller()


def booked(document: Document) -> tuple[str, Decimal]:
    """The document's status and what is paid on it, fresh from the database."""
    fresh = Document.get_by_id(document.id)
    return fresh.status, fresh.paid


def payments_total(customer_id: int | None = None) -> Decimal:
    """The sum of every payment (of one customer), whatever its method."""
    query = Payment.select()
    if customer_id is not None:
        query = query.where(Payment.customer == customer_id)
    return sum((p.amount for p in query), ZERO)


def ledger_total(customer_id: int, *kinds: str) -> Decimal:
    """The sum of the customer's ledger entries of ``kinds``."""
    query = LedgerEntry.select().where(LedgerEntry.customer == customer_id)
    if kinds:
        query = query.where(LedgerEntry.kind.in_(kinds))
    return sum((e.amount for e in query), ZERO)


def values(**kwargs: Any) -> dict[str, Any]:
    """Form values with empty defaults."""
    return kwargs
