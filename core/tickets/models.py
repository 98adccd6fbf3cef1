"""Ticket tables: departments (with their PGP key), tickets, messages and attachments.

A message's ``body`` is either the customer's or staff's text, or (``encrypted``)
ASCII-armored OpenPGP ciphertext put there by a plugin before the row was first
written. Attachment files live outside any served folder under ``storage_name``;
the table keeps the name the customer gave (``filename``), checked by
:func:`core.tickets.filetypes.check_attachment`.
"""

from __future__ import annotations

import peewee

from core.models import Customer, Service, Staff
from core.models.base import BaseModel, utc_now

TICKET_STATUSES = ("open", "answered", "customer_reply", "on_hold", "closed")
PRIORITIES = ("low", "medium", "high")
AUTHOR_KINDS = ("customer", "staff", "system")


class Department(BaseModel):
    """A team that answers tickets; ``visible`` departments are offered to customers.

    ``pgp_fingerprint``/``pgp_public_key`` are the department's encryption key
    (empty: encrypted messages are refused for this department). The matching
    secret key lives only in the app's gpg keyring, its passphrase only in the
    environment.
    """

    name = peewee.CharField(max_length=100)
    slug = peewee.CharField(max_length=64, unique=True)
    description = peewee.TextField(default="")
    visible = peewee.BooleanField(default=True)
    notify_email = peewee.CharField(max_length=254, default="")
    position = peewee.IntegerField(default=0)
    pgp_fingerprint = peewee.CharField(max_length=64, default="")
    pgp_public_key = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utc_now)
    members: peewee.ModelSelect[DepartmentMember]  # backref of DepartmentMember.department


class DepartmentMember(BaseModel):
    """A staff member belongs to a department (may decrypt its messages)."""

    department = peewee.ForeignKeyField(Department, backref="members", on_delete="CASCADE")
    department_id: int
    staff = peewee.ForeignKeyField(Staff, backref="departments", on_delete="CASCADE")
    staff_id: int

    class Meta:
        indexes = ((("department", "staff"), True),)


class Ticket(BaseModel):
    """A conversation between one customer and a department.

    ``status`` is one of :data:`TICKET_STATUSES`; ``last_reply_at`` drives the
    idle-close cron job; ``encrypted`` says the customer asked for encryption.
    """

    customer = peewee.ForeignKeyField(Customer, backref="tickets", on_delete="RESTRICT")
    customer_id: int
    department = peewee.ForeignKeyField(Department, backref="tickets", on_delete="RESTRICT")
    department_id: int
    service = peewee.ForeignKeyField(Service, null=True, on_delete="SET NULL")
    service_id: int | None
    subject = peewee.CharField(max_length=200)
    priority = peewee.CharField(max_length=16, default="medium")
    status = peewee.CharField(max_length=16, default="open", index=True)
    assigned_to = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    assigned_to_id: int | None
    encrypted = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utc_now)
    updated_at = peewee.DateTimeField(default=utc_now)
    last_reply_at = peewee.DateTimeField(default=utc_now, index=True)
    closed_at = peewee.DateTimeField(null=True)

    class Meta:
        # The queue: tickets in some statuses, newest reply first (core.tickets.views_admin).
        indexes = ((("status", "last_reply_at", "id"), False),)


class TicketMessage(BaseModel):
    """One message of a ticket; ``internal`` notes are never shown to the customer."""

    ticket = peewee.ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    ticket_id: int
    author_kind = peewee.CharField(max_length=16)
    author_id = peewee.IntegerField(null=True)
    author_name = peewee.CharField(max_length=200, default="")
    body = peewee.TextField()
    internal = peewee.BooleanField(default=False)
    encrypted = peewee.BooleanField(default=False)
    encrypted_to = peewee.CharField(max_length=400, default="")
    created_at = peewee.DateTimeField(default=utc_now)


class TicketAttachment(BaseModel):
    """A file of a message, stored as ``storage_name`` in the attachment folder."""

    message = peewee.ForeignKeyField(TicketMessage, backref="attachments", on_delete="CASCADE")
    message_id: int
    ticket = peewee.ForeignKeyField(Ticket, backref="attachments", on_delete="CASCADE")
    ticket_id: int
    storage_name = peewee.CharField(max_length=64, unique=True)
    filename = peewee.CharField(max_length=255)
    mime = peewee.CharField(max_length=100)
    size = peewee.IntegerField()
    encrypted = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utc_now)


ALL_TABLES = [Department, DepartmentMember, Ticket, TicketMessage, TicketAttachment]
