"""The ticket endpoints of the JSON API: list, read a thread, open a ticket.

Opening goes through :func:`core.tickets.service.open_ticket`, so every hook runs
as for the web form: ``"encrypt": true`` reaches the PGP plugin's
``on_ticket_create`` and the body is stored as ciphertext or refused (422).
A thread lists the messages the customer may see: internal notes never, an
encrypted message as its ASCII-armored ciphertext with ``"encrypted": true``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, request

from core.api import auth
from core.api.serialize import moment
from core.errors import NotFound, ValidationError
from core.i18n import N_
from core.tickets import service
from core.tickets.models import Department, Ticket, TicketAttachment, TicketMessage
from core.web.access import client_ip

bp = Blueprint("api_tickets", __name__, url_prefix="/api/v1/tickets")
auth.install(bp)

#: API field names for the service's form field names.
FIELD_NAMES = {"department_id": "department"}


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": {"slug": ticket.department.slug, "name": ticket.department.name},
        "service_id": ticket.service_id,
        "encrypted": ticket.encrypted,
        "created_at": moment(ticket.created_at),
        "last_reply_at": moment(ticket.last_reply_at),
        "closed_at": moment(ticket.closed_at),
    }


def _message_json(message: TicketMessage, files: list[TicketAttachment]) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author_kind,
        "author_name": message.author_name,
        "body": message.body,
        "encrypted": message.encrypted,
        "created_at": moment(message.created_at),
        "attachments": [
            {"id": f.id, "filename": f.filename, "size": f.size, "mime": f.mime, "encrypted": f.encrypted}
            for f in files
        ],
    }


@bp.route("")
def index() -> Any:
    """The customer's tickets, latest activity first; each with its department, read in the same query."""
    rows = (
        Ticket.select(Ticket, Department)
        .join(Department, on=(Ticket.department == Department.id))
        .where(Ticket.customer == g.customer)
        .order_by(Ticket.last_reply_at.desc(), Ticket.id.desc())
    )
    return jsonify(tickets=[_ticket_json(t) for t in rows])


@bp.route("/<int:ticket_id>")
def detail(ticket_id: int) -> Any:
    """One ticket with the messages the customer sees (no internal notes)."""
    try:
        ticket = service.customer_ticket(g.customer, ticket_id)
    except NotFound:
        abort(404)
    messages = (
        TicketMessage.select()
        .where((TicketMessage.ticket == ticket) & ~TicketMessage.internal)
        .order_by(TicketMessage.id)
    )
    files: dict[int, list[TicketAttachment]] = {}
    for item in TicketAttachment.select().where(TicketAttachment.ticket == ticket).order_by(TicketAttachment.id):
        files.setdefault(item.message_id, []).append(item)
    return jsonify({**_ticket_json(ticket), "messages": [_message_json(m, files.get(m.id, [])) for m in messages]})


def _department_id(slug: Any) -> int:
    chosen = next((d for d in service.visible_departments() if d.slug == slug), None)
    if chosen is None:
        raise ValidationError({"department": N_("Choose a department.")})
    return int(chosen.id)


@bp.route("", methods=["POST"])
def create() -> Any:
    """Open a ticket: ``{"department", "subject", "body", "priority"?, "service_id"?, "encrypt"?}`` -> 201."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError({"request": N_("Send a JSON object.")})
    service_id = data.get("service_id")
    if service_id is not None and (isinstance(service_id, bool) or not isinstance(service_id, int)):
        raise ValidationError({"service_id": N_("Choose one of your services.")})
    texts = {name: data.get(name, "") for name in ("subject", "body")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise ValidationError({n: N_("Send text.") for n, v in texts.items() if not isinstance(v, str)})
    try:
        ticket = service.open_ticket(
            g.customer,
            department_id=_department_id(data.get("department")),
            subject=texts["subject"],
            body=texts["body"],
            priority=str(data.get("priority") or "medium"),
            service_id=service_id,
            options={"encrypt": data.get("encrypt") is True},
            ip=client_ip(),
        )
    except ValidationError as exc:
        raise ValidationError({FIELD_NAMES.get(k, k): v for k, v in exc.errors.items()}) from None
    return jsonify(_ticket_json(ticket)), 201
