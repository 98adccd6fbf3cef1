"""Invoices for the KSeF tests: a shop, a paid proforma and its VAT invoice; the PDF's QR codes read back."""

from __future__ import annotations

import io
from typing import Any

from core import db, outbox
from core.models import Document, OutboxMessage
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import COMPANY, setup_seller, shop
from tests.support.ksef import FakeKsef


def ksef_config(fake: FakeKsef, **extra: Any) -> dict[str, Any]:
    """The ``[ksef]`` section pointing at the local KSeF, polling without waiting."""
    return {
        "enabled": True,
        "environment": "test",
        "api_url": fake.url,
        "lighthouse_url": fake.lighthouse_url,
        "token": fake.token,
        "poll_seconds": 0,
        "status_polls": 3,
        **extra,
    }


def paid_invoice(email: str = "ala@example.test", billing: dict[str, str] | None = None) -> Document:
    """A VAT invoice issued on 2026-03-16 for a paid upgrade proforma (buyer: ``billing``, a Polish company)."""
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop(email, billing=billing or COMPANY)
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        assert proforma is not None
        record_payment("banktransfer", f"BANK-{proforma.id}", proforma.total_gross, proforma)
        return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def run_outbox(times: int = 1) -> None:
    """Run the outbox worker ``times`` times, making every waiting message due first."""
    with db.connection():
        for _ in range(times):
            with db.write_transaction():
                OutboxMessage.update(next_attempt_at=OutboxMessage.created_at).where(
                    OutboxMessage.status == "pending"
                ).execute()
            outbox.process()


def qr_links(pdf: bytes) -> list[str]:
    """Every QR code in the PDF's images, decoded (zxing-cpp), in page order."""
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    found: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            found.extend(result.text for result in zxingcpp.read_barcodes(picture))
    return found


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, pages joined."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
