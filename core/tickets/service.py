"""Ticket services: open, reply, add internal notes, assign, change status, close.

Every function here is what one person can do; the browser, the API, the CLI and
the tests call the same functions. Plaintext of a message never leaves these
functions except into ``on_ticket_create``/``on_ticket_reply`` and, after the
hooks ran, into the database: a plugin that encrypts replaces the body first.

Order inside one write transaction (nothing of the message exists before it):

1. checks (department, the customer's own service, body, attachments by content);
2. the ticket row (opening only), then the hook with an unsaved message and
   pending attachments; a :class:`~core.hookspecs.HookRefused` rolls everything back;
3. when the customer asked for encryption and no plugin encrypted, refuse;
4. the message row, the attachment files (temp name, rename) and rows, the mail;
   files written are deleted again if the transaction fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from core import activity, clock, db, runtime
from core.errors import DomainError, NotFound, ValidationError
from core.hookspecs import HookRefused
from core.i18n import N_
from core.models import Customer, Service, Staff
from core.tickets import notify
from core.tickets.models import PRIORITIES, TICKET_STATUSES, Department, Ticket, TicketAttachment, TicketMessage
from core.tickets.pending import PendingAttachment, Upload, check_uploads, limit
from core.tickets.storage import PendingFiles
from core.untrusted import as_id


class TicketRefused(DomainError):
    """A plugin refused the message (e.g. encryption failed); nothing was stored."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message, code="refused")


def visible_departments() -> list[Department]:
    """Departments customers may write to, in display order."""
    return list(Department.select().where(Department.visible).order_by(Department.position, Department.name))


def customer_ticket(customer: Customer, ticket_id: int) -> Ticket:
    """The customer's own ticket ``ticket_id``; :class:`NotFound` for anyone else's."""
    ticket = Ticket.get_or_none((Ticket.id == ticket_id) & (Ticket.customer == customer))
    if ticket is None:
        raise NotFound("ticket not found")
    return ticket


