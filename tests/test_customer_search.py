"""Staff find customers by any part of their e-mail, names, billing name or tax id, through an index.

The same searches give the same customers on SQLite (an FTS5 trigram table kept
by triggers) and PostgreSQL (a pg_trgm GIN index); the query plans show the index.
"""

from __future__ import annotations

import re

import pytest

from core import db
from core.accounts.search import matching, normalise, searchable
from core.billing_data.service import change_billing_data
from core.models import Customer
from tests.helpers import make_customer, make_staff, staff_login

COMPANY = {
    "kind": "company",
    "name": "Żółwik Hosting sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Prosta 1",
    "postcode": "00-001",
    "city": "Warszawa",
    "country": "PL",
}


def found(text: str) -> list[str]:
    with db.connection():
        return sorted(c.email for c in matching(Customer.select(), text))


@pytest.fixture
def people(app):
    ala = make_customer("ala.nowak@example.test", first_name="Ala", last_name="Nowak")
    make_customer("bartek@przyklad.test", first_name="Bartłomiej", last_name="Łęcki")
    make_customer("procent@example.test", first_name="Sto%", last_name="Pod_kreślnik")
    with db.connection():
        change_billing_data(ala, COMPANY, actor=ala)
    return ala


def test_any_part_of_the_text_case_and_letters_as_typed(people):
    assert found("nowak") == ["ala.nowak@example.test"]
    assert found("ŁĘCK") == ["bartek@przyklad.test"]
    assert found("żółwik") == found("ŻÓŁWIK") == ["ala.nowak@example.test"]
    assert found("3017") == ["ala.nowak@example.test"]  # a piece of the tax id
    assert found("example.test") == ["ala.nowak@example.test", "procent@example.test"]
    assert found("  ala   nowak ") == ["ala.nowak@example.test"]  # spaces as the key stores them
    assert found("zolwik") == []  # letters are not stripped of their marks


def test_wildcards_and_quotes_are_plain_characters(people):
    assert found("sto%") == ["procent@example.test"]
    assert found("d_k") == ["procent@example.test"]
    assert found("o%p") == []
    assert found('"ala') == []
    assert found("a_a") == []


def test_the_index_follows_billing_data_changes_and_deletions(people):
    with db.connection():
        change_billing_data(people, {**COMPANY, "kind": "private", "name": "Ala Kowalska", "tax_id": ""}, actor=people)
    assert found("żółwik") == [] and found("kowalsk") == ["ala.nowak@example.test"]
    with db.connection():
        Customer.delete().where(Customer.email == "bartek@przyklad.test").execute()
    assert found("łęcki") == []


def test_shorter_text_asks_for_more(app, people):
    assert not searchable(" Ab  ") and searchable("a b") and searchable("ab c") and normalise(" Ab  C ") == "ab c"
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = browser.get("/admin/customers?q=no").get_data(as_text=True)
    assert 'data-testid="search-too-short"' in page and "Wpisz co najmniej 3 znaki" in page
    assert "bartek@przyklad.test" in page  # nothing was filtered
    page = browser.get("/admin/customers?q=łęc").get_data(as_text=True)
    assert "bartek@przyklad.test" in page and "ala.nowak@" not in page and "search-too-short" not in page


def test_the_search_reads_the_index(people):
    with db.connection():
        sql, params = matching(Customer.select(Customer.id), "nowak").sql()
        if db.is_postgres():
            with db.database.atomic():
                db.database.execute_sql("SET LOCAL enable_seqscan = off")
                plan = " ".join(row[0] for row in db.database.execute_sql("EXPLAIN " + sql, params).fetchall())
            assert "customer_search_key_trgm" in plan
        else:
            plan = " ".join(str(row[-1]) for row in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
            assert re.search(r"SCAN customer_search VIRTUAL TABLE INDEX", plan), plan
