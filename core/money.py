"""Money: the one place where amounts are made and rounded.

Every amount in hookbill is a :class:`decimal.Decimal`. Floats are refused on the
way in, and the only rounding rule is half-up to 0.01 (one grosz), applied by
:func:`round_money`. Nothing else in the code base quantizes money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The largest amount hookbill takes, either sign: a trillion less a grosz.
#: Far above any invoice, far below what the storage (integer grosze in 64
#: bits) and Decimal's default precision (28 digits) hold, so no sum of real
#: amounts comes near a limit, and a made-up figure of a thousand digits is
#: refused as input instead of failing deep inside a transaction.
MAX_AMOUNT = Decimal("999999999999.99")


class MoneyError(ValueError):
    """Raised when a value cannot be taken as an exact amount of money."""


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as an exact Decimal; refuse floats and junk.

    Accepts Decimal, int and str (``"12.30"``, ``"12,30"``). A float is refused,
    because it has already lost the exact amount, and so is anything larger
    than :data:`MAX_AMOUNT` either way: every amount from a form, the API or a
    gateway passes here first, so that bound holds everywhere.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"refusing {type(value).__name__} as money: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    if abs(result) > MAX_AMOUNT:
        raise MoneyError(f"not a plausible amount: {_shorten(value)}")
    return result


def _shorten(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def round_money(value: object) -> Decimal:
    """Round to 0.01 half-up: the single rounding rule of docs/billing.md rule 1."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_of(net: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT on a net sum at ``rate_percent`` (e.g. ``Decimal("23")``), rounded once."""
    return round_money(to_decimal(net) * to_decimal(rate_percent) / Decimal(100))
