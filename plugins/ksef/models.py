"""The KSeF plugin's tables: each invoice's way through KSeF, its errors, and the open connection.

A :class:`KsefSubmission` is the state beside one issued document (its
snapshot never changes), like the payment state. ``state``:

* ``pending``: waiting to be sent, or sent and waiting for KSeF's answer (an
  offline invoice carries the deadline it must be sent by);
* ``accepted``: KSeF gave it its number (``ksef_number``, ``accepted_at``, the UPO);
* ``rejected``: KSeF refused it (``reason``); it is not sent again until staff
  resend it after fixing the cause;
* ``failed``: it could not be sent (the FA(3) could not be built, or KSeF
  stayed unreachable for every attempt); staff resend it.

``xml`` are the exact bytes sent (``xml_hash`` their SHA-256, Base64); they are
frozen at the first attempt and never rebuilt, because KOD I is over them.
``qr_hash`` is the hash KOD I carries: the file first handed to the buyer (a
technical correction keeps it: KSeF links the corrected file to it).

Every answer KSeF gave that was not a success is a :class:`KsefError` row.
:class:`KsefConnection` keeps the access token and the open online session
(encrypted: the session's AES key is in it), so invoices go out in one session.
"""

from __future__ import annotations

import peewee

from core.models import Document
from core.models.base import BaseModel, utc_now

STATES = ("pending", "accepted", "rejected", "failed")


class KsefSubmission(BaseModel):
    """One document's way through KSeF (see the module docstring)."""

    document = peewee.ForeignKeyField(Document, unique=True, on_delete="RESTRICT")
    document_id: int
    state = peewee.CharField(max_length=16, default="pending", index=True)
    xml = peewee.BlobField(null=True)
    xml_hash = peewee.CharField(max_length=64, default="")
    qr_hash = peewee.CharField(max_length=64, default="")
    corrected_hash = peewee.CharField(max_length=64, default="")
    session_ref = peewee.CharField(max_length=64, default="")
    invoice_ref = peewee.CharField(max_length=64, default="")
    ksef_number = peewee.CharField(max_length=40, default="", index=True)
    accepted_at = peewee.DateTimeField(null=True)
    invoicing_mode = peewee.CharField(max_length=16, default="")
    upo = peewee.TextField(default="")
    offline = peewee.BooleanField(default=False)
    offline_mode = peewee.CharField(max_length=16, default="")  # offline24 | failure
    deadline = peewee.DateField(null=True)
    kod2 = peewee.TextField(default="")  # KOD II's signed link, made once (an RSA-PSS signature differs each time)
    attempts = peewee.IntegerField(default=0)
    reason = peewee.TextField(default="")
    claimed_by = peewee.CharField(max_length=120, default="")
    claimed_at = peewee.DateTimeField(null=True)
    mail_state = peewee.CharField(max_length=16, default="")  # "" | held | released
    held_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)
    updated_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "ksef_submission"


class KsefError(BaseModel):
    """One answer from KSeF (or our side) that was not a success, for the staff's queue."""

    submission = peewee.ForeignKeyField(KsefSubmission, backref="errors", on_delete="CASCADE")
    submission_id: int
    at = peewee.DateTimeField(default=utc_now)
    stage = peewee.CharField(max_length=16)  # build | send | status | upo
    http_status = peewee.IntegerField(default=0)
    code = peewee.IntegerField(default=0)
    description = peewee.TextField(default="")
    details = peewee.TextField(default="")
    body = peewee.TextField(default="")

    class Meta:
        table_name = "ksef_error"


class KsefConnection(BaseModel):
    """The tokens and the open session, Fernet-encrypted JSON (one row per name)."""

    name = peewee.CharField(max_length=32, unique=True)
    data = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "ksef_connection"
