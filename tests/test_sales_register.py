"""The register of sales lists each sale at its tax point, consumers' advances without an invoice included.

The renewal of the advance-invoice examples: a proforma of 61.50 (Basic 50.00 +
23% VAT) issued on 27 Mar, 20.00 of it received on 28 Mar.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from core import clock, db
from core.billing_data.service import change_billing_data
from core.documents.advances import run_advance_invoices
from core.documents.manual import LineForm, issue_paid_invoice
from core.documents.register import sales_register, to_csv
from core.models import Customer, Document
from core.payments.recording import record_payment
from core.renewals.issuing import issue_renewal
from core.upgrades.apply import release_document
from tests.billing_doc_helpers import COMPANY, PRIVATE, setup_seller
from tests.helpers import make_customer
from tests.upgrade_helpers import product, service

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _part_paid_renewal(billing: dict[str, str]) -> Document:
    clock.freeze("2026-03-27T09:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, billing, actor=customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    svc = service(customer, basic, "monthly", date(2026, 3, 10), date(2026, 3, 10), date(2026, 4, 10), "50.00")
    proforma = issue_renewal(svc.id)
    assert proforma is not None and proforma.total_gross == D("61.50")
    clock.freeze("2026-03-28T10:00:00")
    record_payment("banktransfer", "BANK-1", "20.00", proforma)
    return proforma


def _rows(month: date) -> list[tuple[str, str, D, D, D]]:
    return [(r.kind, r.tax_point.isoformat(), r.net, r.vat, r.gross) for r in sales_register(month).rows]


def _sum(month: date) -> tuple[D, D, D]:
    [rate] = sales_register(month).sums
    return rate.net, rate.vat, rate.gross


def _finish_in_april(proforma: Document) -> None:
    clock.freeze("2026-04-01T06:00:00")
    run_advance_invoices()
    clock.freeze("2026-04-05T10:00:00")
    record_payment("banktransfer", "BANK-2", "41.50", proforma)


def test_a_company_advance_is_registered_in_the_month_received_and_the_settlement_in_the_month_paid(app, conn):
    proforma = _part_paid_renewal(COMPANY)
    _finish_in_april(proforma)
    clock.freeze("2026-05-02T10:00:00")
    # the advance invoice was issued on 1 April, for money received on 28 March: March's register
    assert _rows(MARCH) == [("advance", "2026-03-28", D("16.26"), D("3.74"), D("20.00"))]
    assert _rows(APRIL) == [("vat", "2026-04-05", D("33.74"), D("7.76"), D("41.50"))]
    assert not sales_register(APRIL).provisional


def test_a_consumer_without_advance_invoices_has_the_same_tax_points_without_the_documents(app, conn):
    proforma = _part_paid_renewal(PRIVATE)
    _finish_in_april(proforma)
    clock.freeze("2026-05-02T10:00:00")
    assert not Document.select().where(Document.kind == "advance").exists()
    assert _rows(MARCH) == [("consumer_advance", "2026-03-28", D("16.26"), D("3.74"), D("20.00"))]
    # the invoice documents the whole sale; what March already taxed is taken back out
    assert _rows(APRIL) == [
        ("vat", "2026-04-05", D("50.00"), D("11.50"), D("61.50")),
        ("consumer_advance_settled", "2026-04-05", D("-16.26"), D("-3.74"), D("-20.00")),
    ]
    # per month, exactly what the company's advance and settlement invoices give
    assert _sum(MARCH) == (D("16.26"), D("3.74"), D("20.00"))
    assert _sum(APRIL) == (D("33.74"), D("7.76"), D("41.50"))


def test_a_consumer_who_asked_for_advance_invoices_gets_them_and_no_register_only_rows(app, conn):
    proforma = _part_paid_renewal(PRIVATE)
    with db.write_transaction():
        Customer.update(advance_invoices=True).where(Customer.id == proforma.customer_id).execute()
    _finish_in_april(proforma)
    assert [r[0] for r in _rows(MARCH)] == ["advance"]
    assert [r[0] for r in _rows(APRIL)] == ["vat"]


def test_the_whole_amount_within_the_month_is_one_invoice_and_no_advance_row(app, conn):
    proforma = _part_paid_renewal(PRIVATE)
    clock.freeze("2026-03-30T10:00:00")
    record_payment("banktransfer", "BANK-2", "41.50", proforma)
    assert _rows(MARCH) == [("vat", "2026-03-30", D("50.00"), D("11.50"), D("61.50"))]
    assert _rows(APRIL) == []


def test_the_month_in_progress_is_provisional_and_shows_what_stands_today(app, conn):
    _part_paid_renewal(PRIVATE)
    register = sales_register(MARCH)
    assert register.provisional
    assert [r.kind for r in register.rows] == ["consumer_advance"]


def test_an_advance_returned_to_the_balance_is_taken_back_out_in_the_month_of_the_return(app, conn):
    proforma = _part_paid_renewal(PRIVATE)
    clock.freeze("2026-04-03T12:00:00")
    with db.write_transaction():
        release_document(Document.get_by_id(proforma.id), "stale_payment", "test: renewal withdrawn")
    assert _sum(MARCH) == (D("16.26"), D("3.74"), D("20.00"))
    assert _rows(APRIL) == [("consumer_advance_returned", "2026-04-03", D("-16.26"), D("-3.74"), D("-20.00"))]


def test_an_invoice_issued_late_is_listed_in_the_month_it_was_issued_with_its_tax_point(app, conn):
    clock.freeze("2026-05-20T10:00:00")
    setup_seller()
    customer = make_customer()
    change_billing_data(customer, COMPANY, actor=customer)
    line = LineForm(description="Migracja", quantity="1", unit="usł.", unit_net="100.00", vat_rate="23")
    invoice = issue_paid_invoice(customer.id, [line], amount="123.00", reference="OLD-1", day="2026-03-02")
    assert invoice.issue_date == date(2026, 5, 20)
    # the whole amount arrived in March: no advance invoice (art. 106b ust. 1a), however late it is entered
    assert not Document.select().where(Document.kind == "advance").exists()
    assert _rows(MARCH) == []  # past the end of April: too late for March's register
    [row] = sales_register(MAY).rows
    assert (row.kind, row.tax_point, row.late, row.gross) == ("vat", date(2026, 3, 2), True, D("123.00"))


def test_the_csv_has_a_line_per_row_and_rate(app, conn):
    proforma = _part_paid_renewal(PRIVATE)
    _finish_in_april(proforma)
    lines = to_csv(sales_register(APRIL)).splitlines()
    assert lines[0] == "tax_point,kind,number,issue_date,buyer,buyer_tax_id,currency,vat_rate,net,vat,gross"
    assert lines[2].startswith("2026-04-05,consumer_advance_settled," + proforma.number + ",,")
    assert lines[2].endswith(",PLN,23,-16.26,-3.74,-20.00")
    assert len(lines) == 3


def test_staff_read_the_register_in_polish_and_download_it(app, client):
    from tests.helpers import make_staff, staff_login

    with db.connection():
        proforma = _part_paid_renewal(PRIVATE)
        clock.freeze("2026-04-02T06:00:00")
        make_staff()
    staff_login(client, "staff@example.test")
    page = client.get("/admin/reports/sales-register").get_data(as_text=True)  # the previous month: March
    assert "Rejestr sprzedaży" in page and "Zaliczka bez faktury (konsument)" in page
    assert proforma.number in page and "28 mar 2026" in page and "consumer_advance" not in page
    assert "Miesiąc jeszcze trwa" not in page
    csv_answer = client.get("/admin/reports/sales-register.csv?month=2026-03")
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert "sales-register-2026-03.csv" in csv_answer.headers["Content-Disposition"]
    assert csv_answer.get_data(as_text=True).splitlines()[1].endswith(",PLN,23,16.26,3.74,20.00")
    bad = client.get("/admin/reports/sales-register?month=marzec")
    assert bad.status_code == 400 and "Podaj miesiąc jako rok i miesiąc" in bad.get_data(as_text=True)
    assert client.get("/admin/reports/sales-register.csv?month=2026-13").status_code == 400
    assert "Rejestr sprzedaży" in client.get("/admin/documents").get_data(as_text=True)


def test_renewals_paid_in_one_go_cost_the_register_no_query_each(app, conn, hookbill_queries):
    clock.freeze("2026-03-20T09:00:00")
    setup_seller()
    basic = product("basic", "Basic", {"monthly": "50.00"})

    def paid_renewals(count: int) -> None:
        for n in range(count):
            customer = make_customer(email=f"one-{count}-{n}@example.test")
            change_billing_data(customer, PRIVATE, actor=customer)
            svc = service(customer, basic, "monthly", date(2026, 3, 10), date(2026, 3, 10), date(2026, 4, 10), "50.00")
            proforma = issue_renewal(svc.id)
            record_payment("banktransfer", f"ONE-{count}-{n}", "61.50", proforma)

    paid_renewals(1)
    with hookbill_queries() as one:
        assert len(sales_register(MARCH).rows) == 1
    paid_renewals(10)
    with hookbill_queries() as eleven:
        assert len(sales_register(MARCH).rows) == 11
    assert eleven.count == one.count, eleven.diff(one)
