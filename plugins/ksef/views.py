"""Admin pages: the KSeF queue with its filters, resending, and the KSeF card on a document.

* ``GET /admin/ksef?state=pending|accepted|rejected|failed``: the queue, newest
  first, a page at a time (by keyset), with the count of each state (up to a
  cap), KSeF's reason, the offline deadline;
* ``POST /admin/ksef/<document>/resend``: send a rejected or failed invoice
  again (:func:`plugins.ksef.queue.resend`); a refusal comes back as a message.

Both need the ``billing`` role (admins pass).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from core.errors import Conflict
from core.keyset import COUNT_CAP
from core.models import Document
from core.web.access import staff_required
from core.web.admin import cursor_args
from core.web.forms import EmptyForm
from plugins.ksef import queue
from plugins.ksef.models import STATES, KsefSubmission

bp = Blueprint("ksef", __name__, url_prefix="/admin/ksef")


@bp.route("", endpoint="queue")
@staff_required("billing")
def queue_page() -> Any:
    """The queue, filtered by ``state`` when given."""
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    page = queue.page(state or None, **cursor_args())
    return render_template(
        "ksef/queue.html",
        rows=page.rows,
        page=page,
        counts=queue.capped_counts(COUNT_CAP),
        state=state,
        states=queue.STATE_LABELS,
        modes=queue.OFFLINE_MODES,
        form=EmptyForm(),
    )


@bp.route("/<int:document_id>/resend", methods=["POST"])
@staff_required("billing")
def resend(document_id: int) -> Any:
    """Send the invoice again, then back to where staff came from."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        queue.resend(document_id)
        flash(gettext("The invoice was queued to be sent to KSeF again."), "success")
    except Conflict as exc:
        flash(gettext(exc.message), "error")
    target = request.form.get("back", "")
    return redirect(target if target.startswith("/admin/") else url_for("ksef.queue"))


def document_card(doc: Document) -> Any:
    """HTML of the KSeF card on the admin page of a document, or None when it does not go to KSeF."""
    from markupsafe import Markup

    submission = KsefSubmission.get_or_none(KsefSubmission.document == doc.id)
    if submission is None:
        return None
    return Markup(
        render_template(
            "ksef/_document.html",
            doc=doc,
            sub=submission,
            errors=queue.errors_of(submission)[:10],
            states=queue.STATE_LABELS,
            modes=queue.OFFLINE_MODES,
            form=EmptyForm(),
        )
    )
