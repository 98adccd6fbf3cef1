"""The cart: what a visitor or customer is about to order, checked item by item.

A cart is a list of plain dicts (``product_id``, ``cycle``, ``domain``,
``quantity``) kept in the browser's server-side session, so it survives
logging in and signing up (:data:`core.web.access.KEPT_ON_LOGIN`); the JSON API
sends the same items in its request. :func:`check_item` is the one check every
way in uses: the product can be ordered (active, with a price for the cycle), the
domain is a hostname, the quantity is within what the product allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import ValidationError
from core.i18n import N_
from core.models import Product, ProductPrice

#: How many items one cart holds.
MAX_ITEMS = 20
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class CartItem:
    """One checked cart item."""

    product: Product
    cycle: str
    domain: str
    quantity: int

    def to_json(self) -> dict[str, Any]:
        """The form kept in the session (and sent by the API)."""
        return {"product_id": self.product.id, "cycle": self.cycle, "domain": self.domain, "quantity": self.quantity}


def check_hostname(value: object) -> str:
    """``value`` as a lower-case hostname (``example.pl``; an IDN in its ``xn--`` form), or ValidationError.

    A hostname has at least two labels of letters, digits and inner hyphens
    (1-63 characters each, 253 in all) and a top-level label that is not all
    digits. A scheme, a path, a port or spaces are refused, with a message
    that says what is wrong.
    """
    text = str(value or "").strip().lower().rstrip(".")
    message = N_("Enter the domain name alone, like example.pl (no http://, no slashes, no spaces).")
    if not text:
        raise ValidationError({"domain": N_("Enter the domain the hosting is for, like example.pl.")})
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({"domain": message}) from None
    labels = ascii_name.split(".")
    if (
        len(ascii_name) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError({"domain": message})
    return ascii_name


def orderable_product(product_id: object) -> Product:
    """The active product ``product_id`` with at least one price, or ValidationError (``product``)."""
    try:
        pid = int(str(product_id))
    except ValueError:
        pid = 0
    product = Product.get_or_none((Product.id == pid) & Product.active)
    if product is None or not ProductPrice.select().where(ProductPrice.product == product).exists():
        raise ValidationError({"product": N_("This package cannot be ordered.")})
    return product


def check_item(data: Mapping[str, Any]) -> CartItem:
    """Check one cart item (module docstring); ValidationError names every bad field."""
    errors: dict[str, str] = {}
    product = None
    try:
        product = orderable_product(data.get("product_id"))
    except ValidationError as exc:
        errors.update(exc.errors)
    cycle = str(data.get("cycle") or "")
    if (
        product is not None
        and not ProductPrice.select().where((ProductPrice.product == product) & (ProductPrice.cycle == cycle)).exists()
    ):
        errors["cycle"] = N_("That package has no price for this billing cycle.")
    domain = ""
    try:
        domain = check_hostname(data.get("domain"))
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        quantity = int(str(data.get("quantity") or 1))
    except ValueError:
        quantity = 0
    limit = product.max_quantity if product is not None else 1
    if not 1 <= quantity <= max(limit, 1):
        errors["quantity"] = (
            N_("This package is ordered one at a time.")
            if limit <= 1
            else N_("Order between 1 and %(max)s of this package.", max=limit)
        )
    if errors or product is None:
        raise ValidationError(errors)
    return CartItem(product, cycle, domain, quantity)


def check_cart(items: Sequence[Mapping[str, Any]]) -> list[CartItem]:
    """Every item checked; ValidationError (``cart``) for an empty or too long cart, else the first bad item's."""
    if not items:
        raise ValidationError({"cart": N_("Your cart is empty.")})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"cart": N_("A cart holds at most %(max)s items.", max=MAX_ITEMS)})
    return [check_item(item) for item in items]
