"""The KSeF plugin against the local KSeF 2.0 (tests/support/ksef.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
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


def _invoice_pdfs(smtp: Any, invoice: Document) -> list[bytes]:
    """The PDFs of ``invoice`` mailed so far."""
    from core.documents.files import file_name

    name = file_name(invoice, "pdf")
    return [
        part.get_payload(decode=True)
        for message in smtp.messages
        for part in message.walk()
        if part.get_content_type() == "application/pdf" and part.get_filename() == name
    ]


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


def test_a_rejected_invoice_waits_in_the_queue_with_its_reason_and_is_not_sent_again(app, fake_ksef):
    fake_ksef.reject(450, "Błędny kod kraju nabywcy")
    invoice = paid_invoice()
    run_outbox(3)
    sub = _submission(invoice)
    assert sub.state == "rejected"
    assert "450" in sub.reason and "Błędny kod kraju nabywcy" in sub.reason
    assert len(fake_ksef.invoices) == 1  # no retry loop
    with db.connection():
        (error,) = KsefError.select().where(KsefError.submission == sub.id)
        assert error.code == 450 and error.stage == "status"
        assert (
            not OutboxMessage.select()
            .where((OutboxMessage.kind == "ksef_send") & OutboxMessage.status.in_(["pending", "sending"]))
            .exists()
        )
        from plugins.ksef.queue import resend

        resend(invoice.id)  # staff fixed the cause
    run_outbox()
    sub = _submission(invoice)
    assert sub.state == "accepted" and len(fake_ksef.invoices) == 2
    assert sub.corrected_hash == ""  # an online invoice is sent anew, not as a technical correction


def test_a_correction_names_the_ksef_number_of_the_invoice_it_corrects(app, fake_ksef):
    from core.documents.build import LineInput
    from core.documents.corrections import current_lines, issue_correction

    invoice = paid_invoice()
    run_outbox()
    number = _submission(invoice).ksef_number
    with db.connection(), db.write_transaction():
        lines = [LineInput.from_line(line) for line in current_lines(invoice)]
        lines[0] = LineInput(**{**lines[0].__dict__, "unit_net": lines[0].unit_net / 2})
        correction = issue_correction(Document.get_by_id(invoice.id), lines, "Rabat")
    run_outbox()
    assert _submission(correction).state == "accepted"
    xml = fake_ksef.invoices[-1].xml.decode()
    assert "<RodzajFaktury>KOR</RodzajFaktury>" in xml
    assert f"<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>{number}</NrKSeFFaKorygowanej>" in xml
    assert "NrKSeFN" not in xml


def _verify_kod2(link: str, certificate: Any) -> None:
    """KOD II's signature, checked with the Offline certificate's public key (RSA-PSS, SHA-256, salt 32)."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signed, signature = link.rsplit("/", 1)
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    certificate.public_key().verify(raw, signed.removeprefix("https://").encode(), pss, hashes.SHA256())


