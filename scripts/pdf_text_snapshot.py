"""Print, as JSON, the text pypdf extracts from every sample document PDF.

    python scripts/pdf_text_snapshot.py > tests/data/pdf_text/samples.json

The samples are every kind of ``tests/document_samples.py`` for every sample buyer,
in Polish and English; each maps to its pages' text as extracted (not collapsed).
``tests/test_documents_pdf_fonts.py`` compares today's PDFs with the stored file,
which was written by this script before fonts were parsed once per process.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from core.documents.pdf import render_pdf
from tests.document_samples import BUYERS, sample_snapshot

KINDS = ("vat", "proforma", "correction")
LANGS = ("pl", "en")


def sample_texts() -> dict[str, list[str]]:
    """``"kind/buyer/lang"`` -> the text of each page of that sample's PDF."""
    texts = {}
    for kind in KINDS:
        for buyer in BUYERS:
            for lang in LANGS:
                reader = PdfReader(io.BytesIO(render_pdf(sample_snapshot(kind, buyer=buyer), lang=lang)))
                texts[f"{kind}/{buyer}/{lang}"] = [page.extract_text() for page in reader.pages]
    return texts


if __name__ == "__main__":
    json.dump(sample_texts(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
