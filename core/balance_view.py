"""Reading a customer's credit balance (the ledger's sum). Spending lives in the balance plugin."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from core import prepared
from core.models import LedgerEntry
from core.money import CENT

#: Asked for every proforma issued (the balance plugin pays from it on issue): written once.
BALANCE = (
    f"SELECT COALESCE(SUM({prepared.column(LedgerEntry.amount)}), 0) FROM {prepared.table(LedgerEntry)} "
    f"WHERE {prepared.column(LedgerEntry.customer)} = {{p}}"
)


def balance_of(customer_id: int) -> Decimal:
    """The customer's credit balance: the sum of their ledger entries (gross)."""
    total = prepared.execute(BALANCE, (customer_id,)).fetchone()[0]
    return (Decimal(int(total or 0)) / 100).quantize(CENT)


@dataclass(frozen=True)
class StatementLine:
    """One ledger entry and the balance right after it (a bank statement's last column)."""

    entry: LedgerEntry
    balance_after: Decimal


def statement(customer_id: int, limit: int = 200) -> list[StatementLine]:
    """The customer's newest ``limit`` ledger entries, newest first, each with the balance after it.

    The balance after the newest entry is the sum of every entry up to it (one
    query), and each older line takes the newer entry's amount off; so the first
    line agrees with :func:`balance_of` and the running balance stays right when
    older entries are beyond ``limit``.
    """
    entries = list(
        LedgerEntry.select().where(LedgerEntry.customer == customer_id).order_by(LedgerEntry.id.desc()).limit(limit)
    )
    if not entries:
        return []
    total = (
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount), 0).coerce(False))
        .where((LedgerEntry.customer == customer_id) & (LedgerEntry.id <= entries[0].id))
        .scalar()
    )
    running = (Decimal(int(total or 0)) / 100).quantize(CENT)
    lines = []
    for entry in entries:
        lines.append(StatementLine(entry, running))
        running -= entry.amount
    return lines
