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


def world() -> dict[str, Any]:
    """Jan Kowalski owes PRO/2026/00001 and 00002 (123.00 each), Żuraw sp. z o.o. 00003 (246.00, VAT 46.00),
    Żaneta Gęślińska 00004 (61.50) and Anna Wiśniewska 00005 (123.00); the clock on 2026-03-16."""
    shop()
    jan = customer("jan@example.test", "Jan Kowalski")
    zuraw = customer(
        "biuro@zuraw.test", "Zakład Usług Informatycznych „Żuraw” sp. z o.o.", company=True, tax_id="5260250274"
    )
    zaneta = customer("zaneta@example.test", "Żaneta Gęślińska")
    anna = customer("anna@example.test", "Anna Wiśniewska")
    docs = [proforma(jan), proforma(jan), proforma(zuraw, "200.00"), proforma(zaneta, "50.00"), proforma(anna)]
    assert [d.number for d in docs] == [f"PRO/2026/0000{n}" for n in range(1, 6)]
    return {"jan": jan, "zuraw": zuraw, "zaneta": zaneta, "anna": anna, "docs": docs}


def mt940_statement(
    entries: list[tuple[str, Decimal, str, str, str]], *, day: str = "260316", number: int = 1, encoding: str = "cp852"
) -> bytes:
    """An MT940 (ZBP) statement as a Polish bank writes it: one ``(reference, amount, title, payer, account)``
    per entry.

    A negative amount is a debit; an empty reference is ``NONREF``. Titles and
    names are cut into 27-character sub-fields and the ``:86:`` field into
    65-character lines, CRLF line ends, Polish letters in ``encoding``.
    """
    lines = [f":20:ST{day}CYC/{number}", ":25:/PL61109010140000071219812874", f":28C:{number}/1", f":60F:C{day}PLN0,00"]
    total = ZERO
    for reference, amount, title, payer, account in entries:
        total += amount
        mark = "C" if amount > 0 else "D"
        value = f"{abs(amount):.2f}".replace(".", ",")
        lines.append(
            f":61:{day}{day[2:]}{mark}{value}S034{reference[-10:] or 'NONREF'}"
            + (f"//{reference}" if reference else "")
        )
        details = "034~00PRZELEW" + "".join(
            f"~{20 + n}{title[i : i + 27]}" for n, i in enumerate(range(0, len(title), 27))
        )
        details += "".join(f"~{32 + n}{payer[i : i + 27]}" for n, i in enumerate(range(0, min(len(payer), 54), 27)))
        details += f"~38{account}" if account else ""
        cut = [details[i : i + 65] for i in range(0, len(details), 65)]
        lines.append(":86:" + "\n".join(cut))
    closing = f"{'C' if total >= 0 else 'D'}{day}PLN{abs(total):.2f}".replace(".", ",")
    lines += [f":62F:{closing}", "-"]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
