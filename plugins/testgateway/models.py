"""The test gateway's table: one row per checkout attempt."""

from __future__ import annotations

import peewee

from core.models import Customer, Document
from core.models.base import BaseModel, MoneyField, utc_now


class CheckoutAttempt(BaseModel):
    """A customer's visit to the gateway's payment page for ``document``, and the transaction it pays under.

    ``transaction_id`` is made when the attempt starts and never changes: every
    "pay" click of the attempt is recorded under it, so
    :func:`core.payments.recording.record_payment` (idempotent by method and
    transaction id) books the attempt once however often it is clicked.
    ``amount`` is what the page offered.
    """

    document = peewee.ForeignKeyField(Document, on_delete="CASCADE")
    document_id: int
    customer = peewee.ForeignKeyField(Customer, on_delete="CASCADE")
    customer_id: int
    transaction_id = peewee.CharField(max_length=64, unique=True)
    amount = MoneyField()
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "testgateway_checkout"
