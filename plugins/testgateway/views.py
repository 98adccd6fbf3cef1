"""Routes of the test gateway: its payment page and the signed callback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from core.payments.recording import amount_due
from core.web.access import login_required
from core.web.errors import server_callback
from core.web.forms import EmptyForm
from core.web.payments import back_url
from core.web.scoping import own_document
from plugins.testgateway import CODE, CallbackRefused, handle_callback
from plugins.testgateway import checkout as attempts

bp = Blueprint("testgateway", __name__, url_prefix=f"/pay/{CODE}")


def refusal_text(exc: CallbackRefused) -> str:
    """A refused payment, told to the customer in their language (never a code or raw English)."""
    if exc.reason:  # a domain rule or a plugin refused it: say why in its words
        return gettext("The payment was not recorded: %(reason)s", reason=gettext(exc.reason))
    return gettext(exc.message)


@bp.route("/checkout/<int:document_id>", methods=["GET", "POST"])
@login_required
def checkout(document_id: int) -> Any:
    """The gateway's payment page: pay the amount due, once per attempt however often it is clicked, or go back."""
    document = own_document(document_id)
    due = amount_due(document)
    form = EmptyForm()
    if form.validate_on_submit():
        attempt = attempts.find_attempt(document, request.form.get("attempt", ""))
        if attempt is None and due > 0:
            attempt = attempts.current_attempt(document, due)
        if attempt is not None:
            try:
                attempts.pay(attempt, document)  # what the gateway's server would POST to /callback
                flash(gettext("The payment was accepted. Thank you!"), "success")
            except CallbackRefused as exc:
                if exc.code == "duplicate":  # another click of this attempt booked it
                    flash(gettext("The payment was accepted. Thank you!"), "success")
                else:
                    flash(refusal_text(exc), "error")
        return redirect(url_for("payments.invoice", document_id=document.id))
    attempt = attempts.current_attempt(document, due) if due > 0 else None
    return render_template(
        "payments/testgateway.html", document=document, due=due, form=form, attempt=attempt, back=back_url(document)
    )


@bp.route("/callback", methods=["POST"])
@server_callback
def callback() -> Any:
    """Server-to-server notification; JSON in, JSON out, never a redirect or an HTML page.

    A refused payment answers its 4xx status; a failure of ours (a plugin's bug,
    the database away) answers 500 JSON through the app's error handler, after
    the payment's transaction rolled back, so the gateway sends it again later.
    """
    try:
        answer = handle_callback(request.get_data(cache=False), request.headers.get("X-Hookbill-Signature"))
    except CallbackRefused as exc:
        return jsonify(error=exc.code, detail=exc.detail, status=exc.status), exc.status
    return jsonify(answer), 200
