"""Ticket e-mails, queued through the outbox in the ticket's transaction.

An encrypted message is never quoted: the mail only says that an encrypted
message is waiting in the panel. Internal notes never reach the customer.
"""

from __future__ import annotations

from core import mail, runtime
from core.tickets.models import Ticket, TicketMessage


def _body(message: TicketMessage | None) -> str | None:
    if message is None or message.encrypted:
        return None
    return str(message.body)


def to_department(ticket: Ticket, message: TicketMessage, event: str) -> None:
    """Tell the department's notification address about a new ticket or a customer reply."""
    address = ticket.department.notify_email
    if not address:
        return
    mail.queue_mail(
        address,
        "ticket_staff",
        str(runtime.config().get_value("app.language")),  # the provider's staff read the provider's language
        ticket=ticket,
        event=event,
        encrypted=message.encrypted,
        body=_body(message),
    )


def to_customer(ticket: Ticket, message: TicketMessage | None, event: str) -> None:
    """Tell the customer their ticket was opened, answered or closed."""
    customer = ticket.customer
    mail.queue_mail(
        customer.email,
        "ticket_customer",
        customer.language or str(runtime.config().get_value("app.language")),
        ticket=ticket,
        customer=customer,
        event=event,
        encrypted=bool(message and message.encrypted),
        body=_body(message),
    )
