"""Proration of a package or cycle change, and paying from the credit balance.

Implements docs/billing.md rules 3, 5 and 6:

* ``remaining = next_due - change_date`` and ``period = next_due - period_start``,
  in whole calendar days of a half-open period ``[period_start, next_due)``.
* ``credit = round(old x remaining / period)`` for the unused part of the old
  package, in both cases.
* Same cycle (rule 5): ``charge = round(new x remaining / period)``; the period,
  the next due date and the anchor stay.
* Other cycle (rule 6): ``charge = round(new)`` (the full new price); the change
  date starts the new period and becomes the new anchor.

Every line is rounded on its own by ``core.money.round_money`` (half-up, 0.01),
and ``net = charge - credit`` is exact. What happens with the net (document, no
document, downgrade policy) is decided by the caller (rules 7-9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.billing.cycles import Cycle, add_cycles
from core.billing.vat import require_grosz
from core.money import round_money, to_decimal


class ProrationError(ValueError):
    """Raised when a change cannot be prorated (bad dates or prices)."""


@dataclass(frozen=True)
class ProrationInput:
    """A requested change: old and new net prices per their own cycle, and dates.

    ``[period_start, next_due)`` is the current, already billed period of the
    service, and ``change_date`` the day the change takes effect.
    """

    old_net_price: Decimal
    old_cycle: Cycle
    new_net_price: Decimal
    new_cycle: Cycle
    period_start: date
    next_due: date
    change_date: date


@dataclass(frozen=True)
class Proration:
    """The arithmetic of a change; ``net`` may be negative (a downgrade).

    ``new_anchor`` is ``None`` when the anchor is unchanged (same cycle); for an
    other-cycle change it is the change date.
    """

    remaining_days: int
    period_days: int
    credit: Decimal
    charge: Decimal
    net: Decimal
    same_cycle: bool
    new_period_start: date
    new_next_due: date
    new_anchor: date | None


def _price(value: object, what: str) -> Decimal:
    try:
        price = to_decimal(value)
    except ValueError as exc:
        raise ProrationError(f"{what}: {exc}") from exc
    if price < 0:
        raise ProrationError(f"{what} must not be negative, got {price}")
    return price


def prorate(inp: ProrationInput) -> Proration:
    """Prorate ``inp`` by docs/billing.md rules 3, 5 and 6, to the grosz.

    Promises: ``credit`` and ``charge`` are each rounded once, half-up to 0.01;
    ``net == charge - credit`` exactly; ``0 <= credit <= round(old)``; for the
    same cycle ``charge <= round(new)``, for another cycle ``charge == round(new)``.
    Same cycle: ``new_period_start/new_next_due`` are the old period, and
    ``new_anchor`` is ``None``. Other cycle: the new period is
    ``[change_date, add_cycles(change_date, new_cycle, 1))`` and ``new_anchor``
    is ``change_date``. Raises ``ProrationError`` (a ``ValueError``) when a price is
    negative or not an exact amount, the period is empty or reversed, or
    ``change_date`` is outside ``[period_start, next_due)``.
    """
    old = _price(inp.old_net_price, "old net price")
    new = _price(inp.new_net_price, "new net price")
    if not inp.period_start < inp.next_due:
        raise ProrationError(f"period start {inp.period_start} must be before next due {inp.next_due}")
    if not inp.period_start <= inp.change_date < inp.next_due:
        raise ProrationError(
            f"change date {inp.change_date} is outside the current period [{inp.period_start}, {inp.next_due})"
        )
    remaining = (inp.next_due - inp.change_date).days
    period = (inp.next_due - inp.period_start).days
    credit = round_money(old * remaining / period)
    same_cycle = inp.old_cycle == inp.new_cycle
    if same_cycle:
        charge = round_money(new * remaining / period)
        new_start, new_due, new_anchor = inp.period_start, inp.next_due, None
    else:
        charge = round_money(new)
        new_start = inp.change_date
        new_due = add_cycles(inp.change_date, inp.new_cycle, 1)
        new_anchor = inp.change_date
    return Proration(
        remaining_days=remaining,
        period_days=period,
        credit=credit,
        charge=charge,
        net=charge - credit,
        same_cycle=same_cycle,
        new_period_start=new_start,
        new_next_due=new_due,
        new_anchor=new_anchor,
    )


def apply_balance(gross_total: Decimal, balance: Decimal) -> tuple[Decimal, Decimal]:
    """Split a document's gross total into ``(applied from balance, to pay)``.

    Rule 7: the credit balance pays towards the document up to its gross total.
    Promises: ``applied == min(balance, gross_total)``, so ``0 <= applied <=
    gross_total`` and ``balance - applied >= 0``; ``to_pay == gross_total -
    applied >= 0``. Both inputs must be non-negative whole grosze (the balance
    ledger never goes below zero), else ``ValueError``; nothing is rounded.
    """
    gross = require_grosz(gross_total, "gross total")
    held = require_grosz(balance, "credit balance")
    if gross < 0:
        raise ValueError(f"gross total must not be negative, got {gross}")
    if held < 0:
        raise ValueError(f"credit balance must not be negative, got {held}")
    applied = min(held, gross)
    return applied, gross - applied
