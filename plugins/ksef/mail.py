"""The customer's mail of a new invoice waits for its KSeF number.

``hookbill_hold_document_mail`` holds the mail of a document whose
submission is pending (``[ksef] mail_wait_minutes`` > 0). It goes out
(:func:`core.documents.notify.mail_document`, with the PDF of that moment):

* as soon as KSeF accepted the invoice (the PDF carries the number and KOD I);
* when the wait is over (the ``ksef`` cron job): the invoice is then handed over
  in offline mode, so its PDF carries KOD I "OFFLINE" and KOD II, and it is sent
  to KSeF with the offline flag by the offline deadline.

A rejected or failed invoice keeps its mail until staff resend it and KSeF
accepts it, or the wait of the resent invoice is over.
"""

from __future__ import annotations

from datetime import timedelta

from core import clock, db
from core.models import Document
from plugins.ksef.models import KsefSubmission
from plugins.ksef.settings import current


def hold(document: Document) -> bool:
    """True (and remembered) when the mail of ``document`` waits for its KSeF number."""
    submission = KsefSubmission.get_or_none(KsefSubmission.document == document.id)
    if submission is None or submission.state == "accepted" or current().mail_wait_minutes <= 0:
        return False
    with db.write_transaction():
        KsefSubmission.update(mail_state="held", held_at=clock.utcnow()).where(
            (KsefSubmission.id == submission.id) & (KsefSubmission.mail_state == "")
        ).execute()
    return True


def release(submission: KsefSubmission) -> bool:
    """Send the held mail now (once, whoever calls first); True when this call sent it."""
    with db.write_transaction():
        taken = (
            KsefSubmission.update(mail_state="released")
            .where((KsefSubmission.id == submission.id) & (KsefSubmission.mail_state == "held"))
            .execute()
        )
    if taken != 1:
        return False
    from core.documents.notify import mail_document

    mail_document(Document.get_by_id(submission.document_id))
    return True


def release_due() -> int:
    """Cron: mail what was accepted meanwhile, and what waited longer than ``mail_wait_minutes`` (offline form)."""
    from plugins.ksef.sending import go_offline

    settings = current()
    cutoff = clock.utcnow() - timedelta(minutes=settings.mail_wait_minutes)
    sent = 0
    held = KsefSubmission.select().where(KsefSubmission.mail_state == "held")
    for submission in list(held):
        if submission.state == "accepted":
            sent += release(submission)
        elif submission.state == "pending" and submission.held_at is not None and submission.held_at <= cutoff:
            go_offline(submission, settings)  # handed over before KSeF gave a number: the offline form
            sent += release(submission)
    return sent
