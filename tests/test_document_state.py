"""One proforma, one set of amounts: the PDF, the client page and the admin page agree, at any moment."""

from __future__ import annotations

import html
from decimal import Decimal as D
from xml.etree import ElementTree as ET

from core import db, outbox
from core.documents.files import document_pdf, document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.ksef_parts import NS
from core.models import Document, DocumentFile
from core.payments.recording import pay_from_balance, record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import SELLER, pdf_text, setup_seller, shop
from tests.helpers import login, make_staff, post_form, staff_login
from tests.upgrade_helpers import give_balance

N = {"f": NS}


def _page(client, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True)).replace("\xa0", " ")


def _between(text: str, testid: str) -> str:
    start = text.index(f'data-testid="{testid}"')
    return text[text.index(">", start) + 1 : text.index("<", start)]


def test_pdf_client_page_and_admin_page_show_the_same_paid_and_due_and_the_pdf_follows_payments(app, client):
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop()
        give_balance(customer, "10.00")
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        staff = make_staff(role="billing")
        outbox.process()  # document_issued: the PDF is rendered after commit
        first = pdf_text(bytes(DocumentFile.get(DocumentFile.document == proforma.id).content))
    # the balance applied on issue is on the PDF, as on both pages
    assert "Zapłacono: 10,00 PLN" in first and "Do zapłaty: 21,73 PLN" in first
    assert "kompensata z saldem przedpłat klienta" in first and "Termin płatności" in first
    login(client, customer.email)
    page = _page(client, f"/invoices/{proforma.id}")
    assert _between(page, "doc-paid") == "10,00 zł" and _between(page, "doc-due") == "21,73 zł"
    admin = app.test_client()
    staff_login(admin, staff.email)
    admin_page = _page(admin, f"/admin/documents/{proforma.id}")
    assert _between(admin_page, "admin-doc-paid") == "10,00 zł" and _between(admin_page, "admin-doc-due") == "21,73 zł"
    assert 'name="transaction_id"' in admin_page  # open: staff may record a transfer

    # staff record the transfer; the stored PDF is rendered again after commit, not kept from issue
    done = post_form(admin, f"/admin/documents/{proforma.id}", {"amount": "21.73", "transaction_id": "BANK-7"})
    assert done.status_code == 302
    with db.connection():
        outbox.process()
        stored = DocumentFile.get(DocumentFile.document == proforma.id)
        again = pdf_text(bytes(stored.content))
        assert document_pdf(proforma) == bytes(stored.content)
        vat = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    assert "Zapłacono: 31,73 PLN" in again and "Do zapłaty: 0,00 PLN" in again
    assert "Termin płatności" not in again  # paid: no term as if money were still due
    page = _page(client, f"/invoices/{proforma.id}")
    assert _between(page, "doc-paid") == "31,73 zł" and _between(page, "doc-due") == "0,00 zł"
    admin_page = _page(admin, f"/admin/documents/{proforma.id}")
    assert _between(admin_page, "admin-doc-paid") == "31,73 zł" and 'name="transaction_id"' not in admin_page

    # the VAT invoice issued paid shows the payments of the proforma it settles, never "none yet"
    vat_page = _page(admin, f"/admin/documents/{vat.id}")
    assert _between(vat_page, "admin-doc-paid") == "31,73 zł" and "None yet." not in vat_page
    payments = vat_page[vat_page.index('data-testid="admin-payments"') :]
    payments = payments[: payments.index("</section>")]
    assert "BANK-7" in payments and "auto:" in payments and proforma.number in payments
    assert '<li class="muted">' not in payments  # not "none yet"
    assert 'name="transaction_id"' not in vat_page and 'data-testid="admin-settles"' in vat_page
    client_vat = _page(client, f"/invoices/{vat.id}")
    assert _between(client_vat, "doc-paid") == "31,73 zł" and _between(client_vat, "doc-paid-on") == "16 mar 2026"
    listing = _page(client, "/invoices")
    assert _between(listing, f"paid-on-{vat.id}") == "16 mar 2026"
    assert _between(listing, f"paid-on-{proforma.id}") == "16 mar 2026"


