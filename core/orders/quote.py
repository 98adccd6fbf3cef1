"""The quote of a new order: the accumulator ``on_order_quote`` implementations change.

It works like the quote of a package change (:mod:`core.upgrades.quote`): the
core puts the facts in (the customer, or none for a visitor's cart; the buyer's
tax treatment; one :class:`OrderQuoteItem` per cart item at its catalogue
price; the available balance), the plugins adjust it, and the core settles it
after every implementation has run (:func:`settle`). What a plugin may do:

* **lower an item's price** with :meth:`OrderQuote.discount_item`: the discount
  stays on the item's own line and is printed on the proforma and the VAT
  invoice as its discount (rabat), never as a separate negative line. Kind
  ``discount``; ``recurring`` says whether later periods keep it;
* **add a line** with :meth:`OrderQuote.add_line` (a ``fee``, say): a
  :class:`core.upgrades.quote.QuoteLine` of the plugin's own kind with a net
  that is not negative (a reduction is a discount on an item instead);
* **offer the balance** (``balance_offered``; the balance plugin does).

The core then computes, from the document the order will issue (one proforma
line per item, then the plugins' lines; :func:`document_lines`), the totals per
VAT rate with VAT once per rate (as the proforma computes it), the staff credit
on the balance given as a discount on those lines (``staff_discounts``, added to
each line's own discount; :mod:`core.balance.credit`), the deposits applied as a
payment and what is left to pay. The order page, the cart, the checkout, the
JSON API and the tests all price through :func:`core.orders.quoting.build_order_quote`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.balance.credit import BalanceParts, BalanceSplit, use_balance
from core.billing.vat import require_grosz
from core.documents.build import LineInput, make_line, rate_totals
from core.money import ZERO, round_money
from core.upgrades.quote import QuoteLine

if TYPE_CHECKING:
    from core.documents.snapshot import Party, RateTotal
    from core.models import Customer, Product

#: The unit of a service line on Polish invoices ("usługa").
UNIT = "usł."


@dataclass
class OrderQuoteItem:
    """One cart item priced: ``quantity`` units of ``product`` on ``cycle`` for ``domain``.

    ``unit_net`` is the catalogue's net price of one unit for one cycle;
    ``discount`` the net discount of the whole line (whole grosze, >= 0, at most
    the line's price), with ``discount_label`` naming it on the pages and
    ``recurring_discount`` whether renewals keep it. ``description`` is the
    proforma's text for the line (the provider's document language), set by
    the core. ``period_start`` and ``period_end`` are the first period if it
    started today (the real one starts on the payment day).
    """

    index: int
    product: Product
    cycle: str
    domain: str
    quantity: int
    unit_net: Decimal
    vat_rate: str
    base_vat_rate: str
    period_start: date
    period_end: date
    description: str = ""
    discount: Decimal = ZERO
    discount_label: str = ""
    recurring_discount: bool = False
    discount_source: str = ""

    @property
    def list_net(self) -> Decimal:
        """The line's net before any discount: ``round(quantity x unit_net)``."""
        return round_money(self.unit_net * self.quantity)

    @property
    def net(self) -> Decimal:
        """The line's net after its discount."""
        return self.list_net - self.discount

    @property
    def recurring_net(self) -> Decimal:
        """The net of one unit for each later period (discounted only by a recurring discount)."""
        if not self.recurring_discount or not self.discount:
            return self.unit_net
        return round_money(self.net / self.quantity)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON of the item (Decimal as string)."""
        return {
            "product_id": self.product.id,
            "product": self.product.name,
            "cycle": self.cycle,
            "domain": self.domain,
            "quantity": self.quantity,
            "unit_net": str(self.unit_net),
            "discount": str(self.discount),
            "discount_label": str(self.discount_label),
            "recurring_discount": self.recurring_discount,
            "net": str(self.net),
            "recurring_net": str(self.recurring_net),
            "vat_rate": self.vat_rate,
            "description": self.description,
        }


@dataclass
class OrderQuote:
    """A mutable order quote; see the module docstring for who fills what.

    **Plugins may change**: the items' discounts (through :meth:`discount_item`),
    ``lines`` (through :meth:`add_line`), ``notes``, ``balance_offered``.
    **Never**: ``customer``, ``buyer``, the items' products, cycles, quantities
    and prices (the core checks). **The core sets after the hook**:
    ``rate_totals``, ``net``/``vat``/``gross``, ``staff_discounts`` (the net
    discount from staff credit on each proforma line) and
    ``staff_credit_applied`` (the gross they take off; from
    ``staff_credit_available``, the part of ``balance_available`` that is staff
    credit), ``balance_applied`` (what deposits pay), ``to_pay``.
    ``customer`` is None for a visitor's cart (priced as a private buyer in Poland).
    """

    customer: Customer | None
    buyer: Party | None
    items: list[OrderQuoteItem]
    reverse_charge: bool
    promo_code: str
    balance_available: Decimal
    created_at: datetime
    consumer: bool = True
    lines: list[QuoteLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    balance_offered: Decimal = ZERO
    staff_credit_available: Decimal = ZERO
    staff_discounts: tuple[Decimal, ...] = ()
    staff_credit_applied: Decimal = ZERO
    rate_totals: tuple[RateTotal, ...] = ()
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    balance_applied: Decimal = ZERO
    to_pay: Decimal = ZERO

    def discount_item(
        self, index: int, amount: Decimal, *, label: str, recurring: bool = False, source: str = ""
    ) -> OrderQuoteItem:
        """Lower item ``index``'s line by ``amount`` net (added to any discount it has); return the item.

        ``amount`` is rounded to whole grosze and capped at what is left of the
        line's price, so a line never goes below zero. ``label`` (a message
        marked for translation) names the discount on the pages; ``source``
        names who gave it (a promotion code).
        """
        item = self.items[index]
        value = min(max(round_money(amount), ZERO), item.net)
        item.discount += value
        item.discount_label = label
        item.recurring_discount = recurring
        item.discount_source = source
        return item

    def add_line(self, kind: str, description: str, net: Decimal, *, label: str = "", vat_rate: str = "") -> QuoteLine:
        """Add a line of the plugin's own ``kind`` (not negative: a reduction is a discount on an item)."""
        if net < 0:
            raise ValueError("an order line is not negative: lower an item with discount_item() instead")
        rate = vat_rate or (self.items[0].vat_rate if self.items else "23")
        line = QuoteLine(kind, description, net, label, "", rate)
        self.lines.append(line)
        return line

    @property
    def discount(self) -> Decimal:
        """The net of every item's discount (a plugin's: a promotion code's)."""
        return sum((item.discount for item in self.items), ZERO)

    @property
    def staff_discount(self) -> Decimal:
        """The net the staff credit takes off the price (the sum of ``staff_discounts``)."""
        return sum(self.staff_discounts, ZERO)

    def staff_discount_of(self, index: int) -> Decimal:
        """The staff-credit discount on item ``index``'s line."""
        return self.staff_discounts[index] if index < len(self.staff_discounts) else ZERO

    def facts(self) -> tuple[Any, ...]:
        """What no plugin may change: customer, buyer, and each item's product, cycle, quantity and price."""
        return (
            id(self.customer),
            self.buyer,
            tuple((id(i.product), i.cycle, i.quantity, i.unit_net, i.domain) for i in self.items),
        )

    def to_json(self) -> dict[str, Any]:
        """The frozen form stored on the order (no model objects)."""
        return {
            "customer_id": self.customer.id if self.customer else None,
            "items": [
                dict(item.to_json(), staff_discount=str(self.staff_discount_of(item.index))) for item in self.items
            ],
            "lines": [line.to_json() for line in self.lines],
            "reverse_charge": self.reverse_charge,
            "promo_code": self.promo_code,
            "totals_by_rate": [total.to_json() for total in self.rate_totals],
            "discount": str(self.discount),
            "staff_credit_available": str(self.staff_credit_available),
            "staff_discounts": [str(amount) for amount in self.staff_discounts],
            "staff_discount": str(self.staff_discount),
            "staff_credit_applied": str(self.staff_credit_applied),
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.gross),
            "balance_available": str(self.balance_available),
            "balance_applied": str(self.balance_applied),
            "to_pay": str(self.to_pay),
            "notes": list(self.notes),
            "created_at": self.created_at.isoformat(),
        }


