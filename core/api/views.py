"""The account endpoints of the JSON API: profile, services, invoices, balance.

Every lookup is scoped to ``g.customer`` (set by :func:`core.api.auth.authenticate`
from the token or the session); another customer's object answers 404 JSON, as one
that does not exist. Views read through the domain services and serialize.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify

from core import runtime
from core.api import auth, serialize
from core.balance import ledger
from core.balance.credit import parts_of
from core.balance_view import balance_of
from core.documents.files import document_pdf, file_name
from core.documents.issuing import current_profile
from core.models import Document, Service
from core.payments.recording import amount_due
from core.upgrades.quoting import pending_change
from core.web.scoping import own_document, own_service

bp = Blueprint("api", __name__, url_prefix="/api/v1")
auth.install(bp)


@bp.route("/me")
def me() -> Any:
    """The customer's profile, current billing data and credit balance."""
    customer = g.customer
    return jsonify(
        customer=serialize.customer(customer),
        billing=serialize.billing(current_profile(customer)),
        balance=serialize.money(balance_of(customer.id)),
        currency=str(runtime.config().get_value("app.currency")),
    )


@bp.route("/services")
def services() -> Any:
    """Every service of the customer, oldest first."""
    rows = Service.with_product().where(Service.customer == g.customer).order_by(Service.id)
    return jsonify(services=[serialize.service(s) for s in rows])


@bp.route("/services/<int:service_id>")
def service(service_id: int) -> Any:
    """One service with its product's features and the pending package change."""
    item = own_service(service_id)
    return jsonify(serialize.service(item, detail=True, pending=pending_change(item)))


@bp.route("/invoices")
def invoices() -> Any:
    """Every document of the customer (proformas, VAT invoices, corrections), newest first."""
    rows = (
        Document.select()
        .where(Document.customer == g.customer)
        .order_by(Document.issue_date.desc(), Document.id.desc())
    )
    return jsonify(invoices=[serialize.document(d, amount_due(d)) for d in rows])


@bp.route("/invoices/<int:document_id>")
def invoice(document_id: int) -> Any:
    """One document with its seller, buyer, lines and totals per VAT rate."""
    item = own_document(document_id)
    return jsonify(serialize.document(item, amount_due(item), detail=True))


@bp.route("/invoices/<int:document_id>/pdf")
def invoice_pdf(document_id: int) -> Any:
    """The document's PDF (a download, the same stored file as in the client area)."""
    item = own_document(document_id)
    response = Response(document_pdf(item), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(item, "pdf")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/balance")
def balance() -> Any:
    """The credit balance (and its two parts: staff credit and deposits) and its ledger, newest entry first."""
    customer_id = g.customer.id
    parts = parts_of(customer_id)
    return jsonify(
        balance=serialize.money(balance_of(customer_id)),
        staff_credit=serialize.money(parts.staff_credit),
        deposits=serialize.money(parts.deposits),
        currency=str(runtime.config().get_value("app.currency")),
        entries=[serialize.ledger_entry(e) for e in ledger.history(customer_id)],
    )
