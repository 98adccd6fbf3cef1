"""Issuing many proformas in one write transaction: the renewal run's batches.

:func:`core.documents.issuing.issue_document` issues one document and reads
everything it needs for it. A run that issues thousands reads what they share
once per batch: the stored seller data, the configuration's currency, place of
issue and days to pay, the day. :meth:`DocumentBatch.proforma` then issues each
proforma as ``issue_document`` does (the next number, ``hookbill_seller_overrides``,
the frozen snapshot, the saved row, ``on_invoice_issue``), the row written by a
statement built once (:mod:`core.prepared`). The ``document_issued`` outbox
messages of the documents that stayed are queued together (:meth:`DocumentBatch.queue_issued`).

Numbers stay gapless: the caller issues each document in a savepoint, so a
document refused by a plugin rolls back its own number, and the next document
takes that number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from core import clock, db, outbox, runtime
from core.documents.build import LineInput, build_snapshot
from core.documents.issuing import seller_party, seller_party_for
from core.documents.numbering import next_number
from core.documents.snapshot import Party
from core.i18n import N_, document_text
from core.models import Customer, Document
from core.money import ZERO
from core.prepared import PreparedInsert

_insert = PreparedInsert(Document)


class DocumentBatch:
    """What the proformas of one write transaction share, read once; issue each with :meth:`proforma`."""

    def __init__(self) -> None:
        if not db.database.obj.in_transaction():
            raise RuntimeError("a DocumentBatch must be used inside a write transaction")
        config = runtime.config()
        self.today = clock.today()
        self.currency = str(config.get_value("app.currency"))
        self.place_of_issue = str(config.get_value("billing.place_of_issue"))
        self.due_days = int(config.get_value("billing.proforma_due_days"))
        self.seller = seller_party()

    def proforma(
        self,
        customer: Customer,
        lines: Sequence[LineInput],
        *,
        buyer: Party,
        sale_date: date | None = None,
        due_date: date | None = None,
        purpose: str = "",
        purpose_ref: int | None = None,
        notes: Sequence[str] = (),
        staff_credit: Decimal = ZERO,
    ) -> Document:
        """Issue one unpaid proforma to ``customer`` as :func:`issue_document` would; return it.

        ``buyer`` is the customer's current billing data as a party (read by the
        caller with the customer). ``notes`` and ``staff_credit`` as for
        ``issue_document``: the ledger is debited by the staff credit the
        ``lines`` were discounted by before ``on_invoice_issue`` runs. The
        ``document_issued`` message is not queued here: pass the documents that
        stayed to :meth:`queue_issued`.
        """
        series, number = next_number("proforma", self.today)
        due = due_date or self.today + timedelta(days=self.due_days)
        snap = build_snapshot(
            kind="proforma",
            number=number,
            issue_date=self.today,
            sale_date=sale_date or self.today,
            due_date=due,
            seller=seller_party_for(customer, "proforma", self.seller),
            buyer=buyer,
            lines=lines,
            currency=self.currency,
            place_of_issue=self.place_of_issue,
            notes=notes,
        )
        document: Document = _insert.create(
            {
                "customer": customer,
                "kind": "proforma",
                "series": series,
                "number": number,
                "status": "unpaid",
                "issue_date": self.today,
                "due_date": due,
                "currency": snap.currency,
                "total_net": snap.total_net,
                "total_vat": snap.total_vat,
                "total_gross": snap.total_gross,
                "paid": snap.paid,
                "paid_at": None,
                "snapshot": snap.to_json(),
                "purpose": purpose,
                "purpose_ref": purpose_ref,
            }
        )
        if staff_credit > 0:
            from core.balance import credit, ledger

            ledger.append(
                customer.id,
                credit.USED,
                -staff_credit,
                document_id=document.id,
                reason=document_text(N_("Discount on %(number)s"), number=number),
            )
        runtime.hooks().on_invoice_issue(document=document)
        return document

    @staticmethod
    def queue_issued(documents: Sequence[Document]) -> None:
        """Queue ``document_issued`` (PDF, mail) for each of ``documents``, as ``issue_document`` does for one."""
        outbox.enqueue_many("document_issued", [({"document_id": d.id}, f"document_issued:{d.id}") for d in documents])
