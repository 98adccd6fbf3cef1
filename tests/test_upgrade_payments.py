"""Paying for a change: partial, full, over, stale; balance covering all; downgrade modes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from core import clock, db, outbox
from core.balance_view import balance_of
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.errors import Conflict
from core.models import ActivityLog, Document, LedgerEntry, OutboxMessage, Payment, Service, ServiceChange
from core.payments.recording import record_payment
from core.upgrades.apply import cancel_change, run_due_changes
from core.upgrades.confirm import confirm_change
from tests.helpers import make_customer
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller


@pytest.fixture
def situation(app, conn):
    """E1/E2: Basic monthly 50.00 -> Pro 100.00, period 2026-03-01..04-01, on 03-16."""
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer()
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00", "annually": "500.00"})
    pro = product("pro", "Pro", {"monthly": "100.00", "annually": "1000.00"})
    start = product("start", "Start", {"monthly": "20.00"})
    link(basic, pro, start)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    return customer, svc, basic, pro, start


def test_partial_then_full_payment_applies_change_and_issues_vat_invoice(situation, smtp_server):
    customer, svc, _basic, pro, _start = situation
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    proforma = result.document
    first = record_payment("banktransfer", "BANK-1", "10.00", proforma)
    assert (first.applied, Document.get_by_id(proforma.id).status) == (D("10.00"), "partially_paid")
    assert Service.get_by_id(svc.id).product_id != pro.id
    second = record_payment("banktransfer", "BANK-2", "21.73", proforma)
    assert second.applied == D("21.73") and second.overpaid == 0
    paid = Document.get_by_id(proforma.id)
    assert paid.status == "paid" and paid.paid == D("31.73")
    svc = Service.get_by_id(svc.id)
    assert (svc.product_id, svc.recurring_net, svc.version) == (pro.id, D("100.00"), 2)
    assert (svc.period_start, svc.next_due) == (date(2026, 3, 1), date(2026, 4, 1))
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("25.80"), D("5.93"), D("31.73"))
    assert invoice.snapshot["buyer"] == proforma.snapshot["buyer"]
    assert ServiceChange.get_by_id(result.change.id).status == "applied"
    message = OutboxMessage.get(OutboxMessage.kind == "provisioning")
    assert message.payload == {
        "service_id": svc.id,
        "action": "change_package",
        "product": "pro",
        "module": "",
        "change_id": result.change.id,
    }
    outbox.process()
    assert ActivityLog.select().where(ActivityLog.action == "provisioning.change_package").count() == 1
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert any("Pro" in s for s in subjects), subjects


def test_duplicate_payment_changes_nothing(situation):
    customer, svc, _b, pro, _s = situation
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", "5.00", proforma)
    again = record_payment("banktransfer", "BANK-1", "5.00", proforma)
    assert again.duplicate
    assert Payment.select().count() == 1
    assert Document.get_by_id(proforma.id).paid == D("5.00")


def test_overpayment_goes_to_the_balance(situation):
    customer, svc, _b, pro, _s = situation
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    outcome = record_payment("banktransfer", "BANK-9", "40.00", proforma)
    assert (outcome.applied, outcome.overpaid) == (D("31.73"), D("8.27"))
    assert balance_of(customer.id) == D("8.27")
    assert Service.get_by_id(svc.id).product_id == pro.id


def test_balance_covering_everything_applies_at_once(situation):
    customer, svc, _b, pro, _s = situation
    give_balance(customer, "100.00")
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    assert result.change.status == "applied"
    assert result.document.status == "paid"
    assert balance_of(customer.id) == D("68.27")
    assert Document.select().where(Document.kind == "vat").count() == 1
    assert Service.get_by_id(svc.id).product_id == pro.id


def test_payment_after_expiry_goes_to_balance_not_to_the_change(situation, smtp_server):
    customer, svc, _b, pro, _s = situation
    give_balance(customer, "10.00")
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    clock.freeze("2026-03-31T12:00:00")  # the proforma was due on 03-23
    record_payment("banktransfer", "LATE-1", "21.73", result.document)
    assert ServiceChange.get_by_id(result.change.id).status == "stale"
    assert Document.get_by_id(result.document.id).status == "cancelled"
    assert Service.get_by_id(svc.id).product_id != pro.id
    assert balance_of(customer.id) == D("31.73")  # 10.00 applied earlier + 21.73 paid late
    assert LedgerEntry.select().where(LedgerEntry.kind == "stale_payment").count() == 1
    assert Document.select().where(Document.kind == "vat").count() == 0
    outbox.process()
    assert any("not applied" in m["Subject"] or "nie" in m["Subject"] for m in smtp_server.messages)


def test_payment_after_another_change_is_stale(situation):
    customer, svc, _b, pro, _s = situation
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    Service.update(version=Service.version + 1).where(Service.id == svc.id).execute()
    record_payment("banktransfer", "B-1", "31.73", result.document)
    assert ServiceChange.get_by_id(result.change.id).status == "stale"
    assert balance_of(customer.id) == D("31.73")


def test_one_pending_change_per_service(situation):
    customer, svc, _b, pro, _s = situation
    confirm_change(customer.id, svc.id, pro.id, "monthly")
    with pytest.raises(Conflict):
        confirm_change(customer.id, svc.id, pro.id, "annually")


def test_changed_price_is_refused(situation):
    customer, svc, _b, pro, _s = situation
    with pytest.raises(Conflict):
        confirm_change(customer.id, svc.id, pro.id, "monthly", expected_gross="30.00")


def test_downgrade_end_of_period_is_scheduled_and_cancellable(situation):
    customer, svc, _b, _p, start = situation
    result = confirm_change(customer.id, svc.id, start.id, "monthly")
    assert result.status == "scheduled" and result.change.apply_on == date(2026, 4, 1)
    assert Document.select().count() == 0 and balance_of(customer.id) == 0
    cancel_change(customer.id, result.change.id)
    assert ServiceChange.get_by_id(result.change.id).status == "cancelled"
    with pytest.raises(Conflict):
        cancel_change(customer.id, result.change.id)


def test_scheduled_downgrade_applies_on_the_due_date(situation):
    customer, svc, _b, _p, start = situation
    result = confirm_change(customer.id, svc.id, start.id, "monthly")
    assert run_due_changes(date(2026, 3, 31)) == {"applied": 0, "stale": 0}
    clock.freeze("2026-04-01T01:00:00")
    assert run_due_changes() == {"applied": 1, "stale": 0}
    svc = Service.get_by_id(svc.id)
    assert (svc.product_id, svc.recurring_net) == (start.id, D("20.00"))
    assert (svc.period_start, svc.next_due) == (date(2026, 4, 1), date(2026, 5, 1))
    assert ServiceChange.get_by_id(result.change.id).status == "applied"


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "none"}}])
def test_downgrade_none_applies_at_once(situation):
    customer, svc, _b, _p, start = situation
    result = confirm_change(customer.id, svc.id, start.id, "monthly")
    assert result.status == "applied" and balance_of(customer.id) == 0
    assert Service.get_by_id(svc.id).product_id == start.id


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_downgrade_credit_corrects_the_current_invoice(situation):
    customer, svc, _b, _p, start = situation
    clock.freeze("2026-03-01T09:00:00")
    with db.write_transaction():  # the renewal invoice of the current period
        invoice = issue_document(
            customer,
            "vat",
            [LineInput("Basic, 2026-03-01 - 2026-03-31", D(1), "usł.", D("50.00"))],
            purpose="renewal",
            purpose_ref=svc.id,
        )
    clock.freeze("2026-03-16T12:00:00")
    down = confirm_change(customer.id, svc.id, start.id, "monthly")
    # 16/31 of Basic 50.00 = 25.81 credit, 16/31 of Start 20.00 = 10.32 charge: net -15.49
    assert down.quote.net == D("-15.49") and down.status == "applied"
    correction = Document.get(Document.kind == "correction")
    assert correction.corrects_id == invoice.id
    assert (correction.total_net, correction.total_vat) == (D("-15.49"), D("-3.56"))
    assert balance_of(customer.id) == D("19.05") == -correction.total_gross
    assert LedgerEntry.get(LedgerEntry.kind == "downgrade_credit").document_id == correction.id
    assert Service.get_by_id(svc.id).product_id == start.id


@pytest.mark.parametrize("app_overrides", [{"billing": {"downgrade": "credit"}}])
def test_downgrade_credit_without_an_invoice_credits_the_quote(situation):
    customer, svc, _b, _p, start = situation
    down = confirm_change(customer.id, svc.id, start.id, "monthly")
    # 25.81 credit - 10.32 charge = -15.49 net, VAT -3.56, gross -19.05
    assert (down.quote.net, down.quote.gross) == (D("-15.49"), D("-19.05"))
    assert balance_of(customer.id) == D("19.05")
    entry = LedgerEntry.get(LedgerEntry.kind == "downgrade_credit")
    assert "brak faktury VAT bieżącego okresu do skorygowania" in entry.reason  # provider language


def test_cycle_change_starts_a_new_period(situation):
    customer, svc, _b, pro, _s = situation
    give_balance(customer, "2000.00")
    confirm_change(customer.id, svc.id, pro.id, "annually")
    svc = Service.get_by_id(svc.id)
    assert (svc.cycle, svc.anchor_date, svc.period_start, svc.next_due) == (
        "annually",
        date(2026, 3, 16),
        date(2026, 3, 16),
        date(2027, 3, 16),
    )


def test_expired_unpaid_change_is_released_by_cron(situation):
    customer, svc, _b, pro, _s = situation
    give_balance(customer, "10.00")
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    clock.advance(timedelta(days=8))
    assert run_due_changes()["stale"] == 1
    assert balance_of(customer.id) == D("10.00")
    assert Document.get_by_id(result.document.id).status == "cancelled"
