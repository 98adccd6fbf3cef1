"""The Przelewy24 plugin's tables: checkout attempts, refunds, and the cached method list.

One :class:`P24Session` row per checkout attempt. Its ``session_id`` is the
``sessionId`` registered with P24 and the ``transaction_id`` of the payment it
books, so one attempt can book at most one payment, however often P24 notifies.
Its ``status`` only moves forward:

``new`` (saved before registering) -> ``registered`` (P24 gave a token) ->
``verified`` (a notification passed every check and P24 confirmed it) ->
``booked`` (the payment is recorded); ``failed`` when registering failed.

A :class:`P24Refund` is one refund staff asked for: ``requested`` (saved, the
money taken off the books) -> ``accepted`` (P24 took the request) ->
``completed`` or ``rejected`` (P24's refund notification, or its answer);
``unknown`` when the answer never came (staff may send the same request again;
P24 recognises it by ``request_id``).
"""

from __future__ import annotations

import peewee

from core.models import Customer, Document, Payment
from core.models.base import BaseModel, JSONField, MoneyField, utc_now


class P24Session(BaseModel):
    """One checkout attempt with Przelewy24 (see the module docstring)."""

    session_id = peewee.CharField(max_length=100, unique=True)
    customer = peewee.ForeignKeyField(Customer, on_delete="RESTRICT")
    customer_id: int
    document = peewee.ForeignKeyField(Document, on_delete="RESTRICT")
    document_id: int
    # blik | transfer | card: what the customer chose; once verified, what P24 says was paid
    kind = peewee.CharField(max_length=16)
    bank_method = peewee.IntegerField(null=True)  # the P24 method id of the bank chosen on our page
    amount = MoneyField()
    currency = peewee.CharField(max_length=3)
    status = peewee.CharField(max_length=16, default="new", index=True)
    token = peewee.CharField(max_length=100, default="")
    order_id = peewee.BigIntegerField(null=True)  # P24's id; may exceed 2**31
    method_id = peewee.IntegerField(null=True)
    statement = peewee.CharField(max_length=255, default="")
    payment_id = peewee.IntegerField(null=True)
    last_error = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utc_now)
    verified_at = peewee.DateTimeField(null=True)
    booked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "p24_session"


class P24Refund(BaseModel):
    """One refund of a Przelewy24 payment (see the module docstring)."""

    session = peewee.ForeignKeyField(P24Session, on_delete="RESTRICT")
    session_id: int
    payment = peewee.ForeignKeyField(Payment, on_delete="RESTRICT")
    payment_id: int
    customer_id = peewee.IntegerField(index=True)
    amount = MoneyField()
    currency = peewee.CharField(max_length=3)
    corrected = MoneyField(default=0)  # the part a correcting invoice returned
    correction_id = peewee.IntegerField(null=True)
    request_id = peewee.CharField(max_length=45, unique=True)
    refunds_uuid = peewee.CharField(max_length=35, unique=True)
    status = peewee.CharField(max_length=16, default="requested", index=True)
    message = peewee.CharField(max_length=255, default="")
    reason = peewee.CharField(max_length=255, default="")
    staff_id = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)
    updated_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "p24_refund"


class P24MethodCache(BaseModel):
    """P24's list of payment methods in one language, as last fetched (shared by every app node)."""

    lang = peewee.CharField(max_length=8, unique=True)
    methods = JSONField(default=list)
    fetched_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "p24_method_cache"
