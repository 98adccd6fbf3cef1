"""Admin area: the ticket queue per department, a ticket with every message, replies,
internal notes, assignment and status; departments (admins only).

The queue and the ticket view show staff everything, internal notes included;
encrypted messages are offered as ``.asc`` downloads (a plugin may add more, e.g.
decrypting on demand, through the ``ticket_message`` template hook).
"""

from __future__ import annotations

from typing import Any

import peewee
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from core import activity, db
from core.errors import DomainError, ValidationError
from core.keyset import keyset_page
from core.models import Customer, Staff
from core.tickets import downloads, service
from core.tickets.forms import AssignForm, DepartmentForm, StaffReplyForm, StatusForm
from core.tickets.models import TICKET_STATUSES, Department, DepartmentMember, Ticket, TicketAttachment, TicketMessage
from core.tickets.views_client import uploads_from_request
from core.web import access, confirm
from core.web.access import staff_required
from core.web.admin import PAGE_SIZE, cursor_args
from core.web.errors import translated
from core.web.form_errors import add_form_errors

bp = Blueprint("tickets_admin", __name__, url_prefix="/admin")
OPEN_STATUSES = ("open", "customer_reply", "answered", "on_hold")


def _ticket(ticket_id: int) -> Ticket:
    return Ticket.get_or_none(Ticket.id == ticket_id) or abort(404)


@bp.route("/tickets")
@staff_required()
def queue() -> Any:
    departments = list(Department.select().order_by(Department.position, Department.name))
    assignee = Staff.alias()
    query = (
        Ticket.select(
            Ticket,
            Department.id,
            Department.name,
            Customer.id,
            Customer.first_name,
            Customer.last_name,
            Customer.email,
            assignee.id,
            assignee.name,
            assignee.email,
        )
        .join(Department, on=(Ticket.department == Department.id))
        .switch(Ticket)
        .join(Customer, on=(Ticket.customer == Customer.id))
        .switch(Ticket)
        .join(assignee, peewee.JOIN.LEFT_OUTER, on=(Ticket.assigned_to == assignee.id), attr="assigned_to")
    )
    dept_id = request.args.get("department", type=int)
    if dept_id:
        query = query.where(Ticket.department == dept_id)
    status = request.args.get("status", "active")
    # Each status is read by the queue's index (status, last reply, id), then merged.
    statuses = {"active": OPEN_STATUSES, "all": TICKET_STATUSES}.get(status, (status,))
    each = (Ticket.status, statuses)
    page = keyset_page(query, [Ticket.last_reply_at, Ticket.id], size=PAGE_SIZE, each=each, **cursor_args())
    return render_template(
        "tickets/admin_queue.html",
        tickets=page.rows,
        departments=departments,
        dept_id=dept_id,
        status=status,
        page=page,
    )


def _forms(ticket: Ticket, reply_form: StaffReplyForm | None = None) -> dict[str, Any]:
    assign_form = AssignForm(assignee=ticket.assigned_to_id or 0)
    assign_form.assignee.choices = [SelectChoice(0, gettext("Nobody"))] + [
        SelectChoice(s.id, s.full_name) for s in Staff.select().where(Staff.active).order_by(Staff.name)
    ]
    return {
        "form": reply_form or StaffReplyForm(),
        "assign_form": assign_form,
        "status_form": StatusForm(status=ticket.status),
    }


def _view(
    ticket: Ticket, reply_form: StaffReplyForm | None = None, files_error: str | None = None, status: int = 200
) -> Any:
    messages = list(TicketMessage.select().where(TicketMessage.ticket == ticket).order_by(TicketMessage.id))
    files: dict[int, list[TicketAttachment]] = {}
    for item in TicketAttachment.select().where(TicketAttachment.ticket == ticket).order_by(TicketAttachment.id):
        files.setdefault(item.message_id, []).append(item)
    return render_template(
        "tickets/admin_ticket.html",
        ticket=ticket,
        messages=messages,
        files=files,
        files_error=files_error,
        **_forms(ticket, reply_form),
    ), status


@bp.route("/tickets/<int:ticket_id>")
@staff_required()
def ticket(ticket_id: int) -> Any:
    return _view(_ticket(ticket_id))


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
@staff_required()
def reply(ticket_id: int) -> Any:
    item = _ticket(ticket_id)
    form = StaffReplyForm()
    files_error = None
    if form.validate_on_submit():
        try:
            service.reply(
                item,
                g.staff,
                form.body.data,
                uploads=uploads_from_request(),
                internal=bool(form.internal.data),
                ip=access.client_ip(),
            )
        except DomainError as exc:
            if isinstance(exc, ValidationError):
                files_error = exc.errors.pop("attachments", None)
                add_form_errors(form, exc.errors)
            else:
                flash(translated(exc.message), "error")
        else:
            flash(gettext("The note was saved.") if form.internal.data else gettext("The reply was sent."), "success")
            return redirect(url_for("tickets_admin.ticket", ticket_id=item.id))
    return _view(item, form, gettext(files_error) if files_error else None, 422)


