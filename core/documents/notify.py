"""After-commit work for an issued document: render and store its PDF, e-mail it.

The outbox handler of kind ``document_issued`` runs after the issuing
transaction committed, outside any transaction: it renders the PDF of the
document as it is now (the credit balance applied on issue included;
:func:`core.documents.files.document_pdf` stores it with the key of that state),
then queues the "new document" mail with the PDF attached. A retry after a crash
finds the stored PDF and the mail's dedupe key, so nothing is rendered or sent
twice. Later changes of state render it again (``document_pdf`` handler).
"""

from __future__ import annotations

import base64
from typing import Any

from core import db, mail, runtime
from core.documents.files import document_pdf, file_name
from core.documents.issuing import snapshot_of
from core.models import Document


def send_document_issued(payload: dict[str, Any]) -> None:
    """Store the PDF of the document in ``payload`` and queue its mail (once per document) unless a plugin holds it."""
    document = Document.get_by_id(payload["document_id"])
    if any(runtime.hooks().hookbill_hold_document_mail(document=document)):
        document_pdf(document)
        return
    mail_document(document)


def mail_document(document: Document) -> None:
    """Queue the "new document" mail with the PDF of the document's current state; once per document.

    Runs outside a transaction (it may render the PDF). Calling it again does
    nothing: the mail's dedupe key is the document's.
    """
    pdf = document_pdf(document)
    attachment = {
        "filename": file_name(document, "pdf"),
        "content_type": "application/pdf",
        "data": base64.b64encode(pdf).decode("ascii"),
    }
    with db.write_transaction():
        customer = document.customer
        mail.queue_mail(
            customer.email,
            "document_issued",
            customer.language,
            dedupe_key=f"mail:document_issued:{document.id}",
            attachments=[attachment],
            customer=customer,
            document=document,
            snap=snapshot_of(document),
        )
