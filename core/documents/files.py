"""A document's PDF and KSeF XML, as files to store, attach and download.

The PDF prints the frozen snapshot and the document's state now (what was paid
and how, what is due, superseded or cancelled: :mod:`core.documents.state`), so
it says what the client and admin pages say. It is rendered after commit and
stored in :class:`core.models.DocumentFile` with the key of the state it shows:
by the ``document_issued`` outbox handler after the issue, by the
``document_pdf`` handler after every change of state (a payment, a correction;
queued by :meth:`core.models.Document.save`), and by any download that finds
the stored copy stale. Later requests get the stored bytes while the state is
the same. Rendering happens outside any transaction; the write is an upsert, so
two processes rendering the same state at once store one copy, and a copy of an
older state is replaced by the next download or handler.

The PDF is in the provider's language, ``app.language`` (Polish by default: the
language of a Polish VAT invoice), like the text on the document; the seller's
logo comes from ``[documents] logo_path``.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from core import clock, db, outbox, runtime
from core.documents.issuing import snapshot_of
from core.documents.ksef import build_fa3_xml, validate_fa3
from core.documents.marks import marks_for, marks_key
from core.documents.pdf import render_pdf
from core.documents.state import state_key, state_of
from core.errors import Conflict
from core.i18n import N_
from core.models import Document, DocumentFile

KSEF_KINDS = ("vat", "correction", "advance")


def logo_path() -> Path | None:
    """The seller logo from ``[documents] logo_path``, or None when unset or missing."""
    value = str(runtime.config().get_value("documents.logo_path") or "").strip()
    if not value:
        return None
    path = Path(value)
    return path if path.is_file() else None


def file_name(document: Document, extension: str) -> str:
    """A download name from the number: ``FV/2026/03/0001`` -> ``FV-2026-03-0001.pdf``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in document.number)
    return f"{safe}.{extension}"


def document_pdf(document: Document) -> bytes:
    """The PDF of ``document`` in its current state: the stored copy, or rendered and stored now.

    Must not run inside a transaction (rendering is slow work).
    """
    document = Document.get_by_id(document.id)  # the state now, not the caller's copy
    state = state_of(document)
    lang = str(runtime.config().get_value("app.language"))  # the seller's document, in the provider's language
    marks = marks_for(document, lang)
    key = state_key(state)
    if marks:  # a plugin's mark changed (a number arrived): render again
        key = f"{key[:47]}:{marks_key(marks)}"
    stored = DocumentFile.get_or_none(DocumentFile.document == document.id)
    if stored is not None and stored.state == key:
        return bytes(stored.content)
    content = render_pdf(state.printed(), logo_path=logo_path(), lang=lang, marks=marks)
    with db.write_transaction():
        DocumentFile.insert(document=document.id, content=content, state=key).on_conflict(
            conflict_target=[DocumentFile.document],
            update={DocumentFile.content: content, DocumentFile.state: key, DocumentFile.created_at: clock.utcnow()},
        ).execute()
    return content


def queue_pdf_refresh(document: Document) -> None:
    """Queue rendering the PDF again after commit: ``document``'s state just changed (in this transaction)."""
    key = f"document_pdf:{document.id}:{document.status}:{document.paid}:{document.superseded_by_id or 0}"
    outbox.enqueue("document_pdf", {"document_id": document.id}, dedupe_key=key)


def refresh_pdf(payload: dict[str, Any]) -> None:
    """Outbox handler ``document_pdf``: store the PDF of the document's current state (if not stored yet)."""
    document = Document.get_or_none(Document.id == payload["document_id"])
    if document is not None:
        document_pdf(document)


def document_xml(document: Document) -> bytes:
    """The FA(3) XML of a VAT or correcting invoice, validated against the XSD.

    Raises Conflict for a proforma (not a tax document, no KSeF form). The
    header's creation time is the document's own, so the bytes are stable.
    """
    if document.kind not in KSEF_KINDS:
        raise Conflict(N_("Only VAT and correcting invoices have a KSeF form."), code="not_ksef")
    xml = build_fa3_xml(snapshot_of(document), created_at=document.created_at.replace(tzinfo=UTC))
    validate_fa3(xml)
    return xml
