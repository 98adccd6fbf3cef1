"""The statements plugin's tables (component ``bankstatements``).

* :class:`Bank`: how to read one bank's files (format, encoding, the CSV
  column mapping), chosen on upload or with ``--bank``.
* :class:`StatementImport`: one import of one file, with its summary.
* :class:`StatementEntry`: one credit ever seen, unique by its ``key`` (the
  transaction id its payment is recorded under), whichever import saw it
  first; importing a file again, or twice at once, finds the key taken and
  books nothing. Its ``state`` is where it stands: ``booked`` (matched and
  recorded), ``recorded`` (the payment existed already: typed in by staff),
  ``queued`` (waiting for staff), ``assigned`` (staff chose where it goes) or
  ``not_ours``.
"""

from __future__ import annotations

import peewee

from core.i18n import N_
from core.models.base import BaseModel, JSONField, MoneyField, utc_now

#: Where an entry stands, as staff read it.
STATE_LABELS = {
    "booked": N_("Booked"),
    "recorded": N_("Recorded earlier"),
    "queued": N_("Waiting for staff"),
    "assigned": N_("Assigned by staff"),
    "not_ours": N_("Not ours"),
}
#: How an entry was matched (``staff`` for queue decisions), as staff read it.
RULE_LABELS = {
    "number": N_("Document number in the title"),
    "split_payment": N_("Split payment"),
    "virtual_account": N_("Virtual account"),
    "amount_payer": N_("Amount and payer"),
    "staff": N_("Decided by staff"),
    "": "",
}


class Bank(BaseModel):
    """A bank the provider imports statements from, and how its files are read."""

    slug = peewee.CharField(max_length=40, unique=True)
    name = peewee.CharField(max_length=120)
    format = peewee.CharField(max_length=16)  # mt940 | camt053 | csv
    encoding = peewee.CharField(max_length=16, default="auto")
    separator = peewee.CharField(max_length=4, default="auto")  # MT940 :86: sub-field separator
    split_payment = peewee.CharField(max_length=8, default="auto")  # auto | net | gross
    mapping = JSONField(default=dict)  # CSV only
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "bankstatements_bank"


class StatementImport(BaseModel):
    """One imported file and what became of its lines."""

    bank = peewee.ForeignKeyField(Bank, null=True, on_delete="SET NULL")
    bank_id: int | None
    format = peewee.CharField(max_length=16)
    filename = peewee.CharField(max_length=255, default="")
    sha256 = peewee.CharField(max_length=64)
    account = peewee.CharField(max_length=64, default="")
    staff_id = peewee.IntegerField(null=True)
    via = peewee.CharField(max_length=8, default="admin")  # admin | cli
    credits = peewee.IntegerField(default=0)
    credits_sum = MoneyField(default=0)
    matched = peewee.IntegerField(default=0)
    matched_sum = MoneyField(default=0)
    queued = peewee.IntegerField(default=0)
    queued_sum = MoneyField(default=0)
    known = peewee.IntegerField(default=0)
    known_sum = MoneyField(default=0)
    ignored = peewee.IntegerField(default=0)
    ignored_sum = MoneyField(default=0)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "bankstatements_import"


class StatementEntry(BaseModel):
    """A credit from a statement, once per bank transaction (unique ``key``)."""

    key = peewee.CharField(max_length=128, unique=True)
    statement_import = peewee.ForeignKeyField(StatementImport, backref="entries", on_delete="RESTRICT")
    statement_import_id: int
    position = peewee.IntegerField()
    booking_date = peewee.DateField()
    amount = MoneyField()
    currency = peewee.CharField(max_length=3)
    title = peewee.TextField(default="")
    counterparty = peewee.CharField(max_length=255, default="")
    counterparty_account = peewee.CharField(max_length=64, default="", index=True)
    reference = peewee.CharField(max_length=128, default="")
    state = peewee.CharField(max_length=16, index=True)
    rule = peewee.CharField(max_length=24, default="")
    reason = peewee.CharField(max_length=255, default="")
    customer_id = peewee.IntegerField(null=True, index=True)
    document_id = peewee.IntegerField(null=True)
    payment_id = peewee.IntegerField(null=True)
    candidates = JSONField(default=list)  # document ids staff are offered
    vat_amount = MoneyField(null=True)  # split payment: the VAT the bank moved to the VAT account
    resolved_by = peewee.IntegerField(null=True)
    resolved_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utc_now)

    class Meta:
        table_name = "bankstatements_entry"
        #: The queue (queued transfers, oldest first, a page at a time by keyset).
        indexes = ((("state", "id"), False),)
