"""Pricing an order: the cart's items at catalogue prices, the plugins' adjustments, the core's totals.

:func:`build_order_quote` is the one function the order page, the cart, the
checkout, the API and the tests call. It reads the catalogue and the balance,
calls the pure ``on_order_quote`` hook (the promotions plugin lowers items'
prices there, the balance plugin offers the balance), checks that no
implementation touched what it may not, and settles the quote
(:func:`core.orders.quote.settle`). It never writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from core import clock, runtime
from core.balance.credit import parts_of
from core.documents.build import is_reverse_charge
from core.documents.issuing import buyer_party
from core.documents.snapshot import Party
from core.documents.taxation import default_rate, rate_for_buyer
from core.i18n import N_, document_text
from core.models import Customer, ProductPrice
from core.orders.cart import CartItem
from core.orders.quote import OrderQuote, OrderQuoteItem, period_end, settle

CYCLE_WORDS = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "semiannually": N_("semi-annual"),
    "annually": N_("annual"),
    "biennially": N_("two-year"),
    "triennially": N_("three-year"),
}


def is_consumer(buyer: Party | None) -> bool:
    """True for a buyer who is a private person (a consumer): they see gross prices and may withdraw."""
    return buyer is None or buyer.kind == "private"


def item_description(item: CartItem) -> str:
    """The proforma's text for an item, in the provider's document language: what, for which domain, which period."""
    return document_text(
        N_("%(product)s (%(domain)s), %(cycle)s, first period from the day of payment"),
        product=item.product.name,
        domain=item.domain,
        cycle=document_text(CYCLE_WORDS[item.cycle]),
    )


def build_order_quote(
    customer: Customer | None,
    items: Sequence[CartItem],
    *,
    promo_code: str = "",
    buyer: Party | None = None,
    balance: Decimal | None = None,
    staff_credit: Decimal | None = None,
    today: date | None = None,
    hook: Any = None,
) -> OrderQuote:
    """Price ``items`` for ``customer`` (None: a visitor); see the module docstring.

    ``buyer`` defaults to the customer's current billing data (a visitor: a
    private buyer in Poland); ``balance`` to the customer's credit balance and
    ``staff_credit`` to the part of it that is staff credit
    (:func:`core.balance.credit.parts_of`; a ``balance`` given without it is all
    deposits).
    Raises :class:`core.hookspecs.HookRefused` when a plugin refuses (an
    unknown promotion code, say), and RuntimeError when an implementation
    changed what it may not.
    """
    day = today or clock.today()
    if buyer is None and customer is not None:
        buyer = buyer_party(customer)
    prices = {
        (p.product_id, p.cycle): p.net_price
        for p in ProductPrice.select().where(ProductPrice.product.in_([i.product.id for i in items] or [0]))
    }
    quoted = []
    for index, item in enumerate(items):
        rate = rate_for_buyer(item.product, buyer) if buyer is not None else default_rate(item.product)
        quoted.append(
            OrderQuoteItem(
                index=index,
                product=item.product,
                cycle=item.cycle,
                domain=item.domain,
                quantity=item.quantity,
                unit_net=prices[(item.product.id, item.cycle)],
                vat_rate=rate,
                base_vat_rate=default_rate(item.product),
                period_start=day,
                period_end=period_end(day, item.cycle),
                description=item_description(item),
            )
        )
    available = credit = Decimal(0)
    if customer is not None and balance is None:
        parts = parts_of(customer.id)
        available, credit = parts.total, parts.staff_credit
    elif customer is not None and balance is not None:
        available, credit = balance, staff_credit or Decimal(0)
    quote = OrderQuote(
        customer=customer,
        buyer=buyer,
        items=quoted,
        reverse_charge=buyer is not None and is_reverse_charge(buyer),
        promo_code=" ".join(promo_code.split()).upper()[:64],
        balance_available=available,
        staff_credit_available=credit,
        created_at=clock.utcnow(),
        consumer=is_consumer(buyer),
    )
    facts = quote.facts()
    (hook or runtime.hooks()).on_order_quote(quote=quote)
    if quote.facts() != facts:
        raise RuntimeError("an on_order_quote implementation changed the order's customer, buyer or items")
    return settle(quote)