def document_lines(quote: OrderQuote) -> list[LineInput]:
    """The proforma's lines: one per item (its discount on it), then the plugins' lines. Pure.

    Each line's discount is its item's plus the staff credit's on it
    (``quote.staff_discounts``, once the core has settled the quote).
    """
    lines = plain_lines(quote)
    if not quote.staff_discounts:
        return lines
    return [
        dataclasses.replace(line, discount=line.discount + extra)
        for line, extra in zip(lines, quote.staff_discounts, strict=True)
    ]


def plain_lines(quote: OrderQuote) -> list[LineInput]:
    """The proforma's lines before any staff-credit discount (each item with its own discount). Pure."""
    lines = [
        LineInput(
            item.description,
            Decimal(item.quantity),
            UNIT,
            item.unit_net,
            item.vat_rate,
            base_rate=item.base_vat_rate,
            discount=item.discount,
        )
        for item in quote.items
    ]
    base = quote.items[0].base_vat_rate if quote.items else ""
    lines += [
        LineInput(line.description, Decimal(1), UNIT, line.net, line.vat_rate, base_rate=base) for line in quote.lines
    ]
    return lines


def quote_use(quote: OrderQuote) -> BalanceSplit:
    """How the balance meets the proforma of a settled ``quote``, to issue it with (:func:`plain_lines` + this)."""
    return BalanceSplit(quote.staff_discounts, quote.staff_credit_applied, quote.balance_applied, quote.gross)


