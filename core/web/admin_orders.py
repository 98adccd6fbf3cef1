"""Staff: the orders list (filters, status) and an order's page (items, documents, payments, terms and
consent records), with cancelling an unpaid order and deciding an order that waits for VIES.

Views parse and render; cancelling and deciding are :mod:`core.orders` services.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core.accounts import search
from core.models import Document, Payment
from core.orders.cancelling import cancel_order
from core.orders.listing import orders_page
from core.orders.models import ORDER_STATUSES, Order, OrderService, VatCheck, order_items
from core.orders.placing import order_number
from core.web import access
from core.web.access import staff_required
from core.web.admin import cursor_args
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm

bp = Blueprint("admin_orders", __name__, url_prefix="/admin/orders")


@bp.route("")
@staff_required()
def index() -> Any:
    """Orders, newest first, a page at a time, filtered by status and by the customer's e-mail or name."""
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()
    page = orders_page(status, q, **cursor_args())
    return render_template(
        "admin/orders.html",
        orders=page.rows,
        page=page,
        status=status if status in ORDER_STATUSES else "",
        q=q,
        too_short=bool(q) and not search.searchable(q),
        min_length=search.MIN_LENGTH,
        statuses=ORDER_STATUSES,
        number=order_number,
    )


@bp.route("/<int:order_id>")
@staff_required()
def detail(order_id: int) -> Any:
    """One order with everything staff check: items, documents, payments, the terms and consent records."""
    order = Order.get_or_none(Order.id == order_id) or abort(404)
    documents = list(
        Document.select()
        .where(
            (Document.id == (order.document_id or 0))
            | (Document.proforma_id == (order.document_id or 0))
            | ((Document.purpose == "withdrawal") & (Document.purpose_ref == order.id))
        )
        .order_by(Document.id)
    )
    payments = list(Payment.select().where(Payment.document == (order.document_id or 0)).order_by(Payment.id))
    check = VatCheck.get_or_none(VatCheck.id == order.vat_check_id) if order.vat_check_id else None
    return render_template(
        "admin/order.html",
        order=order,
        number=order_number(order),
        items=order_items(order),
        documents=documents,
        payments=payments,
        services=[link.service for link in OrderService.select().where(OrderService.order == order)],
        vat_check=check,
        form=EmptyForm(),
    )


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@staff_required("admin", "billing")
def cancel(order_id: int) -> Any:
    """Cancel an unpaid order by hand."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with FormErrors():
        cancel_order(order_id, actor=g.staff, reason="staff", ip=access.client_ip())
        flash(gettext("The order was cancelled."), "success")
    return redirect(url_for("admin_orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/decide", methods=["POST"])
@staff_required("admin", "billing")
def decide(order_id: int) -> Any:
    """Accept (the EU VAT ID is valid: issue the proforma) or refuse an order waiting for VIES."""
    from core.orders.waiting import decide_order

    if not EmptyForm().validate_on_submit():
        abort(400)
    valid = request.form.get("valid") == "1"
    with FormErrors():
        decide_order(order_id, valid, g.staff, ip=access.client_ip())
        flash(gettext("The order was accepted.") if valid else gettext("The order was cancelled."), "success")
    return redirect(url_for("admin_orders.detail", order_id=order_id))
