"""The quote of a package/cycle change: what ``on_upgrade_quote`` implementations fill.

A :class:`Quote` starts with the facts (service, target product and cycle,
prices, dates, the customer's available balance, the downgrade mode) and no
money lines. The proration plugin (``tryfirst``) adds the credit and charge
lines, the per-rate VAT totals and the ``action``; the balance plugin
(``trylast``) sets ``balance_applied`` and ``to_pay``. The web layer, the JSON
API, the confirm service and the tests all price through the same hook call
(:func:`core.upgrades.quoting.build_quote`).

``to_json()`` freezes a quote into :attr:`core.models.ServiceChange.quote`:
the price the customer confirmed (docs/billing.md rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from core.money import ZERO

#: What confirming the quote does (set by the proration plugin):
#: ``pay`` (net > 0: proforma, rule 7), ``apply`` (net = 0, rule 8, or a
#: downgrade in mode ``none``), ``credit`` (downgrade in mode ``credit``: applies
#: at once, the gross difference goes to the balance), ``schedule`` (downgrade in
#: mode ``end_of_period``: applies on the next due date, no money moves).
QuoteAction = Literal["pay", "apply", "credit", "schedule", ""]
DOWNGRADE_MODES = ("end_of_period", "credit", "none")


@dataclass
class QuoteLine:
    """A money line of the quote: ``credit`` (negative net) or ``charge``.

    ``description`` is the English text also put on the proforma;
    ``product_name`` and ``cycle`` let the summary say it in the customer's language.
    """

    kind: Literal["credit", "charge"]
    description: str
    net: Decimal
    product_name: str
    cycle: str
    vat_rate: str = "23"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (Decimal as string)."""
        return {
            "kind": self.kind,
            "description": self.description,
            "net": str(self.net),
            "product_name": self.product_name,
            "cycle": self.cycle,
            "vat_rate": self.vat_rate,
        }


@dataclass
class Quote:
    """A mutable quote; see the module docstring for who fills what.

    Never change ``service``, ``target`` or ``target_cycle`` in a hook.
    ``net``/``vat``/``gross`` are the document totals (VAT once per rate,
    docs/billing.md rule 1); for a downgrade they are negative.
    """

    service: Any
    target: Any
    target_cycle: str
    change_date: date
    old_price: Decimal
    new_price: Decimal
    vat_rate: str
    balance_available: Decimal
    downgrade_mode: str
    created_at: datetime
    lines: list[QuoteLine] = field(default_factory=list)
    remaining_days: int = 0
    period_days: int = 0
    same_cycle: bool = True
    new_period_start: date | None = None
    new_next_due: date | None = None
    new_anchor: date | None = None
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    balance_applied: Decimal = ZERO
    to_pay: Decimal = ZERO
    action: QuoteAction = ""
    apply_on: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def credit(self) -> Decimal:
        """The credit for the unused part of the old package (positive number)."""
        return -sum((line.net for line in self.lines if line.kind == "credit"), ZERO)

    @property
    def charge(self) -> Decimal:
        """The charge for the new package."""
        return sum((line.net for line in self.lines if line.kind == "charge"), ZERO)

    @property
    def direction(self) -> str:
        """``upgrade`` (net > 0), ``downgrade`` (net < 0) or ``change`` (net = 0)."""
        return "upgrade" if self.net > 0 else "downgrade" if self.net < 0 else "change"

    @property
    def balance_credit(self) -> Decimal:
        """What a ``credit``-mode downgrade adds to the balance (gross, >= 0)."""
        return -self.gross if self.action == "credit" and self.gross < 0 else ZERO

    def to_json(self) -> dict[str, Any]:
        """The frozen form stored on the ServiceChange (no model objects)."""

        def d(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "service_id": self.service.id,
            "service_version": self.service.version,
            "from_product_id": self.service.product_id,
            "from_cycle": self.service.cycle,
            "to_product_id": self.target.id,
            "to_cycle": self.target_cycle,
            "change_date": d(self.change_date),
            "old_price": str(self.old_price),
            "new_price": str(self.new_price),
            "vat_rate": self.vat_rate,
            "lines": [line.to_json() for line in self.lines],
            "remaining_days": self.remaining_days,
            "period_days": self.period_days,
            "same_cycle": self.same_cycle,
            "new_period_start": d(self.new_period_start),
            "new_next_due": d(self.new_next_due),
            "new_anchor": d(self.new_anchor),
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.gross),
            "balance_available": str(self.balance_available),
            "balance_applied": str(self.balance_applied),
            "to_pay": str(self.to_pay),
            "action": self.action,
            "apply_on": d(self.apply_on),
            "notes": list(self.notes),
            "downgrade_mode": self.downgrade_mode,
            "created_at": self.created_at.isoformat(),
        }

    def public_json(self) -> dict[str, Any]:
        """What the JSON API answers: the frozen form plus the target's name."""
        data = self.to_json()
        data.update(
            to_product=self.target.name,
            from_product=self.service.product.name,
            credit=str(self.credit),
            charge=str(self.charge),
            direction=self.direction,
        )
        return data
