"""Routes of the Przelewy24 plugin: the bank choice, the return page, P24's notifications, staff refunds.

* ``POST /pay/przelewy24/checkout/<document>``: the customer picked a bank on
  our payment step; register the transaction and go to P24.
* ``GET /pay/przelewy24/return/<sessionId>`` (``urlReturn``): tells the
  customer where the payment stands; never books. While it waits for P24's
  notification it asks the browser to reload it (a ``Refresh`` header).
* ``POST /pay/przelewy24/status`` (``urlStatus``) and
  ``POST /pay/przelewy24/refund-status``: P24's server-to-server JSON
  notifications, marked :func:`core.web.errors.server_callback`: JSON answers
  only, CSRF-exempt (the ``sign`` authenticates them).
* ``POST /admin/przelewy24/payments/<id>/refund`` (after a confirmation page,
  :mod:`core.web.confirm`, that says what the refund will do) and
  ``POST /admin/przelewy24/refunds/<id>/send``: staff refund a payment, or
  send a refund whose answer was lost again.

Our pages post forms that end in a redirect to P24's payment page, so the
``form-action`` of the Content-Security-Policy names P24's address as well.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.models import Document
from core.payments.recording import amount_due
from core.untrusted import loads_json
from core.web import access, confirm
from core.web.access import login_required, staff_required
from core.web.errors import server_callback
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm
from core.web.scoping import own_document
from core.web.templating import money_filter as format_money
from plugins.przelewy24 import checkout, notifications, refunds
from plugins.przelewy24.methods import customer_language
from plugins.przelewy24.models import P24Refund, P24Session
from plugins.przelewy24.settings import current

bp = Blueprint("przelewy24", __name__)


@bp.route("/pay/przelewy24/checkout/<int:document_id>", methods=["POST"])
@login_required
def checkout_with_bank(document_id: int) -> Any:
    """The bank chosen on our payment step: register with that bank and send the customer to P24."""
    document = own_document(document_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    raw = request.form.get("bank", "")
    bank = int(raw) if raw.isdigit() else None
    with FormErrors(form):  # P24 unreachable, or a rule refused: the message, on the document's page
        url = checkout.start_checkout(
            document, amount_due(document), "transfer", bank_method=bank, language=customer_language(document)
        )
        return redirect(url)
    return redirect(url_for("payments.invoice", document_id=document.id))


@bp.route("/pay/przelewy24/return/<session_id>")
@login_required
def return_page(session_id: str) -> Any:
    """Where P24 sends the customer back: paid, still being confirmed, or not confirmed."""
    session = P24Session.get_or_none((P24Session.session_id == session_id) & (P24Session.customer == g.customer))
    if session is None:
        abort(404)
    state = checkout.return_state(session)
    document = Document.get_by_id(session.document_id)
    page = render_template("przelewy24/return.html", session=session, document=document, state=state)
    response = Response(page, mimetype="text/html")
    if state == "confirming":
        response.headers["Refresh"] = "5"
    return response


def _json_body() -> Any:
    """The notification's JSON; None for anything else (nested too deep or unstorable text included)."""
    try:
        return loads_json(request.get_data(cache=False) or b"null")
    except ValueError:
        return None


@bp.route("/pay/przelewy24/status", methods=["POST"])
@server_callback
def status() -> Any:
    """P24's transaction notification; see :mod:`plugins.przelewy24.notifications`.

    A failure of ours answers 500 JSON through the app's error handler (P24 sends the notification again).
    """
    answer = notifications.handle_notification(_json_body(), access.client_ip())
    return jsonify(answer.body), answer.status


@bp.route("/pay/przelewy24/refund-status", methods=["POST"])
@server_callback
def refund_status() -> Any:
    """P24's refund notification; see :mod:`plugins.przelewy24.refunds`."""
    answer = refunds.handle_refund_notification(_json_body())
    return jsonify(answer.body), answer.status


def _back_url(document_id: int | None) -> str:
    if document_id is None:
        return url_for("admin.dashboard")
    return url_for("admin_billing.document", document_id=document_id)


def _back_to(document_id: int | None) -> Any:
    return redirect(_back_url(document_id))


def _what_refunding_does(plan: refunds.RefundPlan) -> list[str]:
    """What confirming the refund does, in the words of :func:`plugins.przelewy24.refunds.request_refund`."""
    amount = format_money(plan.amount, plan.payment.currency)
    said = [
        gettext(
            "%(amount)s goes back to the payer's account through Przelewy24. It cannot be taken back.",
            amount=amount,
        )
    ]
    if plan.invoice is not None:
        said.append(
            gettext(
                "A correcting invoice to %(number)s is issued for %(corrected)s (gross); the customer's balance "
                "history shows its credit and the refund.",
                number=plan.invoice.number,
                corrected=format_money(plan.corrected, plan.payment.currency),
            )
        )
    else:
        said.append(gettext("No correcting invoice is issued: the amount is taken from the customer's credit balance."))
    return said


@bp.route("/admin/przelewy24/payments/<int:payment_id>/refund", methods=["POST"])
@staff_required("billing")
def refund(payment_id: int) -> Any:
    """Staff refund (part of) a Przelewy24 payment, after a confirmation page that says what will happen."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    back = request.form.get("document_id", "")
    document_id = int(back) if back.isdigit() else None
    shown = FormErrors(form)
    with shown:
        plan = refunds.plan_refund(payment_id, request.form.get("amount", ""))
        if not confirm.confirmed():
            return confirm.ask(
                title=gettext(
                    "Refund %(amount)s through Przelewy24?", amount=format_money(plan.amount, plan.payment.currency)
                ),
                what_happens=_what_refunding_does(plan),
                confirm_label=gettext("Refund through Przelewy24"),
                cancel_url=_back_url(document_id),
                fields=confirm.form_values("amount", "reason", "document_id"),
            )
        done = refunds.request_refund(
            payment_id, request.form.get("amount", ""), request.form.get("reason", ""), g.staff, ip=access.client_ip()
        )
        _flash_refund(done)
    return _back_to(document_id)


@bp.route("/admin/przelewy24/refunds/<int:refund_id>/send", methods=["POST"])
@staff_required("billing")
def send_again(refund_id: int) -> Any:
    """Send a refund whose answer from P24 was lost (P24 recognises a repeat)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = P24Refund.get_or_none(P24Refund.id == refund_id) or abort(404)
    refunds.send_refund(row.id)
    _flash_refund(P24Refund.get_by_id(row.id))
    session = P24Session.get_by_id(row.session_id)
    return _back_to(session.document_id)


def _flash_refund(row: P24Refund) -> None:
    messages = {
        "accepted": (gettext("Przelewy24 accepted the refund."), "success"),
        "completed": (gettext("Przelewy24 made the refund."), "success"),
        "rejected": (
            gettext("Przelewy24 refused the refund; the amount is on the customer's credit balance."),
            "error",
        ),
        "unknown": (gettext("Przelewy24 did not answer; send the refund again in a moment."), "warning"),
    }
    text, kind = messages.get(str(row.status), (gettext("The refund was recorded."), "success"))
    flash(text, kind)


@bp.after_app_request
def allow_gateway_form_action(response: Response) -> Response:
    """Let our forms end in a redirect to P24's payment page (CSP ``form-action``)."""
    policy = response.headers.get("Content-Security-Policy", "")
    settings = current()
    if "form-action 'self'" in policy and settings.configured:
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {settings.base_url}"
        )
    return response
