"""Billing: customers' billing data history, documents, numbering, payments, the ledger."""

from __future__ import annotations

from typing import Any

import peewee

from core.models.accounts import Customer
from core.models.base import BaseModel, JSONField, MoneyField, utc_now


class BillingProfile(BaseModel):
    """One version of a customer's billing data; the newest row is the current one.

    Rows are never updated: a change appends a new version, so the history
    (who, when, old and new values) is the table itself.
    """

    customer = peewee.ForeignKeyField(Customer, backref="billing_profiles", on_delete="CASCADE")
    customer_id: int
    kind = peewee.CharField(max_length=16)  # company | private
    name = peewee.CharField(max_length=255)
    tax_id = peewee.CharField(max_length=32, default="")
    address_line1 = peewee.CharField(max_length=255)
    address_line2 = peewee.CharField(max_length=255, default="")
    postcode = peewee.CharField(max_length=16)
    city = peewee.CharField(max_length=120)
    country = peewee.CharField(max_length=2, default="PL")
    changed_by_kind = peewee.CharField(max_length=16, default="customer")
    changed_by_id = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)

    def save(self, *args: Any, **kwargs: Any) -> int:
        """Append this version and refresh the customer's search text (name, tax id)."""
        if self.id is not None and not kwargs.get("force_insert"):
            raise RuntimeError("billing data versions are never updated; append a new one")
        result = super().save(*args, **kwargs)
        customer = Customer.get_by_id(self.customer_id)
        Customer.update(search_key=customer.compute_search_key((self.name, self.tax_id))).where(
            Customer.id == customer.id
        ).execute()
        return result


class DocumentImmutable(RuntimeError):
    """An issued document cannot be edited or deleted."""


DOCUMENT_KINDS = ("proforma", "vat", "correction", "advance")
DOCUMENT_STATUSES = ("unpaid", "partially_paid", "paid", "superseded", "cancelled", "issued")


class Document(BaseModel):
    """An issued proforma, VAT invoice or correcting invoice.

    ``snapshot`` (JSON) is the whole document as issued: seller, buyer, lines,
    totals per VAT rate, dates, payment method. It is never changed after issue;
    only the state beside it may change: the payment state (``status``, ``paid``,
    ``paid_at``), the link to a later version (``superseded_by_id``) and
    ``needs_correction`` (an open proforma whose buyer's tax treatment changed
    since issue; staff must re-issue it before its VAT invoice can be issued,
    :mod:`core.documents.review`). Deleting is refused.
    """

    customer = peewee.ForeignKeyField(Customer, backref="documents", on_delete="RESTRICT")
    customer_id: int
    kind = peewee.CharField(max_length=16)
    series = peewee.CharField(max_length=32)
    number = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16, index=True)
    issue_date = peewee.DateField()
    due_date = peewee.DateField(null=True)
    currency = peewee.CharField(max_length=3)
    total_net = MoneyField()
    total_vat = MoneyField()
    total_gross = MoneyField()
    paid = MoneyField(default=0)
    paid_at = peewee.DateTimeField(null=True)
    snapshot = JSONField()
    proforma_id = peewee.IntegerField(null=True, index=True)
    corrects_id = peewee.IntegerField(null=True, index=True)
    supersedes_id = peewee.IntegerField(null=True, index=True)
    superseded_by_id = peewee.IntegerField(null=True)
    purpose = peewee.CharField(max_length=32, default="")
    purpose_ref = peewee.IntegerField(null=True)
    needs_correction = peewee.BooleanField(default=False, index=True)
    created_at = peewee.DateTimeField(default=utc_now)

    MUTABLE_FIELDS = frozenset({"status", "paid", "paid_at", "superseded_by_id", "needs_correction"})

    class Meta:
        only_save_dirty = True
        indexes = ((("kind", "number"), True),)

    #: State the PDF prints: a change of any of them renders the stored PDF again after commit.
    PRINTED_STATE = frozenset({"status", "paid", "superseded_by_id"})

    def save(self, *args: Any, **kwargs: Any) -> int:
        """Insert, or update only the state beside the snapshot; anything else raises DocumentImmutable.

        A change of the printed state queues the PDF to be rendered again after
        commit (:func:`core.documents.files.queue_pdf_refresh`).
        """
        if self.id is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        dirty = {field.name for field in self.dirty_fields}
        frozen = dirty - self.MUTABLE_FIELDS
        if frozen:
            raise DocumentImmutable(f"issued document {self.number}: cannot change {sorted(frozen)}")
        result = super().save(*args, **kwargs)
        if dirty & self.PRINTED_STATE:
            from core.documents.files import queue_pdf_refresh

            queue_pdf_refresh(self)
        return result

    def delete_instance(self, *args: Any, **kwargs: Any) -> int:
        """Refused: issued documents are never deleted."""
        raise DocumentImmutable(f"issued document {self.number} cannot be deleted")


class DocumentFile(BaseModel):
    """The rendered PDF of an issued document in one state, stored after commit.

    The PDF prints the immutable snapshot and the document's current state (what
    was paid and how, what is left to pay, superseded or cancelled); ``state``
    is the key of the state it shows (:func:`core.documents.state.state_key`).
    Written by the outbox after the issue and after every change of state (or on
    a download that finds it stale); one row per document, replaced when the
    state changes. Kept in the database so every app node serves the same bytes.
    """

    document = peewee.ForeignKeyField(Document, unique=True, backref="files", on_delete="RESTRICT")
    document_id: int
    content_type = peewee.CharField(max_length=64, default="application/pdf")
    content = peewee.BlobField()
    state = peewee.CharField(max_length=64, default="")
    created_at = peewee.DateTimeField(default=utc_now)


class DocumentSequence(BaseModel):
    """The last number used in one numbering series and period (gapless counters)."""

    series = peewee.CharField(max_length=32)
    period = peewee.CharField(max_length=16)
    last = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("series", "period"), True),)


class Payment(BaseModel):
    """Money received, idempotent by ``(method, transaction_id)``."""

    customer = peewee.ForeignKeyField(Customer, backref="payments", on_delete="RESTRICT")
    customer_id: int
    document = peewee.ForeignKeyField(Document, null=True, backref="payments", on_delete="RESTRICT")
    document_id: int | None
    method = peewee.CharField(max_length=32)
    transaction_id = peewee.CharField(max_length=128)
    amount = MoneyField()
    currency = peewee.CharField(max_length=3)
    received_at = peewee.DateTimeField(default=utc_now)
    recorded_by_staff = peewee.IntegerField(null=True)
    details = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        indexes = ((("method", "transaction_id"), True),)


LEDGER_KINDS = (
    "topup",
    "overpayment",
    "downgrade_credit",
    "refund",
    "applied",
    "staff_credit",
    "staff_debit",
    "stale_payment",
    "correction_credit",
    "refund_reversed",
    "staff_credit_used",
    "staff_credit_returned",
)


class LedgerEntry(BaseModel):
    """An append-only entry of the credit balance (gross); balance = sum of ``amount``."""

    customer = peewee.ForeignKeyField(Customer, backref="ledger", on_delete="RESTRICT")
    customer_id: int
    kind = peewee.CharField(max_length=24)
    amount = MoneyField()
    document_id = peewee.IntegerField(null=True)
    payment_id = peewee.IntegerField(null=True)
    staff_id = peewee.IntegerField(null=True)
    reason = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utc_now)
