"""The admin pages: upload a statement, read its summary, work the queue, define a bank's CSV mapping.

Through the real pages (Flask test client, CSRF tokens), on SQLite and PostgreSQL,
in the panel's default language (Polish).
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from io import BytesIO

import pytest

from core import db
from core.balance_view import balance_of
from core.models import ActivityLog
from plugins.bankstatements.models import Bank, StatementEntry, StatementImport
from tests.helpers import csrf, make_staff, post_form, staff_login
from tests.statement_helpers import booked, statement, world


@pytest.fixture
def office(app, conn):
    people = world()
    staff = make_staff("ksiegowa@example.test", role="billing")
    browser = app.test_client()
    staff_login(browser, staff.email)
    return {**people, "browser": browser, "staff": staff}


def upload(browser, data: bytes, name: str, bank: Bank | None = None):
    return browser.post(
        "/admin/statements",
        data={
            "csrf_token": csrf(browser, "/admin/statements"),
            "bank": str(bank.id) if bank else "",
            "statement": (BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def cells(html: str, key: str) -> tuple[str, str]:
    pattern = rf'data-testid="summary-{key}"><td>[^<]*</td><td class="num">(\d+)</td><td class="num">([^<]+)</td>'
    row = re.search(pattern, html)
    assert row, key
    return row.group(1), row.group(2)


def test_upload_shows_the_summary_in_polish(office):
    browser = office["browser"]
    menu = text(browser.get("/admin/"))
    assert "Wyciągi bankowe" in menu
    response = upload(browser, statement("zbp_pkobp_cp852.sta"), "wyciag-2026-03-16.sta")
    assert response.status_code == 302
    page = text(browser.get(response.headers["Location"]))
    assert "Wyciąg wyciag-2026-03-16.sta" in page
    assert cells(page, "credits") == ("8", "683,50")
    assert cells(page, "matched") == ("7", "560,50")
    assert cells(page, "queued") == ("1", "123,00")
    assert cells(page, "known") == ("0", "0,00")
    assert cells(page, "ignored") == ("3", "1\u00a0051,00")
    assert "Pominięte: obciążenia, opłaty i zwroty" in page
    assert "Zapłata za proformę PRO/2026/00001 dziękuję" in page and "ŻANETA GĘŚLIŃSKA" in page
    assert "Numer dokumentu w tytule" in page and "Płatność podzielona" in page and "Czeka na obsługę" in page
    for raw in ("split_payment", "amount_payer", "queued", "mt940"):
        assert f">{raw}<" not in page
    listing = text(browser.get("/admin/statements"))
    assert "wyciag-2026-03-16.sta" in listing and "Przelewy czekające na obsługę: 1." in listing
    again = upload(browser, statement("zbp_pkobp_cp852.sta"), "wyciag-2026-03-16.sta")
    assert cells(text(browser.get(again.headers["Location"])), "known") == ("8", "683,50")
    assert ActivityLog.select().where(ActivityLog.action == "statements.imported").count() == 2


def test_a_bad_file_is_refused_with_the_reason(office):
    response = upload(office["browser"], b"to nie jest wyciag", "notatki.txt")
    assert response.status_code == 422
    assert "Wyciąg CSV wymaga wskazania banku" in text(response)
    response = upload(office["browser"], b":20:X\n:25:PL1\n:61:garbage\n", "zly.sta")
    assert response.status_code == 422 and "Nie można odczytać wyciągu MT940" in text(response)
    assert StatementImport.select().count() == 0


def test_the_queue_assign_to_a_document_a_customer_or_not_ours(office):
    browser, docs = office["browser"], office["docs"]
    csv_rows = (
        "Data;Kwota;Tytuł;Nadawca;Ref\n"
        "2026-03-16;123,00;za hosting;JAN K;Q-1\n"
        "2026-03-16;40,00;dopłata;ANNA W.;Q-2\n"
        "2026-03-16;9,99;zwrot wadium;URZĄD MIASTA;Q-3\n"
    ).encode("cp1250")
    bank = create_bank(browser, "prosty", "Prosty Bank", encoding="cp1250", col_reference="Ref")
    upload(browser, csv_rows, "prosty.csv", bank)
    queue = text(browser.get("/admin/statements/queue"))
    entries = {e.key: e for e in StatementEntry.select()}
    assert all(f'data-testid="queued-{e.id}"' in queue for e in entries.values())
    assert "Taką kwotę do zapłaty ma kilka dokumentów." in queue  # 00001, 00002 and 00005 fit 123.00
    assert docs[4].number in queue and docs[0].number in queue
    token = csrf(browser, "/admin/statements/queue")
    q1, q2, q3 = entries["Q-1"].id, entries["Q-2"].id, entries["Q-3"].id
    done = browser.post(f"/admin/statements/entries/{q1}/document", data={"csrf_token": token, "document": docs[1].id})
    assert done.status_code == 302
    assert booked(docs[1]) == ("paid", D("123.00"))
    to_anna = {"csrf_token": token, "customer": "anna@example.test"}
    browser.post(f"/admin/statements/entries/{q2}/customer", data=to_anna)
    assert balance_of(office["anna"].id) == D("40.00")
    asked = browser.post(f"/admin/statements/entries/{q3}/not-ours", data={"csrf_token": token, "note": "wadium"})
    page = text(asked)
    assert asked.status_code == 200 and 'data-testid="confirm-step"' in page
    assert "Oznaczyć ten przelew jako nie nasz?" in page and "9,99" in page and "URZĄD MIASTA" in page
    assert StatementEntry.get(StatementEntry.key == "Q-3").state == "queued"  # nothing happened yet
    sure = {"csrf_token": token, "note": "wadium", "confirmed": "1"}
    browser.post(f"/admin/statements/entries/{q3}/not-ours", data=sure)
    states = {e.key: e.state for e in StatementEntry.select()}
    assert states == {"Q-1": "assigned", "Q-2": "assigned", "Q-3": "not_ours"}
    again = browser.post(
        f"/admin/statements/entries/{q2}/document", data={"csrf_token": token, "number": docs[4].number}
    )
    assert "Ten przelew został już rozliczony." in text(browser.get(again.headers["Location"]))
    assert booked(docs[4]) == ("unpaid", D("0.00"))
    assert 'data-testid="queue-empty"' in text(browser.get("/admin/statements/queue"))
    actions = [a.action for a in ActivityLog.select().where(ActivityLog.action.startswith("statements."))]
    assert {"statements.assigned_document", "statements.assigned_customer", "statements.not_ours"} <= set(actions)


def create_bank(browser, slug: str, name: str, **fields: str) -> Bank:
    values = {
        "name": name,
        "slug": slug,
        "format": "csv",
        "encoding": "auto",
        "separator": "auto",
        "split_payment": "auto",
        "delimiter": ";",
        "decimal": ",",
        "date_format": "%Y-%m-%d",
        "currency": "PLN",
        "skip_rows": "0",
        "col_date": "Data",
        "col_amount": "Kwota",
        "col_title": "Tytuł",
        "col_counterparty": "Nadawca",
        **fields,
    }
    response = post_form(browser, "/admin/statements/banks/new", values)
    assert response.status_code == 302, text(response)
    return Bank.get(Bank.slug == slug)


def test_a_bank_from_a_preset_reads_its_csv(office):
    browser, docs = office["browser"], office["docs"]
    form = text(browser.get("/admin/statements/banks/new?preset=mbank"))
    assert 'value="#Data księgowania"' in form and 'value="#Kwota"' in form
    bad = post_form(browser, "/admin/statements/banks/new", {"name": "", "slug": "Zła Nazwa", "format": "csv"})
    assert bad.status_code == 422
    page = text(bad)
    for message in ("Podaj nazwę banku.", "Użyj małych liter, cyfr i łączników.", "Wskaż kolumnę z datą."):
        assert message in page
    bank = create_bank(
        browser,
        "mbank",
        "mBank",
        encoding="cp1250",
        col_date="#Data księgowania",
        col_amount="#Kwota",
        col_title="#Tytuł",
        col_counterparty="#Nadawca/Odbiorca",
        col_account="#Numer konta",
    )
    assert bank.mapping["columns"]["account"] == "#Numer konta"
    assert "mBank" in text(browser.get("/admin/statements/banks"))
    response = upload(browser, statement("mbank_lista_operacji_1250.csv"), "mbank.csv", bank)
    page = text(browser.get(response.headers["Location"]))
    assert cells(page, "matched") == ("3", "203,00") and cells(page, "ignored") == ("1", "12,00")
    assert booked(docs[0]) == ("paid", D("123.00"))
    taken = post_form(browser, f"/admin/statements/banks/{bank.id}", {**bank.mapping, "name": "x", "slug": "mbank"})
    assert taken.status_code == 422  # no columns given: the mapping is refused, the bank unchanged
    assert Bank.get_by_id(bank.id).name == "mBank"


def test_only_billing_staff_and_admins_see_statements(app, conn):
    support = make_staff("pomoc@example.test", role="support")
    browser = app.test_client()
    staff_login(browser, support.email)
    for path in ("/admin/statements", "/admin/statements/queue", "/admin/statements/banks"):
        assert browser.get(path).status_code == 403
    assert "Wyciągi bankowe" not in text(browser.get("/admin/"))
    with db.connection():
        assert StatementImport.select().count() == 0