@bp.route("/tickets/<int:ticket_id>/assign", methods=["POST"])
@staff_required()
def assign(ticket_id: int) -> Any:
    item = _ticket(ticket_id)
    form = _forms(item)["assign_form"]
    if form.validate_on_submit():
        assignee = Staff.get_or_none(Staff.id == form.assignee.data) if form.assignee.data else None
        service.assign(item, assignee, g.staff, access.client_ip())
        flash(gettext("The ticket was assigned."), "success")
    return redirect(url_for("tickets_admin.ticket", ticket_id=item.id))


@bp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
@staff_required()
def status(ticket_id: int) -> Any:
    item = _ticket(ticket_id)
    form = StatusForm()
    closing = form.status.data == "closed" and item.status != "closed"
    if form.validate_on_submit() and closing and not confirm.confirmed():
        return confirm.ask(
            title=gettext("Close the ticket #%(id)s?", id=item.id),
            what_happens=[
                gettext("The customer is told by e-mail that the ticket is closed."),
                gettext("A new reply from the customer opens it again."),
            ],
            confirm_label=gettext("Close ticket"),
            cancel_url=url_for("tickets_admin.ticket", ticket_id=item.id),
            fields=confirm.form_values("status"),
            danger=False,
        )
    if form.validate_on_submit():
        service.change_status(item, form.status.data, g.staff, access.client_ip())
        flash(gettext("The status was changed."), "success")
    return redirect(url_for("tickets_admin.ticket", ticket_id=item.id))


@bp.route("/tickets/<int:ticket_id>/attachments/<int:attachment_id>")
@staff_required()
def attachment(ticket_id: int, attachment_id: int) -> Any:
    item = TicketAttachment.get_or_none(
        (TicketAttachment.id == attachment_id) & (TicketAttachment.ticket == ticket_id)
    ) or abort(404)
    return downloads.send_attachment(item)


@bp.route("/tickets/<int:ticket_id>/messages/<int:message_id>.asc")
@staff_required()
def armored(ticket_id: int, message_id: int) -> Any:
    message = TicketMessage.get_or_none(
        (TicketMessage.id == message_id) & (TicketMessage.ticket == ticket_id)
    ) or abort(404)
    return downloads.send_armored(message)


@bp.route("/departments")
@staff_required("admin")
def departments() -> Any:
    rows = list(Department.select().order_by(Department.position, Department.name))
    return render_template("tickets/admin_departments.html", departments=rows)


@bp.route("/departments/new", methods=["GET", "POST"], defaults={"department_id": None})
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@staff_required("admin")
def department(department_id: int | None) -> Any:
    item = Department.get_or_none(Department.id == department_id) or abort(404) if department_id else None
    form = DepartmentForm(obj=item)
    form.members.choices = [
        SelectChoice(s.id, s.full_name) for s in Staff.select().where(Staff.active).order_by(Staff.name)
    ]
    if request.method == "GET" and item is not None:
        form.members.data = [m.staff_id for m in item.members]
    if form.validate_on_submit():
        clash = (
            Department.select()
            .where((Department.slug == form.slug.data) & (Department.id != (item.id if item else 0)))
            .exists()
        )
        if clash:
            form.slug.errors = [gettext("Another department has this short name.")]
        else:
            with db.write_transaction():
                item = item or Department()
                for name in ("name", "slug", "description", "visible", "notify_email"):
                    setattr(item, name, getattr(form, name).data or ("" if name != "visible" else False))
                item.position = form.position.data or 0
                item.save()
                DepartmentMember.delete().where(DepartmentMember.department == item).execute()
                for staff_id in form.members.data or []:
                    DepartmentMember.create(department=item, staff=staff_id)
                activity.record(
                    "department.saved",
                    actor=g.staff,
                    subject=item,
                    ip=access.client_ip(),
                    members=sorted(form.members.data or []),
                )
            flash(gettext("The department was saved."), "success")
            return redirect(url_for("tickets_admin.department", department_id=item.id))
    return render_template("tickets/admin_department.html", form=form, department=item), (422 if form.errors else 200)
