"""Admin settings: the provider's seller data and the settings plugins declare (admin role)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from core.errors import ValidationError
from core.seller import update_seller
from core.settings import declared_settings, get_setting, seller_data, update_declared
from core.web import access
from core.web.access import staff_required
from core.web.errors import translated
from core.web.form_errors import add_form_errors
from core.web.forms import EmptyForm

bp = Blueprint("admin_settings", __name__, url_prefix="/admin/settings")


class SellerForm(FlaskForm):
    """The seller data printed on documents."""

    name = StringField(_l("Company name"), validators=[Length(max=255)])
    tax_id = StringField(_l("NIP / VAT ID"), validators=[Length(max=32)])
    address_line1 = StringField(_l("Street and number"), validators=[Length(max=255)])
    address_line2 = StringField(_l("Address, second line (optional)"), validators=[Length(max=255)])
    postcode = StringField(_l("Postcode"), validators=[Length(max=16)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    country = StringField(_l("Country (ISO code)"), validators=[Length(max=2)])
    bank_account = StringField(_l("Bank account (IBAN)"), validators=[Length(max=64)])
    bank_name = StringField(_l("Bank"), validators=[Length(max=120)])
    email = StringField(_l("Billing e-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])


def _page(form: SellerForm, plugin_errors: dict[str, str] | None = None, status: int = 200) -> Any:
    specs = [(spec, get_setting(spec.namespace, spec.key)) for spec in declared_settings()]
    return render_template(
        "admin/settings.html", form=form, specs=specs, plugin_form=EmptyForm(), plugin_errors=plugin_errors or {}
    ), status


@bp.route("/", methods=["GET", "POST"])
@staff_required("admin")
def index() -> Any:
    form = SellerForm(data=seller_data())
    if request.method == "POST" and form.validate_on_submit():
        try:
            update_seller(form.data, g.staff, access.client_ip())
        except ValidationError as exc:
            add_form_errors(form, exc.errors)
            return _page(form, status=422)
        flash(gettext("The seller data were saved. Documents issued from now on carry them."), "success")
        return redirect(url_for("admin_settings.index"))
    return _page(form, status=422 if form.errors else 200)


@bp.route("/plugins", methods=["POST"])
@staff_required("admin")
def plugins() -> Any:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("admin_settings.index"))
    try:
        update_declared(dict(request.form.items()), g.staff, access.client_ip())
    except ValidationError as exc:
        return _page(SellerForm(data=seller_data()), {k: translated(v) for k, v in exc.errors.items()}, 422)
    flash(gettext("Settings saved."), "success")
    return redirect(url_for("admin_settings.index"))
