"""The KSeF plugin against the local KSeF 2.0 (tests/support/ksef.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from core import db
from core.documents.files import document_pdf
from core.models import Document, OutboxMessage
from plugins.ksef.models import KsefError, KsefSubmission
from tests.ksef_helpers import ksef_config, paid_invoice, pdf_text, qr_links, run_outbox
from tests.support.ksef import FakeKsef, crc8


@pytest.fixture
def app_overrides(fake_ksef: FakeKsef) -> dict[str, dict[str, Any]]:
    return {"ksef": ksef_config(fake_ksef)}


def _submission(document: Document) -> KsefSubmission:
    with db.connection():
        return KsefSubmission.get(KsefSubmission.document == document.id)


def test_an_accepted_invoice_keeps_its_number_and_its_pdf_shows_it_with_kod_i(app, fake_ksef):
    invoice = paid_invoice()
    assert not fake_ksef.invoices  # nothing goes out inside the issuing transaction
    run_outbox()
    sub = _submission(invoice)
    assert sub.state == "accepted", sub.reason
    number = sub.ksef_number
    assert len(number) == 35 and number.startswith(f"{fake_ksef.nip}-20260316-")
    assert int(number[-2:], 16) == crc8(number[:32].encode())
    (sent,) = fake_ksef.invoices
    assert bytes(sub.xml) == sent.xml  # the exact bytes sent are kept
    assert sub.session_ref == sent.session and sub.invoice_ref == sent.reference
    assert sub.accepted_at is not None and sub.invoicing_mode == "Online"
    assert number in sub.upo
    with db.connection():
        pdf = document_pdf(invoice)
    assert number in pdf_text(pdf)
    link = f"https://qr-test.ksef.mf.gov.pl/invoice/{fake_ksef.nip}/16-03-2026/"
    (code,) = qr_links(pdf)
    import base64
    import hashlib

    assert code == link + base64.urlsafe_b64encode(hashlib.sha256(sent.xml).digest()).decode().rstrip("=")
    assert code in pdf_text(pdf).replace("\n", "")  # the link is printed under the code
