"""Routes of the test gateway: its payment page and the signed callback."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from core import clock
from core.payments.recording import amount_due
from core.web.access import login_required
from core.web.errors import server_callback
from core.web.forms import EmptyForm
from core.web.payments import back_url
from core.web.scoping import own_document
from plugins.testgateway import CODE, CallbackRefused, handle_callback, sign

bp = Blueprint("testgateway", __name__, url_prefix=f"/pay/{CODE}")


def refusal_text(exc: CallbackRefused) -> str:
    """A refused payment, told to the customer in their language (never a code or raw English)."""
    if exc.reason:  # a domain rule or a plugin refused it: say why in its words
        return gettext("The payment was not recorded: %(reason)s", reason=gettext(exc.reason))
    return gettext(exc.message)


@bp.route("/checkout/<int:document_id>", methods=["GET", "POST"])
@login_required
def checkout(document_id: int) -> Any:
    """The gateway's payment page: pay the amount due, or go back."""
    document = own_document(document_id)
    due = amount_due(document)
    form = EmptyForm()
    if form.validate_on_submit() and due > 0:
        payload = {
            "document_id": document.id,
            "transaction_id": f"TG-{uuid.uuid4().hex[:20]}",
            "amount": str(due),
            "currency": document.currency,
            "timestamp": int(clock.now().timestamp()),
        }
        body = json.dumps(payload, sort_keys=True).encode()
        try:
            handle_callback(body, sign(body))  # what the gateway's server would POST to /callback
            flash(gettext("The payment was accepted. Thank you!"), "success")
        except CallbackRefused as exc:
            flash(refusal_text(exc), "error")
        return redirect(url_for("payments.invoice", document_id=document.id))
    return render_template("payments/testgateway.html", document=document, due=due, form=form, back=back_url(document))


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
