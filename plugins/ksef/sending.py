"""Sending one invoice to KSeF: the ``ksef_send`` outbox handler, after the issue committed.

One pass (:func:`send`) over the document's :class:`~plugins.ksef.models.KsefSubmission`:

1. claim it (a conditional update: two workers never send the same invoice;
   a second one finds it claimed and tries later);
2. a correction waits until the invoice it corrects has its KSeF number, so its
   FA(3) names it (``NrKSeF``, art. 106j with the KSeF rules);
3. build the FA(3) once and keep the exact bytes (KOD I is over them); a
   document that cannot be built is ``failed`` with the reason;
4. send it in the open session, unless it was sent already (then only ask);
5. ask for its status: 200 is ``accepted`` (the number, checked with its
   CRC-8, the acceptance time, the UPO); a duplicate (440) is accepted with the
   number the first copy got; 100/150 ask again later; 405/500/550 and no answer
   send again later; any other code is ``rejected`` with KSeF's reason, and is
   not sent again until staff resend it.

When KSeF does not answer at the first try, the invoice is issued in offline
mode (``[ksef] offline``, on by default): its PDF gets KOD I "OFFLINE" and
KOD II "CERTYFIKAT", it is sent later with the API's offline flag, by the
deadline of :mod:`plugins.ksef.offline`. An invoice sent after its issue day is
offline too (KSeF classifies it so). Staff see both in the queue, with the
deadline. Retries come from the outbox (back-off); the ``ksef`` cron job queues
again whatever is still pending without a message.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
from datetime import UTC, timedelta
from typing import Any

from core import clock, db, outbox
from core.documents.issuing import snapshot_of
from core.documents.ksef import KsefValidationError, build_fa3_xml, validate_fa3
from core.models import Document
from plugins.ksef import api, offline
from plugins.ksef.models import KsefError, KsefSubmission
from plugins.ksef.settings import KsefSettings, current

log = logging.getLogger("hookbill.ksef")

STALE_CLAIM = timedelta(minutes=10)
PENDING_CODES = (100, 150)
RETRY_CODES = (405, 500, 550)


class KsefLater(Exception):
    """Nothing wrong, not finished: the outbox tries again later (KSeF busy, still processing, a claim)."""


def queue(submission: KsefSubmission, attempt: int = 0) -> None:
    """Queue the ``ksef_send`` message for ``submission`` in the current transaction."""
    outbox.enqueue(
        "ksef_send", {"document_id": submission.document_id}, dedupe_key=f"ksef_send:{submission.document_id}:{attempt}"
    )


def record_error(
    submission: KsefSubmission,
    stage: str,
    description: str,
    *,
    code: int = 0,
    http_status: int = 0,
    details: str = "",
    body: str = "",
) -> None:
    """Keep one error answer (in its own transaction)."""
    with db.write_transaction():
        KsefError.create(
            submission=submission.id,
            stage=stage,
            code=code,
            http_status=http_status,
            description=description[:4000],
            details=details[:4000],
            body=body[:8000],
        )


def _update(submission: KsefSubmission, **fields: Any) -> None:
    fields["updated_at"] = clock.utcnow()
    with db.write_transaction():
        KsefSubmission.update(**fields).where(KsefSubmission.id == submission.id).execute()
    for key, value in fields.items():
        setattr(submission, key, value)


def _claim(submission_id: int, node: str) -> bool:
    now = clock.utcnow()
    with db.write_transaction():
        claimed = (
            KsefSubmission.update(claimed_by=node, claimed_at=now)
            .where(
                (KsefSubmission.id == submission_id)
                & (KsefSubmission.state == "pending")
                & ((KsefSubmission.claimed_by == "") | (KsefSubmission.claimed_at < now - STALE_CLAIM))
            )
            .execute()
        )
    return claimed == 1


def _release(submission_id: int, node: str) -> None:
    with db.write_transaction():
        KsefSubmission.update(claimed_by="", claimed_at=None).where(
            (KsefSubmission.id == submission_id) & (KsefSubmission.claimed_by == node)
        ).execute()


def send(payload: dict[str, Any]) -> None:
    """Outbox handler ``ksef_send``: one pass over the document's submission (module docstring)."""
    submission = KsefSubmission.get_or_none(KsefSubmission.document == payload["document_id"])
    if submission is None or submission.state != "pending":
        return
    node = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
    if not _claim(submission.id, node):
        raise KsefLater("another worker is sending this invoice")
    try:
        _pass(KsefSubmission.get_by_id(submission.id), current())
    finally:
        _release(submission.id, node)


