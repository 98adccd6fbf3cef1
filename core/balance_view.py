"""Reading a customer's credit balance (the ledger's sum). Spending lives in the balance plugin."""

from __future__ import annotations

from decimal import Decimal

from peewee import fn

from core.models import LedgerEntry
from core.money import CENT


def balance_of(customer_id: int) -> Decimal:
    """The customer's credit balance: the sum of their ledger entries (gross)."""
    total = (
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount), 0).coerce(False))
        .where(LedgerEntry.customer == customer_id)
        .scalar()
    )
    return (Decimal(int(total or 0)) / 100).quantize(CENT)
