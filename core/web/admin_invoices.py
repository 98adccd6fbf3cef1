"""Admin area: issue a proforma with lines staff write, or a VAT invoice for a transfer already received.

One page per document, one line per row (description, quantity, unit, net
price, VAT rate); the domain service is :mod:`core.documents.manual`. Bad input
shows the page again with what was typed and a message at each bad field (422);
nothing is issued and no money moves.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core import clock
from core.documents import manual
from core.errors import DomainError, ValidationError
from core.models import Customer
from core.web import access
from core.web.access import staff_required
from core.web.forms import EmptyForm

bp = Blueprint("admin_invoices", __name__, url_prefix="/admin")
ROWS = 5


def _form_ok() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _page(customer: Customer, kind: str, errors: dict[str, str]) -> Any:
    return render_template(
        "admin/document_new.html",
        c=customer,
        kind=kind,
        rows=range(1, ROWS + 1),
        rates=manual.STAFF_RATES,
        default_unit=manual.DEFAULT_UNIT,
        errors=errors,
        values=request.form,
        today=clock.today(),
        form=EmptyForm(),
    ), (422 if errors else 200)


def _issue(customer_id: int, kind: str) -> Any:
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        form = request.form
        rows = manual.lines_from_form(form, ROWS)
        try:
            if kind == "proforma":
                document = manual.issue_proforma(
                    customer.id, rows, due_date=form.get("due_date", ""), staff=g.staff, ip=access.client_ip()
                )
                flash(gettext("Proforma %(number)s was issued.", number=document.number), "success")
            else:
                document = manual.issue_paid_invoice(
                    customer.id,
                    rows,
                    amount=form.get("amount", ""),
                    reference=form.get("transaction_id", ""),
                    day=form.get("received_on", ""),
                    staff=g.staff,
                    ip=access.client_ip(),
                )
                flash(gettext("VAT invoice %(number)s was issued.", number=document.number), "success")
            return redirect(url_for("admin_billing.document", document_id=document.id))
        except ValidationError as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"form": exc.message}
    return _page(customer, kind, errors)


@bp.route("/customers/<int:customer_id>/proformas/new", methods=["GET", "POST"])
@staff_required("billing")
def new_proforma(customer_id: int) -> Any:
    """A proforma with free lines."""
    return _issue(customer_id, "proforma")


@bp.route("/customers/<int:customer_id>/invoices/new", methods=["GET", "POST"])
@staff_required("billing")
def new_invoice(customer_id: int) -> Any:
    """A VAT invoice for a bank transfer already received."""
    return _issue(customer_id, "vat")
