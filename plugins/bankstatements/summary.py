"""The summary of one import, as the admin page and the CLI show it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.i18n import N_
from plugins.bankstatements.models import StatementImport


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary: what (an English message id), how many, how much."""

    key: str
    label: str
    count: int
    total: Decimal


LABELS = (
    ("credits", N_("Credits")),
    ("matched", N_("Matched and booked")),
    ("queued", N_("Waiting for staff")),
    ("known", N_("Already imported or recorded")),
    ("ignored", N_("Ignored: debits, fees and reversals")),
)


def summary_rows(record: StatementImport) -> list[SummaryRow]:
    """Credits, matched, queued, already known and ignored: count and sum of each."""
    return [SummaryRow(key, label, getattr(record, key), getattr(record, f"{key}_sum")) for key, label in LABELS]
