"""What a promotion code gives, and to which items: pure rules over a code and a quote.

* A code applies on a day within ``[valid_from, valid_to]`` (either may be
  open), when it is active; otherwise it is "unknown or expired", said the
  same way as a code that does not exist (a guess learns nothing).
* It applies to the items whose product and cycle are in its scope (empty
  lists: all). A code that fits nothing in the cart is refused, with a
  message that says so.
* ``percent``: each item in scope is lowered by ``round(list net x value / 100)``;
  ``fixed``: by ``value`` per unit, never below zero. The discount stays on the
  item's line (printed as "rabat").
* ``recurring``: the item renews at the discounted price; else the first period only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.money import ZERO, round_money
from plugins.promotions.models import PromoCode


def normalize(code: str) -> str:
    """A code as stored and compared: trimmed, upper case."""
    return " ".join((code or "").split()).upper()


def is_current(promo: PromoCode, today: date) -> bool:
    """True when ``promo`` is active and ``today`` is within its validity."""
    if not promo.active:
        return False
    if promo.valid_from is not None and today < promo.valid_from:
        return False
    return not (promo.valid_to is not None and today > promo.valid_to)


def in_scope(promo: PromoCode, product_id: int, cycle: str) -> bool:
    """True when ``promo`` covers ``product_id`` on ``cycle``."""
    return (not promo.products or product_id in promo.products) and (not promo.cycles or cycle in promo.cycles)


def discount_for(promo: PromoCode, list_net: Decimal, quantity: int) -> Decimal:
    """The net discount of a line of ``quantity`` units worth ``list_net`` (module docstring)."""
    if promo.kind == "percent":
        amount = round_money(list_net * promo.value / 100)
    else:
        amount = round_money(promo.value * quantity)
    return min(max(amount, ZERO), list_net)


def discounted_price(promo: PromoCode, net: Decimal) -> Decimal:
    """One unit's price for one period with ``promo`` (a recurring code carried over to another package)."""
    return net - discount_for(promo, net, 1)