def _check_body(body: str, field: str = "body") -> str:
    text = (body or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationError({field: N_("Write a message.")})
    if len(text) > limit("max_body_chars"):
        raise ValidationError(
            {field: N_("The message is too long (%(count)s characters at most).", count=limit("max_body_chars"))}
        )
    return text


def _store(
    message: TicketMessage, pending: list[PendingAttachment], files: PendingFiles, options: dict[str, Any]
) -> None:
    """Save the message and its files after the hooks ran; refuse unencrypted 'encrypt'."""
    if options.get("encrypt") and not (message.encrypted and all(p.encrypted for p in pending)):
        raise HookRefused(
            N_(
                "Encryption is not available for this message, so it was not sent. "
                "Send it without encryption or ask us for another way."
            )
        )
    message.save(force_insert=True)
    for item in pending:
        TicketAttachment.create(
            message=message,
            ticket=message.ticket,
            storage_name=files.write(item.data),
            filename=item.filename[:255],
            mime=item.mime,
            size=len(item.data),
            encrypted=item.encrypted,
        )


def _set_status(ticket: Ticket, new_status: str) -> None:
    old = ticket.status
    if old == new_status:
        return
    ticket.status = new_status
    ticket.closed_at = clock.utcnow() if new_status == "closed" else None
    ticket.save()
    runtime.hooks().on_ticket_status_change(ticket=ticket, old_status=old, new_status=new_status)


def open_ticket(
    customer: Customer,
    *,
    department_id: int,
    subject: str,
    body: str,
    priority: str = "medium",
    service_id: int | None = None,
    uploads: Sequence[Upload] = (),
    options: dict[str, Any] | None = None,
    ip: str = "",
) -> Ticket:
    """Open a ticket with its first message; return it (saved, committed).

    Raises :class:`ValidationError` (fields: department_id, subject, priority,
    service_id, body, attachments), or :class:`TicketRefused` when a plugin refused
    (then nothing at all was stored: no ticket, message, file or mail).
    """
    options = dict(options or {})
    department = Department.get_or_none((Department.id == department_id) & Department.visible)
    if department is None:
        raise ValidationError({"department_id": N_("Choose a department.")})
    subject = (subject or "").strip()
    if not subject or len(subject) > 200:
        raise ValidationError({"subject": N_("Enter a subject (200 characters at most).")})
    if priority not in PRIORITIES:
        raise ValidationError({"priority": N_("Choose a priority.")})
    service = None
    if service_id:
        key = as_id(service_id)
        service = Service.get_or_none((Service.id == key) & (Service.customer == customer)) if key else None
        if service is None:
            raise ValidationError({"service_id": N_("Choose one of your services.")})
    text = _check_body(body)
    pending = check_uploads(uploads)
    try:
        with PendingFiles() as files, db.write_transaction():
            now = clock.utcnow()
            ticket = Ticket.create(
                customer=customer,
                department=department,
                service=service,
                subject=subject,
                priority=priority,
                encrypted=bool(options.get("encrypt")),
                created_at=now,
                updated_at=now,
                last_reply_at=now,
            )
            message = TicketMessage(
                ticket=ticket,
                author_kind="customer",
                author_id=customer.id,
                author_name=customer.full_name,
                body=text,
                created_at=now,
            )
            runtime.hooks().on_ticket_create(ticket=ticket, message=message, attachments=pending, options=options)
            _store(message, pending, files, options)
            notify.to_department(ticket, message, "new")
            notify.to_customer(ticket, message, "opened")
            activity.record(
                "ticket.opened",
                actor=customer,
                subject=ticket,
                ip=ip,
                department=department.slug,
                encrypted=message.encrypted,
                attachments=len(pending),
            )
    except HookRefused as exc:
        raise TicketRefused(exc.message) from None
    return ticket


def reply(
    ticket: Ticket,
    author: Customer | Staff,
    body: str,
    *,
    uploads: Sequence[Upload] = (),
    internal: bool = False,
    options: dict[str, Any] | None = None,
    ip: str = "",
) -> TicketMessage:
    """Add a reply (or, for staff, an internal note) to ``ticket``; return the saved message.

    A customer's reply sets the status to ``customer_reply`` (reopening a closed
    ticket), a staff reply to ``answered``; an internal note changes nothing the
    customer sees. Raises like :func:`open_ticket`.
    """
    kind = "staff" if isinstance(author, Staff) else "customer"
    if kind == "customer":
        if ticket.customer_id != author.id:
            raise NotFound("ticket not found")
        internal = False
    options = {**(options or {}), "internal": internal}
    text = _check_body(body)
    pending = check_uploads(uploads)
    try:
        with PendingFiles() as files, db.write_transaction():
            now = clock.utcnow()
            message = TicketMessage(
                ticket=ticket,
                author_kind=kind,
                author_id=author.id,
                author_name=author.full_name,
                body=text,
                internal=internal,
                created_at=now,
            )
            runtime.hooks().on_ticket_reply(
                ticket=ticket, message=message, attachments=pending, author_kind=kind, options=options
            )
            _store(message, pending, files, options)
            if not internal:
                ticket.last_reply_at = now
                _set_status(ticket, "customer_reply" if kind == "customer" else "answered")
            ticket.updated_at = now
            ticket.save()
            if kind == "customer":
                notify.to_department(ticket, message, "reply")
            elif not internal:
                notify.to_customer(ticket, message, "answered")
            activity.record(
                "ticket.note" if internal else "ticket.replied",
                actor=author,
                subject=ticket,
                ip=ip,
                encrypted=message.encrypted,
                attachments=len(pending),
            )
    except HookRefused as exc:
        raise TicketRefused(exc.message) from None
    return message


def close_ticket(ticket: Ticket, closed_by: str, actor: Customer | Staff | None = None, ip: str = "") -> None:
    """Close ``ticket`` (``closed_by``: customer, staff or system); closing twice does nothing."""
    if ticket.status == "closed":
        return
    with db.write_transaction():
        _set_status(ticket, "closed")
        runtime.hooks().on_ticket_close(ticket=ticket, closed_by=closed_by)
        if closed_by != "customer":
            notify.to_customer(ticket, None, "closed")
        activity.record("ticket.closed", actor=actor, subject=ticket, ip=ip, by=closed_by)


def change_status(ticket: Ticket, new_status: str, staff: Staff, ip: str = "") -> None:
    """Staff set any status of :data:`TICKET_STATUSES`; ``closed`` closes the ticket."""
    if new_status not in TICKET_STATUSES:
        raise ValidationError({"status": N_("Choose a status.")})
    if new_status == "closed":
        close_ticket(ticket, "staff", staff, ip)
        return
    with db.write_transaction():
        old = ticket.status
        _set_status(ticket, new_status)
        activity.record("ticket.status", actor=staff, subject=ticket, ip=ip, old=old, new=new_status)


def assign(ticket: Ticket, assignee: Staff | None, staff: Staff, ip: str = "") -> None:
    """Assign ``ticket`` to ``assignee`` (None: nobody)."""
    with db.write_transaction():
        ticket.assigned_to = assignee
        ticket.save()
        activity.record(
            "ticket.assigned", actor=staff, subject=ticket, ip=ip, assignee=assignee.email if assignee else ""
        )


def close_idle() -> int:
    """Cron: close tickets answered by staff and idle for ``idle_close_days``; return how many."""
    days = limit("idle_close_days")
    if days <= 0:
        return 0
    cutoff = clock.utcnow() - timedelta(days=days)
    ids = [
        t.id for t in Ticket.select(Ticket.id).where((Ticket.status == "answered") & (Ticket.last_reply_at < cutoff))
    ]
    for ticket_id in ids:
        ticket = Ticket.get_by_id(ticket_id)
        if ticket.status == "answered":
            close_ticket(ticket, "system")
    return len(ids)
