"""How a Przelewy24 payment reads on the VAT invoice: FA(3) FormaPlatnosci and the PDF.

Card 2, BLIK 7, pay-by-link 6; a proforma paid partly from the credit balance
and partly online lists both parts (ZaplataCzesciowa, each with its own form).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import db
from core.documents.issuing import snapshot_of
from core.documents.ksef import build_fa3_xml, validate_fa3
from core.documents.ksef_parts import NS
from core.documents.pdf import render_pdf
from core.models import Document
from tests.billing_doc_helpers import pdf_text
from tests.helpers import login, post_form
from tests.p24_helpers import notify, proforma_for, start_paying
from tests.support.p24 import FakeP24, p24_config

N = {"f": NS}


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24)}


def pay(client: FlaskClient, fake: FakeP24, code: str, method_id: int, balance: str = "0") -> Document:
    _customer, proforma = proforma_for(balance=balance)
    login(client, "ola@example.test")
    if code == "przelewy24_transfer":  # the bank is chosen on our payment step
        path = f"/pay/przelewy24/checkout/{proforma.id}"
        response = post_form(client, path, {"bank": str(method_id)}, form_page=f"/invoices/{proforma.id}")
        token = response.location.rsplit("/", 1)[1]
    else:
        token = start_paying(client, proforma, code)
    assert notify(client, fake.pay(token, method_id=method_id)).status_code == 200
    with db.connection():
        return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def platnosc(invoice: Document) -> ET.Element:
    with db.connection():
        xml = build_fa3_xml(snapshot_of(invoice))
    validate_fa3(xml)
    node = ET.fromstring(xml).find("f:Fa/f:Platnosc", N)
    assert node is not None
    return node


@pytest.mark.parametrize(
    ("code", "method_id", "form"),
    [("przelewy24_card", 218, "2"), ("przelewy24_blik", 154, "7"), ("przelewy24_transfer", 25, "6")],
)
def test_one_online_payment_has_its_form(
    app: Flask, client: FlaskClient, fake_p24: FakeP24, code: str, method_id: int, form: str
):
    node = platnosc(pay(client, fake_p24, code, method_id))
    assert node.findtext("f:Zaplacono", namespaces=N) == "1"
    assert node.findtext("f:DataZaplaty", namespaces=N) == "2026-03-16"
    assert node.findtext("f:FormaPlatnosci", namespaces=N) == form
    assert node.find("f:PlatnoscInna", N) is None


def test_balance_and_blik_are_two_parts_each_with_its_form(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    node = platnosc(pay(client, fake_p24, "przelewy24_blik", 154, balance="10.00"))
    assert node.findtext("f:ZnacznikZaplatyCzesciowej", namespaces=N) == "2"  # paid in full, in parts
    assert node.find("f:Zaplacono", N) is None
    parts = node.findall("f:ZaplataCzesciowa", N)
    assert [p.findtext("f:KwotaZaplatyCzesciowej", namespaces=N) for p in parts] == ["10.00", "21.73"]
    assert [p.findtext("f:DataZaplatyCzesciowej", namespaces=N) for p in parts] == ["2026-03-16"] * 2
    balance, blik = parts
    assert balance.findtext("f:PlatnoscInna", namespaces=N) == "1"
    assert balance.findtext("f:OpisPlatnosci", namespaces=N) == "kompensata z saldem przedpłat klienta"
    assert blik.findtext("f:FormaPlatnosci", namespaces=N) == "7"
    assert node.find("f:FormaPlatnosci", N) is None  # each part carries its own form


def test_the_pdf_lists_both_parts(sqlite_app: Flask, fake_p24: FakeP24):
    invoice = pay(sqlite_app.test_client(), fake_p24, "przelewy24_blik", 154, balance="10.00")
    with db.connection():
        text = pdf_text(render_pdf(snapshot_of(invoice), lang="pl"))
        english = pdf_text(render_pdf(snapshot_of(invoice), lang="en"))
    both = "10,00 PLN (2026-03-16, kompensata z saldem przedpłat klienta); 21,73 PLN (2026-03-16, BLIK)"
    assert both in text
    assert both in english  # how it was paid is frozen in Polish words at issue, whatever language prints it


def test_the_pdf_names_a_card_payment_in_the_method_s_invoice_words(sqlite_app: Flask, fake_p24: FakeP24):
    invoice = pay(sqlite_app.test_client(), fake_p24, "przelewy24_card", 218)
    with db.connection():
        assert "karta płatnicza (Przelewy24)" in pdf_text(render_pdf(snapshot_of(invoice), lang="pl"))
        assert "karta płatnicza (Przelewy24)" in pdf_text(render_pdf(snapshot_of(invoice), lang="en"))
