"""Twenty payments settling twenty proformas at once: VAT invoice numbers stay gapless and unique."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

from core import clock, db
from core.billing_data.service import change_billing_data
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Document
from core.payments.recording import record_payment
from tests.billing_doc_helpers import COMPANY, setup_seller
from tests.helpers import make_customer

PAYMENTS = 20


def test_twenty_concurrent_payments_get_gapless_unique_invoice_numbers(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        proformas = []
        for n in range(PAYMENTS):
            customer = make_customer(f"klient{n}@example.test")
            change_billing_data(customer, COMPANY, actor=customer)
            with db.write_transaction():
                proformas.append(
                    issue_document(
                        customer, "proforma", [LineInput(f"Hosting Pro, klient {n}", D(1), "usł.", D("100.00"))]
                    )
                )
    start = threading.Barrier(PAYMENTS)

    def pay(proforma: Document) -> str:
        with db.connection():  # each thread its own connection (and its own transaction)
            start.wait(timeout=30)
            outcome = record_payment("banktransfer", f"BANK-{proforma.id}", "123.00", proforma)
            assert not outcome.duplicate and outcome.applied == D("123.00")
            return str(Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id)).number)

    with ThreadPoolExecutor(max_workers=PAYMENTS) as pool:
        numbers = list(pool.map(pay, proformas))
    expected = [f"FV/2026/03/{n:04d}" for n in range(1, PAYMENTS + 1)]
    assert sorted(numbers) == expected  # unique, and no gap from 0001 to 0020
    with db.connection():
        stored = [d.number for d in Document.select().where(Document.kind == "vat").order_by(Document.number)]
        assert stored == expected
        assert Document.select().where((Document.kind == "proforma") & (Document.status == "paid")).count() == PAYMENTS