def test_vat_invoice_paid_from_balance_and_by_transfer_says_how_in_pdf_and_fa3(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop()
    give_balance(customer, "10.00")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", "21.73", proforma)
    vat = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    text = pdf_text(document_pdf(vat))
    assert "Data zapłaty: 2026-03-16" in text
    assert "Sposób płatności: kompensata z saldem przedpłat klienta, przelew" in text
    assert "10,00 PLN (2026-03-16, kompensata z saldem przedpłat klienta)" in text
    assert "21,73 PLN (2026-03-16, przelew)" in text
    for due_only in ("Termin płatności", "Tytuł przelewu", SELLER["bank_account"], "banktransfer", "Do zwrotu"):
        assert due_only not in text, due_only
    xml = document_xml(vat)
    validate_fa3(xml)
    assert b"banktransfer" not in xml and b">balance<" not in xml
    pay = ET.fromstring(xml).find("f:Fa/f:Platnosc", N)
    assert pay.find("f:ZnacznikZaplatyCzesciowej", N).text == "2"  # paid in full, in two parts
    parts = pay.findall("f:ZaplataCzesciowa", N)
    assert [p.find("f:KwotaZaplatyCzesciowej", N).text for p in parts] == ["10.00", "21.73"]
    assert parts[0].find("f:PlatnoscInna", N).text == "1"
    assert parts[0].find("f:OpisPlatnosci", N).text == "kompensata z saldem przedpłat klienta"
    assert parts[1].find("f:FormaPlatnosci", N).text == "6"
    assert pay.find("f:TerminPlatnosci", N) is None and pay.find("f:RachunekBankowy", N) is None


def test_bank_transfer_is_form_6_and_a_balance_payment_is_described_in_polish(app, conn):
    setup_seller()
    customer, (s1, s2), _basic, pro = shop(services=2)
    by_transfer = confirm_change(customer.id, s1.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", by_transfer.total_gross, by_transfer)
    give_balance(customer, "100.00")
    by_balance = confirm_change(customer.id, s2.id, pro.id, "monthly").document  # paid in full on issue
    assert by_balance.status == "paid"
    for proforma, form in ((by_transfer, "6"), (by_balance, None)):
        vat = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        xml = document_xml(vat)
        validate_fa3(xml)
        pay = ET.fromstring(xml).find("f:Fa/f:Platnosc", N)
        assert pay.find("f:Zaplacono", N).text == "1" and pay.find("f:DataZaplaty", N).text == "2026-03-16"
        if form:
            assert pay.find("f:FormaPlatnosci", N).text == form
        else:
            assert pay.find("f:FormaPlatnosci", N) is None
            assert pay.find("f:OpisPlatnosci", N).text == "kompensata z saldem przedpłat klienta"
        assert b"banktransfer" not in xml and b">balance<" not in xml


def test_a_superseded_proforma_pdf_names_its_new_version(app, conn):
    from core.billing_data.service import change_billing_data
    from core.documents.staff import correct_proforma
    from tests.billing_doc_helpers import PRIVATE

    setup_seller()
    customer, (svc,), _basic, pro = shop()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    before = document_pdf(proforma)
    change_billing_data(customer, PRIVATE, actor=customer)
    new = correct_proforma(proforma.id, make_staff(role="billing"))
    after = pdf_text(document_pdf(proforma))
    assert before != document_pdf(proforma)
    assert f"zastąpiona wersją nr {new.number}" in after and "Do zapłaty: 0,00 PLN" in after
    assert snapshot_of(Document.get_by_id(proforma.id)).buyer.name != PRIVATE["name"]  # the snapshot is as issued


def test_balance_payment_on_an_issued_proforma_renders_again(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert "Zapłacono: 0,00 PLN" in pdf_text(document_pdf(proforma))
    give_balance(customer, "5.00")
    pay_from_balance(proforma, "web:1")
    assert Document.get_by_id(proforma.id).paid == D("5.00")
    assert "Zapłacono: 5,00 PLN" in pdf_text(document_pdf(proforma))
    assert DocumentFile.select().where(DocumentFile.document == proforma.id).count() == 1


def test_migration_adds_the_state_columns_to_an_older_database(app):
    from core.migrate import MigrationTable, migrate
    from core.runtime import current

    with db.connection(), db.write_transaction():
        database = db.database.obj
        for index in database.get_indexes("document"):
            if index.columns == ["needs_correction"]:
                database.execute_sql(f'DROP INDEX "{index.name}"')
        database.execute_sql('ALTER TABLE "document" DROP COLUMN "needs_correction"')
        database.execute_sql('ALTER TABLE "document_file" DROP COLUMN "state"')
        MigrationTable.delete().where(MigrationTable.name == "m0005_document_state").execute()
    assert migrate(current()) == ["core:m0005_document_state"]
    assert migrate(current()) == []
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop()
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        assert "Do zapłaty: 31,73 PLN" in pdf_text(document_pdf(proforma))
        assert not Document.get_by_id(proforma.id).needs_correction
        assert DocumentFile.get(DocumentFile.document == proforma.id).state
