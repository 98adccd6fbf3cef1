"""Part payments are advances (art. 19a ust. 8): advance invoices (ZAL), the settlement invoice (ROZ), KOR_ZAL.

A renewal proforma of 61.50 (Basic 50.00 + 23% VAT) for the period from 10 Apr,
issued on 27 Mar; 20.00 of it arrives on 28 Mar.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from core import clock, db
from core.billing_data.service import change_billing_data
from core.documents.advances import advances_due, count_due, run_advance_invoices
from core.documents.corrections import issue_correction, lowered_by_gross
from core.documents.files import document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.staff import correct_proforma
from core.models import Customer, Document
from core.payments.recording import record_payment
from core.renewals.issuing import issue_renewal
from core.upgrades.apply import run_due_changes
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import COMPANY, PRIVATE, setup_seller
from tests.helpers import make_customer, make_staff
from tests.upgrade_helpers import link, product, service


def _renewal(billing=COMPANY, *, asks: bool = False):
    clock.freeze("2026-03-27T09:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, billing, actor=customer)
    if asks:
        with db.write_transaction():
            Customer.update(advance_invoices=True).where(Customer.id == customer.id).execute()
    basic = product("basic", "Basic", {"monthly": "50.00"})
    svc = service(customer, basic, "monthly", date(2026, 3, 10), date(2026, 3, 10), date(2026, 4, 10), "50.00")
    proforma = issue_renewal(svc.id)
    assert proforma is not None and proforma.total_gross == D("61.50")
    clock.freeze("2026-03-28T10:00:00")
    record_payment("banktransfer", "BANK-1", "20.00", proforma)
    return customer, proforma


def _due():
    """What staff see due, checked against the dashboard's count (one SQL statement): the same proformas."""
    found = advances_due()
    assert count_due(1000).value == len(found), found
    return found


def _kind(kind: str) -> list[Document]:
    return list(Document.select().where(Document.kind == kind).order_by(Document.id))


def test_a_part_payment_left_open_at_the_month_end_gets_an_advance_invoice_then_a_settlement(app, conn):
    _customer, proforma = _renewal()
    clock.freeze("2026-03-31T23:00:00")
    assert run_advance_invoices() == 0 and _due() == []  # the month is not over yet
    clock.freeze("2026-04-01T06:00:00")
    [due] = _due()
    assert (due.amount, due.received_on, due.deadline, due.invoice) == (
        D("20.00"),
        date(2026, 3, 28),
        date(2026, 4, 15),
        True,
    )
    assert run_advance_invoices() == 1 and run_advance_invoices() == 0  # once
    [advance] = _kind("advance")
    snap = snapshot_of(advance)
    # art. 106f ust. 1 pkt 3: VAT = 20.00 x 23 / 123 = 3.74
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (D("16.26"), D("3.74"), D("20.00"))
    assert (snap.sale_date, snap.order_value, snap.invoice_type) == (date(2026, 3, 28), D("61.50"), "ZAL")
    assert advance.number.startswith("FZ/2026/04/") and advance.proforma_id == proforma.id
    xml = document_xml(advance)
    validate_fa3(xml)
    assert b"<RodzajFaktury>ZAL</RodzajFaktury>" in xml and b"<WartoscZamowienia>61.50</WartoscZamowienia>" in xml
    assert b"<P_6>2026-03-28</P_6>" in xml and b"<P_15>20.00</P_15>" in xml
    assert _due() == []
    clock.freeze("2026-04-05T10:00:00")
    record_payment("banktransfer", "BANK-2", "41.50", proforma)
    [invoice] = _kind("vat")
    inv = snapshot_of(invoice)
    assert inv.invoice_type == "ROZ" and [a.number for a in inv.advances] == [advance.number]
    assert [ln.net for ln in inv.lines] == [D("50.00")]  # the service in full...
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (D("33.74"), D("7.76"), D("41.50"))  # ...less the advance
    assert (inv.paid, inv.amount_due) == (D("41.50"), D("0.00"))
    assert [p.amount for p in inv.payments] == [D("41.50")]
    xml = document_xml(invoice)
    validate_fa3(xml)
    assert b"<RodzajFaktury>ROZ</RodzajFaktury>" in xml and advance.number.encode() in xml
    # a correction of the settlement invoice refers to the advances it settled (KOR_ROZ)
    with db.write_transaction():
        correction = issue_correction(invoice, lowered_by_gross(invoice, D("12.30"), "Rabat"), "Rabat po sprzedaży")
    corr = snapshot_of(correction)
    assert corr.invoice_type == "KOR_ROZ" and corr.corrected is not None
    assert [a.number for a in corr.corrected.advances] == [advance.number]
    xml = document_xml(correction)
    validate_fa3(xml)
    assert b"<RodzajFaktury>KOR_ROZ</RodzajFaktury>" in xml and advance.number.encode() in xml


def test_the_whole_amount_within_the_month_of_the_first_part_needs_no_advance_invoice(app, conn):
    _customer, proforma = _renewal()
    clock.freeze("2026-03-30T10:00:00")
    record_payment("banktransfer", "BANK-2", "41.50", proforma)
    assert _kind("advance") == []
    [invoice] = _kind("vat")
    assert snapshot_of(invoice).invoice_type == "VAT" and invoice.total_gross == D("61.50")


