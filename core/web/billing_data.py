"""Client area: "Dane do faktury" (billing data): company or private person.

The page parses the form, calls :func:`core.billing_data.service.change_billing_data`
and renders. Which fields apply is decided by the server from the chosen kind, so
the switch works without JavaScript; ``js/billing-data.js`` only hides the
company-only field. Bad input re-renders the form with messages on the fields
(422) and keeps everything typed. A private person may ask here for invoices
for advances (art. 106b ust. 3; a company gets them anyway), saved with the data.

After saving, the messages say exactly what happens to each open proforma
(:func:`core.documents.review.open_proformas`): it keeps the data it was issued
with until staff correct it and its VAT invoice carries the new data, or, when
the new data change the VAT on it, it needs correcting and staff see it. The
"ask for a correction" link opens a ticket naming the real proforma number.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField

from core import countries, runtime
from core.billing_data.service import Saved, save_billing_data
from core.documents.issuing import current_profile
from core.documents.review import ProformaReview, open_proformas
from core.errors import DomainError, ValidationError
from core.orders import vies
from core.orders.models import VatCheck
from core.web import access
from core.web.access import login_required
from core.web.errors import translated
from core.web.form_errors import add_form_errors

bp = Blueprint("billing_data", __name__)

#: The ticket department billing questions go to (demo data: "Rozliczenia").
BILLING_DEPARTMENT = "rozliczenia"


class BillingDataForm(FlaskForm):
    """The billing data fields; the domain service validates them per kind."""

    kind = RadioField(
        _l("I am"),
        choices=[SelectChoice("company", _l("A company")), SelectChoice("private", _l("A private person"))],
        default="private",
    )
    name = StringField(_l("Name (company name, or first and last name)"))
    tax_id = StringField(_l("NIP or EU VAT ID"))
    address_line1 = StringField(_l("Street and number"))
    address_line2 = StringField(_l("Address, second line (optional)"))
    postcode = StringField(_l("Postcode"))
    city = StringField(_l("City"))
    country = SelectField(_l("Country"))
    advance_invoices = BooleanField(_l("I want invoices for advances (part payments)"))


def country_choices() -> list[SelectChoice]:
    """Poland first, then every country by its name, in the page's language and alphabet."""
    language = str(get_locale() or runtime.config().get_value("app.language"))
    return [SelectChoice(code, name) for code, name in countries.choices(language)]


def ticket_link(number: str = "") -> str:
    """The "ask support" link: a new ticket in the billing department, prefilled with proforma ``number``."""
    if number:
        subject = gettext("Correction of proforma %(number)s to my current billing data", number=number)
        body = gettext("Please correct proforma no. %(number)s to my current billing data.", number=number)
    else:
        subject = gettext("Correction of a proforma to my current billing data")
        body = gettext("Please correct proforma no. ... to my current billing data.")
    query = urlencode({"department": BILLING_DEPARTMENT, "subject": subject, "body": body})
    return f"{url_for('tickets.new')}?{query}"


def flash_open_proformas(reviews: list[ProformaReview]) -> None:
    """Say, per open proforma, what the saved change does to it (module docstring)."""
    for review in reviews:
        number = review.document.number
        if review.needs_correction:
            flash(
                gettext(
                    "Proforma %(number)s needs correcting: your new data change the VAT on it. Our staff see it "
                    "and will issue a corrected version. If you pay it before that, your payment is kept and the "
                    "VAT invoice is issued after the correction, for the corrected amounts.",
                    number=number,
                ),
                "warning",
            )
        elif not review.carries_current_data:
            flash(
                gettext(
                    "Proforma %(number)s keeps the data it was issued with until our staff correct it; "
                    "the VAT invoice issued when it is paid will carry your new data.",
                    number=number,
                ),
                "info",
            )


def flash_vies(check: VatCheck | None) -> None:
    """Say what VIES answered about an EU VAT ID just saved (nothing for other billing data)."""
    if check is None:
        return
    if check.status == "valid":
        flash(
            gettext(
                "VIES confirmed the VAT ID %(vat_id)s (consultation number %(number)s): we invoice you under "
                "reverse charge.",
                vat_id=check.vat_id,
                number=check.consultation or "-",
            ),
            "success",
        )
    elif check.status == "invalid":
        flash(
            gettext(
                "VIES says the VAT ID %(vat_id)s is not active. Orders cannot be invoiced without VAT until "
                "it is; check the number.",
                vat_id=check.vat_id,
            ),
            "warning",
        )
    else:
        flash(
            gettext(
                "VIES could not be reached to check the VAT ID %(vat_id)s. We will check it again before "
                "your next order is invoiced.",
                vat_id=check.vat_id,
            ),
            "warning",
        )


def flash_saved(saved: Saved) -> None:
    """Say what was saved: the data (and what it does to open proformas), the request for advance invoices."""
    if not saved:
        flash(gettext("Nothing changed."), "info")
        return
    if saved.profile is not None:
        flash(
            gettext("Your billing data were saved. Proformas and VAT invoices issued from now on carry them."),
            "success",
        )
    if saved.advance_invoices is not None:
        flash(
            gettext("From now on you get an invoice for every advance (part payment) we receive.")
            if saved.advance_invoices[1]
            else gettext("From now on you get no invoices for advances; the VAT invoice comes when you pay in full."),
            "success",
        )
    if saved.profile is not None:
        flash_open_proformas(open_proformas(g.customer))


def _form() -> BillingDataForm:
    profile = current_profile(g.customer.id)
    if profile is None:
        form = BillingDataForm(data={"kind": "private", "name": g.customer.full_name, "country": "PL"})
    else:
        form = BillingDataForm(obj=profile)
    if request.method == "GET":
        form.advance_invoices.data = bool(g.customer.advance_invoices)
    form.country.choices = country_choices()
    return form


@bp.route("/profile/billing", methods=["GET", "POST"])
@login_required
def edit() -> Any:
    """Show and change the billing data used on documents issued from now on."""
    form = _form()
    if form.validate_on_submit():
        fields = {
            name: getattr(form, name).data
            for name in ("kind", "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country")
        }
        try:
            saved = save_billing_data(
                g.customer,
                fields,
                advance_invoices=form.advance_invoices.data,
                actor=g.customer,
                ip=access.client_ip(),
            )
        except ValidationError as exc:
            add_form_errors(form, exc.errors)
        except DomainError as exc:  # a plugin refused the change
            flash(translated(exc.message), "error")
        else:
            flash_saved(saved)
            if saved and saved.profile is not None:
                flash_vies(vies.check_customer(g.customer))
            return redirect(url_for("billing_data.edit"))
    failed = request.method == "POST"
    stale = [r.document.number for r in open_proformas(g.customer) if not r.carries_current_data]
    return render_template(
        "client/billing_data.html",
        form=form,
        profile=current_profile(g.customer.id),
        ticket_link=ticket_link(),
        correction_links=[(number, ticket_link(number)) for number in stale],
    ), (422 if failed else 200)
