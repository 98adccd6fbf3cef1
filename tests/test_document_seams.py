"""The document seams plugins use: marks on the PDF, holding the customer's mail, a correction's KSeF number.

A plugin defined here (not the ksef plugin) implements ``hookbill_document_marks``,
``hookbill_hold_document_mail`` and ``hookbill_ksef_number``; the core's PDF, mail
and correction paths must do what the specs promise.
"""

from __future__ import annotations

from decimal import Decimal

from core import db, outbox
from core.documents.build import LineInput
from core.documents.corrections import issue_correction
from core.documents.files import document_pdf
from core.documents.issuing import issue_document, snapshot_of
from core.documents.ksef import build_fa3_xml
from core.documents.marks import DocumentMark, QrMark
from core.documents.notify import mail_document
from core.hookspecs import hookimpl
from core.models import DocumentFile
from core.runtime import current
from tests.helpers import make_customer
from tests.ksef_helpers import pdf_text, qr_links
from tests.upgrade_helpers import setup_seller

NUMBER = "5213017228-20260316-0100001AF629-AF"


class Stamp:
    """Marks every VAT invoice; holds its mail while ``holding``; knows one KSeF number."""

    def __init__(self) -> None:
        self.text = "Archived"
        self.holding = True

    @hookimpl
    def hookbill_document_marks(self, document, lang):
        if document.kind != "vat":
            return None
        code = QrMark(f"https://archive.example.test/{document.id}", f"ARCHIVE {lang}")
        return [DocumentMark("Archive", (self.text,), (code,))]

    @hookimpl
    def hookbill_hold_document_mail(self, document):
        return self.holding

    @hookimpl
    def hookbill_ksef_number(self, document):
        return NUMBER if document.kind == "vat" else None


def _invoice():
    setup_seller()
    customer = make_customer()
    with db.write_transaction():
        return issue_document(customer, "vat", [LineInput("Hosting", Decimal(1), "szt.", Decimal("10.00"))])


def test_a_plugins_marks_are_printed_and_a_change_renders_the_pdf_again(conn):
    stamp = Stamp()
    current().pm.register(stamp, name="stamp")
    try:
        invoice = _invoice()
        pdf = document_pdf(invoice)
        assert "Archived" in pdf_text(pdf)
        assert qr_links(pdf) == [f"https://archive.example.test/{invoice.id}"]
        assert f"ARCHIVE {current().config.get_value('app.language')}" in pdf_text(pdf)
        assert document_pdf(invoice) == pdf  # same marks: the stored copy
        stamp.text = "Archived again"
        assert "Archived again" in pdf_text(document_pdf(invoice))
    finally:
        current().pm.unregister(name="stamp")


def test_a_held_mail_is_not_sent_until_the_plugin_lets_it_go(conn, smtp_server):
    stamp = Stamp()
    current().pm.register(stamp, name="stamp")
    try:
        invoice = _invoice()
        outbox.process()
        outbox.process()
        assert DocumentFile.get_or_none(DocumentFile.document == invoice.id) is not None  # the PDF is stored
        assert not [m for m in smtp_server.messages if m.is_multipart()]
        mail_document(invoice)
        mail_document(invoice)  # once per document
        outbox.process()
        assert len([m for m in smtp_server.messages if m.is_multipart()]) == 1
    finally:
        current().pm.unregister(name="stamp")


def test_a_correction_records_the_ksef_number_a_plugin_knows_and_its_fa3_names_it(conn):
    current().pm.register(Stamp(), name="stamp")
    try:
        invoice = _invoice()
        with db.write_transaction():
            correction = issue_correction(invoice, [LineInput("Hosting", Decimal(1), "szt.", Decimal("5.00"))], "Rabat")
    finally:
        current().pm.unregister(name="stamp")
    snap = snapshot_of(correction)
    assert snap.corrected is not None and snap.corrected.ksef_number == NUMBER
    xml = build_fa3_xml(snap).decode()
    assert f"<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>{NUMBER}</NrKSeFFaKorygowanej>" in xml
