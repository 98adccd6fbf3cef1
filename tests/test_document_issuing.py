"""Issuing documents: numbers per series and period, frozen buyer data, immutability."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import clock, db
from core.documents.build import LineInput
from core.documents.issuing import issue_document, snapshot_of
from core.models import BillingProfile, Document
from core.models.billing import DocumentImmutable
from tests.helpers import make_customer

LINE = LineInput(description="Hosting Pro", quantity=Decimal(1), unit="szt.", unit_net=Decimal("51.61"))


def test_numbers_follow_series_and_period(conn):
    clock.freeze("2026-03-16T12:00:00")
    customer = make_customer()
    with db.write_transaction():
        first = issue_document(customer, "proforma", [LINE])
        second = issue_document(customer, "proforma", [LINE])
        invoice = issue_document(customer, "vat", [LINE], proforma=first)
    assert (first.number, second.number) == ("PRO/2026/00001", "PRO/2026/00002")
    assert invoice.number == "FV/2026/03/0001"
    clock.freeze("2026-04-01T09:00:00")
    with db.write_transaction():
        april = issue_document(customer, "vat", [LINE])
    assert april.number == "FV/2026/04/0001"


def test_rolled_back_issue_leaves_no_gap(conn):
    customer = make_customer()
    with pytest.raises(RuntimeError), db.write_transaction():
        issue_document(customer, "vat", [LINE])
        raise RuntimeError("payment failed later in the same transaction")
    with db.write_transaction():
        document = issue_document(customer, "vat", [LINE])
    assert document.number.endswith("/0001")


def test_snapshot_keeps_buyer_data_and_refuses_edits(conn):
    customer = make_customer()
    with db.write_transaction():
        BillingProfile.create(
            customer=customer,
            kind="company",
            name="Zażółć sp. z o.o.",
            tax_id="5260250274",
            address_line1="ul. Piotrkowska 120",
            postcode="90-006",
            city="Łódź",
        )
        proforma = issue_document(customer, "proforma", [LINE])
        BillingProfile.create(
            customer=customer,
            kind="private",
            name="Ala Nowak",
            address_line1="ul. Długa 1",
            postcode="80-831",
            city="Gdańsk",
        )
    stored = Document.get_by_id(proforma.id)
    snap = snapshot_of(stored)
    assert snap.buyer.name == "Zażółć sp. z o.o." and snap.buyer.tax_id == "5260250274"
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (Decimal("51.61"), Decimal("11.87"), Decimal("63.48"))
    stored.total_gross = Decimal("1.00")
    with pytest.raises(DocumentImmutable):
        stored.save()
    with pytest.raises(DocumentImmutable):
        stored.delete_instance()
    stored = Document.get_by_id(proforma.id)
    stored.status = "paid"
    stored.save()
    assert Document.get_by_id(proforma.id).status == "paid"
