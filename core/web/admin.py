"""The admin area shell: staff login, customers (search, pagination), staff, activity log.

Every route checks the staff role. Lists are paginated and fetched in a
constant number of queries whatever the page size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from peewee import fn

from core.accounts import service as accounts
from core.balance_view import balance_of
from core.billing_data.service import history as billing_history
from core.i18n import N_
from core.models import ActivityLog, BillingProfile, Customer, Document, Service, Staff
from core.service_status import allowed_statuses, set_service_status
from core.staff import service as staff_service
from core.untrusted import as_page
from core.web import access, confirm
from core.web.access import staff_required
from core.web.auth import login_view
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm, StaffForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 25


def page_number() -> int:
    """The ``page`` query parameter: at least 1, and 1 for anything that is not a page number."""
    return as_page(request.args.get("page"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    return login_view("staff", "admin/login.html", "admin.dashboard")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    access.logout()
    return redirect(url_for("admin.login"))


@bp.route("/")
@staff_required()
def dashboard() -> Any:
    counts = {
        "customers": Customer.select().where(Customer.status == "active").count(),
        "services": Service.select().where(Service.status == "active").count(),
        "unpaid": Document.select().where(Document.status.in_(["unpaid", "partially_paid"])).count(),
    }
    return render_template("admin/dashboard.html", counts=counts)


@bp.route("/customers")
@staff_required()
def customers() -> Any:
    query_text = (request.args.get("q") or "").strip()
    query = Customer.select()
    if query_text:
        query = query.where(Customer.search_key.contains(query_text.casefold()))
    total = query.count()
    page = page_number()
    rows = list(query.order_by(Customer.id.desc()).paginate(page, PAGE_SIZE))
    # One query for the services count of every customer on the page.
    ids = [c.id for c in rows]
    counted = (
        Service.select(Service.customer, fn.COUNT(Service.id))
        .where(Service.customer.in_(ids))
        .group_by(Service.customer)
        .tuples()
    )
    service_counts: dict[int, int] = dict(cast("Iterable[tuple[int, int]]", counted)) if ids else {}
    # One query for the current billing data of every customer on the page:
    # rows in id order, so the last one kept per customer is the newest.
    profiles = (
        {
            p.customer_id: p
            for p in BillingProfile.select().where(BillingProfile.customer.in_(ids)).order_by(BillingProfile.id)
        }
        if ids
        else {}
    )
    return render_template(
        "admin/customers.html",
        customers=rows,
        profiles=profiles,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        q=query_text,
        service_counts=service_counts,
    )


@bp.route("/customers/<int:customer_id>")
@staff_required()
def customer_detail(customer_id: int) -> Any:
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    return render_template(
        "admin/customer.html",
        c=customer,
        services=list(Service.select().where(Service.customer == customer)),
        documents=list(Document.select().where(Document.customer == customer).order_by(Document.id.desc())),
        profiles=billing_history(customer.id),
        balance=balance_of(customer.id),
        log=list(
            ActivityLog.select().where(ActivityLog.customer_id == customer.id).order_by(ActivityLog.id.desc()).limit(50)
        ),
        form=EmptyForm(),
        allowed_statuses=allowed_statuses,
    )


@bp.route("/customers/<int:customer_id>/status", methods=["POST"])
@staff_required("admin", "support")
def customer_status(customer_id: int) -> Any:
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    if EmptyForm().validate_on_submit():
        with FormErrors():
            accounts.set_customer_status(customer, request.form.get("status", ""), g.staff, access.client_ip())
            flash(gettext("The account status was changed."), "success")
    return redirect(url_for("admin.customer_detail", customer_id=customer.id))


#: Service statuses staff confirm before they apply: the question, what happens, the button.
CONFIRMED_STATUSES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "suspended": (
        N_("Suspend the service %(service)s?"),
        (
            N_("The customer's server is suspended now: their sites, mail and databases stop answering."),
            N_("The service stays on the customer's account; unsuspending it brings everything back."),
        ),
        N_("Suspend the service"),
    ),
    "terminated": (
        N_("Terminate the service %(service)s?"),
        (
            N_("The customer's server and everything on it are removed by the provisioning module."),
            N_("This cannot be undone: a terminated service cannot be made active again."),
        ),
        N_("Terminate the service"),
    ),
}


@bp.route("/services/<int:service_id>/status", methods=["POST"])
@staff_required("admin", "support")
def service_status(service_id: int) -> Any:
    service = Service.get_or_none(Service.id == service_id) or abort(404)
    new_status = request.form.get("status", "")
    if EmptyForm().validate_on_submit() and new_status in CONFIRMED_STATUSES and not confirm.confirmed():
        return confirm.ask(
            title=gettext(CONFIRMED_STATUSES[new_status][0], service=service.label or service.product.name),
            what_happens=[gettext(sentence) for sentence in CONFIRMED_STATUSES[new_status][1]],
            confirm_label=gettext(CONFIRMED_STATUSES[new_status][2]),
            cancel_url=url_for("admin.customer_detail", customer_id=service.customer_id),
            fields=confirm.form_values("status", "reason"),
        )
    if EmptyForm().validate_on_submit():
        with FormErrors():
            set_service_status(
                service.id,
                new_status,
                g.staff,
                reason=(request.form.get("reason") or "")[:200],
                ip=access.client_ip(),
            )
            flash(gettext("The service status was changed."), "success")
    return redirect(url_for("admin.customer_detail", customer_id=service.customer_id))


@bp.route("/staff", methods=["GET", "POST"])
@staff_required("admin")
def staff() -> Any:
    form = StaffForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            staff_service.create_staff(
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                actor=g.staff,
                ip=access.client_ip(),
            )
            flash(gettext("Staff account created."), "success")
            return redirect(url_for("admin.staff"))
    members = list(Staff.select().order_by(Staff.id))
    return render_template("admin/staff.html", members=members, form=form, toggle=EmptyForm()), shown.status


@bp.route("/staff/<int:staff_id>/toggle", methods=["POST"])
@staff_required("admin")
def staff_toggle(staff_id: int) -> Any:
    member = Staff.get_or_none(Staff.id == staff_id) or abort(404)
    if EmptyForm().validate_on_submit():
        with FormErrors():
            staff_service.set_active(member, not member.active, actor=g.staff, ip=access.client_ip())
    return redirect(url_for("admin.staff"))


@bp.route("/activity")
@staff_required("admin", "billing", "support")
def activity_log() -> Any:
    query = ActivityLog.select()
    if request.args.get("action"):
        query = query.where(ActivityLog.action.startswith(request.args["action"]))
    total = query.count()
    page = page_number()
    rows = list(query.order_by(ActivityLog.id.desc()).paginate(page, PAGE_SIZE * 2))
    return render_template("admin/activity.html", rows=rows, page=page, pages=max(1, -(-total // (PAGE_SIZE * 2))))
