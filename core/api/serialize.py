"""Domain objects as JSON for the API: money as strings with two decimals, dates ISO 8601.

Datetimes are stored as naive UTC; they go out as ISO 8601 with ``Z``. Nothing
here decides anything: it only reads what the domain services returned.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.models import (
    BillingProfile,
    Customer,
    Document,
    LedgerEntry,
    Service,
    ServiceChange,
)
from core.money import CENT


def money(amount: Decimal | int | None) -> str | None:
    """``Decimal("12.5")`` -> ``"12.50"``; None stays None."""
    if amount is None:
        return None
    return str(Decimal(amount).quantize(CENT))


def day(value: date | None) -> str | None:
    """A date as ``YYYY-MM-DD``."""
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    """A stored (naive UTC) datetime as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return value.replace(microsecond=0).isoformat() + "Z" if value is not None else None


def billing(profile: BillingProfile | None) -> dict[str, Any] | None:
    """The current billing data (``Dane do faktury``), or None when none was given."""
    if profile is None:
        return None
    names = ("kind", "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country")
    return {**{n: getattr(profile, n) for n in names}, "updated_at": moment(profile.created_at)}


def customer(item: Customer) -> dict[str, Any]:
    """The customer's own profile fields."""
    return {
        "id": item.id,
        "email": item.email,
        "first_name": item.first_name,
        "last_name": item.last_name,
        "phone": item.phone,
        "language": item.language,
        "status": item.status,
        "created_at": moment(item.created_at),
    }


def change(item: ServiceChange | None) -> dict[str, Any] | None:
    """A pending package change (awaiting payment or scheduled)."""
    if item is None:
        return None
    return {
        "id": item.id,
        "direction": item.direction,
        "status": item.status,
        "to_product": {"id": item.to_product_id, "name": item.to_product.name},
        "to_cycle": item.to_cycle,
        "apply_on": day(item.apply_on),
        "document_id": item.document_id,
        "created_at": moment(item.created_at),
    }


def service(item: Service, *, detail: bool = False, pending: ServiceChange | None = None) -> dict[str, Any]:
    """A service; ``detail`` adds the product's features and the pending change."""
    data: dict[str, Any] = {
        "id": item.id,
        "label": item.label,
        "status": item.status,
        "product": {"id": item.product_id, "name": item.product.name, "slug": item.product.slug},
        "cycle": item.cycle,
        "recurring_net": money(item.recurring_net),
        "period_start": day(item.period_start),
        "next_due": day(item.next_due),
        "created_at": moment(item.created_at),
    }
    if detail:
        data["features"] = [{"label": label, "value": value} for label, value in (item.product.features or [])]
        data["pending_change"] = change(pending)
    return data


def document(item: Document, due: Decimal, *, detail: bool = False) -> dict[str, Any]:
    """A proforma, VAT invoice or correction; ``detail`` adds parties, lines and rate totals."""
    data: dict[str, Any] = {
        "id": item.id,
        "number": item.number,
        "kind": item.kind,
        "status": item.status,
        "issue_date": day(item.issue_date),
        "due_date": day(item.due_date),
        "currency": item.currency,
        "total_net": money(item.total_net),
        "total_vat": money(item.total_vat),
        "total_gross": money(item.total_gross),
        "paid": money(item.paid),
        "amount_due": money(due),
        "paid_at": moment(item.paid_at),
    }
    if detail:
        snap = item.snapshot or {}
        data.update(
            {
                "sale_date": snap.get("sale_date"),
                "seller": snap.get("seller"),
                "buyer": snap.get("buyer"),
                "lines": snap.get("lines", []),
                "totals_by_rate": snap.get("totals", []),
                "notes": snap.get("notes", []),
                "proforma_id": item.proforma_id,
                "corrects_id": item.corrects_id,
                "superseded_by_id": item.superseded_by_id,
            }
        )
    return data


def ledger_entry(item: LedgerEntry) -> dict[str, Any]:
    """One balance ledger entry (positive adds credit, negative spends it)."""
    return {
        "id": item.id,
        "kind": item.kind,
        "amount": money(item.amount),
        "document_id": item.document_id,
        "reason": item.reason,
        "created_at": moment(item.created_at),
    }
