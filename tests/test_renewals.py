"""Renewals: proforma once per period, anchored periods, balance, payment extends once,
scheduled downgrades priced in, reminders, suspension, termination, OSS VAT."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from core import clock, db, outbox
from core.balance_view import balance_of
from core.models import BillingProfile, Document, OutboxMessage, Service
from core.payments.recording import record_payment
from core.renewals.issuing import issue_due_renewals, issue_renewal
from core.renewals.models import ServiceRenewal
from core.renewals.overdue import run_dunning
from core.upgrades.apply import run_due_changes
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from tests.helpers import login, make_customer
from tests.test_cli import run  # noqa: F401 - the subprocess fixture
from tests.upgrade_helpers import (
    billing_profile,
    give_balance,
    link,
    product,
    service,
    setup_seller,
)


@pytest.fixture
def situation(app, conn):
    """Basic monthly 50.00, period 2026-03-01..04-01; Start 20.00 reachable; today 2026-03-16."""
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer()
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00", "annually": "500.00"})
    start = product("start", "Start", {"monthly": "20.00"})
    link(basic, start)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    return customer, svc, basic, start


def renewals(svc):
    return list(
        Document.select()
        .where((Document.purpose == "renewal") & (Document.kind == "proforma") & (Document.purpose_ref == svc.id))
        .order_by(Document.id)
    )


def provisioning(action):
    return [
        m for m in OutboxMessage.select().where(OutboxMessage.kind == "provisioning") if m.payload["action"] == action
    ]


def test_renewal_is_issued_once_within_the_window(situation):
    _customer, svc, _b, _s = situation
    clock.freeze("2026-03-17T12:00:00")  # 15 days before 04-01: not yet
    assert issue_due_renewals()["issued"] == 0
    clock.freeze("2026-03-18T12:00:00")
    assert issue_due_renewals()["issued"] == 1
    assert issue_due_renewals()["issued"] == 0  # the cron again
    assert issue_renewal(svc.id) is None and issue_renewal(svc.id) is None  # "two nodes"
    [proforma] = renewals(svc)
    assert (proforma.total_net, proforma.total_vat, proforma.total_gross) == (D("50.00"), D("11.50"), D("61.50"))
    assert proforma.due_date == date(2026, 4, 1) and proforma.status == "unpaid"
    line = proforma.snapshot["lines"][0]
    assert line["description"] == "Odnowienie: Basic (example.pl), okres miesięczny, 2026-04-01 – 2026-04-30"
    row = ServiceRenewal.get()
    assert (row.period_start, row.period_end, row.document_id) == (date(2026, 4, 1), date(2026, 5, 1), proforma.id)


def test_anchor_31_january_bills_28_february_to_31_march(situation):
    customer, _svc, basic, _s = situation
    clock.freeze("2026-02-20T12:00:00")
    svc = service(
        customer, basic, "monthly", date(2026, 1, 31), date(2026, 1, 31), date(2026, 2, 28), "40.00", label=""
    )
    issue_renewal(svc.id)
    row = ServiceRenewal.get(ServiceRenewal.service == svc)
    assert (row.period_start, row.period_end) == (date(2026, 2, 28), date(2026, 3, 31))
    record_payment("banktransfer", "A-1", "49.20", renewals(svc)[0])
    svc = Service.get_by_id(svc.id)
    assert (svc.period_start, svc.next_due, svc.anchor_date) == (
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 1, 31),
    )
    clock.freeze("2026-03-20T12:00:00")
    issue_renewal(svc.id)
    second = ServiceRenewal.select().where(ServiceRenewal.service == svc).order_by(ServiceRenewal.id.desc()).get()
    assert (second.period_start, second.period_end) == (date(2026, 3, 31), date(2026, 4, 30))


def test_balance_is_applied_and_a_full_balance_pays_and_extends(situation):
    customer, svc, _b, _s = situation
    give_balance(customer, "100.00")
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    [proforma] = renewals(svc)
    assert proforma.status == "paid" and proforma.paid == D("61.50")
    assert balance_of(customer.id) == D("38.50")
    svc = Service.get_by_id(svc.id)
    assert (svc.period_start, svc.next_due, svc.version) == (date(2026, 4, 1), date(2026, 5, 1), 2)
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    assert (invoice.purpose, invoice.purpose_ref, invoice.total_gross) == ("renewal", svc.id, D("61.50"))


def test_partial_balance_leaves_the_rest_to_pay(situation):
    customer, svc, _b, _s = situation
    give_balance(customer, "10.00")
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    [proforma] = renewals(svc)
    assert (proforma.status, proforma.paid) == ("partially_paid", D("10.00"))
    assert Service.get_by_id(svc.id).next_due == date(2026, 4, 1)


def test_paying_extends_exactly_once(situation, smtp_server):
    customer, svc, _b, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    [proforma] = renewals(svc)
    record_payment("banktransfer", "B-1", "61.50", proforma)
    assert record_payment("banktransfer", "B-1", "61.50", proforma).duplicate
    late = record_payment("banktransfer", "B-2", "61.50", proforma)  # paid twice by mistake
    assert late.overpaid == D("61.50") and balance_of(customer.id) == D("61.50")
    svc = Service.get_by_id(svc.id)
    assert (svc.period_start, svc.next_due, svc.version) == (date(2026, 4, 1), date(2026, 5, 1), 2)
    assert Document.select().where((Document.kind == "vat") & (Document.purpose == "renewal")).count() == 1
    assert issue_due_renewals()["issued"] == 0  # 05-01 is more than 14 days away
    outbox.process()
    assert sum("odnowiona" in m["Subject"] for m in smtp_server.messages) == 1


def test_scheduled_downgrade_is_priced_into_the_renewal_and_still_applies(situation):
    customer, svc, _b, start = situation
    assert confirm_change(customer.id, svc.id, start.id, "monthly").status == "scheduled"
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    [proforma] = renewals(svc)
    assert proforma.total_net == D("20.00") and "Start" in proforma.snapshot["lines"][0]["description"]
    record_payment("banktransfer", "S-1", str(proforma.total_gross), proforma)
    svc = Service.get_by_id(svc.id)
    assert (svc.product.slug, svc.next_due) == ("basic", date(2026, 5, 1))  # Basic until 04-01
    clock.freeze("2026-04-01T01:00:00")
    assert run_due_changes() == {"applied": 1, "stale": 0}
    svc = Service.get_by_id(svc.id)
    assert (svc.product.slug, svc.recurring_net) == ("start", D("20.00"))
    assert (svc.period_start, svc.next_due) == (date(2026, 4, 1), date(2026, 5, 1))


def test_downgrade_scheduled_after_the_renewal_reprices_it(situation):
    customer, svc, _b, start = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    confirm_change(customer.id, svc.id, start.id, "monthly")
    assert issue_due_renewals() == {"issued": 0, "repriced": 1}
    old, new = renewals(svc)
    assert (old.status, new.status, new.total_net) == ("cancelled", "unpaid", D("20.00"))
    assert ServiceRenewal.get().document_id == new.id
    assert issue_due_renewals() == {"issued": 0, "repriced": 0}


def test_change_applied_before_payment_is_not_extended_twice(situation):
    customer, svc, _b, start = situation
    confirm_change(customer.id, svc.id, start.id, "monthly")
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    clock.freeze("2026-04-01T01:00:00")
    run_due_changes()
    record_payment("banktransfer", "S-2", "24.60", renewals(svc)[0])
    svc = Service.get_by_id(svc.id)
    assert (svc.product.slug, svc.period_start, svc.next_due) == ("start", date(2026, 4, 1), date(2026, 5, 1))


def test_suspend_after_seven_days_and_unsuspend_on_payment(situation, smtp_server):
    _customer, svc, _b, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    clock.freeze("2026-04-07T12:00:00")
    assert run_dunning()["suspended"] == 0
    clock.freeze("2026-04-08T12:00:00")
    assert run_dunning()["suspended"] == 1
    assert run_dunning()["suspended"] == 0
    assert Service.get_by_id(svc.id).status == "suspended"
    assert len(provisioning("suspend")) == 1
    record_payment("banktransfer", "LATE", "61.50", renewals(svc)[0])
    svc = Service.get_by_id(svc.id)
    assert (svc.status, svc.next_due) == ("active", date(2026, 5, 1))
    assert len(provisioning("unsuspend")) == 1
    outbox.process()
    assert any("zawieszona" in m["Subject"] for m in smtp_server.messages)


def test_reminder_is_sent_once(situation, smtp_server):
    _customer, _svc, _b, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    assert run_dunning()["reminded"] == 0  # 14 days before: too early
    clock.freeze("2026-03-29T09:00:00")
    assert run_dunning()["reminded"] == 1
    clock.freeze("2026-03-30T09:00:00")
    assert run_dunning()["reminded"] == 0
    outbox.process()
    assert sum(m["Subject"].startswith("Przypomnienie") for m in smtp_server.messages) == 1


def test_termination_after_thirty_days(situation):
    customer, svc, _b, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    clock.freeze("2026-04-08T12:00:00")
    run_dunning()
    clock.freeze("2026-04-30T12:00:00")
    assert run_dunning()["terminated"] == 0
    clock.freeze("2026-05-01T12:00:00")
    assert run_dunning()["terminated"] == 1
    assert Service.get_by_id(svc.id).status == "terminated"
    assert renewals(svc)[0].status == "cancelled"
    assert len(provisioning("terminate")) == 1
    record_payment("banktransfer", "TOO-LATE", "61.50", renewals(svc)[0])
    assert balance_of(customer.id) == D("61.50")  # a cancelled proforma: the money goes to the balance
    assert Service.get_by_id(svc.id).status == "terminated"


def _german(customer, kind: str) -> None:
    with db.write_transaction():
        BillingProfile.create(
            customer=customer,
            kind=kind,
            name="Erika Muster",
            address_line1="Hauptstr. 1",
            postcode="10115",
            city="Berlin",
            country="DE",
            tax_id="DE136695976" if kind == "company" else "",
        )


OSS = [{"billing": {"vat_rates_by_country": {"DE": "19"}}}]


@pytest.mark.parametrize("app_overrides", OSS)
def test_oss_rate_for_a_german_private_buyer_in_quote_and_proforma(situation):
    customer, svc, basic, _s = situation
    _german(customer, "private")
    quote = build_quote(svc, basic.id, "annually")
    assert quote.vat_rate == "19"
    # 16/31 of 50.00 credit = 25.81; charge 500.00; net 474.19 at 19% = 90.10
    assert (quote.net, quote.vat) == (D("474.19"), D("90.10"))
    proforma = confirm_change(customer.id, svc.id, basic.id, "annually").document
    assert (proforma.total_net, proforma.total_vat) == (quote.net, quote.vat)
    assert {line["vat_rate"] for line in proforma.snapshot["lines"]} == {"19"}
    clock.freeze("2027-03-05T12:00:00")
    record_payment("banktransfer", "DE-1", str(proforma.total_gross), proforma)  # (late: goes to balance)
    other = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    clock.freeze("2026-03-18T12:00:00")
    issue_renewal(other.id)
    renewal = renewals(other)[0]
    assert (renewal.total_net, renewal.total_vat, renewal.snapshot["totals"][0]["vat_rate"]) == (
        D("50.00"),
        D("9.50"),
        "19",
    )


@pytest.mark.parametrize("app_overrides", OSS)
def test_reverse_charge_for_a_german_company(situation):
    customer, svc, basic, _s = situation
    _german(customer, "company")
    assert build_quote(svc, basic.id, "annually").vat_rate == "oo"
    clock.freeze("2026-03-18T12:00:00")
    issue_renewal(svc.id)
    renewal = renewals(svc)[0]
    assert (renewal.total_net, renewal.total_vat) == (D("50.00"), D("0.00"))
    assert renewal.snapshot["lines"][0]["vat_rate"] == "oo"
    assert "odwrotne obciążenie" in renewal.snapshot["notes"]


@pytest.mark.parametrize("app_overrides", [{"billing": {"vat_rates_by_country": {"DE": "19", "PL": "5"}}}])
def test_polish_buyer_keeps_the_product_rate_with_oss_configured(situation):
    customer, svc, basic, _s = situation
    assert build_quote(svc, basic.id, "annually").vat_rate == "23"
    _german(customer, "private")  # the newest billing data counts
    assert build_quote(svc, basic.id, "annually").vat_rate == "19"


def test_service_page_links_the_open_renewal(situation, client):
    _customer, svc, _b, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    login(client, "ala@example.test")
    page = client.get(f"/services/{svc.id}").get_data(as_text=True)
    proforma = renewals(svc)[0]
    assert 'data-testid="renewal-notice"' in page and f"/invoices/{proforma.id}" in page
    dashboard = client.get("/").get_data(as_text=True)
    assert '<p class="stat-value">1</p>' in dashboard.split("Nieopłacone dokumenty")[1][:80]
    assert proforma.number in client.get("/invoices").get_data(as_text=True)


def test_cron_command_runs_the_renewals_job(run):  # noqa: F811
    run("migrate")
    assert "renewals: ran" in run("cron").stdout


def test_upgrade_to_another_cycle_cancels_the_open_renewal(situation):
    customer, svc, basic, _s = situation
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    give_balance(customer, "1000.00")
    assert confirm_change(customer.id, svc.id, basic.id, "annually").status == "applied"
    [renewal] = renewals(svc)
    assert renewal.status == "cancelled"
    clock.freeze("2026-04-09T12:00:00")
    assert run_dunning() == {"reminded": 0, "suspended": 0, "terminated": 0}
    assert Service.get_by_id(svc.id).status == "active"
