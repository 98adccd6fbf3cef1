"""Document totals per VAT rate (docs/billing.md rule 1).

Each document line is rounded on its own when it is made (by ``round_money``);
this module only adds whole-grosz lines up. VAT is computed once per rate on the
net sum of that rate, never per line, so the VAT shown per rate is exactly what a
Polish invoice states for it. Grand totals are the sums of the per-rate totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import ZERO, round_money, to_decimal, vat_of


@dataclass(frozen=True)
class RateTotal:
    """Totals of one VAT rate on a document: ``gross == net + vat``."""

    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    """Grand totals of a document: the sums of its per-rate totals."""

    net: Decimal
    vat: Decimal
    gross: Decimal


def require_grosz(value: object, what: str) -> Decimal:
    """Return ``value`` as a Decimal, refusing floats and amounts finer than 0.01.

    Promises: the result equals ``value`` exactly; nothing is rounded here, an
    amount with fractions of a grosz raises ``ValueError`` naming ``what``.
    """
    amount = to_decimal(value)
    if round_money(amount) != amount:
        raise ValueError(f"{what} must be a whole number of grosze, got {amount}")
    return amount


def document_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> list[RateTotal]:
    """Return one ``RateTotal`` per VAT rate of ``lines``, highest rate first.

    ``lines`` are ``(net, vat_rate_percent)`` pairs; a net may be negative (a
    credit line). Promises: per rate, ``net`` is the exact sum of its lines' nets,
    ``vat = vat_of(net, rate)`` computed once on that sum, ``gross = net + vat``.
    Equal rates written differently (``23`` and ``23.00``) are one rate. Raises
    ``ValueError`` for a net that is not whole grosze or a negative rate; an empty
    document gives an empty list.
    """
    nets: dict[Decimal, Decimal] = {}
    for net_value, rate_value in lines:
        net = require_grosz(net_value, "line net")
        rate = to_decimal(rate_value)
        if rate < 0:
            raise ValueError(f"VAT rate must not be negative, got {rate}")
        nets[rate] = nets.get(rate, ZERO) + net
    totals = []
    for rate in sorted(nets, reverse=True):
        net = nets[rate]
        vat = vat_of(net, rate)
        totals.append(RateTotal(rate=rate, net=net, vat=vat, gross=net + vat))
    return totals


def grand_totals(rate_totals: Sequence[RateTotal]) -> Totals:
    """Return the document's grand totals: the exact sums over ``rate_totals``.

    Promises: no rounding and no VAT recomputation; ``gross == net + vat``.
    """
    net = sum((t.net for t in rate_totals), ZERO)
    vat = sum((t.vat for t in rate_totals), ZERO)
    return Totals(net=net, vat=vat, gross=net + vat)
