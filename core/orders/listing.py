"""Orders as staff list them: newest first, a page at a time, by status and by the customer's search text.

A page is read by keyset (:mod:`core.keyset`), each order with its customer in
the same statement, so a page costs the same at a hundred orders and at a
million; the customer search goes through the customers' trigram index
(:mod:`core.accounts.search`), never ``LIKE '%...%'`` over every order.
"""

from __future__ import annotations

from core.accounts import search
from core.keyset import Page, keyset_page
from core.models import Customer
from core.orders.models import ORDER_STATUSES, Order

#: Orders on one page.
PAGE_SIZE = 50


def orders_page(
    status: str = "",
    text: str = "",
    *,
    size: int = PAGE_SIZE,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """One page of orders, newest first, each with ``order.customer`` read with it.

    ``status`` one of :data:`ORDER_STATUSES` keeps the orders in it (anything
    else: every status); ``text`` keeps the orders of customers whose search
    text contains it, when it is long enough to search for
    (:func:`core.accounts.search.searchable`; shorter text is ignored, the
    caller says so). ``after`` / ``before`` are :func:`core.keyset.keyset_page`'s cursors.
    """
    query = Order.select(Order, Customer).join(Customer, on=(Order.customer == Customer.id))
    if status in ORDER_STATUSES:
        query = query.where(Order.status == status)
    if text and search.searchable(text):
        query = search.matching(query, text)
    return keyset_page(query, [Order.id], size=size, after=after, before=before)
