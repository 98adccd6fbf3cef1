"""Pages of two-step verification: manage it (customers and staff), the login code form.

Views only parse, authorise and render; :mod:`plugins.totp.service` does the work.
The same views serve three *areas*: the client area (``/security/2fa``), the
admin area (``/admin/security/2fa``) and the forced enrollment of a staff login
when ``totp.require_for_staff`` is on (``/admin/login/2fa/setup``, reachable
in a partial session because it lies under the staff code page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core import clock, db
from core.accounts.service import revoke_sessions
from core.errors import Conflict, DomainError, RateLimited, ValidationError
from core.models import Customer
from core.web import access, confirm
from core.web.access import login_required, staff_required
from core.web.errors import retry_after_headers, translated
from core.web.forms import EmptyForm
from core.web.sessions import current_token_hash
from plugins.totp import service

bp = Blueprint("totp", __name__)
CODE_MINUTES = 10  # a half-logged-in session must give its code within this time


class CodeForm(FlaskForm):
    """A code from the authenticator app (or, where allowed, a recovery code)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])


class DisableForm(FlaskForm):
    """Turning 2FA off: a current code or recovery code, and the password."""

    code = StringField(_l("Code from the app or a recovery code"), validators=[DataRequired(), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@dataclass(frozen=True)
class Area:
    """Where a management page lives: its layout and the endpoints of its forms."""

    name: str
    layout: str
    prefix: str  # endpoint prefix: "client" | "admin" | "forced"

    def url(self, action: str) -> str:
        """URL of ``action`` (manage, start, setup, disable, recovery) in this area."""
        return url_for(f"totp.{self.prefix}_{action}")


CLIENT = Area("client", "client/layout.html", "client")
ADMIN = Area("admin", "admin/layout.html", "admin")
FORCED = Area("forced", "totp/auth_layout.html", "forced")


def qr_data_uri(uri: str) -> str:
    """The ``otpauth://`` URI as an SVG QR code in a data URI (rendered here, no outside service)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped(secret: str) -> str:
    """The base32 secret in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _complete_login(kind: str) -> Any | None:
    """Finish the login now that the second factor passed; None when it is done.

    When a plugin refuses the login (``on_login``), nobody is logged in and the
    answer is the login page again with the plugin's message.
    """
    try:
        access.complete_second_factor()
    except DomainError as exc:
        flash(gettext(exc.message), "error")
        return redirect(url_for("auth.login" if kind == "customer" else "admin.login"))
    return None


def _error_to_form(form: FlaskForm, exc: DomainError) -> int:
    """Put a domain error on the form; return the HTTP status to answer."""
    if isinstance(exc, ValidationError):
        for name, message in exc.errors.items():
            getattr(form, name).errors = [translated(message)]
        return 422
    if isinstance(exc, RateLimited):
        flash(translated(exc.message), "error")
        wait = retry_after_headers(exc)

        @after_this_request
        def _say_when(response: Response) -> Response:
            response.headers.update(wait)  # when to come back: a header, never a sleep here
            return response

        return 429
    if isinstance(exc, service.WrongCode):
        form.code.errors = [translated(exc.message)]
        return 422
    flash(translated(exc.message), "error")
    return 409


# -- shared view bodies ---------------------------------------------------------------


def _manage(account: Any, area: Area, status: int = 200, **forms: Any) -> Any:
    cred = service.credential_of(account)
    return render_template(
        "totp/manage.html",
        area=area,
        layout=area.layout,
        enabled=bool(cred and cred.enabled),
        pending=bool(cred and not cred.enabled),
        codes_left=service.recovery_codes_left(account),
        start_form=EmptyForm(),
        disable_form=forms.get("disable_form") or DisableForm(prefix="disable"),
        recovery_form=forms.get("recovery_form") or CodeForm(prefix="recovery"),
    ), status


def _start(account: Any, area: Area) -> Any:
    if EmptyForm().validate_on_submit():
        try:
            service.begin_enrollment(account, access.client_ip())
        except Conflict as exc:
            flash(translated(exc.message), "error")
            return redirect(area.url("manage"))
    return redirect(area.url("setup"))


def _setup(account: Any, area: Area) -> Any:
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = service.confirm_enrollment(account, form.code.data, access.client_ip())
        except DomainError as exc:
            status = _error_to_form(form, exc)
        else:
            if area is FORCED and (refused := _complete_login("staff")) is not None:
                return refused
            # Sessions opened with the password alone end now: from here on every
            # login needs the code, including one an attacker may already hold.
            with db.write_transaction():
                revoke_sessions(session["_user_kind"], account.id, keep_token_hash=current_token_hash())
            flash(gettext("Two-step verification is on."), "success")
            return render_template("totp/recovery_codes.html", area=area, layout=area.layout, codes=codes)
    pending = service.pending_enrollment(account)
    return render_template(
        "totp/setup.html",
        area=area,
        layout=area.layout,
        form=form,
        start_form=EmptyForm(),
        enrollment=pending,
        secret=grouped(pending.secret) if pending else "",
        qr=Markup(qr_data_uri(pending.uri)) if pending else "",
    ), status


def _disable(account: Any, area: Area) -> Any:
    form = DisableForm(prefix="disable")
    if form.validate_on_submit():
        try:
            service.disable(account, form.code.data, form.password.data, access.client_ip())
        except DomainError as exc:
            return _manage(account, area, _error_to_form(form, exc), disable_form=form)
        flash(gettext("Two-step verification is off."), "success")
        return redirect(area.url("manage"))
    return _manage(account, area, 422, disable_form=form)


def _recovery(account: Any, area: Area) -> Any:
    form = CodeForm(prefix="recovery")
    if form.validate_on_submit():
        try:
            codes = service.regenerate_recovery_codes(account, form.code.data, access.client_ip())
        except DomainError as exc:
            return _manage(account, area, _error_to_form(form, exc), recovery_form=form)
        return render_template("totp/recovery_codes.html", area=area, layout=area.layout, codes=codes)
    return _manage(account, area, 422, recovery_form=form)


def _expired_partial_login() -> bool:
    """True (and the session ended) when the code was not given within :data:`CODE_MINUTES` of the password."""
    started = session.setdefault("_totp_since", clock.utcnow().isoformat())
    if clock.utcnow() - datetime.fromisoformat(started) <= timedelta(minutes=CODE_MINUTES):
        return False
    access.logout()
    flash(gettext("Logging in took too long. Enter your password again."), "info")
    return True


def _login_code(kind: str) -> Any:
    account = access.pending_account()
    login_page = url_for("auth.login" if kind == "customer" else "admin.login")
    if account is None or service.kind_of(account) != kind or _expired_partial_login():
        return redirect(login_page)
    home = url_for("client.dashboard" if kind == "customer" else "admin.dashboard")
    if not service.is_enabled(account):
        if kind == "staff" and service.second_factor_path(account, kind):
            return redirect(url_for("totp.forced_setup"))
        # 2FA was reset meanwhile: the password is enough
        return _complete_login(kind) or redirect(home)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            method = service.verify(account, form.code.data, access.client_ip())
        except DomainError as exc:
            status = _error_to_form(form, exc)
        else:
            if (refused := _complete_login(kind)) is not None:
                return refused
            if method == "recovery":
                flash(
                    gettext("You logged in with a recovery code; %(n)s left.", n=service.recovery_codes_left(account)),
                    "info",
                )
            return redirect(access.after_login_url(home))
    return render_template("totp/login.html", form=form, kind=kind), status


# -- routes ---------------------------------------------------------------------------


@bp.route("/security/2fa")
@login_required
def client_manage() -> Any:
    return _manage(g.customer, CLIENT)


@bp.route("/security/2fa/start", methods=["POST"])
@login_required
def client_start() -> Any:
    return _start(g.customer, CLIENT)


@bp.route("/security/2fa/setup", methods=["GET", "POST"])
@login_required
def client_setup() -> Any:
    return _setup(g.customer, CLIENT)


@bp.route("/security/2fa/disable", methods=["POST"])
@login_required
def client_disable() -> Any:
    return _disable(g.customer, CLIENT)


@bp.route("/security/2fa/recovery-codes", methods=["POST"])
@login_required
def client_recovery() -> Any:
    return _recovery(g.customer, CLIENT)


@bp.route("/login/2fa", methods=["GET", "POST"])
def client_login() -> Any:
    return _login_code("customer")


@bp.route("/admin/security/2fa")
@staff_required()
def admin_manage() -> Any:
    return _manage(g.staff, ADMIN)


@bp.route("/admin/security/2fa/start", methods=["POST"])
@staff_required()
def admin_start() -> Any:
    return _start(g.staff, ADMIN)


@bp.route("/admin/security/2fa/setup", methods=["GET", "POST"])
@staff_required()
def admin_setup() -> Any:
    return _setup(g.staff, ADMIN)


@bp.route("/admin/security/2fa/disable", methods=["POST"])
@staff_required()
def admin_disable() -> Any:
    return _disable(g.staff, ADMIN)


@bp.route("/admin/security/2fa/recovery-codes", methods=["POST"])
@staff_required()
def admin_recovery() -> Any:
    return _recovery(g.staff, ADMIN)


@bp.route("/admin/login/2fa", methods=["GET", "POST"])
def staff_login() -> Any:
    return _login_code("staff")


def _forced_account() -> Any:
    account = access.pending_account()
    if account is None or service.kind_of(account) != "staff" or service.is_enabled(account):
        abort(404)
    return account


@bp.route("/admin/login/2fa/setup/start", methods=["POST"])
def forced_start() -> Any:
    return _start(_forced_account(), FORCED)


@bp.route("/admin/login/2fa/setup", methods=["GET", "POST"])
def forced_setup() -> Any:
    return _setup(_forced_account(), FORCED)


@bp.route("/admin/customers/<int:customer_id>/2fa/reset", methods=["POST"])
@staff_required("admin", "support")
def staff_reset(customer_id: int) -> Any:
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    if EmptyForm().validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            title=gettext("Turn off two-step verification of %(name)s?", name=customer.full_name),
            what_happens=[
                gettext("The customer logs in with the password alone until they turn it on again."),
                gettext("Their authenticator app and recovery codes stop working; they set it up anew."),
                gettext("The customer is told by e-mail, and the reset is written to the activity log."),
                gettext("Do this only after you have confirmed who is asking."),
            ],
            confirm_label=gettext("Reset two-step verification"),
            cancel_url=url_for("admin.customer_detail", customer_id=customer.id),
        )
    if EmptyForm().validate_on_submit() and service.staff_reset(customer, g.staff, access.client_ip()):
        flash(gettext("Two-step verification of this customer was turned off; they were told by e-mail."), "success")
    return redirect(url_for("admin.customer_detail", customer_id=customer.id))
