"""Staff issue a proforma with free lines, a VAT invoice for a transfer received, and record bank payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import clock, db
from core.balance_view import balance_of
from core.documents.manual import LineForm, issue_paid_invoice, issue_proforma
from core.errors import Conflict, ValidationError
from core.models import Document, LedgerEntry, Payment

PASSWORD = "correct horse battery"


@pytest.fixture
def world(app, hookbill_make, hookbill_clock):
    hookbill_clock.freeze("2026-03-16T12:00:00")
    hookbill_make.seller()
    customer = hookbill_make.customer("ala@example.test", billing="company")
    staff = hookbill_make.staff("kasia@example.test", role="billing")
    return customer, staff


LINES = [
    LineForm("Wdrożenie sklepu", "2", "godz.", "150.00", "23"),
    LineForm("Szkolenie", "1", "", "99.99", "8"),
    LineForm(),  # a blank row is left out
]


def test_a_free_line_proforma_prices_each_rate_once(world):
    customer, staff = world
    with db.connection():
        document = issue_proforma(customer.id, LINES, due_date="2026-03-30", staff=staff)
    lines = document.snapshot["lines"]
    assert [(ln["description"], ln["unit"], ln["net"], ln["vat_rate"]) for ln in lines] == [
        ("Wdrożenie sklepu", "godz.", "300.00", "23"),
        ("Szkolenie", "usł.", "99.99", "8"),
    ]
    # 300.00 + 69.00 VAT, 99.99 + 8.00 VAT
    assert (document.total_net, document.total_vat, document.total_gross) == (
        Decimal("399.99"),
        Decimal("77.00"),
        Decimal("476.99"),
    )
    assert (document.kind, document.status, document.due_date) == ("proforma", "unpaid", date(2026, 3, 30))


def test_reverse_charge_applies_to_lines_staff_write(world, hookbill_make):
    _customer, staff = world
    eu = hookbill_make.customer(
        billing={
            "kind": "company",
            "name": "Muster GmbH",
            "tax_id": "DE136695976",
            "address_line1": "Hauptstr. 1",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        }
    )
    with db.connection():
        document = issue_proforma(eu.id, LINES[:1], staff=staff)
    assert document.snapshot["lines"][0]["vat_rate"] == "oo" and document.total_vat == Decimal("0.00")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (LineForm("", "1", "", "10.00", "23"), "line1_description"),
        (LineForm("X", "0", "", "10.00", "23"), "line1_quantity"),
        (LineForm("X", "1", "", "10.001", "23"), "line1_unit_net"),
        (LineForm("X", "1", "", "-5", "23"), "line1_unit_net"),
        (LineForm("X", "1", "", "10.00", "zw"), "line1_vat_rate"),
        (LineForm("X", "1", "bardzo długa jednostka", "10.00", "23"), "line1_unit"),
        (LineForm("X", "1", "", "0.00", "23"), "lines"),
        (LineForm(), "lines"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_issued(world, row, field):
    customer, staff = world
    with db.connection():
        with pytest.raises(ValidationError) as raised:
            issue_proforma(customer.id, [row], staff=staff)
        assert field in raised.value.errors
        assert Document.select().count() == 0


def test_a_vat_invoice_for_a_transfer_received_carries_its_date_and_leaves_the_balance_alone(world, hookbill_make):
    customer, staff = world
    hookbill_make.top_up(customer, "50.00")
    with db.connection():
        invoice = issue_paid_invoice(
            customer.id, LINES[:1], amount="400.00", reference="ab 12 34", day="2026-03-10", staff=staff
        )
        assert (invoice.kind, invoice.status, invoice.total_gross) == ("vat", "paid", Decimal("369.00"))
        (part,) = invoice.snapshot["payments"]
        assert (part["date"], part["label"], part["amount"]) == ("2026-03-10", "przelew", "369.00")
        payment = Payment.get(Payment.transaction_id == "AB1234")  # the reference written one way
        assert payment.amount == Decimal("400.00")
        # the credit balance was not spent on it; the 31.00 above the total went onto it
        assert balance_of(customer.id) == Decimal("81.00")
        assert LedgerEntry.select().where(LedgerEntry.kind == "applied").count() == 0


def test_a_short_amount_or_a_reference_recorded_before_issues_nothing(world, hookbill_make):
    customer, staff = world
    with db.connection():
        with pytest.raises(Conflict):
            issue_paid_invoice(customer.id, LINES[:1], amount="100.00", reference="REF-1", staff=staff)
        assert Document.select().count() == 0 and Payment.select().count() == 0 and balance_of(customer.id) == 0
        with pytest.raises(ValidationError) as raised:
            issue_paid_invoice(customer.id, LINES[:1], amount="369.00", reference="REF-1", day="2026-03-17")
        assert "received_on" in raised.value.errors
    hookbill_make.top_up(customer, "10.00")
    with db.connection():
        Payment.update(transaction_id="REF-2").execute()
        with pytest.raises(Conflict):
            issue_paid_invoice(customer.id, LINES[:1], amount="369.00", reference="ref-2", staff=staff)
        assert Document.select().count() == 0 and Payment.select().count() == 1


def test_staff_record_a_part_then_an_overpayment_with_the_bank_date(world, hookbill_make, client):
    customer, staff = world
    proforma = hookbill_make.proforma(customer, [("Hosting", "100.00")])  # 123.00 gross
    client.staff_login(staff.email, PASSWORD)
    client.language("en", page="/admin/")
    page = f"/admin/documents/{proforma.id}"
    future = client.post_form(page, {"amount": "23.00", "transaction_id": "T-1", "received_on": "2026-03-20"})
    assert future.status_code == 422 and "The payment date cannot be in the future." in future.get_data(as_text=True)
    part = client.post_form(page, {"amount": "23.00", "transaction_id": "T-1", "received_on": "2026-03-12"})
    assert part.status_code == 302
    with db.connection():
        assert Document.get_by_id(proforma.id).status == "partially_paid"
        assert clock.to_local(Payment.get().received_at).date() == date(2026, 3, 12)
    again = client.post_form(page, {"amount": "23.00", "transaction_id": " t-1 "}, follow_redirects=True)
    assert "This bank reference was already recorded; nothing changed." in again.get_data(as_text=True)
    over = client.post_form(page, {"amount": "150.00", "transaction_id": "T-2", "received_on": "2026-03-16"})
    assert over.status_code == 302
    with db.connection():
        assert Document.get_by_id(proforma.id).status == "paid"
        assert balance_of(customer.id) == Decimal("50.00")  # 150.00 - the 100.00 still due
        assert Payment.select().count() == 2


def test_the_admin_pages_issue_both_documents_and_show_bad_lines_again(world, client):
    customer, staff = world
    client.staff_login(staff.email, PASSWORD)
    client.language("en", page="/admin/")
    page = f"/admin/customers/{customer.id}/proformas/new"
    bad = client.post_form(page, {"line1_description": "Audyt", "line1_quantity": "1", "line1_unit_net": "abc"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Enter a net price of zero or more" in text and 'value="Audyt"' in text
    done = client.post_form(
        page,
        {"line1_description": "Audyt", "line1_quantity": "1", "line1_unit_net": "200", "line1_vat_rate": "23"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "was issued" in done.get_data(as_text=True)
    invoice_page = f"/admin/customers/{customer.id}/invoices/new"
    short = client.post_form(
        invoice_page,
        {
            "line1_description": "Audyt",
            "line1_quantity": "1",
            "line1_unit_net": "200",
            "line1_vat_rate": "23",
            "amount": "100",
            "transaction_id": "X-1",
        },
    )
    assert short.status_code == 422 and "less than the invoice" in short.get_data(as_text=True)
    with db.connection():
        assert Document.select().count() == 1
