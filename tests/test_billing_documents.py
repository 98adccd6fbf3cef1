"""Documents through the real flow: frozen buyer data, staff correction, PDF, KSeF XML, downloads."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal as D

import pytest

from core import clock, db, outbox
from core.billing_data.service import change_billing_data
from core.documents.build import LineInput
from core.documents.files import document_pdf, document_xml
from core.documents.issuing import issue_document, snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.staff import correct_proforma
from core.errors import Conflict
from core.models import ActivityLog, Document, DocumentFile, ServiceChange
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import (
    COMPANY,
    EU_COMPANY,
    PRIVATE,
    SELLER,
    attachment_names,
    pdf_text,
    setup_seller,
    shop,
)
from tests.helpers import login, make_customer, make_staff, post_form, staff_login
from tests.upgrade_helpers import link, product


def _vat_of(proforma: Document) -> Document:
    return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def test_company_to_private_keeps_the_proforma_and_the_later_vat_invoice_carries_the_new_data(app, conn):
    setup_seller()
    customer, (s1, s2, s3), _basic, pro = shop(services=3)
    old = confirm_change(customer.id, s1.id, pro.id, "monthly").document
    unpaid_old = confirm_change(customer.id, s3.id, pro.id, "monthly").document
    change_billing_data(customer, PRIVATE, actor=customer)
    new = confirm_change(customer.id, s2.id, pro.id, "monthly").document
    assert snapshot_of(old).buyer.name == COMPANY["name"] and snapshot_of(old).buyer.tax_id == "5260250274"
    assert snapshot_of(new).buyer.name == PRIVATE["name"] and snapshot_of(new).buyer.tax_id == ""
    assert snapshot_of(new).buyer.kind == "private"

    # the old proforma keeps its data; the VAT invoice issued when it is paid carries the data current then
    assert not Document.get_by_id(old.id).needs_correction  # company -> private in Poland: same 23% VAT
    record_payment("banktransfer", "BANK-OLD", old.total_gross, old)
    assert snapshot_of(Document.get_by_id(old.id)).buyer.name == COMPANY["name"]
    invoice = snapshot_of(_vat_of(old))
    assert (invoice.buyer.kind, invoice.buyer.name, invoice.buyer.tax_id) == ("private", PRIVATE["name"], "")
    assert invoice.buyer.city == "Gdańsk" and invoice.proforma_number == old.number
    assert invoice.total_gross == old.total_gross

    # staff correct the other old proforma on the customer's request
    staff = make_staff(role="billing")
    corrected = correct_proforma(unpaid_old.id, staff, ip="198.51.100.7")
    before = Document.get_by_id(unpaid_old.id)
    assert (before.status, before.superseded_by_id) == ("superseded", corrected.id)
    assert snapshot_of(before).buyer.name == COMPANY["name"]  # the old version is unchanged
    assert corrected.supersedes_id == unpaid_old.id and corrected.number != unpaid_old.number
    assert snapshot_of(corrected).buyer.name == PRIVATE["name"]
    assert corrected.total_gross == unpaid_old.total_gross
    log = ActivityLog.get(ActivityLog.action == "document.proforma_corrected")
    assert (log.actor_kind, log.actor_id, log.ip) == ("staff", staff.id, "198.51.100.7")
    assert log.details["superseded"] == unpaid_old.number and log.details["new"] == corrected.number
    with pytest.raises(Conflict):  # a superseded version cannot be corrected again
        correct_proforma(unpaid_old.id, staff)

    # the new version is what gets paid: the change applies and the invoice has the current data
    record_payment("banktransfer", "BANK-NEW", corrected.total_gross, corrected)
    assert snapshot_of(_vat_of(corrected)).buyer.name == PRIVATE["name"]
    assert ServiceChange.get_by_id(corrected.purpose_ref).status == "applied"


def test_paid_proforma_cannot_be_corrected(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "B-1", proforma.total_gross, proforma)
    with pytest.raises(Conflict):
        correct_proforma(proforma.id, make_staff())
    with pytest.raises(Conflict):
        correct_proforma(_vat_of(proforma).id, make_staff("other@example.test"))


ART_106E = [
    "Faktura VAT",  # the kind
    "Data wystawienia",
    "2026-03-16",  # pkt 1
    "Data sprzedaży (wykonania usługi)",  # pkt 6
    "Sprzedawca",
    "Nabywca",  # pkt 3
    "NIP: 5213017228",
    "NIP: 5260250274",  # pkt 4, 5
    "Nazwa towaru lub usługi",
    "J.m.",
    "usł.",
    "Ilość",  # pkt 7, 8
    "Cena jedn. netto",
    "Wartość netto",
    "Stawka VAT",
    "23%",  # pkt 9, 11, 12
    "Podsumowanie według stawek VAT",
    "Kwota VAT",  # pkt 13, 14
    "Kwota należności ogółem",
    "31,73",  # pkt 15
    "Zapłacono: 31,73 PLN",
    "Data zapłaty: 2026-03-16",  # paid in full: when and how, no payment term
    "Sposób płatności: przelew",
]


def test_invoice_pdf_from_the_real_flow_has_polish_text_and_every_106e_field(app, conn, smtp_server):
    setup_seller()
    customer, (svc,), _basic, pro = shop()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", proforma.total_gross, proforma)
    vat = _vat_of(proforma)
    assert not DocumentFile.select().exists()  # nothing rendered inside the transaction
    outbox.process()
    stored = DocumentFile.get(DocumentFile.document == vat.id)
    text = pdf_text(bytes(stored.content))
    expected = [
        *ART_106E,
        vat.number,
        SELLER["name"],
        "ul. Żelazna 5 lok. 12",
        "00-838 Warszawa",
        COMPANY["name"],
        "ul. Piotrkowska 120",
        "90-006 Łódź",
        f"Dotyczy faktury pro forma nr {proforma.number}",
    ]
    missing = [item for item in expected if item not in text]
    assert not missing, (missing, text)
    for due_only in ("Termin płatności", "Tytuł przelewu", SELLER["bank_account"], "banktransfer"):
        assert due_only not in text, due_only  # nothing is due on a paid invoice
    assert document_pdf(vat) == bytes(stored.content)  # downloads serve the stored copy
    outbox.process()  # the mail queued by the handler
    invoice_mail = smtp_server.wait_for(lambda m: vat.number in m["Subject"])
    assert attachment_names(invoice_mail) == [vat.number.replace("/", "-") + ".pdf"]


def test_reverse_charge_for_an_eu_company_in_quote_pdf_and_xml(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=EU_COMPANY)
    confirmed = confirm_change(customer.id, svc.id, pro.id, "monthly")
    assert confirmed.quote.vat == 0 and confirmed.quote.gross == confirmed.quote.net  # what the proforma says
    proforma = confirmed.document
    assert proforma.total_vat == 0 and proforma.total_gross == confirmed.quote.gross
    record_payment("banktransfer", "EU-1", proforma.total_gross, proforma)
    vat = _vat_of(proforma)
    snap = snapshot_of(vat)
    assert snap.reverse_charge and {line.vat_rate for line in snap.lines} == {"oo"}
    text = pdf_text(document_pdf(vat))
    assert "odwrotne obciążenie" in text and "NIP UE: DE136695976" in text and "Müller Webhosting GmbH" in text
    assert "np. 25,80 0,00 25,80" in text and " oo " not in f" {text} "  # art. 28b services print "np."
    xml = document_xml(vat)
    validate_fa3(xml)
    assert b"<P_13_9>" in xml and b"<P_13_1>" not in xml  # art. 28b services: P_13_9, no 23% base
    assert b"<P_12>np II</P_12>" in xml


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_xml_of_vat_and_correction_from_the_real_flow_validates(app, conn):
    setup_seller()
    customer, (svc,), basic, pro = shop()
    start = product("start", "Hosting Start", {"monthly": "20.00"})
    link(basic, pro, start)
    clock.freeze("2026-03-01T09:00:00")
    with db.write_transaction():  # the renewal invoice of the current period
        invoice = issue_document(
            customer,
            "vat",
            [LineInput("Hosting Basic, 2026-03-01 - 2026-03-31", D(1), "usł.", D("50.00"))],
            purpose="renewal",
            purpose_ref=svc.id,
        )
    clock.freeze("2026-03-16T12:00:00")
    down = confirm_change(customer.id, svc.id, start.id, "monthly")
    assert down.status == "applied"
    correction = Document.get(Document.kind == "correction")
    xml = document_xml(correction)
    validate_fa3(xml)
    assert b"<RodzajFaktury>KOR</RodzajFaktury>" in xml and invoice.number.encode() in xml
    assert b"Zmiana pakietu na ta" in xml
    validate_fa3(document_xml(invoice))
    text = pdf_text(document_pdf(correction))
    assert "Faktura korygująca" in text and f"Korekta faktury nr: {invoice.number} z dnia 2026-03-01" in text
    assert "Przed korektą" in text and "Po korekcie" in text and "Przyczyna korekty" in text


def test_downloads_are_for_the_owner_and_staff_only(app, client):
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop()
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        record_payment("banktransfer", "BANK-1", proforma.total_gross, proforma)
        vat = _vat_of(proforma)
        make_customer("ewa@example.test")
        staff = make_staff(role="support")
    assert client.get(f"/invoices/{vat.id}/pdf").status_code == 302  # not logged in: to the login page
    login(client, "ewa@example.test")
    for path in (f"/invoices/{vat.id}/pdf", f"/invoices/{vat.id}/ksef.xml", f"/invoices/{proforma.id}/pdf"):
        assert client.get(path).status_code == 404, path
    client.post("/logout", data={})
    owner = app.test_client()
    login(owner, customer.email)
    page = owner.get(f"/invoices/{vat.id}").get_data(as_text=True)
    assert f"/invoices/{vat.id}/pdf" in page and f"/invoices/{vat.id}/ksef.xml" in page
    pdf = owner.get(f"/invoices/{vat.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{vat.number.replace("/", "-")}.pdf"'
    assert pdf.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in pdf.headers["Cache-Control"]
    xml = owner.get(f"/invoices/{vat.id}/ksef.xml")
    assert xml.status_code == 200 and xml.headers["Content-Disposition"].startswith("attachment")
    validate_fa3(xml.data)
    assert owner.get(f"/invoices/{proforma.id}/ksef.xml").status_code == 404  # a proforma has no KSeF form
    assert owner.get(f"/invoices/{proforma.id}/pdf").status_code == 200
    staff_client = app.test_client()
    staff_login(staff_client, staff.email)
    assert staff_client.get(f"/admin/documents/{vat.id}/pdf").data.startswith(b"%PDF")
    assert staff_client.get(f"/admin/documents/{vat.id}/ksef.xml").status_code == 200
    assert staff_client.get("/admin/documents/99999/pdf").status_code == 404


def test_staff_correct_a_proforma_after_a_confirm_step_that_says_what_happens(app, client):
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop()
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        change_billing_data(customer, PRIVATE, actor=customer)
        support = make_staff("support@example.test", role="support")
        billing = make_staff("billing@example.test", role="billing")
    path = f"/admin/documents/{proforma.id}"
    staff_login(client, support.email)
    assert post_form(client, f"{path}/correct", {}, form_page=f"/admin/customers/{customer.id}").status_code == 403
    other = app.test_client()
    staff_login(other, billing.email)
    page = other.get(path).get_data(as_text=True)
    assert 'data-testid="correct-proforma"' in page and f'href="{path}/correct"' in page
    # the confirm step (no JavaScript): what will happen, in Polish, and nothing happened yet
    confirm = html.unescape(other.get(f"{path}/correct").get_data(as_text=True))
    assert 'data-testid="confirm-correct"' in confirm and 'name="confirm" value="yes"' in confirm
    for said in (COMPANY["name"], PRIVATE["name"], "Kwoty się nie zmieniają: razem brutto 31,73", "nie da się cofnąć"):
        assert said in confirm, said
    assert "Klientowi zostanie do zapłaty 31,73" in confirm
    unconfirmed = post_form(other, f"{path}/correct", {}, form_page=path)  # a POST without the confirmation
    assert unconfirmed.status_code == 200 and 'data-testid="confirm-correct"' in unconfirmed.get_data(as_text=True)
    with db.connection():
        assert not Document.select().where(Document.supersedes_id == proforma.id).exists()
    done = post_form(other, f"{path}/correct", {"confirm": "yes"}, form_page=f"{path}/correct")
    assert done.status_code == 302
    with db.connection():
        new = Document.get(Document.supersedes_id == proforma.id)
        assert done.headers["Location"].endswith(f"/admin/documents/{new.id}")
        assert ActivityLog.get(ActivityLog.action == "document.proforma_corrected").actor_id == billing.id
    assert PRIVATE["name"] in html.unescape(other.get(f"/admin/documents/{new.id}").get_data(as_text=True))
    # the old version cannot be corrected again, and its pages say why
    refused = other.get(f"{path}/correct")
    assert refused.status_code == 409 and 'data-testid="confirm-correct"' not in refused.get_data(as_text=True)
    assert f"zastąpiona proformą {new.number}" in html.unescape(refused.get_data(as_text=True))
    again = post_form(other, f"{path}/correct", {"confirm": "yes"}, form_page=f"/admin/documents/{new.id}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"{path}/correct")
    # the customer sees the old version as superseded, with a link to the new one
    owner = app.test_client()
    login(owner, customer.email)
    old_page = owner.get(f"/invoices/{proforma.id}").get_data(as_text=True)
    assert 'data-testid="superseded-note"' in old_page and f"/invoices/{new.id}" in old_page
    assert date(2026, 3, 16) == new.issue_date
