"""Pages about API tokens: the customer's "API tokens" page, and staff revoking a token.

A new token is shown once, in the answer to the form that created it (never
flashed, so it is not written into the session row), with ``Cache-Control:
no-store``. Every lookup is scoped: a customer reaches only their own tokens.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from core.api import tokens
from core.errors import NotFound, ValidationError
from core.models import Customer
from core.web.access import client_ip, login_required, staff_required
from core.web.form_errors import add_form_errors
from core.web.forms import EmptyForm

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    """A name for the new token and how long it works."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    expires_in_days = SelectField(
        _l("Valid for"),
        coerce=int,
        default=0,
        choices=[
            SelectChoice(0, _l("No expiry")),
            SelectChoice(30, _l("30 days")),
            SelectChoice(90, _l("90 days")),
            SelectChoice(365, _l("1 year")),
        ],
    )


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> Any:
    response = render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.active_tokens(g.customer.id),
        new_token=new_token,
        is_expired=tokens.is_expired,
        revoke_form=EmptyForm(),
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/profile/api-tokens")
@login_required
def index() -> Any:
    """The customer's tokens and the form for a new one."""
    return _page(TokenForm())


@bp.route("/profile/api-tokens", methods=["POST"])
@login_required
def create() -> Any:
    """Create a token and show it once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _token, raw = tokens.create_token(g.customer, form.name.data, form.expires_in_days.data, ip=client_ip())
        except ValidationError as exc:
            add_form_errors(form, exc.errors)
        else:
            return _page(TokenForm(formdata=None), new_token=raw, status=201)
    return _page(form, status=422)


@bp.route("/profile/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Any:
    """Revoke one of the customer's own tokens (404 for anyone else's)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        tokens.revoke_token(g.customer.id, token_id, g.customer, ip=client_ip())
    except NotFound:
        abort(404)
    flash(gettext("The token was revoked. Programs using it no longer have access."), "success")
    return redirect(url_for("api_tokens.index"))


@bp.route("/admin/customers/<int:customer_id>/api-tokens/<int:token_id>/revoke", methods=["POST"])
@staff_required("admin", "support")
def staff_revoke(customer_id: int, token_id: int) -> Any:
    """Staff revoke a customer's token (logged with the staff member as actor)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        abort(404)
    try:
        tokens.revoke_token(customer.id, token_id, g.staff, ip=client_ip())
    except NotFound:
        abort(404)
    flash(gettext("The token was revoked."), "success")
    return redirect(url_for("admin.customer_detail", customer_id=customer.id))
