"""The customer asks to cancel a service, or takes the request back (client area).

The form is on the service's page (the ``client_service_detail`` snippet of
:mod:`core.services.plugin`); asking is confirmed on a second page that says
what will happen. Both actions are scoped to the logged-in customer
(:func:`core.web.scoping.own_service`), carry the CSRF token, and call one
domain service (:mod:`core.services.cancellation`); a refusal (a rule, a
plugin's ``HookRefused``) comes back as a message on the service's page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext

from core.services import cancellation
from core.services.models import CANCELLATION_TIMINGS
from core.web import access
from core.web import confirm as confirm_step
from core.web.access import login_required
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm
from core.web.scoping import own_service
from core.web.templating import date_filter

bp = Blueprint("cancellations", __name__)


def _what_happens(service: Any, timing: str) -> list[str]:
    name = service.label or service.product.name
    said = (
        [
            gettext(
                "%(name)s keeps working until the end of the period you paid for, and ends on %(date)s.",
                name=name,
                date=date_filter(service.next_due),
            )
        ]
        if timing == "end_of_period"
        else [gettext("%(name)s ends as soon as we accept the request.", name=name)]
    )
    return [
        *said,
        gettext("No more proformas are issued for it; an unpaid renewal proforma is cancelled now."),
        gettext("The service's data are removed when it ends. You can withdraw the request until then."),
    ]


@bp.route("/services/<int:service_id>/cancel", methods=["POST"])
@login_required
def ask(service_id: int) -> Any:
    """Ask to cancel the service (after the confirmation step)."""
    service = own_service(service_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    timing = request.form.get("timing", "")
    back = url_for("client.service_detail", service_id=service.id)
    if timing in CANCELLATION_TIMINGS and not confirm_step.confirmed():
        return confirm_step.ask(
            title=gettext("Cancel the service %(name)s?", name=service.label or service.product.name),
            what_happens=_what_happens(service, timing),
            confirm_label=gettext("Request cancellation"),
            cancel_url=back,
            fields=confirm_step.form_values("timing", "reason"),
        )
    with FormErrors():
        cancellation.request_cancellation(
            g.customer, service.id, timing, request.form.get("reason", ""), ip=access.client_ip()
        )
        flash(gettext("Your cancellation request was sent. We will let you know by e-mail."), "success")
    return redirect(back)


@bp.route("/services/<int:service_id>/cancel/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(service_id: int, request_id: int) -> Any:
    """Take back an open cancellation request: the service renews again."""
    service = own_service(service_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with FormErrors():
        found = cancellation.open_request(service.id)
        if found is None or found.id != request_id:
            abort(404)
        cancellation.withdraw_cancellation(g.customer, request_id, ip=access.client_ip())
        flash(gettext("Your cancellation request was withdrawn; the service renews as before."), "success")
    return redirect(url_for("client.service_detail", service_id=service.id))
