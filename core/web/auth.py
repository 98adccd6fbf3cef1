"""Customer login, logout, registration, e-mail verification, password reset, language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext

from core.accounts import service, verified
from core.errors import DomainError, RateLimited
from core.web import access
from core.web.errors import retry_after_headers, translated, wants_json
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm, ForgotForm, LoginForm, RegisterForm, ResetForm
from core.web.redirects import back_to, local_path

bp = Blueprint("auth", __name__)


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a local path (:func:`core.web.redirects.local_path`), else ``default``."""
    return local_path(request.args.get("next")) or default


def login_view(kind: str, template: str, home_endpoint: str) -> Any:
    """The login form of ``kind`` (customer or staff): check, renew the session, go on.

    A wrong password answers 401 and a rate-limited account 429, both with the
    form again; a right one goes to the second factor when one is due, else to
    ``next`` (a local path) or ``home_endpoint``. A login a plugin refused
    (``on_login``) answers 422 with the form and the plugin's message, and
    nobody is logged in.
    """
    form = LoginForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        try:
            account = service.authenticate(kind, form.email.data, form.password.data, access.client_ip())
        except DomainError as exc:
            flash(translated(exc.message), "error")
            if isinstance(exc, RateLimited):
                return render_template(template, form=form), 429, retry_after_headers(exc)
            return render_template(template, form=form), 401
        destination = safe_next(url_for(home_endpoint))
        with shown:
            second = access.start_login(account, kind, next_url=destination)
            return redirect(second or destination)
    return render_template(template, form=form), shown.status if shown.error else 200


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    return login_view("customer", "client/login.html", "client.dashboard")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    access.logout()
    flash(gettext("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    form = RegisterForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            service.register_customer(
                form.email.data,
                form.password.data,
                form.first_name.data,
                form.last_name.data,
                language=session.get("lang"),
                ip=access.client_ip(),
            )
            flash(gettext("Account created. Check your e-mail for the link that confirms your address."), "success")
            return redirect(url_for("auth.login"))
    return render_template("client/register.html", form=form), shown.status


@bp.route("/verify/<token>")
def verify(token: str) -> Any:
    customer = service.verify_email(token)
    if customer is None:
        flash(gettext("This confirmation link is invalid or has expired."), "error")
    elif g.get("customer") is not None:
        flash(gettext("Your e-mail address is confirmed."), "success")
        return redirect(url_for("client.dashboard"))
    else:
        flash(gettext("Your e-mail address is confirmed. You can log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/verify/resend", methods=["POST"])
@access.login_required
def resend_verification() -> Any:
    """Send the confirmation link again (a few times an hour at most)."""
    if EmptyForm().validate_on_submit():
        with FormErrors():
            if verified.resend(g.customer):
                flash(gettext("We sent the link again to %(email)s.", email=g.customer.email), "success")
            else:
                flash(gettext("Your e-mail address is confirmed."), "info")
    return redirect(local_path(request.form.get("back")) or url_for("client.dashboard"))


@bp.app_errorhandler(verified.EmailNotVerified)
def email_not_verified(exc: verified.EmailNotVerified) -> Any:
    """An order or payment step refused until the address is confirmed: say why, offer the link again."""
    if wants_json():
        return jsonify(error=exc.code, detail=translated(exc.message), status=exc.status), exc.status
    back = back_to(request.referrer, request.host, "")
    return render_template("client/verify_first.html", form=EmptyForm(), back=back), exc.status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot() -> Any:
    form = ForgotForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        flash(gettext("If the address has an account, we sent it a link to set a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("client/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    form = ResetForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            service.reset_password(token, form.password.data)
            flash(gettext("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
        if shown.error is not None and shown.error.code == "bad_token":
            return redirect(url_for("auth.forgot"))  # the link is spent (the message says so): ask for a new one
    return render_template("client/reset.html", form=form), shown.status if shown.error else 200


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    """The language switch: this session's language, and a logged-in customer's language for mail."""
    from core import runtime

    if lang in runtime.config().get_value("app.languages"):
        customer = g.get("customer")
        with FormErrors():  # a plugin may refuse the change (on_customer_updated): the message says why
            if customer is not None:
                service.set_language(customer, lang, ip=access.client_ip())
            else:
                session["lang_chosen"] = True  # kept for the account at login (access.start_login)
            session["lang"] = lang
    return redirect(_back())


def _back() -> str:
    """The page the visitor came from, when it is a page of this site; else the dashboard."""
    return back_to(request.referrer, request.host, url_for("client.dashboard"))
