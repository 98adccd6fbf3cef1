"""Client area: the customer's tickets, opening one, the thread, replies, downloads.

Every lookup goes through :func:`core.tickets.service.customer_ticket`, so another
customer's ticket, message or attachment answers 404. A refused message (bad file,
a plugin's refusal) re-renders the form with everything typed, status 422.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from core import runtime
from core.errors import DomainError, NotFound, ValidationError
from core.models import Service
from core.tickets import downloads, service
from core.tickets.forms import ReplyForm, TicketForm
from core.tickets.models import Department, Ticket, TicketAttachment, TicketMessage
from core.tickets.pending import Upload
from core.web import access, confirm
from core.web.access import login_required
from core.web.errors import translated
from core.web.form_errors import add_form_errors
from core.web.forms import EmptyForm

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.app_context_processor
def _ticket_limits() -> dict[str, Any]:
    return {"config_value": runtime.config().get_value}


def uploads_from_request() -> list[Upload]:
    """Files of the ``attachments`` input (empty parts, sent when none was chosen, skipped)."""
    return [
        Upload(f.filename or "", f.read())
        for f in request.files.getlist("attachments")
        if f.filename or f.content_length
    ]


def form_options() -> dict[str, Any]:
    """What the customer chose beside the message (``encrypt``)."""
    return {"encrypt": request.form.get("encrypt") == "1"}


def _own(ticket_id: int) -> Ticket:
    try:
        return service.customer_ticket(g.customer, ticket_id)
    except NotFound:
        abort(404)


def _refused(form: Any, exc: DomainError) -> str | None:
    """Put a domain error on the form; return the attachment message if it is about files."""
    if isinstance(exc, ValidationError):
        files = exc.errors.pop("attachments", None)
        add_form_errors(form, exc.errors)
        return translated(files) if files else None
    flash(translated(exc.message), "error")
    return None


@bp.route("")
@login_required
def index() -> Any:
    rows = list(
        Ticket.select(Ticket, Department)
        .join(Department, on=(Ticket.department == Department.id))
        .where(Ticket.customer == g.customer)
        .order_by(Ticket.last_reply_at.desc(), Ticket.id.desc())
    )
    return render_template("tickets/client_index.html", tickets=rows)


def _new_form() -> TicketForm:
    form = TicketForm()
    form.department_id.choices = [SelectChoice(d.id, d.name) for d in service.visible_departments()]
    services = Service.with_product().where(Service.customer == g.customer).order_by(Service.id)
    form.service_id.choices = [SelectChoice(0, gettext("None"))] + [
        SelectChoice(s.id, s.label or s.product.name) for s in services
    ]
    if request.method == "GET" and request.args.get("service", "").isdigit():
        form.service_id.data = int(request.args["service"])
    if request.method == "GET":
        prefill_from_query(form)
    return form


def prefill_from_query(form: TicketForm) -> None:
    """Prefill from a link: ``?department=<slug>&subject=...&body=...`` (e.g. "ask for a correction")."""
    slug = request.args.get("department", "")
    chosen = next((d for d in service.visible_departments() if d.slug == slug), None)
    if chosen is not None:
        form.department_id.data = chosen.id
    if request.args.get("subject"):
        form.subject.data = request.args["subject"][:200]
    if request.args.get("body"):
        form.body.data = request.args["body"][:5000]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = _new_form()
    files_error = None
    if form.validate_on_submit():
        try:
            ticket = service.open_ticket(
                g.customer,
                department_id=form.department_id.data,
                subject=form.subject.data,
                body=form.body.data,
                priority=form.priority.data,
                service_id=form.service_id.data or None,
                uploads=uploads_from_request(),
                options=form_options(),
                ip=access.client_ip(),
            )
        except DomainError as exc:
            files_error = _refused(form, exc)
        else:
            flash(gettext("Your ticket was sent. We will answer as soon as we can."), "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    failed = request.method == "POST"
    return render_template(
        "tickets/client_new.html",
        form=form,
        files_error=files_error,
        departments=service.visible_departments(),
        encrypt=failed and form_options()["encrypt"],
    ), (422 if failed else 200)


def _thread(ticket: Ticket, form: ReplyForm, files_error: str | None = None, status: int = 200) -> Any:
    messages = list(
        TicketMessage.select()
        .where((TicketMessage.ticket == ticket) & ~TicketMessage.internal)
        .order_by(TicketMessage.id)
    )
    files: dict[int, list[TicketAttachment]] = {}
    for item in TicketAttachment.select().where(TicketAttachment.ticket == ticket).order_by(TicketAttachment.id):
        files.setdefault(item.message_id, []).append(item)
    return render_template(
        "tickets/client_detail.html",
        ticket=ticket,
        messages=messages,
        files=files,
        form=form,
        files_error=files_error,
        close_form=EmptyForm(),
        encrypt=request.method == "POST" and form_options()["encrypt"],
    ), status


@bp.route("/<int:ticket_id>")
@login_required
def detail(ticket_id: int) -> Any:
    return _thread(_own(ticket_id), ReplyForm())


@bp.route("/<int:ticket_id>/reply", methods=["POST"])
@login_required
def reply(ticket_id: int) -> Any:
    ticket = _own(ticket_id)
    form = ReplyForm()
    files_error = None
    if form.validate_on_submit():
        try:
            service.reply(
                ticket,
                g.customer,
                form.body.data,
                uploads=uploads_from_request(),
                options=form_options(),
                ip=access.client_ip(),
            )
        except DomainError as exc:
            files_error = _refused(form, exc)
        else:
            flash(gettext("Your reply was sent."), "success")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    return _thread(ticket, form, files_error, 422)


@bp.route("/<int:ticket_id>/close", methods=["POST"])
@login_required
def close(ticket_id: int) -> Any:
    ticket = _own(ticket_id)
    if EmptyForm().validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            title=gettext("Close the ticket #%(id)s?", id=ticket.id),
            what_happens=[
                gettext("The ticket is marked as solved and leaves the list of open tickets."),
                gettext("If you need more help later, reply in this ticket: a reply opens it again."),
            ],
            confirm_label=gettext("Close ticket"),
            cancel_url=url_for("tickets.detail", ticket_id=ticket.id),
            danger=False,
        )
    if EmptyForm().validate_on_submit():
        service.close_ticket(ticket, "customer", g.customer, access.client_ip())
        flash(gettext("The ticket was closed."), "info")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/attachments/<int:attachment_id>")
@login_required
def attachment(ticket_id: int, attachment_id: int) -> Any:
    ticket = _own(ticket_id)
    item = TicketAttachment.get_or_none((TicketAttachment.id == attachment_id) & (TicketAttachment.ticket == ticket))
    if item is None or item.message.internal:
        abort(404)
    return downloads.send_attachment(item)


@bp.route("/<int:ticket_id>/messages/<int:message_id>.asc")
@login_required
def armored(ticket_id: int, message_id: int) -> Any:
    ticket = _own(ticket_id)
    message = TicketMessage.get_or_none(
        (TicketMessage.id == message_id) & (TicketMessage.ticket == ticket) & ~TicketMessage.internal
    )
    if message is None:
        abort(404)
    return downloads.send_armored(message)
