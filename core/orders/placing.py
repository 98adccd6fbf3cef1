"""Placing an order: the checkout's last step, the one way in for the browser, the API and the tests.

:func:`place_order` checks what the customer sent (the cart, the accepted
terms, the payment method), then in one write transaction under the
customer's money lock: prices the cart again (the quote the customer saw must
still hold: a changed price asks them to confirm the new one), saves the
:class:`Order` and its items, calls ``on_order_placed`` (the promotions plugin
reserves its code's use there, or refuses), and issues one proforma with a line
per item (:func:`issue_proforma`), the staff credit on the balance a discount on
its lines. Issuing it lets the balance plugin pay it from the deposits on the
balance; when that pays it in full the order is paid at once,
in the same transaction (:mod:`core.orders.paying`). The customer gets the
``order_placed`` mail, which repeats their request to start before the
withdrawal period ends, with its time, on a durable medium (art. 21 ust. 2 of
the consumer rights act).

**One order per checkout.** The checkout page carries a random token; an order
is stored with it under a unique index, so a double click (or a retried API
call with the same ``Idempotency-Key``) returns the first order and places
nothing else.

**VIES.** A buyer with an EU VAT ID (reverse charge) needs a VIES answer for
their current billing data: "invalid" refuses the order with a message,
"unavailable" places it as ``awaiting_check``, without a proforma, until a
later check or staff decide (:mod:`core.orders.vies`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import peewee

from core import activity, clock, db, mail, runtime
from core.accounts.verified import check_can_order
from core.balance.credit import BalanceSplit, split_at_issue, staff_credit_notes
from core.documents.build import LineInput
from core.documents.issuing import current_profile, issue_document
from core.errors import Conflict, ValidationError
from core.i18n import N_, document_text
from core.models import Customer, Document
from core.money import to_decimal
from core.orders import terms, vies
from core.orders.cart import check_cart
from core.orders.models import Order, OrderItem, order_items
from core.orders.quote import UNIT, plain_lines, quote_use
from core.orders.quoting import build_order_quote
from core.payments.methods import all_methods


@dataclass(frozen=True)
class Placed:
    """What placing did: the order, its proforma (None while it waits for VIES), and whether it was a repeat."""

    order: Order
    document: Document | None
    duplicate: bool = False


def new_checkout_token() -> str:
    """A fresh random token for one checkout page (module docstring)."""
    return secrets.token_urlsafe(24)


def order_number(order: Order) -> str:
    """How an order is named to people: ``Z/<year>/<id>``."""
    return f"Z/{order.created_at.year}/{order.id:05d}"


def checkout_methods() -> list[Any]:
    """The payment methods a customer can choose at checkout (the balance is applied by itself)."""
    return [m for m in all_methods() if m.code != "balance" and m.enabled()]


def _checked_method(code: str) -> str:
    codes = [m.code for m in checkout_methods()]
    if code and code not in codes:
        raise ValidationError({"payment_method": N_("Choose a payment method.")})
    return code


def frozen_lines(order: Order) -> list[LineInput]:
    """The proforma lines of the quote frozen on ``order`` (an order that waited for VIES is issued with them)."""
    from decimal import Decimal

    from core.documents.taxation import default_rate
    from core.models import Product

    lines = []
    for item in order.quote["items"]:
        product = Product.get_by_id(item["product_id"])
        lines.append(
            LineInput(
                item["description"],
                Decimal(item["quantity"]),
                UNIT,
                Decimal(item["unit_net"]),
                item["vat_rate"],
                base_rate=default_rate(product),
                discount=Decimal(item["discount"]),
            )
        )
    lines += [
        LineInput(line["description"], Decimal(1), UNIT, Decimal(line["net"]), line["vat_rate"])
        for line in order.quote["lines"]
    ]
    return lines


def issue_proforma(order: Order, lines: Sequence[LineInput], use: BalanceSplit | None = None) -> Document:
    """Issue the order's proforma (one line per item, then plugins' lines) inside the caller's transaction.

    ``use`` is how the customer's balance meets it (the quote's, priced under
    the same lock); by default it is decided now (:func:`core.balance.credit.split_at_issue`):
    the staff credit on the balance becomes a discount on the lines, and the
    ledger is debited by what it takes.
    """
    if use is None:
        use = split_at_issue(order.customer, lines)
    days = int(runtime.config().get_value("billing.proforma_due_days") or 7)
    document = issue_document(
        order.customer,
        "proforma",
        use.applied_to(lines),
        due_date=clock.today() + timedelta(days=days),
        purpose="order",
        purpose_ref=order.id,
        notes=[document_text(N_("Order %(number)s"), number=order_number(order)), *staff_credit_notes(use.discount)],
        staff_credit=use.staff_credit,
    )
    Order.update(document_id=document.id).where(Order.id == order.id).execute()
    return Document.get_by_id(document.id)


def place_order(
    customer: Customer,
    items: Sequence[Mapping[str, Any]],
    *,
    accept_terms: str | bool,
    payment_method: str = "",
    promo_code: str = "",
    early_start: bool = False,
    expected_gross: object = None,
    checkout_token: str = "",
    ip: str = "",
) -> Placed:
    """Place the customer's order; see the module docstring.

    ``accept_terms`` is True or the version of the terms the customer accepted
    (it must be the version in force). Raises ValidationError for a bad cart,
    terms not accepted or an unknown payment method; Conflict (``quote_changed``)
    when the price differs from ``expected_gross``, and (``vat_id_invalid``) when
    VIES says the buyer's EU VAT ID is not valid; HookRefused when a plugin refuses.
    """
    cart = check_cart(list(items))
    version = terms.terms_version()
    if accept_terms is not True and str(accept_terms or "") != version:
        raise ValidationError({"terms": N_("To order, accept the terms.")})
    method = _checked_method(str(payment_method or ""))
    token = str(checkout_token or "").strip()[:64] or new_checkout_token()
    _check_can_order(customer)
    check = vies.check_customer(customer) if vies.needs_check(customer) else None
    if check is not None and check.status not in (*vies.ACCEPTED, "unavailable"):
        raise Conflict(
            N_(
                "VIES says your EU VAT ID %(vat_id)s is not active, so we cannot invoice you without VAT. "
                "Check the number in your billing data, or order as a company from Poland or a private person.",
                vat_id=check.vat_id,
            ),
            code="vat_id_invalid",
        )
    try:
        with db.write_transaction():
            db.lock_customer(customer.id)
            existing = Order.get_or_none(Order.checkout_token == token)
            if existing is not None:
                return _repeat(existing, customer)
            quote = build_order_quote(customer, cart, promo_code=promo_code)
            if expected_gross not in (None, "") and to_decimal(expected_gross) != quote.gross:
                raise Conflict(
                    N_("The price changed since you saw the summary. Please check it again."), code="quote_changed"
                )
            if quote.to_pay > 0 and not method:
                raise ValidationError({"payment_method": N_("Choose a payment method.")})
            waits = check is not None and check.status not in vies.ACCEPTED
            now = clock.utcnow()
            profile = current_profile(customer)
            order = Order.create(
                customer=customer,
                status="awaiting_check" if waits else "awaiting_payment",
                currency=str(runtime.config().get_value("app.currency")),
                total_gross=quote.gross,
                quote=quote.to_json(),
                terms_version=version,
                terms_accepted_at=now,
                consumer=quote.consumer,
                early_start_at=now if early_start and quote.consumer else None,
                payment_method=method,
                promo_code=quote.promo_code,
                billing_profile_id=profile.id if profile else None,
                vat_check_id=check.id if check else None,
                checkout_token=token,
                ip=ip,
            )
            for item in quote.items:
                OrderItem.create(
                    order=order,
                    position=item.index,
                    product=item.product,
                    cycle=item.cycle,
                    domain=item.domain,
                    quantity=item.quantity,
                    unit_net=item.unit_net,
                    discount=item.discount,
                    recurring_net=item.recurring_net,
                    description=item.description[:255],
                )
            runtime.hooks().on_order_placed(order=order, quote=quote)
            document = None if waits else issue_proforma(order, plain_lines(quote), quote_use(quote))
            order = Order.get_by_id(order.id)
            activity.record(
                "order.placed",
                actor=customer,
                subject=order,
                customer_id=customer.id,
                ip=ip,
                number=order_number(order),
                gross=str(quote.gross),
                promo_code=quote.promo_code,
                terms_version=version,
                early_start=bool(order.early_start_at),
                document=document.number if document else "",
            )
            mail.queue_mail(
                customer.email,
                "order_placed",
                customer.language,
                customer=customer,
                order=order,
                number=order_number(order),
                items=order_items(order),
                document=document,
                gross=quote.gross,
                currency=order.currency,
            )
            return Placed(order, document)
    except peewee.IntegrityError:
        existing = Order.get_or_none(Order.checkout_token == token)
        if existing is None:
            raise
        return _repeat(existing, customer)


def _repeat(order: Order, customer: Customer) -> Placed:
    """The order a repeated checkout token placed (another customer's token is refused)."""
    if order.customer_id != customer.id:
        raise Conflict(N_("This checkout was used already. Please start again."), code="checkout_used")
    document = Document.get_or_none(Document.id == order.document_id) if order.document_id else None
    return Placed(order, document, duplicate=True)


def _check_can_order(customer: Customer) -> None:
    """The account rule for ordering: a confirmed e-mail address, when the provider requires one."""
    check_can_order(customer)
