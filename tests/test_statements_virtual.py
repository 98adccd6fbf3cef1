"""Virtual account numbers: each customer's own account on their proformas, and transfers to it matched to them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from stdnum import iban

from core import db
from core.balance_view import balance_of
from core.config import ConfigError
from core.documents.issuing import snapshot_of
from core.documents.pdf import render_pdf
from core.models import LedgerEntry
from core.payments.recording import record_payment
from core.runtime import current
from plugins.bankstatements import virtual
from plugins.bankstatements.importing import import_statement
from plugins.bankstatements.matching import decide
from plugins.bankstatements.models import StatementEntry
from plugins.bankstatements.parsers import StatementLine
from tests.billing_doc_helpers import pdf_text
from tests.helpers import csrf, login, make_staff, staff_login
from tests.statement_helpers import booked, customer, proforma, shop, statement
from tests.upgrade_helpers import SELLER

JAN_ACCOUNT = "PL46 1090 1014 7777 0000 0000 0001"


@pytest.fixture
def app_overrides():
    return {"bankstatements": {"virtual_accounts": True, "virtual_account_prefix": "1090 1014 7777"}}


@pytest.fixture
def pair(app, conn):
    shop()
    jan = customer("jan@example.test", "Jan Kowalski")
    zaneta = customer("zaneta@example.test", "Żaneta Gęślińska")
    assert (jan.id, zaneta.id) == (1, 2)  # the sample statement pays these customers' numbers
    return jan, zaneta, proforma(jan)


def test_numbers_are_built_and_checked_as_nrb(pair):
    assert virtual.sort_code_valid("10901014") and not virtual.sort_code_valid("10901015")
    assert virtual.formatted_account_for(1) == JAN_ACCOUNT
    for customer_id in (1, 2, 987654321):
        number = virtual.account_for(customer_id)
        assert iban.is_valid(number) and number.startswith("PL") and len(number) == 28
        assert virtual.customer_for(number) == customer_id
        assert virtual.customer_for(number[2:]) == customer_id  # the NRB without "PL"
    wrong_check = "PL47" + virtual.account_for(1)[4:]
    assert virtual.customer_for(wrong_check) is None
    assert virtual.customer_for(SELLER["bank_account"]) is None  # the main account is not in the range
    current().config["bankstatements"]["virtual_account_prefix"] = "10901015"  # a sort code with a wrong check digit
    with pytest.raises(ConfigError, match="virtual_account_prefix"):
        virtual.account_for(1)


def test_a_wrong_prefix_stops_the_app_at_start(tmp_path, smtp_server):
    from core.app import create_app
    from tests.conftest import make_config

    config = make_config(
        f"sqlite:///{tmp_path / 'x.sqlite3'}",
        tmp_path,
        smtp_server.port,
        bankstatements={"virtual_accounts": True, "virtual_account_prefix": "1234"},
    )
    with pytest.raises(ConfigError, match="virtual_account_prefix"):
        create_app(config)


def test_the_proforma_shows_the_customers_own_account(app, pair):
    jan, _zaneta, doc = pair
    snap = snapshot_of(doc)
    assert snap.seller.bank_account == JAN_ACCOUNT and snap.seller.name == SELLER["name"]
    assert JAN_ACCOUNT in pdf_text(render_pdf(snap, lang="pl"))
    browser = app.test_client()
    login(browser, jan.email)
    page = browser.post(f"/pay/banktransfer/{doc.id}", data={"csrf_token": csrf(browser, f"/invoices/{doc.id}")})
    assert JAN_ACCOUNT in page.get_data(as_text=True)
    record_payment("banktransfer", "X-1", "123.00", doc)
    invoice = snapshot_of(booked_invoice(doc))
    assert invoice.seller.bank_account == SELLER["bank_account"]  # the VAT invoice keeps the main account
    staff = make_staff()
    admin = app.test_client()
    staff_login(admin, staff.email)
    detail = admin.get(f"/admin/customers/{jan.id}").get_data(as_text=True)
    assert 'data-testid="virtual-account"' in detail and JAN_ACCOUNT in detail and "Rachunek wirtualny" in detail


def booked_invoice(doc):
    from core.models import Document

    return Document.get((Document.kind == "vat") & (Document.proforma_id == doc.id))


def test_transfers_to_virtual_accounts_find_their_customer_whatever_the_title(pair):
    jan, zaneta, doc = pair
    record = import_statement(statement("zbp_pekao_1250.sta"))
    assert (record.credits, record.matched, record.queued) == (3, 2, 1)
    assert booked(doc) == ("partially_paid", D("100.00"))  # "faktura za marzec": no number, the account says Jan
    assert balance_of(zaneta.id) == D("50.00")  # nothing open: a top-up of her balance
    assert LedgerEntry.get(LedgerEntry.customer == zaneta.id).kind == "topup"
    rules = {e.key: (e.state, e.rule, e.customer_id) for e in StatementEntry.select()}
    assert rules["PEK2603180001"] == ("booked", "virtual_account", jan.id)
    assert rules["PEK2603180002"] == ("booked", "virtual_account", zaneta.id)
    assert rules["PEK2603180003"][0] == "queued"  # a number in the range with wrong check digits


def test_a_virtual_account_of_another_customer_than_the_document_named_waits(pair):
    _jan, zaneta, doc = pair
    line = StatementLine(
        statement_id="s",
        position=1,
        booking_date=date(2026, 3, 16),
        amount=D("123.00"),
        currency="PLN",
        title=doc.number,
        own_accounts=(virtual.account_for(zaneta.id),),
    )
    decision = decide(line)
    assert decision.action == "queue" and decision.candidates == [doc.id]
    assert decision.reason == "The virtual account and the document named belong to different customers."
    with db.connection():
        assert booked(doc) == ("unpaid", D("0.00"))
