"""Downgrades: what the summary says the customer gets back, and the correcting invoice that does it."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal as D
from xml.etree import ElementTree as ET

import pytest

from core import clock, db
from core.balance_view import balance_of
from core.billing_data.service import change_billing_data
from core.documents.files import document_pdf, document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.ksef_parts import NS
from core.models import Document
from core.payments.recording import record_payment
from core.renewals.issuing import issue_renewal
from tests.billing_doc_helpers import COMPANY, PRIVATE, SELLER, pdf_text, setup_seller
from tests.helpers import login, make_customer, post_form
from tests.upgrade_helpers import link, product, service

N = {"f": NS}


def _renewed_shop():
    """A company customer whose March renewal was invoiced on 20 Feb (date of supply 1 Mar); now 16 Mar."""
    clock.freeze("2026-02-20T10:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, COMPANY, actor=customer)
    basic = product("basic", "Hosting Basic", {"monthly": "50.00"})
    start = product("start", "Hosting Start", {"monthly": "20.00"})
    link(basic, start)
    svc = service(customer, basic, "monthly", date(2026, 2, 1), date(2026, 2, 1), date(2026, 3, 1), "50.00")
    renewal = issue_renewal(svc.id)
    record_payment("banktransfer", "BANK-R", renewal.total_gross, renewal)
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == renewal.id))
    assert (invoice.issue_date, snapshot_of(invoice).sale_date) == (date(2026, 2, 20), date(2026, 3, 1))
    clock.freeze("2026-03-16T12:00:00")
    return customer, svc, start, invoice


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_credit_downgrade_summary_names_the_refund_and_the_correction_settles_it_on_the_balance(app, client):
    with db.connection():
        customer, svc, start, invoice = _renewed_shop()
        change_billing_data(customer, PRIVATE, actor=customer)  # later data; the correction keeps the invoice's
    login(client, customer.email)
    summary = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={start.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    assert "-19,05 zł" in summary  # the negative total...
    refund = summary[summary.index('data-testid="summary-refund"') :]
    assert refund[refund.index(">") + 1 : refund.index("<")] == "19,05 zł"  # ...and what comes back
    assert (
        f"Otrzymujesz z powrotem 19,05 zł: kwota trafi teraz na Twoje saldo, z fakturą korygującą do Twojej "
        f"faktury VAT {invoice.number}" in summary
    )
    done = post_form(
        client,
        f"/services/{svc.id}/change/confirm",
        {"product": start.id, "cycle": "monthly", "expected_gross": "-19.05"},
        form_page=f"/services/{svc.id}/change",
    )
    assert done.status_code == 302
    with db.connection():
        assert balance_of(customer.id) == D("19.05")  # exactly what the summary said
        correction = Document.get(Document.kind == "correction")
        snap = snapshot_of(correction)
        assert snap.buyer.name == COMPANY["name"] and snap.buyer.tax_id == COMPANY["tax_id"]
        assert (snap.total_gross, snap.paid, snap.amount_due) == (D("-19.05"), D("-19.05"), D("0.00"))
        text = pdf_text(document_pdf(correction))
        xml = document_xml(correction)
    # art. 106j ust. 2: the corrected invoice's number, issue date and date of supply
    assert f"Korekta faktury nr: {invoice.number} z dnia 2026-02-20" in text
    assert "Data sprzedaży faktury korygowanej: 2026-03-01" in text
    assert "Rozliczono na saldzie: 19,05 PLN" in text and "zwrot zaliczony na saldo konta klienta" in text
    for wrong in (
        "Do zwrotu",
        "przelew",
        "Termin płatności",
        "Tytuł przelewu",
        SELLER["bank_account"],
        PRIVATE["name"],
    ):
        assert wrong not in text, wrong
    validate_fa3(xml)
    fa = ET.fromstring(xml).find("f:Fa", N)
    assert fa.find("f:P_6", N).text == "2026-03-01"
    assert fa.find("f:DaneFaKorygowanej/f:DataWystFaKorygowanej", N).text == "2026-02-20"
    pay = fa.find("f:Platnosc", N)
    assert pay.find("f:TerminPlatnosci", N) is None and pay.find("f:RachunekBankowy", N) is None
    assert pay.find("f:OpisPlatnosci", N).text == "zwrot zaliczony na saldo konta klienta"
    assert pay.find("f:Zaplacono", N) is None and b"balance<" not in xml
    page = html.unescape(client.get(f"/invoices/{correction.id}").get_data(as_text=True)).replace("\xa0", " ")
    assert "Rozliczono na Twoim saldzie" in page and "19,05 zł" in page


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_credit_downgrade_without_an_invoice_to_correct_says_so(app, client):
    with db.connection():
        clock.freeze("2026-03-16T12:00:00")
        setup_seller()
        customer = make_customer()
        basic = product("basic", "Hosting Basic", {"monthly": "50.00"})
        start = product("start", "Hosting Start", {"monthly": "20.00"})
        link(basic, start)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    login(client, customer.email)
    summary = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={start.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    assert "Otrzymujesz z powrotem 19,05 zł: kwota trafi teraz na Twoje saldo. Zmiana nastąpi od razu" in summary
    assert "korygującą" not in summary


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "none"}}])
def test_none_downgrade_summary_says_nothing_comes_back_and_how_much_that_is(app, client):
    with db.connection():
        customer, svc, start, _invoice = _renewed_shop()
    login(client, customer.email)
    summary = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={start.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    assert "Nic nie otrzymujesz z powrotem" in summary and "niewykorzystaną część okresu (19,05 zł)" in summary
    refund = summary[summary.index('data-testid="summary-refund"') :]
    assert refund[refund.index(">") + 1 : refund.index("<")] == "0,00 zł"


def test_end_of_period_downgrade_summary_says_the_paid_package_stays(app, client):
    with db.connection():
        customer, svc, start, _invoice = _renewed_shop()
    login(client, customer.email)
    summary = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={start.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    assert "Nic nie otrzymujesz z powrotem i nic nie tracisz: opłacony pakiet Hosting Basic zostaje do" in summary
    assert "1 kwi 2026" in summary


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_a_downgrade_after_an_earlier_correction_corrects_what_the_invoice_stands_at(app, client):
    """One corrections path: the downgrade corrects the invoice after an earlier correction (a refund, say),
    and the summary promises to the grosz what that second correction gives back."""
    from core.documents.corrections import current_lines, issue_correction, lowered_by_gross, state_gross

    with db.connection():
        customer, svc, start, invoice = _renewed_shop()
        with db.write_transaction():
            refund = lowered_by_gross(invoice, D("10.00"), "Zwrot części płatności")
            first = issue_correction(invoice, refund, "Zwrot części płatności")
        assert first.total_gross == D("-10.00")
    login(client, customer.email)
    summary = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={start.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    refund_text = summary[summary.index('data-testid="summary-refund"') :]
    promised = D(refund_text[refund_text.index(">") + 1 : refund_text.index("<")].removesuffix(" zł").replace(",", "."))
    done = post_form(
        client,
        f"/services/{svc.id}/change/confirm",
        {"product": start.id, "cycle": "monthly", "expected_gross": "-19.05"},
        form_page=f"/services/{svc.id}/change",
    )
    assert done.status_code == 302
    with db.connection():
        second = Document.select().where(Document.kind == "correction").order_by(Document.id.desc()).first()
        assert second.id != first.id and second.corrects_id == first.id  # it corrects the corrected state
        assert -second.total_gross == promised == balance_of(customer.id)  # what the summary said, to the grosz
        assert snapshot_of(second).corrected.lines_before == snapshot_of(first).corrected.lines_after
        # the invoice and both corrections add up to what it stands at now: the first is not undone
        after = state_gross(current_lines(invoice))
        assert invoice.total_gross + first.total_gross + second.total_gross == after
        assert after == D("61.50") - D("10.00") - promised
