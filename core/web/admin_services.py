"""Admin area: add a service to a customer by hand, and decide on the customers' cancellation requests.

Views parse the form, check the staff role and CSRF, and call one domain
service (:mod:`core.services.manual`, :mod:`core.services.cancellation`), which
writes the activity log. Bad input shows the form again with its messages (422)
and stores nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core import clock
from core.billing.cycles import Cycle
from core.errors import DomainError, ValidationError
from core.models import Customer, Product, Service
from core.services import cancellation
from core.services.manual import START_STATUSES, add_service
from core.services.models import CANCELLATION_STATUSES, CancellationRequest
from core.web import access
from core.web import confirm as confirm_step
from core.web.access import staff_required
from core.web.admin import cursor_args
from core.web.errors import translated
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm
from core.web.templating import date_filter

bp = Blueprint("admin_services", __name__, url_prefix="/admin")


def _form_ok() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/customers/<int:customer_id>/services/new", methods=["GET", "POST"])
@staff_required("billing")
def new_service(customer_id: int) -> Any:
    """Add a service: package, billing cycle, price, next due date, status, with or without a first proforma."""
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        form = request.form
        try:
            added = add_service(
                customer.id,
                product_id=form.get("product", ""),
                cycle=form.get("cycle", ""),
                price=form.get("price", ""),
                next_due=form.get("next_due", ""),
                status=form.get("status", ""),
                label=form.get("label", ""),
                with_proforma=form.get("with_proforma") == "on",
                staff=g.staff,
                ip=access.client_ip(),
            )
            if added.document is not None:
                flash(
                    gettext("The service was added and its proforma %(number)s issued.", number=added.document.number),
                    "success",
                )
            else:
                flash(gettext("The service was added; no document was issued."), "success")
            return redirect(url_for("admin.customer_detail", customer_id=customer.id))
        except ValidationError as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"form": exc.message}
    products = list(Product.select().order_by(Product.position, Product.name))
    return render_template(
        "admin/service_new.html",
        c=customer,
        products=products,
        cycles=[c.value for c in Cycle],
        statuses=START_STATUSES,
        errors=errors,
        values=request.form,
        today=clock.today(),
        form=EmptyForm(),
    ), (422 if errors else 200)


@bp.route("/cancellations")
@staff_required("billing", "support")
def cancellations() -> Any:
    """Cancellation requests: the open ones first (oldest first), or those of one status, a page at a time."""
    status = request.args.get("status", "open")
    if status != "open" and status not in CANCELLATION_STATUSES:
        status = "all"
    page = cancellation.requests_page(status, **cursor_args())
    return render_template(
        "admin/cancellations.html",
        rows=page.rows,
        page=page,
        status=status,
        statuses=CANCELLATION_STATUSES,
        today=clock.today(),
        form=EmptyForm(),
    )


def _request_or_404(request_id: int) -> CancellationRequest:
    found = CancellationRequest.get_or_none(CancellationRequest.id == request_id)
    if found is None:
        abort(404)
    return found


@bp.route("/cancellations/<int:request_id>/approve", methods=["POST"])
@staff_required("billing", "support")
def approve(request_id: int) -> Any:
    """Approve a request (after a confirmation step: it may end the service now)."""
    found = _request_or_404(request_id)
    _form_ok()
    service = Service.get_by_id(found.service_id)
    name = service.label or service.product.name
    if not confirm_step.confirmed():
        ends_now = found.ends_on <= clock.today()
        return confirm_step.ask(
            title=gettext("Approve the cancellation of %(name)s?", name=name),
            what_happens=[
                gettext("The service ends now: the provisioning module removes it and everything on it.")
                if ends_now
                else gettext(
                    "The service keeps working until %(date)s; then the provisioning module removes it.",
                    date=date_filter(found.ends_on),
                ),
                gettext("The customer is told by e-mail."),
            ],
            confirm_label=gettext("Approve the cancellation"),
            cancel_url=url_for("admin_services.cancellations"),
            fields=confirm_step.form_values("note"),
        )
    with FormErrors():
        done = cancellation.approve_cancellation(found.id, g.staff, request.form.get("note", ""), ip=access.client_ip())
        flash(
            gettext("The service was cancelled.")
            if done.status == "done"
            else gettext("Approved: the service ends on %(date)s.", date=date_filter(done.ends_on)),
            "success",
        )
    return redirect(url_for("admin_services.cancellations"))


@bp.route("/cancellations/<int:request_id>/refuse", methods=["POST"])
@staff_required("billing", "support")
def refuse(request_id: int) -> Any:
    """Refuse a request with a reason the customer reads."""
    found = _request_or_404(request_id)
    _form_ok()
    try:
        cancellation.refuse_cancellation(found.id, g.staff, request.form.get("note", ""), ip=access.client_ip())
        flash(gettext("The request was refused; the customer was told why."), "success")
    except ValidationError as exc:
        flash(translated(exc.errors.get("note", exc.message)), "error")
    except DomainError as exc:
        flash(translated(exc.message), "error")
    return redirect(url_for("admin_services.cancellations"))