def test_during_an_outage_invoices_go_offline_with_both_codes_and_are_sent_once_when_ksef_is_back(
    app, fake_ksef, tmp_path
):
    """Two cron processes at once after the outage: every invoice reaches KSeF exactly once."""
    import subprocess
    import sys

    from core import runtime
    from tests.cli_helpers import ROOT

    cert = fake_ksef.issue_offline_certificate()
    (tmp_path / "offline.pem").write_text(cert.certificate_pem)
    (tmp_path / "offline.key").write_text(cert.private_key_pem)
    runtime.config()["ksef"].update(
        offline_certificate=str(tmp_path / "offline.pem"), offline_private_key=str(tmp_path / "offline.key")
    )
    fake_ksef.unavailable = True
    invoices = [paid_invoice(f"buyer{i}@example.test") for i in range(3)]
    run_outbox()
    for invoice in invoices:
        sub = _submission(invoice)
        assert (sub.state, sub.offline, sub.offline_mode) == ("pending", True, "offline24")
        assert sub.deadline.isoformat() == "2026-03-17"  # the next business day after Monday 16 March
    with db.connection():
        pdf = document_pdf(invoices[0])
    kod1, kod2 = qr_links(pdf)
    assert kod1.startswith(f"https://qr-test.ksef.mf.gov.pl/invoice/{fake_ksef.nip}/16-03-2026/")
    assert kod2.startswith(
        f"https://qr-test.ksef.mf.gov.pl/certificate/Nip/{fake_ksef.nip}/{fake_ksef.nip}/{cert.serial}/"
    )
    _verify_kod2(kod2, cert.certificate)
    text = pdf_text(pdf)
    assert "OFFLINE" in text and "CERTYFIKAT" in text
    assert not fake_ksef.invoices

    fake_ksef.unavailable = False
    with db.connection(), db.write_transaction():
        OutboxMessage.update(next_attempt_at=OutboxMessage.created_at).execute()
    config = runtime.config()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOOKBILL_DATABASE_URL": str(config.get_value("database.url")),
        "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path),
        "HOOKBILL_APP_SECRET_KEY": str(config.get_value("app.secret_key") or "x" * 32),
        "HOOKBILL_MAIL_PORT": "1",
        "HOOKBILL_CLOCK_FIXED": "2026-03-16T12:30:00",
        **{
            f"HOOKBILL_KSEF_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in config["ksef"].items()
            if k
            in (
                "enabled",
                "api_url",
                "lighthouse_url",
                "token",
                "poll_seconds",
                "status_polls",
                "offline_certificate",
                "offline_private_key",
            )
        },
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "core.cli", "outbox"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
    run_outbox()  # whatever a worker left for later (a claim held by the other)
    assert sorted(fake_ksef.numbers()) == sorted(i.number for i in invoices)  # each once, none lost
    for invoice in invoices:
        sub = _submission(invoice)
        assert sub.state == "accepted" and sub.invoicing_mode == "Offline"
    assert all(i.offline for i in fake_ksef.invoices)  # sent with the API's offline flag


@pytest.mark.parametrize("b2c", [True, False])
def test_the_b2c_switch_decides_whether_consumer_invoices_go_to_ksef(app, fake_ksef, b2c):
    from core import runtime
    from tests.billing_doc_helpers import PRIVATE

    runtime.config()["ksef"]["b2c"] = b2c
    consumer = paid_invoice("jan@example.test", billing=PRIVATE)
    company = paid_invoice("firma@example.test")
    run_outbox()
    with db.connection():
        assert KsefSubmission.select().where(KsefSubmission.document == consumer.id).exists() is b2c
    assert _submission(company).state == "accepted"  # a business buyer always goes
    assert sorted(fake_ksef.numbers()) == sorted([company.number] + ([consumer.number] if b2c else []))
    if b2c:
        consumer_xml = next(i.xml for i in fake_ksef.invoices if consumer.number.encode() in i.xml)
        assert b"<BrakID>1</BrakID>" in consumer_xml  # a consumer has no tax id in FA(3)


def test_the_customers_mail_waits_for_the_number_then_goes_with_it(app, fake_ksef, smtp_server):
    fake_ksef.processing_polls = 10  # KSeF is still processing after the first pass
    invoice = paid_invoice()
    run_outbox()  # ksef_send (still processing), document_issued (held)
    assert _submission(invoice).mail_state == "held"
    assert not _invoice_pdfs(smtp_server, invoice)
    fake_ksef.processing_polls = 0
    run_outbox(2)  # accepted: the held mail is queued and sent
    sub = _submission(invoice)
    assert sub.state == "accepted" and sub.mail_state == "released"
    (pdf,) = _invoice_pdfs(smtp_server, invoice)
    assert sub.ksef_number in pdf_text(pdf)


def test_when_the_wait_is_over_the_customer_gets_the_offline_form(app, fake_ksef, smtp_server):
    from core import clock
    from plugins.ksef.cron import run

    fake_ksef.unavailable = True
    invoice = paid_invoice()
    run_outbox()
    assert _submission(invoice).mail_state == "held"
    clock.advance(timedelta(minutes=31))
    with db.connection():
        assert run()["mailed"] == 1
    run_outbox()
    sub = _submission(invoice)
    assert sub.mail_state == "released" and sub.offline and sub.state == "pending"
    (pdf,) = _invoice_pdfs(smtp_server, invoice)
    assert "OFFLINE" in pdf_text(pdf)
    assert qr_links(pdf)[0].startswith("https://qr-test.ksef.mf.gov.pl/invoice/")