def settle(quote: OrderQuote) -> OrderQuote:
    """Compute the totals, the balance applied and what is left to pay from the lines (module docstring).

    Raises ValueError when a discount or line is not whole grosze, or a discount
    exceeds its line.
    """
    for item in quote.items:
        require_grosz(item.discount, f"the discount of item {item.index}")
        if item.discount < 0 or item.discount > item.list_net:
            raise ValueError(f"the discount of item {item.index} is outside 0..{item.list_net}")
    for line in quote.lines:
        require_grosz(line.net, f"the net of the order's {line.kind!r} line")
    staff_credit = max(min(quote.staff_credit_available, quote.balance_available), ZERO)
    parts = BalanceParts(staff_credit, max(quote.balance_available - staff_credit, ZERO))
    quote.staff_discounts = ()
    use = use_balance(
        document_lines(quote), parts, deposits_offered=quote.balance_offered, reverse_charge=quote.reverse_charge
    )
    quote.staff_discounts = use.discounts if use.staff_credit > 0 else ()
    quote.staff_credit_applied = use.staff_credit
    quote.rate_totals = rate_totals(make_line(x, reverse_charge=quote.reverse_charge) for x in document_lines(quote))
    quote.net = sum((t.net for t in quote.rate_totals), ZERO)
    quote.vat = sum((t.vat for t in quote.rate_totals), ZERO)
    quote.gross = sum((t.gross for t in quote.rate_totals), ZERO)
    quote.balance_applied = use.deposits
    quote.to_pay = quote.gross - quote.balance_applied
    return quote


def period_end(start: date, cycle: str) -> date:
    """The end (exclusive) of the first period of ``cycle`` starting on ``start``."""
    from core.billing.cycles import Cycle, add_cycles

    return add_cycles(start, Cycle(cycle), 1)


def last_day(end: date) -> date:
    """The last day of a half-open period ending at ``end``."""
    return end - timedelta(days=1)
