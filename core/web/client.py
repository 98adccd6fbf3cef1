"""The client area shell: dashboard, services, invoices, profile, security.

Every query is scoped to the logged-in customer: another customer's object
answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext

from core.accounts import service as accounts
from core.accounts.verified import blocks
from core.balance_view import balance_of
from core.documents.state import paid_on
from core.models import Document, Service
from core.web import access, confirm
from core.web.access import login_required
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm, PasswordChangeForm, ProfileForm
from core.web.scoping import own_service
from core.web.sessions import current_token_hash

bp = Blueprint("client", __name__)


@bp.route("/")
@login_required
def dashboard() -> Any:
    services = list(
        Service.select()
        .where((Service.customer == g.customer) & (Service.status != "terminated"))
        .order_by(Service.next_due)
    )
    unpaid = list(
        Document.select()
        .where((Document.customer == g.customer) & (Document.status.in_(["unpaid", "partially_paid"])))
        .order_by(Document.issue_date.desc())
    )
    return render_template(
        "client/dashboard.html",
        services=services,
        unpaid=unpaid,
        balance=balance_of(g.customer.id),
        verify_first=blocks(g.customer),
    )


@bp.route("/services")
@login_required
def services() -> Any:
    rows = list(Service.select().where(Service.customer == g.customer).order_by(Service.id))
    return render_template("client/services.html", services=rows)


@bp.route("/services/<int:service_id>")
@login_required
def service_detail(service_id: int) -> Any:
    return render_template("client/service.html", service=own_service(service_id))


@bp.route("/invoices")
@login_required
def invoices() -> Any:
    rows = list(
        Document.select()
        .where(Document.customer == g.customer)
        .order_by(Document.issue_date.desc(), Document.id.desc())
    )
    return render_template(
        "client/invoices.html",
        documents=rows,
        paid_on={d.id: paid_on(d) for d in rows},
        balance=balance_of(g.customer.id),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    customer = g.customer
    form = ProfileForm(obj=customer)
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            fields = {name: getattr(form, name).data for name in ("first_name", "last_name", "phone", "language")}
            accounts.update_profile(customer, fields, ip=access.client_ip())
            session["lang"] = customer.language
            flash(gettext("Your details were saved."), "success")
            return redirect(url_for("client.profile"))
    return render_template(
        "client/profile.html", form=form, password_form=PasswordChangeForm(), logout_form=EmptyForm()
    ), shown.status


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password() -> Any:
    form = PasswordChangeForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            accounts.change_password(
                g.customer,
                "customer",
                form.current_password.data,
                form.new_password.data,
                keep_hash=current_token_hash(),
            )
            flash(gettext("Your password was changed. Other sessions were logged out."), "success")
            return redirect(url_for("client.profile"))
    return render_template(
        "client/profile.html", form=ProfileForm(obj=g.customer), password_form=form, logout_form=EmptyForm()
    ), shown.status if shown.error else 422


@bp.route("/profile/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Any:
    form = EmptyForm()
    if form.validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            title=gettext("Log out on every device?"),
            what_happens=[
                gettext("Every browser and device where you are logged in, this one included, is logged out at once."),
                gettext(
                    "Your API tokens are revoked too: scripts that use them stop working until you create new ones."
                ),
                gettext("To use the panel again, you log in with your e-mail and password."),
            ],
            confirm_label=gettext("Log out everywhere"),
            cancel_url=url_for("client.profile"),
        )
    if form.validate_on_submit():
        accounts.logout_everywhere(g.customer, "customer", ip=access.client_ip())
        session.destroy(keep=access.language_of_session())  # type: ignore[attr-defined]
        flash(gettext("You were logged out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/security")
@login_required
def security() -> Any:
    return render_template("client/security.html")
