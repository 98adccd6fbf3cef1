"""``on_invoice_paid`` says what it means: the paid proforma, then the VAT invoice issued paid for it.

And the payment's hooks tell each other nothing through the instance they share:
whether ``on_invoice_paid`` follows ``on_payment`` is what the database says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import outbox
from core.billing_data.service import change_billing_data
from core.documents.staff import correct_proforma
from core.hookspecs import hookimpl
from core.models import Document, OutboxMessage, ServiceChange
from core.payments.recording import record_payment
from core.runtime import current
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import EU_COMPANY, PRIVATE, setup_seller, shop
from tests.helpers import make_staff
from tests.refusal_helpers import write_plugin

ROOT = Path(__file__).resolve().parent.parent


class PaidLog:
    """Records every ``on_invoice_paid``: the kind, number and status the document has in the database."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    @hookimpl
    def on_invoice_paid(self, document: Document) -> None:
        stored = Document.get_by_id(document.id)
        self.seen.append((document.kind, document.number, stored.status))


@pytest.fixture
def paid_log(app):
    log = PaidLog()
    current().pm.register(log, name="paid-log")
    yield log
    current().pm.unregister(name="paid-log")


def _vat_of(proforma: Document) -> Document:
    return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def test_a_paid_proforma_and_then_its_vat_invoice_are_both_reported_paid(conn, paid_log):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=PRIVATE)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    invoice = _vat_of(proforma)
    assert paid_log.seen == [("proforma", proforma.number, "paid"), ("vat", invoice.number, "paid")]
    assert invoice.number.startswith("FV/") and invoice.proforma_id == proforma.id


def test_a_vat_invoice_that_waited_for_a_correction_is_reported_when_it_is_issued(conn, paid_log):
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=PRIVATE)
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    change_billing_data(customer, EU_COMPANY, actor=customer)
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    assert paid_log.seen == [("proforma", proforma.number, "paid")]  # its VAT invoice waits for staff
    new = correct_proforma(proforma.id, make_staff(role="billing"))
    invoice = _vat_of(new)
    assert paid_log.seen[1:] == [("proforma", new.number, "paid"), ("vat", invoice.number, "paid")]


class CancelsInTheDatabase:
    """Cancels the proforma it is told about, in the database, as a stale change's release does."""

    @hookimpl
    def on_payment(self, payment, document):
        Document.update(status="cancelled").where(Document.id == document.id).execute()


class ChangesOnlyTheInstance:
    """Writes a status on the shared instance only: that must tell no other hook anything."""

    @hookimpl
    def on_payment(self, payment, document):
        document.status = "cancelled"


def _open_proforma():
    setup_seller()
    customer, (svc,), _basic, pro = shop(billing=PRIVATE)
    return confirm_change(customer.id, svc.id, pro.id, "monthly").document


def test_on_invoice_paid_follows_what_the_database_says_after_on_payment(conn, paid_log):
    proforma = _open_proforma()
    current().pm.register(CancelsInTheDatabase(), name="cancels")
    try:
        record_payment("banktransfer", "BANK-1", "31.73", proforma)
    finally:
        current().pm.unregister(name="cancels")
    assert paid_log.seen == []
    assert not Document.select().where(Document.kind == "vat").exists()
    assert ServiceChange.get_by_id(proforma.purpose_ref).status == "awaiting_payment"


def test_changing_the_shared_instance_in_on_payment_stops_nothing(conn, paid_log):
    proforma = _open_proforma()
    current().pm.register(ChangesOnlyTheInstance(), name="instance-only")
    try:
        record_payment("banktransfer", "BANK-1", "31.73", proforma)
    finally:
        current().pm.unregister(name="instance-only")
    assert [kind for kind, _number, _status in paid_log.seen] == ["proforma", "vat"]
    assert ServiceChange.get_by_id(proforma.purpose_ref).status == "applied"


# -- the README's example plugin posts the VAT invoice's number, once --------------------------------


def readme_plugin() -> str:
    """The plugin of the README's "Writing a plugin" section, as printed there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(# hookbill_discord/__init__.py\n.*?)```", text, re.S)
    assert found, "the README's example plugin is gone"
    return found.group(1)


@pytest.fixture
def app_overrides(tmp_path):
    folder = tmp_path / "readme"
    write_plugin(folder, "discord", readme_plugin())
    return {"plugins": {"folder": str(folder)}}


def test_the_readme_example_posts_the_paid_vat_invoices_number_once(conn):
    proforma = _open_proforma()
    record_payment("banktransfer", "BANK-1", "31.73", proforma)
    invoice = _vat_of(proforma)
    posted = [m.payload for m in OutboxMessage.select().where(OutboxMessage.kind == "discord")]
    assert posted == [{"text": f"Paid: {invoice.number}"}]
    outbox.process()  # its handler runs after commit
    assert OutboxMessage.get(OutboxMessage.kind == "discord").status == "sent"
