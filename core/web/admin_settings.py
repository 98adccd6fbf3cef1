"""Admin settings: the provider's seller data and the settings plugins declare (admin role)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from core import countries, runtime
from core.errors import ValidationError
from core.extension import SettingSpec
from core.seller import update_seller
from core.settings import TRUE_WORDS, declared_settings, get_setting, seller_data, update_declared
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
    # Every country by its name; the code is checked by core.seller.clean_seller.
    country = SelectField(_l("Country"), validate_choice=False)
    bank_account = StringField(_l("Bank account (IBAN)"), validators=[Length(max=64)])
    bank_name = StringField(_l("Bank"), validators=[Length(max=120)])
    email = StringField(_l("Billing e-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])


@dataclass(frozen=True)
class SettingField:
    """One declared setting as the page shows it: the value in the input, and its choices."""

    spec: SettingSpec
    value: Any  # what the input shows: the stored value, or what the admin just sent
    is_set: bool  # a secret has a stored value (never shown)
    choices: list[tuple[str, str]]


def setting_fields(submitted: Mapping[str, str] | None = None) -> list[SettingField]:
    """Every declared setting with the value to show: ``submitted`` (a refused form) or the stored one."""
    fields = []
    for spec in declared_settings():
        stored = get_setting(spec.namespace, spec.key)
        value = stored
        if submitted is not None and spec.kind == "bool":
            value = (submitted.get(spec.name) or "").lower() in TRUE_WORDS
        elif submitted is not None and spec.kind != "secret":
            value = submitted.get(spec.name, "")
        fields.append(SettingField(spec, value, stored not in (None, ""), spec.choice_list()))
    return fields


def country_choices(current: str) -> list[tuple[str, str]]:
    """The seller's country by name, in the page's language (an empty first choice while none is set)."""
    language = str(get_locale() or runtime.config().get_value("app.language"))
    named = list(countries.choices(language))
    return named if current else [("", "—"), *named]


def _page(
    form: SellerForm,
    plugin_errors: dict[str, str] | None = None,
    status: int = 200,
    submitted: Mapping[str, str] | None = None,
) -> Any:
    form.country.choices = country_choices(str(form.country.data or ""))
    return render_template(
        "admin/settings.html",
        form=form,
        settings=setting_fields(submitted),
        plugin_form=EmptyForm(),
        plugin_errors=plugin_errors or {},
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
    submitted = dict(request.form.items())
    try:
        update_declared(submitted, g.staff, access.client_ip())
    except ValidationError as exc:
        errors = {k: translated(v) for k, v in exc.errors.items()}
        return _page(SellerForm(data=seller_data()), errors, 422, submitted)
    flash(gettext("Settings saved."), "success")
    return redirect(url_for("admin_settings.index"))
