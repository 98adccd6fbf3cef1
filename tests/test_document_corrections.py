"""Billing data changes and open proformas: the VAT invoice's buyer, tax treatment, staff corrections."""

from __future__ import annotations

import html
import re
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree as ET

import pytest

from core import db
from core.balance_view import balance_of
from core.billing_data.service import change_billing_data
from core.documents.files import document_pdf, document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.ksef_parts import NS
from core.documents.reissue import NotCorrectable, plan_reissue
from core.documents.staff import correct_proforma
from core.models import ActivityLog, Document, LedgerEntry, Service, ServiceChange
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import COMPANY, EU_COMPANY, PRIVATE, pdf_text, setup_seller, shop
from tests.helpers import login, make_staff, post_form, staff_login
from tests.upgrade_helpers import give_balance

N = {"f": NS}


def _vat_of(proforma: Document) -> Document | None:
    return Document.get_or_none((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def _fresh(document: Document) -> Document:
    return Document.get_by_id(document.id)


def test_eu_company_becoming_a_polish_consumer_holds_the_vat_invoice_until_staff_correct(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=EU_COMPANY)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert proforma.total_gross == D("25.80")  # reverse charge: no Polish VAT
    change_billing_data(customer, PRIVATE, actor=customer)
    assert _fresh(proforma).needs_correction  # the 23% a Polish consumer pays is not on it
    log = ActivityLog.get(ActivityLog.action == "document.needs_correction")
    assert log.details["treatment_before"] == "reverse_charge" and log.details["treatment_now"] == "domestic"

    # the payment arriving meanwhile is recorded and the change applied; the VAT invoice waits
    record_payment("banktransfer", "BANK-1", "25.80", proforma)
    assert _fresh(proforma).status == "paid"
    assert ServiceChange.get_by_id(proforma.purpose_ref).status == "applied"
    assert Service.get_by_id(svc.id).product_id == pro.id
    assert not Document.select().where(Document.kind == "vat").exists()  # neither old buyer nor old amounts

    # staff correct it: Polish VAT on the same net, the payment carried over, the rest due
    plan = plan_reissue(_fresh(proforma))
    assert plan.possible and plan.treatment_changes
    assert (plan.old_rates, plan.new_rates) == (("oo",), ("23",))  # one line: the difference
    assert (plan.new_gross, plan.carried, plan.to_balance, plan.due_after) == (
        D("31.73"),
        D("25.80"),
        D("0.00"),
        D("5.93"),
    )
    new = correct_proforma(proforma.id, make_staff(role="billing"))
    old = _fresh(proforma)
    assert (old.status, old.superseded_by_id, old.needs_correction) == ("superseded", new.id, False)
    assert (new.total_net, new.total_vat, new.total_gross) == (D("25.80"), D("5.93"), D("31.73"))
    assert (new.status, new.paid) == ("partially_paid", D("25.80"))
    assert snapshot_of(new).buyer.name == PRIVATE["name"] and not snapshot_of(new).reverse_charge
    assert _vat_of(new) is None

    # paying the rest issues the VAT invoice for the corrected amounts, with the current data
    record_payment("banktransfer", "BANK-2", "5.93", new)
    invoice = _vat_of(_fresh(new))
    assert invoice is not None and invoice.total_gross == D("31.73")
    snap = snapshot_of(invoice)
    assert snap.buyer.name == PRIVATE["name"] and {ln.vat_rate for ln in snap.lines} == {"23"}
    assert [(p.amount, p.ksef_form) for p in snap.payments] == [(D("25.80"), "6"), (D("5.93"), "6")]
    assert ServiceChange.get_by_id(new.purpose_ref).status == "applied"  # applied once, not twice


def test_polish_consumer_becoming_an_eu_company_gets_the_overpaid_vat_back_on_the_balance(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=PRIVATE)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert proforma.total_gross == D("31.73")
    change_billing_data(customer, EU_COMPANY, actor=customer)
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    assert _vat_of(proforma) is None and _fresh(proforma).needs_correction

    new = correct_proforma(proforma.id, make_staff(role="billing"))
    assert (new.total_gross, new.status, new.paid) == (D("25.80"), "paid", D("25.80"))
    assert balance_of(customer.id) == D("5.93")  # paid above the corrected amount
    entry = LedgerEntry.get(LedgerEntry.kind == "overpayment")
    assert entry.amount == D("5.93") and entry.document_id == new.id
    invoice = _vat_of(new)  # paid in full by the carried payment: issued by the correction
    assert invoice is not None and invoice.total_gross == D("25.80")
    snap = snapshot_of(invoice)
    assert snap.buyer.name == EU_COMPANY["name"] and snap.reverse_charge
    xml = document_xml(invoice)
    validate_fa3(xml)
    root = ET.fromstring(xml)
    assert root.find("f:Fa/f:P_13_9", N).text == "25.80"
    assert root.find("f:Fa/f:Platnosc/f:Zaplacono", N).text == "1"
    text = pdf_text(document_pdf(invoice))
    assert "np. 25,80 0,00 25,80" in text and "Müller Webhosting GmbH" in text


def test_undoing_the_change_clears_the_flag_and_a_paid_proforma_gets_its_invoice(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=PRIVATE)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    change_billing_data(customer, EU_COMPANY, actor=customer)
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    assert _vat_of(proforma) is None
    change_billing_data(customer, {**PRIVATE, "city": "Sopot", "postcode": "81-701"}, actor=customer)
    assert not _fresh(proforma).needs_correction
    invoice = _vat_of(proforma)
    assert invoice is not None and snapshot_of(invoice).buyer.city == "Sopot"


def test_same_treatment_keeps_the_proforma_open_and_unflagged(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=COMPANY)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    change_billing_data(customer, PRIVATE, actor=customer)
    assert not _fresh(proforma).needs_correction
    assert not ActivityLog.select().where(ActivityLog.action == "document.needs_correction").exists()


def test_part_paid_proforma_is_corrected_with_its_payments_carried_over(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=COMPANY)
    give_balance(customer, "10.00")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert (proforma.status, proforma.paid) == ("partially_paid", D("10.00"))  # the balance, applied on issue
    change_billing_data(customer, PRIVATE, actor=customer)
    new = correct_proforma(proforma.id, make_staff(role="billing"))
    assert (new.status, new.paid, new.total_gross) == ("partially_paid", D("10.00"), D("31.73"))
    assert _fresh(proforma).status == "superseded"
    assert balance_of(customer.id) == D("0.00")  # carried over, not applied twice
    record_payment("banktransfer", "BANK-1", "21.73", new)
    invoice = _vat_of(_fresh(new))
    assert invoice is not None and snapshot_of(invoice).buyer.name == PRIVATE["name"]
    assert [p.method for p in snapshot_of(invoice).payments] == ["balance", "banktransfer"]


def test_staff_cannot_correct_a_proforma_whose_vat_invoice_was_issued(app, conn):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=COMPANY)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    change_billing_data(customer, PRIVATE, actor=customer)
    plan = plan_reissue(_fresh(proforma))
    assert not plan.possible and plan.refusal_params == {"number": _vat_of(proforma).number}
    with pytest.raises(NotCorrectable) as refused:
        correct_proforma(proforma.id, make_staff(role="billing"))
    assert refused.value.code == "not_correctable" and "correcting invoice" in refused.value.message


def test_customer_is_told_what_happens_to_each_open_proforma_and_staff_see_the_flag(app, client):
    with db.connection():
        setup_seller()
        customer, (s1, s2), _basic, pro = shop(billing=EU_COMPANY, services=2)
        first = confirm_change(customer.id, s1.id, pro.id, "monthly").document
        staff = make_staff(role="billing")
    login(client, customer.email)
    saved = post_form(client, "/profile/billing", PRIVATE, follow_redirects=True)
    text = html.unescape(saved.get_data(as_text=True))
    assert "Dane do faktury zapisane" in text
    assert f"Proforma {first.number} wymaga poprawki" in text and "Obsługa już to widzi" in text
    invoice_page = html.unescape(client.get(f"/invoices/{first.id}").get_data(as_text=True))
    assert 'data-testid="needs-correction-note"' in invoice_page
    # a later proforma carries the new data; a change keeping the treatment keeps the old one "until corrected"
    with db.connection():
        second = confirm_change(customer.id, s2.id, pro.id, "monthly").document
    moved = post_form(client, "/profile/billing", {**PRIVATE, "city": "Sopot", "postcode": "81-701"})
    assert moved.status_code == 302
    text = html.unescape(client.get("/profile/billing").get_data(as_text=True))
    assert f"Proforma {second.number} zachowuje dane, z którymi została wystawiona" in text
    assert "faktura VAT wystawiona po jej opłaceniu będzie zawierała Twoje nowe dane" in text
    # the ticket link names the real proforma numbers
    bodies = [
        parse_qs(urlparse(href).query)["body"][0]
        for href in re.findall(r'href="([^"]+)" data-testid="ask-correction"', text)
    ]
    assert bodies == [
        f"Proszę o naniesienie moich aktualnych danych do faktury na proformę nr {number}."
        for number in (first.number, second.number)
    ]

    admin = client.application.test_client()
    staff_login(admin, staff.email)
    doc_page = html.unescape(admin.get(f"/admin/documents/{first.id}").get_data(as_text=True))
    assert 'data-testid="admin-needs-correction"' in doc_page and "stawka np. zmienia się na 23%" in doc_page
    customer_page = html.unescape(admin.get(f"/admin/customers/{customer.id}").get_data(as_text=True))
    assert 'data-testid="needs-correction"' in customer_page and 'data-testid="customer-to-correct"' in customer_page
    listing = html.unescape(admin.get("/admin/documents/to-correct").get_data(as_text=True))
    assert first.number in listing and second.number not in listing
    dashboard = html.unescape(admin.get("/admin/").get_data(as_text=True))
    assert 'data-testid="dashboard-to-correct"' in dashboard and "/admin/documents/to-correct" in dashboard
    confirm = html.unescape(admin.get(f"/admin/documents/{first.id}/correct").get_data(as_text=True)).replace(
        "\xa0", " "
    )
    assert "stawka np. zmienia się na 23%, kwota brutto 25,80 zł na 31,73 zł" in confirm


def test_a_payment_to_the_superseded_version_goes_to_the_balance_not_to_the_new_version(app, conn):
    from core.documents.state import state_of

    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=COMPANY)
    give_balance(customer, "10.00")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    change_billing_data(customer, PRIVATE, actor=customer)
    new = correct_proforma(proforma.id, make_staff(role="billing"))
    late = record_payment("banktransfer", "BANK-OLD-NUMBER", "21.73", _fresh(proforma))
    assert (late.applied, late.overpaid) == (D("0.00"), D("21.73")) and balance_of(customer.id) == D("21.73")
    state = state_of(_fresh(new))
    assert [p.transaction_id for p in state.payments] == [f"auto:{proforma.id}"]
    assert (state.paid, state.due) == (D("10.00"), D("21.73"))
