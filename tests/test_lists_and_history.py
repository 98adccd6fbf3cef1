"""Lists people read: the balance history with its running balance, attachment sizes, the
admin customer list with company names, and the billing-data history in words."""

from __future__ import annotations

import re
from decimal import Decimal

from core import db
from core.balance_view import balance_of, statement
from core.billing_data.service import change_billing_data
from core.models import BillingProfile, LedgerEntry
from core.testing.queries import count_queries
from tests.helpers import csrf, login, make_customer, make_staff, staff_login
from tests.ticket_helpers import make_department, open_ticket

COMPANY = {
    "kind": "company",
    "name": "Hostownia Kowalski sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Prosta 1",
    "postcode": "00-001",
    "city": "Warszawa",
    "country": "PL",
}


def ledger(customer, *amounts):
    with db.write_transaction():
        for amount in amounts:
            kind = "staff_credit" if Decimal(amount) > 0 else "applied"
            LedgerEntry.create(customer=customer, kind=kind, amount=Decimal(amount), reason=f"wpis {amount}")


def text(page):
    return re.sub(r"\s+", " ", page.replace("\xa0", " ").replace("\u202f", " "))


def test_the_statement_runs_from_the_newest_entry(app):
    customer = make_customer()
    ledger(customer, "50.00", "-20.00", "10.00")
    with db.connection():
        lines = statement(customer.id)
        assert [(str(line.entry.amount), str(line.balance_after)) for line in lines] == [
            ("10.00", "40.00"),
            ("-20.00", "30.00"),
            ("50.00", "50.00"),
        ]
        assert lines[0].balance_after == balance_of(customer.id)
        # Older entries beyond the limit still count in the running balance.
        assert [str(line.balance_after) for line in statement(customer.id, limit=2)] == ["40.00", "30.00"]


def test_balance_pages_show_the_balance_after_each_entry(app):
    customer = make_customer()
    ledger(customer, "50.00", "-20.00", "10.00")
    client = app.test_client()
    login(client, customer.email)
    page = client.get("/balance").get_data(as_text=True)
    shown = re.findall(r'data-testid="balance-after">([^<]+)<', page)
    assert [text(s) for s in shown] == ["40,00 zł", "30,00 zł", "50,00 zł"]
    assert "Saldo po operacji" in page and "Zapłata z salda" in page and "Uznanie przez obsługę" in page
    staff = app.test_client()
    staff_login(staff, make_staff(role="billing").email)
    admin = staff.get(f"/admin/customers/{customer.id}/balance").get_data(as_text=True)
    assert [text(s) for s in re.findall(r'data-testid="balance-after">([^<]+)<', admin)] == [
        "40,00 zł",
        "30,00 zł",
        "50,00 zł",
    ]
    assert "staff_credit" not in admin and "applied" not in admin


def test_attachment_sizes_read_in_kb_and_mb(sqlite_app):
    client = sqlite_app.test_client()
    make_customer()
    login(client, "ala@example.test")
    open_ticket(client, make_department(), files=[(b"a" * 12800, "log.txt")])
    thread = client.get("/tickets/1").get_data(as_text=True)
    assert "(12,5 kB)" in text(thread) and " B)" not in thread
    assert "każdy do 5 MB" in text(thread)
    client.post("/language/en", data={"csrf_token": csrf(client, "/tickets/1")})
    english = text(client.get("/tickets/1").get_data(as_text=True))
    assert "(12.5 kB)" in english and "5 MB each" in english


def test_the_customer_list_names_the_company_in_constant_queries(app):
    for index in range(4):
        customer = make_customer(f"firma{index}@example.test", first_name=f"Jan{index}")
        with db.connection():
            change_billing_data(customer, {**COMPANY, "name": f"Firma {index} sp. z o.o."}, actor=customer)
            if index == 0:  # a later switch to private data: the company is not shown any more
                change_billing_data(
                    customer, {**COMPANY, "kind": "private", "name": "Jan Zero", "tax_id": ""}, actor=customer
                )
    make_customer("prywatna@example.test", first_name="Ewa")
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = browser.get("/admin/customers").get_data(as_text=True)
    companies = re.findall(r'data-testid="customer-company">([^<]+)<', page)
    assert sorted(companies) == [f"Firma {i} sp. z o.o. · 5213017228" for i in (1, 2, 3)]
    with count_queries() as one:
        browser.get("/admin/customers?q=firma1")
    with count_queries() as many:
        browser.get("/admin/customers")
    assert one.count == many.count, many.diff(one)


def test_billing_data_history_shows_field_names_and_values_in_words(app):
    customer = make_customer()
    with db.connection():
        change_billing_data(customer, COMPANY, actor=customer)
        change_billing_data(customer, {**COMPANY, "kind": "private", "name": "Ala Nowak", "tax_id": ""}, actor=customer)
        assert BillingProfile.select().count() == 2
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = text(browser.get(f"/admin/customers/{customer.id}").get_data(as_text=True))
    assert "Rodzaj: <del>Firma</del> → <ins>Osoba prywatna</ins>" in page
    assert "Nazwa: <del>Hostownia Kowalski sp. z o.o.</del> → <ins>Ala Nowak</ins>" in page
    assert "NIP / numer VAT UE: <del>5213017228</del> → <ins>—</ins>" in page
    assert "Warszawa, Polska" in page
    for code in ("kind:", "company", "private", "tax_id"):
        assert code not in page