def corrected_number(document: Document) -> tuple[bool, str]:
    """For a correction: (it may be sent now, the KSeF number of the invoice it corrects or "")."""
    if document.kind != "correction" or not document.corrects_id:
        return True, ""
    original = KsefSubmission.get_or_none(KsefSubmission.document == document.corrects_id)
    if original is None:
        return True, ""  # the corrected invoice never went to KSeF: NrKSeFN
    return original.state == "accepted", original.ksef_number


def build_xml(document: Document) -> bytes:
    """The FA(3) of ``document`` as it goes to KSeF, validated; a correction names its original's KSeF number."""
    snap = snapshot_of(document)
    if snap.corrected is not None and not snap.corrected.ksef_number:
        _ready, number = corrected_number(document)
        if number:
            snap = dataclasses.replace(snap, corrected=dataclasses.replace(snap.corrected, ksef_number=number))
    xml = build_fa3_xml(snap, created_at=document.created_at.replace(tzinfo=UTC))
    validate_fa3(xml)
    return xml


def go_offline(submission: KsefSubmission, settings: KsefSettings, mode: str = "offline24") -> None:
    """Mark the invoice as issued in offline mode, with its deadline (unless it already is)."""
    if submission.offline or not settings.offline:
        return
    issued = Document.get_by_id(submission.document_id).issue_date
    _update(submission, offline=True, offline_mode=mode, deadline=offline.offline24_deadline(issued))


def _pass(submission: KsefSubmission, settings: KsefSettings) -> None:
    document = Document.get_by_id(submission.document_id)
    ready, _number = corrected_number(document)
    if not ready:
        _update(submission, reason="waits for the KSeF number of the corrected invoice")
        raise KsefLater("the corrected invoice has no KSeF number yet")
    if submission.xml is None:
        try:
            xml = build_xml(document)
        except (KsefValidationError, ValueError) as exc:
            record_error(submission, "build", str(exc))
            _update(submission, state="failed", reason=str(exc)[:2000])
            return
        digest = api_hash(xml)
        late = document.issue_date < clock.today()
        _update(submission, xml=xml, xml_hash=digest, qr_hash=submission.qr_hash or digest)
        if late:  # sent after its issue day: KSeF treats it as offline, and so do we
            go_offline(submission, settings)
    with api.Connection(settings) as connection:
        try:
            if not submission.invoice_ref:
                frozen = submission.xml
                assert frozen is not None  # frozen above
                session_ref, invoice_ref = connection.send(
                    bytes(frozen), offline=submission.offline, corrected_hash=submission.corrected_hash
                )
                _update(submission, session_ref=session_ref, invoice_ref=invoice_ref, attempts=submission.attempts + 1)
            _poll(submission, settings, connection)
        except api.KsefUnavailable as exc:
            _unavailable(submission, settings, connection, exc)
        except api.KsefRefused as exc:
            record_error(
                submission,
                "send",
                exc.description,
                code=exc.code,
                http_status=exc.http_status,
                details=exc.details,
                body=exc.body,
            )
            _update(submission, state="rejected", reason=_reason(exc.code, exc.description, exc.details))
            _after_final(submission)


def api_hash(xml: bytes) -> str:
    """SHA-256 of the file, Base64: the ``invoiceHash`` KSeF computes, and what KOD I carries."""
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(xml).digest()).decode("ascii")


def _reason(code: int, description: str, details: str | tuple[str, ...] = "") -> str:
    text = details if isinstance(details, str) else "; ".join(details)
    return f"{code} {description}" + (f": {text}" if text else "")