def test_the_rest_arriving_before_the_cron_ran_still_documents_the_advance_first(app, conn):
    _customer, proforma = _renewal()
    clock.freeze("2026-04-01T00:30:00")
    record_payment("banktransfer", "BANK-2", "41.50", proforma)
    [advance] = _kind("advance")
    [invoice] = _kind("vat")
    assert advance.total_gross == D("20.00") and snapshot_of(advance).sale_date == date(2026, 3, 28)
    assert snapshot_of(invoice).invoice_type == "ROZ" and invoice.total_gross == D("41.50")


@pytest.mark.parametrize("asks", [False, True])
def test_a_consumer_gets_an_advance_invoice_only_on_request_but_the_tax_point_is_listed(app, conn, asks):
    _customer, _proforma = _renewal(PRIVATE, asks=asks)
    clock.freeze("2026-04-01T06:00:00")
    [due] = _due()
    assert (due.amount, due.received_on, due.invoice) == (D("20.00"), date(2026, 3, 28), asks)
    assert run_advance_invoices() == (1 if asks else 0)
    assert len(_kind("advance")) == (1 if asks else 0)


def test_an_advance_of_a_cancelled_proforma_is_corrected_to_nothing_kor_zal(app, conn):
    clock.freeze("2026-03-30T10:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, COMPANY, actor=customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", "1.00", proforma)
    clock.freeze("2026-04-01T06:00:00")
    assert run_advance_invoices() == 1
    [advance] = _kind("advance")
    assert run_due_changes()["stale"] == 1  # the change's window ended: the proforma is cancelled
    [correction] = _kind("correction")
    snap = snapshot_of(correction)
    assert correction.corrects_id == advance.id and snap.invoice_type == "KOR_ZAL"
    assert (snap.total_gross, snap.paid, snap.amount_due) == (D("-1.00"), D("-1.00"), D("0.00"))
    xml = document_xml(correction)
    validate_fa3(xml)
    assert b"<RodzajFaktury>KOR_ZAL</RodzajFaktury>" in xml and b"<StanPrzedZ>1</StanPrzedZ>" in xml
    assert isinstance(advance.created_at, datetime)


def test_a_corrected_proforma_counts_the_payments_and_advances_of_the_versions_it_supersedes(app, conn):
    customer, first = _renewal()  # 20.00 on 28 Mar
    staff = make_staff()

    def corrected(proforma: Document, name: str) -> Document:
        change_billing_data(customer, {**COMPANY, "name": name}, actor=customer)
        return correct_proforma(proforma.id, staff)

    clock.freeze("2026-03-29T10:00:00")
    second = corrected(first, "Druga Firma sp. z o.o.")
    clock.freeze("2026-04-01T06:00:00")
    [due] = _due()  # the 20.00 was paid to the first version
    assert (due.proforma.id, due.amount, due.received_on) == (second.id, D("20.00"), date(2026, 3, 28))
    assert run_advance_invoices() == 1
    clock.freeze("2026-04-02T10:00:00")
    third = corrected(second, "Trzecia Firma sp. z o.o.")
    assert (third.paid, third.status) == (D("20.00"), "partially_paid")
    assert _due() == []  # the advance invoice of the second version documents it
    clock.freeze("2026-04-03T10:00:00")  # paid to a superseded version: all of it goes to the credit balance
    record_payment("banktransfer", "BANK-OLD", "5.00", Document.get_by_id(first.id))
    clock.freeze("2026-05-02T10:00:00")  # and 10.00 to the newest one, after the month the 5.00 came in
    record_payment("banktransfer", "BANK-3", "10.00", third)
    assert _due() == []  # before May: 20.00 received, 20.00 documented; the 5.00 paid no proforma
    clock.freeze("2026-06-01T06:00:00")
    [due] = _due()
    assert (due.proforma.id, due.amount, due.received_on) == (third.id, D("10.00"), date(2026, 5, 2))


def test_staff_see_the_advances_due(app, client):
    from tests.helpers import staff_login

    with db.connection():
        _customer, proforma = _renewal()
        clock.freeze("2026-04-02T06:00:00")
        make_staff()
    staff_login(client, "staff@example.test")
    page = client.get("/admin/documents/advances-due").get_data(as_text=True)
    assert proforma.number in page and "15 kwi 2026" in page and "Faktury zaliczkowe do wystawienia" in page
    assert "Faktury zaliczkowe do wystawienia" in client.get("/admin/").get_data(as_text=True)


def test_the_rest_entered_next_month_with_a_date_in_the_month_of_the_first_part_needs_no_advance_invoice(app, conn):
    from core.payments.bank_entry import record_bank_transfer

    _customer, proforma = _renewal()
    clock.freeze("2026-04-03T10:00:00")  # staff enter a transfer that arrived on 30 March
    record_bank_transfer(Document.get_by_id(proforma.id), "41.50", "BANK-LATE", "2026-03-30")
    assert _kind("advance") == []  # the whole amount arrived within March (art. 106b ust. 1a)
    [invoice] = _kind("vat")
    inv = snapshot_of(invoice)
    assert (inv.invoice_type, inv.total_gross, inv.payment_date) == ("VAT", D("61.50"), date(2026, 3, 30))
