"""The PGP plugin's pages: the customer's key, a department's key, decrypt on demand.

Decrypted text is rendered with ``Cache-Control: no-store`` and never saved;
decrypted attachments are sent as downloads the same way.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core import runtime
from core.tickets.filetypes import sniff_type
from core.tickets.models import Department, TicketAttachment, TicketMessage
from core.web import access
from core.web.access import login_required, staff_required
from core.web.errors import translated
from core.web.forms import EmptyForm
from plugins.pgp import service
from plugins.pgp.errors import KeyRejected, PgpError

bp = Blueprint("pgp", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _key_error(exc: PgpError) -> str:
    """What the person who uploaded a key reads: why it was refused, in their language.

    gpg being unavailable is the provider's problem: it is logged with its
    details, and the person reads that the key could not be checked now.
    """
    if isinstance(exc, KeyRejected):
        return translated(exc.message)
    runtime.log.warning("pgp: a key could not be checked: %s", exc)
    return gettext("The key could not be checked right now. Please try again later.")


@bp.route("/profile/pgp-key", methods=["GET", "POST"])
@login_required
def customer_key() -> Any:
    error, armored = None, ""
    if request.method == "POST" and EmptyForm().validate_on_submit():
        armored = request.form.get("armored", "")
        try:
            info = service.set_customer_key(g.customer, armored, access.client_ip())
        except PgpError as exc:
            error = _key_error(exc)
        else:
            flash(gettext("Your key %(fingerprint)s was saved.", fingerprint=info.fingerprint), "success")
            return redirect(url_for("pgp.customer_key"))
    return render_template(
        "pgp/customer_key.html", key=service.customer_key(g.customer.id), error=error, armored=armored, form=EmptyForm()
    ), (422 if error else 200)


@bp.route("/profile/pgp-key/delete", methods=["POST"])
@login_required
def customer_key_delete() -> Any:
    if EmptyForm().validate_on_submit():
        service.remove_customer_key(g.customer, access.client_ip())
        flash(gettext("Your key was removed."), "info")
    return redirect(url_for("pgp.customer_key"))


@bp.route("/admin/departments/<int:department_id>/pgp-key", methods=["GET", "POST"])
@staff_required("admin")
def department_key(department_id: int) -> Any:
    department = Department.get_or_none(Department.id == department_id) or abort(404)
    error, armored = None, ""
    if request.method == "POST" and EmptyForm().validate_on_submit():
        armored = request.form.get("armored", "")
        try:
            info = service.set_department_key(department, armored, g.staff, access.client_ip())
        except PgpError as exc:
            error = _key_error(exc)
        else:
            flash(gettext("The key %(fingerprint)s was saved.", fingerprint=info.fingerprint), "success")
            return redirect(url_for("tickets_admin.department", department_id=department.id))
    return render_template(
        "pgp/department_key.html",
        department=department,
        error=error,
        armored=armored,
        form=EmptyForm(),
        variable=service.passphrase_variable(department),
    ), (422 if error else 200)


@bp.route("/admin/pgp/messages/<int:message_id>/decrypt", methods=["POST"])
@staff_required()
def decrypt_message(message_id: int) -> Any:
    message = TicketMessage.get_or_none(TicketMessage.id == message_id) or abort(404)
    if not message.encrypted or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        text = service.decrypt_message(message, g.staff, access.client_ip())
    except PgpError as exc:
        flash(translated(exc.message), "error")
        return redirect(url_for("tickets_admin.ticket", ticket_id=message.ticket_id))
    html = render_template("pgp/decrypted.html", message=message, ticket=message.ticket, text=text)
    return _no_store(Response(html, mimetype="text/html"))


@bp.route("/admin/pgp/attachments/<int:attachment_id>/decrypt", methods=["POST"])
@staff_required()
def decrypt_attachment(attachment_id: int) -> Any:
    item = TicketAttachment.get_or_none(TicketAttachment.id == attachment_id) or abort(404)
    if not item.encrypted or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        data = service.decrypt_attachment(item, g.staff, access.client_ip())
    except PgpError as exc:
        flash(translated(exc.message), "error")
        return redirect(url_for("tickets_admin.ticket", ticket_id=item.ticket_id))
    name = item.filename.removesuffix(".asc")
    response = Response(data, mimetype=sniff_type(data[:8192]) or "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _no_store(response)
