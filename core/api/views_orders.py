"""The shop endpoints of the JSON API: the catalogue and placing an order.

The same services as the order page and checkout (:mod:`core.orders`), answered
as JSON, with the same rules and errors: bad input 422 ``{"error":
"validation", "fields": {...}}``, a changed price 409 ``quote_changed``, an
unknown or used-up promotion code 422 ``refused`` with the plugin's message.
A retried request with the same ``Idempotency-Key`` header returns the order
the first one placed (200) instead of placing another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from core.api import auth
from core.documents.issuing import buyer_party
from core.errors import ValidationError
from core.i18n import N_
from core.orders.catalogue import catalogue as order_catalogue
from core.orders.placing import order_number, place_order
from core.payments.methods import methods_for
from core.payments.recording import amount_due
from core.web.access import client_ip

bp = Blueprint("api_orders", __name__, url_prefix="/api/v1")
auth.install(bp)


@bp.route("/catalogue")
def catalogue() -> Any:
    """Every orderable package by group, with net and gross prices per cycle (gross at the caller's VAT rate)."""
    groups = order_catalogue(buyer_party(g.customer))
    return jsonify(
        groups=[
            {
                "name": group.group.name,
                "slug": group.group.slug,
                "packages": [
                    {
                        "id": card.product.id,
                        "slug": card.product.slug,
                        "name": card.product.name,
                        "description": card.product.description,
                        "features": [{"label": label, "value": value} for label, value in card.product.features],
                        "max_quantity": card.product.max_quantity,
                        "prices": {
                            p.cycle: {"net": str(p.net), "gross": str(p.gross), "vat_rate": p.vat_rate}
                            for p in card.prices
                        },
                    }
                    for card in group.packages
                ],
            }
            for group in groups
        ]
    )


@bp.route("/orders", methods=["POST"])
def place() -> Any:
    """``POST {"items": [{"product_id", "cycle", "domain", "quantity"}], "accept_terms": "<version>",
    "payment_method", "promo_code"?, "early_start"?, "expected_gross"?}``: place the caller's order."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValidationError({"items": N_("Send a JSON object with a list of items.")})
    items = [i for i in data["items"] if isinstance(i, dict)]
    if len(items) != len(data["items"]):
        raise ValidationError({"items": N_("Send a JSON object with a list of items.")})
    placed = place_order(
        g.customer,
        items,
        accept_terms=str(data.get("accept_terms") or ""),
        payment_method=str(data.get("payment_method") or ""),
        promo_code=str(data.get("promo_code") or ""),
        early_start=data.get("early_start") is True,
        expected_gross=data.get("expected_gross"),
        checkout_token=request.headers.get("Idempotency-Key", ""),
        ip=client_ip(),
    )
    order, document = placed.order, placed.document
    return jsonify(
        id=order.id,
        number=order_number(order),
        status=order.status,
        total_gross=str(order.total_gross),
        promo_code=order.promo_code,
        terms_version=order.terms_version,
        quote=order.quote,
        document=None
        if document is None
        else {
            "id": document.id,
            "number": document.number,
            "status": document.status,
            "total_gross": str(document.total_gross),
            "amount_due": str(amount_due(document)),
            "methods": [m.code for m in methods_for(document)],
        },
    ), (200 if placed.duplicate else 201)
