"""Staff actions on issued documents that leave an audit trail.

:func:`correct_proforma` is the customer's request "put my current billing data
on this proforma", done by staff: a new version of the unpaid proforma with the
current data, the old one kept as ``superseded``, all in one transaction with
the customer's money lock (so a payment arriving at the same moment either
lands on the old version before, or finds it superseded), and an activity log
entry naming both versions and the buyer data before and after.
"""

from __future__ import annotations

from typing import Any

from core import activity, db
from core.documents.issuing import reissue_with_current_data, snapshot_of
from core.errors import NotFound
from core.models import Document


def correct_proforma(document_id: int, staff: Any, *, ip: str = "") -> Document:
    """Supersede unpaid proforma ``document_id`` with a version carrying current data; return it.

    Raises NotFound for an unknown document and Conflict when it is not an
    unpaid proforma (paid, partially paid, already superseded, a VAT invoice).
    """
    with db.write_transaction():
        found = Document.get_or_none(Document.id == document_id)
        if found is None:
            raise NotFound("document")
        db.lock_customer(found.customer_id)
        proforma = Document.get_by_id(document_id)  # re-read under the lock
        new = reissue_with_current_data(proforma, staff)
        activity.record(
            "document.proforma_corrected",
            actor=staff,
            subject=new,
            ip=ip,
            superseded=proforma.number,
            new=new.number,
            buyer_before=snapshot_of(proforma).buyer.name,
            buyer_after=snapshot_of(new).buyer.name,
        )
    return new
