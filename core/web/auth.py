"""Customer login, logout, registration, e-mail verification, password reset, language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from core.accounts import service
from core.errors import DomainError, RateLimited, ValidationError
from core.web import access
from core.web.errors import translated
from core.web.forms import ForgotForm, LoginForm, RegisterForm, ResetForm

bp = Blueprint("auth", __name__)


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a local path, else ``default``."""
    target = request.args.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return default


def add_form_errors(form: Any, errors: dict[str, str]) -> None:
    """Attach domain validation messages to the form's fields (or the form)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), translated(message)]
        else:
            flash(translated(message), "error")


def login_view(kind: str, template: str, home_endpoint: str) -> Any:
    """The login form of ``kind`` (customer or staff): check, renew the session, go on.

    A wrong password answers 401 and a rate-limited account 429, both with the
    form again; a right one goes to the second factor when one is due, else to
    ``next`` (a local path) or ``home_endpoint``.
    """
    form = LoginForm()
    if form.validate_on_submit():
        try:
            account = service.authenticate(kind, form.email.data, form.password.data, access.client_ip())
        except DomainError as exc:
            flash(translated(exc.message), "error")
            return render_template(template, form=form), (429 if isinstance(exc, RateLimited) else 401)
        destination = safe_next(url_for(home_endpoint))
        second = access.start_login(account, kind, next_url=destination)
        return redirect(second or destination)
    return render_template(template, form=form)


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
    if form.validate_on_submit():
        try:
            service.register_customer(
                form.email.data,
                form.password.data,
                form.first_name.data,
                form.last_name.data,
                language=session.get("lang") or "pl",
                ip=access.client_ip(),
            )
        except ValidationError as exc:
            add_form_errors(form, exc.errors)
            return render_template("client/register.html", form=form), 422
        flash(gettext("Account created. Check your e-mail for the link that confirms your address."), "success")
        return redirect(url_for("auth.login"))
    return render_template("client/register.html", form=form), (422 if form.errors else 200)


@bp.route("/verify/<token>")
def verify(token: str) -> Any:
    customer = service.verify_email(token)
    if customer is None:
        flash(gettext("This confirmation link is invalid or has expired."), "error")
    else:
        flash(gettext("Your e-mail address is confirmed. You can log in."), "success")
    return redirect(url_for("auth.login"))


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
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except ValidationError as exc:
            add_form_errors(form, exc.errors)
            return render_template("client/reset.html", form=form), 422
        except DomainError as exc:
            flash(translated(exc.message), "error")
            return redirect(url_for("auth.forgot"))
        flash(gettext("Your password was changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("client/reset.html", form=form)


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    from core import runtime

    if lang in runtime.config().get_value("app.languages"):
        session["lang"] = lang
        customer = g.get("customer")
        if customer is None:
            session["lang_chosen"] = True  # kept for the account at login (access.start_login)
        elif customer.language != lang:
            # A logged-in customer's choice also becomes their language for mail.
            from core import db

            with db.write_transaction():
                customer.language = lang
                customer.save()
    return redirect(_back())


def _back() -> str:
    """The page the visitor came from, when it is on this site."""
    parsed = urlparse(request.referrer or "")
    if not parsed.path or (parsed.netloc and parsed.netloc != request.host):
        return url_for("client.dashboard")
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")