def _unavailable(
    submission: KsefSubmission, settings: KsefSettings, connection: api.Connection, exc: api.KsefUnavailable
) -> None:
    record_error(submission, "send", str(exc), http_status=exc.http_status, body=exc.body)
    attempts = submission.attempts + 1
    _update(submission, attempts=attempts, reason=str(exc)[:2000])
    if not submission.invoice_ref and not submission.offline:
        mode = "offline24"
        try:
            announced, _end = offline.announced_failure_end(connection.availability()[1])
            mode = "failure" if announced else mode
        except api.KsefUnavailable:
            pass
        go_offline(submission, settings, mode)
        if mode == "failure":
            refresh_deadline(submission, connection)
    if attempts >= settings.max_attempts and not submission.offline:
        _update(submission, state="failed")
        _after_final(submission)
        return
    raise KsefLater(str(exc))


def refresh_deadline(submission: KsefSubmission, connection: api.Connection) -> None:
    """An offline invoice's deadline from Latarnia: 7 business days after an announced failure ended."""
    announced, end = offline.announced_failure_end(connection.availability()[1])
    if not announced:
        return
    deadline = offline.failure_deadline(end) if end else None
    _update(submission, offline_mode="failure", deadline=deadline)


def _poll(submission: KsefSubmission, settings: KsefSettings, connection: api.Connection) -> None:
    status = connection.status(submission.session_ref, submission.invoice_ref)
    for _ in range(settings.status_polls - 1):
        if status.code not in PENDING_CODES:
            break
        time.sleep(settings.poll_seconds)
        status = connection.status(submission.session_ref, submission.invoice_ref)
    if status.code in PENDING_CODES:
        _update(submission, reason=f"{status.code} {status.description}")
        raise KsefLater(f"KSeF is still processing the invoice ({status.code})")
    if status.code == 200 or (status.code == 440 and status.original_ksef_number):
        _accept(submission, status, connection)
        return
    record_error(submission, "status", status.description, code=status.code, details="; ".join(status.details))
    if status.code in RETRY_CODES:
        _update(submission, invoice_ref="", session_ref="", reason=_reason(status.code, status.description))
        raise KsefLater(f"KSeF cancelled the processing ({status.code}); sending again")
    _update(submission, state="rejected", reason=_reason(status.code, status.description, status.details))
    _after_final(submission)


def _accept(submission: KsefSubmission, status: api.InvoiceStatus, connection: api.Connection) -> None:
    from ksef_client.utils.ksef_number import validate_ksef_number

    number = status.ksef_number or status.original_ksef_number
    check = validate_ksef_number(number)
    if not check.is_valid:
        record_error(submission, "status", f"KSeF number {number!r} fails its check: {check.message}")
        raise KsefLater("a KSeF number that fails its CRC-8 check")
    upo = ""
    if status.code == 200:
        try:
            upo = connection.upo(submission.session_ref, submission.invoice_ref)
        except (api.KsefUnavailable, api.KsefRefused) as exc:
            record_error(submission, "upo", str(exc))
    accepted = api.utc_from_iso(status.acquisition_date) or clock.utcnow()
    _update(
        submission,
        state="accepted",
        ksef_number=number,
        accepted_at=accepted,
        invoicing_mode=status.invoicing_mode or ("Offline" if submission.offline else "Online"),
        upo=upo,
        reason="",
    )
    with db.write_transaction():
        from core import activity

        document = Document.get_by_id(submission.document_id)
        activity.record("ksef.accepted", subject=document, number=document.number, ksef_number=number)
        # the PDF now carries the number and KOD I: render the stored copy again
        outbox.enqueue("document_pdf", {"document_id": document.id}, dedupe_key=f"ksef_pdf:{document.id}:{number}")
        for waiting in KsefSubmission.select().where(
            (KsefSubmission.state == "pending")
            & KsefSubmission.document.in_(Document.select(Document.id).where(Document.corrects_id == document.id))
        ):
            queue(waiting, attempt=int(time.time()))  # a correction waited for this number
    _after_final(submission)


def _after_final(submission: KsefSubmission) -> None:
    """Accepted, rejected or failed: a held mail goes out when accepted (the cron job handles the rest)."""
    if submission.state == "accepted":
        from plugins.ksef.mail import release

        release(submission)
