"""A paid package change on documents: no negative line on a VAT invoice, in both lawful shapes (art. 106j).

``difference`` (default): one positive line for charge - credit. ``correction``:
a correcting invoice of the current period's invoice plus a new VAT invoice for
the charge, settled against each other; each rounds its own VAT, and the
summary, the proforma and the documents agree to the grosz.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal as D

import pytest

from core import clock, db
from core.billing_data.service import change_billing_data
from core.documents.files import document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.models import Document, Service
from core.payments.recording import record_payment
from core.renewals.issuing import issue_renewal
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from tests.billing_doc_helpers import COMPANY, setup_seller
from tests.helpers import login, make_customer
from tests.upgrade_helpers import link, product, service

CORRECTION = {"billing": {"change_documents": "correction"}}


def _renewed(day: str = "2026-03-16T12:00:00"):
    """A company whose March period of Basic (50.00) was invoiced on 20 Feb; now ``day``."""
    clock.freeze("2026-02-20T10:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, COMPANY, actor=customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 2, 1), date(2026, 2, 1), date(2026, 3, 1), "50.00")
    renewal = issue_renewal(svc.id)
    record_payment("banktransfer", "BANK-R", renewal.total_gross, renewal)
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == renewal.id))
    clock.freeze(day)
    return customer, Service.get_by_id(svc.id), pro, invoice


def _pay_change(customer, svc, pro):
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-C", proforma.total_gross - proforma.paid, proforma)
    return proforma, Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def test_difference_mode_invoices_one_positive_line_naming_the_period(app, conn):
    customer, svc, pro, _invoice = _renewed()
    _proforma, invoice = _pay_change(customer, svc, pro)
    snap = snapshot_of(invoice)
    assert [(ln.description, ln.net) for ln in snap.lines] == [
        ("Dopłata za zmianę pakietu Basic -> Pro za okres 16.03-31.03.2026", D("25.80"))
    ]
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (D("25.80"), D("5.93"), D("31.73"))  # E1
    assert all(line.net > 0 for line in snap.lines)
    assert Document.select().where(Document.kind == "correction").count() == 0
    validate_fa3(document_xml(invoice))
    assert b"<RodzajFaktury>VAT</RodzajFaktury>" in document_xml(invoice)


@pytest.mark.parametrize("app_overrides", [CORRECTION])
def test_correction_mode_corrects_the_period_invoice_and_invoices_the_charge(app, conn):
    customer, svc, pro, period_invoice = _renewed()
    quote = build_quote(svc, pro.id, "monthly")
    # the summary's arithmetic stays; the totals are the two documents' own, summed
    assert (quote.credit, quote.charge, quote.net, quote.vat, quote.gross) == (
        D("25.81"),
        D("51.61"),
        D("25.80"),
        D("5.93"),
        D("31.73"),
    )
    proforma, invoice = _pay_change(customer, svc, pro)
    assert [ln.net for ln in snapshot_of(proforma).lines] == [D("51.61"), D("-25.81")]
    correction = Document.get(Document.kind == "correction")
    assert correction.corrects_id == period_invoice.id
    corr, inv = snapshot_of(correction), snapshot_of(invoice)
    assert (corr.total_net, corr.total_vat, corr.total_gross) == (D("-25.81"), D("-5.94"), D("-31.75"))
    assert [(ln.net, ln.vat_rate) for ln in inv.lines] == [(D("51.61"), "23")]
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (D("51.61"), D("11.87"), D("63.48"))
    # settled against each other: the customer paid the difference once
    assert inv.total_gross + corr.total_gross == proforma.total_gross == D("31.73")
    assert (inv.paid, inv.amount_due) == (D("63.48"), D("0.00"))
    assert [(p.method, p.amount) for p in inv.payments] == [("set_off", D("31.75")), ("banktransfer", D("31.73"))]
    assert (corr.paid, corr.amount_due, corr.payments[0].method) == (D("-31.75"), D("0.00"), "set_off")
    assert corr.corrected is not None and corr.corrected.number == period_invoice.number
    for document in (correction, invoice):
        validate_fa3(document_xml(document))
    assert b"<RodzajFaktury>KOR</RodzajFaktury>" in document_xml(correction)
    assert Service.get_by_id(svc.id).product_id == pro.id


@pytest.mark.parametrize("app_overrides", [CORRECTION])
def test_correction_mode_page_proforma_and_documents_agree_where_rounding_differs(app, client):
    """3 of 31 days left: one line would be VAT 1.11; two documents rounding their own VAT make 1.12."""
    with db.connection():
        customer, svc, pro, _invoice = _renewed("2026-03-29T12:00:00")
        quote = build_quote(svc, pro.id, "monthly")
        assert (quote.credit, quote.charge, quote.net, quote.vat, quote.gross) == (
            D("4.84"),
            D("9.68"),
            D("4.84"),
            D("1.12"),
            D("5.96"),
        )
    login(client, customer.email)
    page = html.unescape(
        client.get(f"/services/{svc.id}/change/summary?product={pro.id}&cycle=monthly").get_data(as_text=True)
    ).replace("\xa0", " ")
    assert 'data-testid="summary-gross">5,96 zł' in page
    assert "fakturę korygującą do Twojej faktury VAT" in page and "-5,95 zł" in page and "11,91 zł" in page
    with db.connection():
        proforma, invoice = _pay_change(customer, svc, pro)
        correction = Document.get(Document.kind == "correction")
        assert proforma.total_gross == D("5.96") == invoice.total_gross + correction.total_gross
        assert (proforma.total_vat, invoice.total_vat + correction.total_vat) == (D("1.12"), D("1.12"))


@pytest.mark.parametrize("app_overrides", [CORRECTION])
def test_correction_mode_without_an_invoice_of_the_period_invoices_the_difference(app, conn):
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, COMPANY, actor=customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    _proforma, invoice = _pay_change(customer, svc, pro)
    assert [ln.net for ln in snapshot_of(invoice).lines] == [D("25.80")]
    assert Document.select().where(Document.kind == "correction").count() == 0


@pytest.mark.parametrize("app_overrides", [CORRECTION])
def test_correction_mode_a_period_invoice_corrected_after_the_quote_makes_the_change_stale(app, conn):
    """The correction the quote planned would no longer add up: the payment goes to the balance, nothing is issued."""
    from core.balance_view import balance_of
    from core.documents.corrections import issue_correction, lowered_by_gross
    from core.models import ServiceChange

    customer, svc, pro, period_invoice = _renewed()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    # staff correct the period's invoice meanwhile (a goodwill reduction of 1.23 gross)
    with db.write_transaction():
        lines = lowered_by_gross(period_invoice, D("1.23"), "Obniżka ceny za marzec")
        issue_correction(period_invoice, lines, "Obniżka ceny")
    record_payment("banktransfer", "BANK-C", proforma.total_gross - proforma.paid, proforma)
    change = ServiceChange.get(ServiceChange.service == svc.id)
    assert change.status == "stale"
    assert Document.get_by_id(proforma.id).status == "cancelled"
    assert balance_of(customer.id) == proforma.total_gross  # what the change's proforma received
    assert Document.select().where(Document.kind == "correction").count() == 1  # only staff's
    assert not Document.select().where((Document.kind == "vat") & (Document.proforma_id == proforma.id)).exists()
    assert Service.get_by_id(svc.id).product_id != pro.id
