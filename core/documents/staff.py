"""Staff actions on issued documents that leave an audit trail.

:func:`correct_proforma` is the customer's request "put my current billing data
on this proforma", or the correction a change of the buyer's tax treatment
requires, done by staff after they confirmed what it does
(:func:`core.documents.reissue.plan_reissue`): a new version with the current
data and re-priced lines, the payments carried over, the old one kept as
``superseded``, all in one transaction with the customer's money lock (so a
payment arriving at the same moment either lands on the old version before, or
finds it superseded and goes to the credit balance), and an activity log entry
naming both versions, the buyer and the gross before and after.
"""

from __future__ import annotations

from typing import Any

from core import activity, db
from core.documents.issuing import snapshot_of
from core.documents.reissue import ReissuePlan, plan_reissue, reissue
from core.errors import NotFound
from core.models import Document


def correction_plan(document_id: int) -> ReissuePlan:
    """What correcting document ``document_id`` would do (NotFound for an unknown id)."""
    found = Document.get_or_none(Document.id == document_id)
    if found is None:
        raise NotFound("document")
    return plan_reissue(found)


def correct_proforma(document_id: int, staff: Any, *, ip: str = "") -> Document:
    """Supersede proforma ``document_id`` with a corrected version carrying current data; return it.

    Raises NotFound for an unknown document and
    :class:`core.documents.reissue.NotCorrectable` (a Conflict saying why) when
    staff cannot correct it: a VAT invoice, a superseded or cancelled version,
    a proforma whose VAT invoice was issued, or one already carrying the data.
    """
    with db.write_transaction():
        found = Document.get_or_none(Document.id == document_id)
        if found is None:
            raise NotFound("document")
        db.lock_customer(found.customer_id)
        proforma = Document.get_by_id(document_id)  # re-read under the lock
        new = reissue(proforma)
        activity.record(
            "document.proforma_corrected",
            actor=staff,
            subject=new,
            ip=ip,
            superseded=proforma.number,
            new=new.number,
            buyer_before=snapshot_of(proforma).buyer.name,
            buyer_after=snapshot_of(new).buyer.name,
            gross_before=str(proforma.total_gross),
            gross_after=str(new.total_gross),
            paid_after=str(new.paid),
        )
    return new
