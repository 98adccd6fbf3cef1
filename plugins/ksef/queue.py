"""The staff's KSeF queue: what waits, what KSeF accepted or refused, and sending again.

:func:`resend` is the one way to send an invoice again after KSeF rejected it
or it failed: an offline invoice KSeF rejected goes as the technical correction
the API provides (the same content built again, with the hash of the rejected
file, ``hashOfCorrectedInvoice``), never as a new invoice; an online invoice is
built again from its snapshot and sent. A failed offline invoice keeps its
bytes: they were handed to the buyer with KOD I over them.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import cast

import peewee
from peewee import fn

from core import clock, db
from core.errors import Conflict
from core.i18n import N_
from core.keyset import Count, Page, capped_count, keyset_page
from core.models import Document
from plugins.ksef.models import STATES, KsefError, KsefSubmission
from plugins.ksef.sending import queue

#: How each state reads in the admin area and the CLI (translated there).
STATE_LABELS = {
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
}
OFFLINE_MODES = {"offline24": N_("offline (next business day)"), "failure": N_("offline (KSeF failure)")}


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: the submission and its document."""

    submission: KsefSubmission
    document: Document

    @property
    def overdue(self) -> bool:
        """An offline invoice still not accepted after its deadline."""
        deadline: date | None = self.submission.deadline
        return self.submission.state != "accepted" and deadline is not None and deadline < clock.today()


def counts() -> dict[str, int]:
    """How many submissions are in each state (every state listed, zeros included), counted by the database."""
    found = dict.fromkeys(STATES, 0)
    grouped = KsefSubmission.select(KsefSubmission.state, fn.COUNT(KsefSubmission.id)).group_by(KsefSubmission.state)
    for state, number in cast("Iterable[tuple[str, int]]", grouped.tuples()):
        found[state] = number
    return found


def capped_counts(cap: int) -> dict[str, Count]:
    """How many submissions are in each state, each read up to ``cap`` (the admin page: a bounded read)."""
    return {state: capped_count(KsefSubmission.select().where(KsefSubmission.state == state), cap) for state in STATES}


def _listed() -> peewee.ModelSelect[KsefSubmission]:
    """Submissions with their document's number, without the stored XML and UPO a list does not show."""
    shown = [f for f in KsefSubmission._meta.sorted_fields if f.name not in ("xml", "upo", "kod2")]
    return KsefSubmission.select(*shown, Document.id, Document.number).join(
        Document, on=(KsefSubmission.document == Document.id)
    )


def page(state: str | None = None, *, size: int = 50, after: str | None = None, before: str | None = None) -> Page:
    """One page of the queue, newest first, of one state or all; its rows are :class:`QueueRow`.

    ``after`` / ``before`` are :func:`core.keyset.keyset_page`'s cursors.
    """
    query = _listed()
    if state in STATES:
        query = query.where(KsefSubmission.state == state)
    found = keyset_page(query, [KsefSubmission.id], size=size, after=after, before=before)
    return dataclasses.replace(found, rows=[QueueRow(s, s.document) for s in found.rows])


def rows(state: str | None = None, limit: int = 200) -> list[QueueRow]:
    """The newest ``limit`` submissions, of one state or all."""
    query = _listed().order_by(KsefSubmission.id.desc()).limit(limit)
    if state in STATES:
        query = query.where(KsefSubmission.state == state)
    return [QueueRow(s, s.document) for s in query]


def errors_of(submission: KsefSubmission) -> list[KsefError]:
    """Every error answer of the submission, newest first."""
    return list(KsefError.select().where(KsefError.submission == submission.id).order_by(KsefError.id.desc()))


def resend(document_id: int) -> KsefSubmission:
    """Send the document to KSeF again (module docstring); raises Conflict when it is not rejected or failed."""
    with db.write_transaction():
        submission = KsefSubmission.get_or_none(KsefSubmission.document == document_id)
        if submission is None:
            raise Conflict(N_("This document is not sent to KSeF."), code="not_in_ksef")
        if submission.state not in ("rejected", "failed"):
            raise Conflict(N_("Only a rejected or failed invoice can be sent again."), code="not_resendable")
        fields: dict[str, object] = {"state": "pending", "attempts": 0, "reason": "", "updated_at": clock.utcnow()}
        fields.update(session_ref="", invoice_ref="", claimed_by="", claimed_at=None)
        if submission.state == "rejected" and submission.offline and submission.xml_hash:
            fields.update(xml=None, corrected_hash=submission.xml_hash)  # the technical correction
        elif submission.state == "rejected" or not submission.offline:
            fields.update(xml=None, xml_hash="", qr_hash="", kod2="")
        KsefSubmission.update(**fields).where(KsefSubmission.id == submission.id).execute()
        submission = KsefSubmission.get_by_id(submission.id)
        queue(submission, attempt=int(time.time() * 1000))
        from core import activity

        activity.record("ksef.resend", subject=Document.get_by_id(document_id), number=submission.document.number)
    return submission


def requeue_stranded() -> int:
    """Cron: queue again every pending submission whose outbox message is gone (done or given up)."""
    from core.models import OutboxMessage

    live = {
        int(m.payload.get("document_id", 0))
        for m in OutboxMessage.select().where(
            (OutboxMessage.kind == "ksef_send") & OutboxMessage.status.in_(["pending", "sending"])
        )
    }
    queued = 0
    for submission in KsefSubmission.select().where(KsefSubmission.state == "pending"):
        if submission.document_id not in live:
            with db.write_transaction():
                queue(submission, attempt=int(time.time() * 1000))
            queued += 1
    return queued
