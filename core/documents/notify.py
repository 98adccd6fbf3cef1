"""After-commit work for an issued document: tell the customer by e-mail.

The outbox handler of kind ``document_issued`` runs after the issuing
transaction committed, outside any transaction.
"""

from __future__ import annotations

from typing import Any

from core import db, mail
from core.documents.issuing import snapshot_of
from core.models import Document


def send_document_issued(payload: dict[str, Any]) -> None:
    """Queue the "new document" mail for the document in ``payload`` (once per document)."""
    with db.write_transaction():
        document = Document.get_by_id(payload["document_id"])
        customer = document.customer
        mail.queue_mail(customer.email, "document_issued", customer.language,
                        dedupe_key=f"mail:document_issued:{document.id}",
                        customer=customer, document=document, snap=snapshot_of(document))