def test_an_offline_invoice_ksef_rejects_is_sent_again_as_a_technical_correction(app, fake_ksef):
    from plugins.ksef.queue import resend

    fake_ksef.unavailable = True
    invoice = paid_invoice()
    run_outbox()
    first_hash = _submission(invoice).qr_hash
    fake_ksef.unavailable = False
    fake_ksef.reject(430, "Błąd weryfikacji pliku faktury")
    run_outbox()
    assert _submission(invoice).state == "rejected"
    with db.connection():
        resend(invoice.id)
    run_outbox()
    sub = _submission(invoice)
    assert sub.state == "accepted"
    assert fake_ksef.invoices[-1].corrected_hash == first_hash  # hashOfCorrectedInvoice
    assert fake_ksef.invoices[-1].offline
    assert sub.qr_hash == first_hash  # KOD I keeps pointing at the file the buyer got


def test_ksef_status_and_resend_for_operators(app, fake_ksef):
    from click.testing import CliRunner

    from plugins.ksef.cli import ksef

    fake_ksef.reject(450, "Błędny NIP nabywcy")
    invoice = paid_invoice()
    run_outbox()
    runner = CliRunner()
    out = runner.invoke(ksef, ["status"]).output
    assert "odrzucone: 1" in out and invoice.number in out and "Błędny NIP nabywcy" in out
    result = runner.invoke(ksef, ["resend", invoice.number])
    assert result.exit_code == 0, result.output
    assert "przyjęte" in result.output
    again = runner.invoke(ksef, ["resend", invoice.number])
    assert again.exit_code == 1 and "Tylko odrzuconą" in again.output


def test_staff_see_the_queue_by_state_with_the_reason_and_send_again(app, client, fake_ksef):
    from tests.helpers import make_staff, post_form, staff_login

    fake_ksef.reject(450, "Błędny NIP nabywcy")
    rejected = paid_invoice()
    accepted = paid_invoice("druga@example.test")
    run_outbox()
    make_staff("billing@example.test", role="billing")
    assert staff_login(client, "billing@example.test").status_code == 302
    page = client.get("/admin/ksef?state=rejected").get_data(as_text=True)
    assert rejected.number in page and accepted.number not in page
    assert "Błędny NIP nabywcy" in page and "odrzucone (1)" in page and "przyjęte (1)" in page
    card = client.get(f"/admin/documents/{rejected.id}").get_data(as_text=True)
    assert 'data-testid="ksef-card"' in card and "Błędny NIP nabywcy" in card
    response = post_form(client, f"/admin/ksef/{rejected.id}/resend", {}, form_page="/admin/ksef")
    assert response.status_code == 302
    run_outbox()
    assert _submission(rejected).state == "accepted"
    page = client.get("/admin/ksef?state=accepted").get_data(as_text=True)
    assert _submission(rejected).ksef_number in page
    again = post_form(client, f"/admin/ksef/{rejected.id}/resend", {}, form_page="/admin/ksef")
    assert "Tylko odrzuconą" in client.get(again.location).get_data(as_text=True)


def test_the_queue_is_read_a_page_at_a_time_at_the_same_cost(app, client, fake_ksef):
    """One submission or 220: the same statements; the pages walk every one, newest first."""
    import re

    from tests.helpers import make_staff, staff_login
    from tests.test_list_queries import copy_documents, same_cost

    invoice = paid_invoice()
    run_outbox()
    make_staff("billing@example.test", role="billing")
    staff_login(client, "billing@example.test")
    more = 219

    def grow() -> None:
        copy_documents([invoice], more)
        with db.connection():
            model = KsefSubmission.get(KsefSubmission.document == invoice.id)
            fields = [f for f in KsefSubmission._meta.sorted_fields if f.name not in ("id", "document")]
            copies = Document.select(Document.id).where(Document.number.startswith(f"{invoice.number}/k"))
            KsefSubmission.insert_many(
                [
                    {**{f.name: getattr(model, f.name) for f in fields}, "document": copy.id, "state": state}
                    for copy, state in zip(copies, ["accepted", "rejected", "pending"] * more, strict=False)
                ]
            ).execute()

    same_cost(client, ["/admin/ksef", "/admin/ksef?state=rejected"], grow)
    seen, url = [], "/admin/ksef"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'data-testid="ksef-row-(\d+)"', page)]
        following = re.search(r'href="([^"]+)" rel="next"', page)
        url = following.group(1).replace("&amp;", "&") if following else ""
    with db.connection():
        newest_first = [s.document_id for s in KsefSubmission.select().order_by(KsefSubmission.id.desc())]
    assert seen == newest_first and len(seen) == 1 + more
    assert "odrzucone (73)" in page
