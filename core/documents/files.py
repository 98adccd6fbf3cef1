"""A document's PDF and KSeF XML, as files to store, attach and download.

The PDF is rendered from the frozen snapshot, always after the issuing
transaction committed (by the ``document_issued`` outbox handler, or on the
first download if that has not run yet), and stored once in
:class:`core.models.DocumentFile`; later requests get the stored bytes. Rendering
happens outside any transaction; the insert is ``ON CONFLICT DO NOTHING``, so two
processes rendering the same document at once store one copy.

The PDF is in Polish, the language of the document (art. 106e); the seller's
logo comes from ``[documents] logo_path``.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from core import db, runtime
from core.documents.issuing import snapshot_of
from core.documents.ksef import build_fa3_xml, validate_fa3
from core.documents.pdf import render_pdf
from core.errors import Conflict
from core.i18n import N_
from core.models import Document, DocumentFile

KSEF_KINDS = ("vat", "correction")


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


def render_document_pdf(document: Document) -> bytes:
    """Render the PDF of ``document`` from its snapshot (no database writes)."""
    return render_pdf(snapshot_of(document), logo_path=logo_path(), lang="pl")


def document_pdf(document: Document) -> bytes:
    """The stored PDF of ``document``; rendered and stored first if it is not there yet.

    Must not run inside a transaction (rendering is slow work).
    """
    stored = DocumentFile.get_or_none(DocumentFile.document == document.id)
    if stored is not None:
        return bytes(stored.content)
    content = render_document_pdf(document)
    with db.write_transaction():
        DocumentFile.insert(document=document.id, content=content).on_conflict_ignore().execute()
    stored = DocumentFile.get(DocumentFile.document == document.id)
    return bytes(stored.content)


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
