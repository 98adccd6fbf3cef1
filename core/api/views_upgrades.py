"""The package-change endpoints of the JSON API: list the packages, price a change, confirm it.

The same services as the client area's "Upgrade/Downgrade" pages
(:mod:`core.upgrades`), answered as JSON. Every service is the caller's (else
404 JSON); a refusal (bad input 422, a pending change 409, a plugin's
``HookRefused`` 422) answers JSON through the app's error handler, and nothing
of the confirmation is written.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from core.api import auth
from core.errors import ValidationError
from core.i18n import N_
from core.payments.methods import methods_for
from core.payments.recording import amount_due
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote, change_options
from core.web.access import client_ip
from core.web.scoping import own_service

bp = Blueprint("api_upgrades", __name__, url_prefix="/api/v1/services")
auth.install(bp)


@bp.route("/<int:service_id>/packages")
def packages(service_id: int) -> Any:
    """The service's package and the packages it may change to, with net prices per cycle (as the cards page)."""
    service = own_service(service_id)
    return jsonify(
        packages=[
            {
                "id": option.product.id,
                "name": option.product.name,
                "slug": option.product.slug,
                "current": option.current,
                "prices": {cycle: str(net) for cycle, net in option.prices.items()},
                "gross": {cycle: str(gross) for cycle, gross in option.gross.items()},
            }
            for option in change_options(service)
        ]
    )


@bp.route("/<int:service_id>/quote")
def quote(service_id: int) -> Any:
    """``GET ?product=<id>&cycle=<cycle>``: the quote as JSON (422/409/404 as JSON)."""
    service = own_service(service_id)
    priced = build_quote(service, request.args.get("product", ""), request.args.get("cycle", ""))
    return jsonify(priced.public_json())


@bp.route("/<int:service_id>/change", methods=["POST"])
def confirm(service_id: int) -> Any:
    """``POST {"product", "cycle", "expected_gross"?}``: confirm (bearer token, or cookie + ``X-CSRFToken``)."""
    customer = g.customer
    service = own_service(service_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError({"body": N_("Send a JSON object.")})
    result = confirm_change(
        customer.id,
        service.id,
        data.get("product", ""),
        data.get("cycle", ""),
        expected_gross=data.get("expected_gross"),
        actor=customer,
        ip=client_ip(),
    )
    document = result.document
    return jsonify(
        status=result.status,
        change_id=result.change.id,
        quote=result.quote.public_json(),
        document=None
        if document is None
        else {
            "id": document.id,
            "number": document.number,
            "status": document.status,
            "total_gross": str(document.total_gross),
            "paid": str(document.paid),
            "amount_due": str(amount_due(document)),
            "methods": [m.code for m in methods_for(document)],
        },
    ), 201
