"""Marks a plugin prints on a document's PDF: a block of text lines and QR codes.

The PDF prints the frozen snapshot and the document's state now; some of that
state belongs to a plugin (a national e-invoice system's number and
verification codes, a stamp of an external archive). A plugin returns
:class:`DocumentMark` values from the ``hookbill_document_marks`` hook; the PDF
prints each one as a titled block at the end (:mod:`core.documents.pdf`), each
QR code as an image with its caption and, below it, the link it encodes.

What the marks say is part of the stored PDF's state key
(:func:`marks_key`), so a PDF is rendered again when a plugin's mark changes
(e.g. when a number arrives); a plugin that changes a mark also queues the
``document_pdf`` outbox message so the stored copy follows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.models import Document


@dataclass(frozen=True)
class QrMark:
    """One QR code: the ``link`` it encodes and the ``caption`` printed under it."""

    link: str
    caption: str


@dataclass(frozen=True)
class DocumentMark:
    """A block on the PDF: ``title``, text ``lines`` (already translated) and QR ``codes``."""

    title: str
    lines: tuple[str, ...] = ()
    codes: tuple[QrMark, ...] = field(default_factory=tuple)


def marks_for(document: Document, lang: str) -> list[DocumentMark]:
    """Every plugin's marks for ``document`` in ``lang``, in plugin order (none when no plugin has any).

    Runs outside any transaction (the PDF is rendered after commit).
    """
    from core import runtime

    marks: list[DocumentMark] = []
    for result in runtime.hooks().hookbill_document_marks(document=document, lang=lang):
        marks.extend(result or ())
    return marks


def marks_key(marks: Sequence[DocumentMark]) -> str:
    """A short name of what ``marks`` print ("" for none), for the stored PDF's state key."""
    if not marks:
        return ""
    data = [[m.title, list(m.lines), [[c.link, c.caption] for c in m.codes]] for m in marks]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]
