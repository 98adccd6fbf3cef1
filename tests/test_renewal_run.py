"""The renewal run in batches keeps every invariant a renewal at a time kept, on both engines.

Batches of four here (``billing.renewal_batch_size``), so ten due services make
three write transactions. What must hold: every hook a renewal fires runs once per
service with the arguments of a single renewal; a plugin's refusal or fault loses
that service only; batches commit one by one (no lock for the whole run) and a run
killed with SIGKILL mid-batch loses only that batch, which the next run finishes;
two runs at once bill each period once with gapless numbers; a payment holding the
customer's money lock is waited for; services whose cancellation was asked for get
nothing; and a run with nothing new costs the same for one open renewal as for fifty.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core import clock, cron, db
from core.balance.ledger import staff_adjust
from core.billing_data.service import change_billing_data
from core.catalogue.service import update_product
from core.hookspecs import HookRefused, hookimpl
from core.models import ActivityLog, BillingProfile, CronRun, Customer, Document, LedgerEntry, OutboxMessage, Service
from core.renewals.issuing import issue_renewal
from core.renewals.models import ServiceRenewal
from core.renewals.run import RenewalsFailed, run_renewals
from core.runtime import current
from core.service_status import set_service_status
from core.services import cancellation
from core.testing.queries import count_queries
from tests.helpers import password_hash
from tests.upgrade_helpers import product, setup_seller

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-03-16T12:00:00"
DUE = date(2026, 3, 26)  # within the 14 days: due today
BATCH = 4


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    return {"billing": {"renewal_batch_size": BATCH}}


@pytest.fixture
def world(app, conn):
    clock.freeze(NOW)
    setup_seller()
    return product("basic", "Basic", {"monthly": "50.00"})


def due_services(basic, count: int, tag: str = "k", due: date = DUE) -> list[Service]:
    """``count`` customers with billing data and a monthly service due on ``due``, written as rows."""
    hashed = password_hash("correct horse battery")
    with db.write_transaction():
        Customer.insert_many(
            [
                {"email": f"{tag}{n}@example.test", "password_hash": hashed, "first_name": "K", "last_name": f"{n}"}
                for n in range(count)
            ]
        ).execute()
        ids = [c.id for c in Customer.select(Customer.id).where(Customer.email.startswith(tag)).order_by(Customer.id)]
        BillingProfile.insert_many(
            [
                {
                    "customer": c,
                    "kind": "private",
                    "name": f"Klient {c}",
                    "address_line1": "ul. Długa 5",
                    "postcode": "80-831",
                    "city": "Gdańsk",
                    "country": "PL",
                }
                for c in ids
            ]
        ).execute()
        Service.insert_many(
            [
                {
                    "customer": c,
                    "product": basic.id,
                    "cycle": "monthly",
                    "label": f"{tag}{c}.pl",
                    "anchor_date": date(2026, 2, 26),
                    "period_start": date(2026, 2, 26),
                    "next_due": due,
                    "recurring_net": Decimal("50.00"),
                }
                for c in ids
            ]
        ).execute()
        return list(Service.select().where(Service.customer.in_(ids)).order_by(Service.id))


def proformas() -> list[Document]:
    return list(
        Document.select().where((Document.kind == "proforma") & (Document.purpose == "renewal")).order_by(Document.id)
    )


def sequence(documents: list[Document]) -> list[int]:
    """The counters of the documents' numbers (``PRO/2026/00007`` -> 7), sorted."""
    return sorted(int(d.number.rsplit("/", 1)[1]) for d in documents)


def assert_each_period_once(services: list[Service]) -> None:
    """One renewal row and one proforma per service, numbered 1..n without a gap; one message and entry each."""
    rows = Counter(r.service_id for r in ServiceRenewal.select())
    assert sorted(rows) == sorted(s.id for s in services) and set(rows.values()) == {1}, rows
    documents = proformas()
    assert Counter(d.purpose_ref for d in documents) == rows
    assert sequence(documents) == list(range(1, len(services) + 1))
    linked = {r.service_id: r.document_id for r in ServiceRenewal.select()}
    assert linked == {d.purpose_ref: d.id for d in documents}
    issued = Counter(
        m.payload["document_id"] for m in OutboxMessage.select().where(OutboxMessage.kind == "document_issued")
    )
    assert issued == Counter(d.id for d in documents)
    logged = Counter(e.subject_id for e in ActivityLog.select().where(ActivityLog.action == "renewal.issued"))
    assert logged == rows


class Recorder:
    """Records the hooks a renewal fires, and what the database held when they ran."""

    def __init__(self) -> None:
        self.overrides: list[tuple[int, str]] = []
        self.issued: list[tuple[int, str, bool, int | None]] = []

    @hookimpl
    def hookbill_seller_overrides(self, customer: Customer, kind: str) -> None:
        self.overrides.append((customer.id, kind))

    @hookimpl
    def on_invoice_issue(self, document: Document) -> None:
        period = ServiceRenewal.get_or_none(
            (ServiceRenewal.service == document.purpose_ref) & ServiceRenewal.document_id.is_null()
        )
        self.issued.append(
            (document.id, document.number, db.database.obj.in_transaction(), period.service_id if period else None)
        )


def test_each_hook_runs_once_per_service_as_for_a_single_renewal(world):
    single, *batched = due_services(world, 1 + 2 * BATCH + 2)
    recorder = Recorder()
    current().pm.register(recorder)
    assert issue_renewal(single.id) is not None  # the way one renewal at a time was always issued
    assert run_renewals()["issued"] == 2 * BATCH + 2
    current().pm.unregister(recorder)
    documents = proformas()
    by_service = {d.purpose_ref: d for d in documents}
    expected = [single, *batched]
    assert recorder.overrides == [(s.customer_id, "proforma") for s in expected]
    # on_invoice_issue: once per proforma, numbered, in the transaction, its period already written
    assert recorder.issued == [(by_service[s.id].id, by_service[s.id].number, True, s.id) for s in expected]
    one, other = by_service[single.id].snapshot, by_service[batched[0].id].snapshot
    same = {"number", "transfer_title", "buyer", "lines"}
    assert {k: v for k, v in one.items() if k not in same} == {k: v for k, v in other.items() if k not in same}
    assert one["lines"][0]["description"].replace(single.label, "X") == other["lines"][0]["description"].replace(
        batched[0].label, "X"
    )
    assert_each_period_once(expected)


class Refusing:
    """Refuses one customer's proforma and fails on another's."""

    def __init__(self, refused: int, broken: int) -> None:
        self.refused, self.broken = refused, broken

    @hookimpl
    def on_invoice_issue(self, document: Document) -> None:
        if document.customer_id == self.refused:
            raise HookRefused("Nie tym razem.")
        if document.customer_id == self.broken:
            raise RuntimeError("plugin bug")


def test_a_refusal_or_a_fault_loses_that_service_only_and_the_next_run_bills_it(world):
    services = due_services(world, 2 * BATCH + 2)
    refused, broken = services[1], services[BATCH + 2]
    plugin = Refusing(refused.customer_id, broken.customer_id)
    current().pm.register(plugin)
    assert cron.run_due("renewals") == {"renewals": "failed"}  # the run goes on, and then says what failed
    error = CronRun.get(CronRun.job == "renewals").error
    assert f"service {refused.id}: " in error and "Nie tym razem." in error
    assert f"service {broken.id}: " in error and "plugin bug" in error
    issued = proformas()
    assert sorted(d.purpose_ref for d in issued) == sorted(s.id for s in services if s not in (refused, broken))
    assert sequence(issued) == list(range(1, len(services) - 1))  # the refused numbers went to the next ones
    assert not ServiceRenewal.select().where(ServiceRenewal.service.in_([refused.id, broken.id])).exists()
    current().pm.unregister(plugin)
    assert run_renewals()["issued"] == 2  # the next run bills the two, with the next numbers
    assert_each_period_once(services)
    [late] = due_services(world, 1, tag="late")
    current().pm.register(Refusing(late.customer_id, 0))
    with pytest.raises(RenewalsFailed, match=f"service {late.id}: .*Nie tym razem"):
        run_renewals()  # called directly, the run raises at its end, after committing the rest


def test_batches_commit_one_by_one(world):
    services = due_services(world, 2 * BATCH + 2)
    seen: list[int] = []

    def committed() -> int:
        with db.connection():  # another connection: what another node, or a payment, sees
            return ServiceRenewal.select().where(ServiceRenewal.document_id.is_null(False)).count()

    class Watching:
        calls = 0

        @hookimpl
        def on_invoice_issue(self, document: Document) -> None:
            if Watching.calls % BATCH == 0:  # the first proforma of each batch
                with ThreadPoolExecutor(max_workers=1) as pool:
                    seen.append(pool.submit(committed).result(timeout=60))
            Watching.calls += 1

    current().pm.register(Watching())
    assert run_renewals()["issued"] == len(services)
    assert seen == [0, BATCH, 2 * BATCH]  # each batch committed before the next began


def test_nothing_new_costs_the_same_for_one_open_renewal_as_for_fifty(world):
    due_services(world, 1, tag="first")
    assert run_renewals()["issued"] == 1
    run_renewals()
    with count_queries() as one:
        assert run_renewals() == dict.fromkeys(("issued", "repriced", "reminded", "suspended", "terminated"), 0)
    due_services(world, 49, tag="more")
    assert run_renewals()["issued"] == 49
    assert ServiceRenewal.select().where(ServiceRenewal.next_step_on.is_null(False)).count() == 50
    with count_queries() as fifty:
        run_renewals()
    assert fifty.count == one.count, fifty.diff(one)
    assert not [s for s in fifty.statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "BEGIN")]


def test_two_runs_at_once_bill_each_period_once_with_gapless_numbers(world):
    services = due_services(world, 6 * BATCH + 1)
    start = threading.Barrier(2)

    def run(_: int) -> dict[str, int]:
        with db.connection():  # each its own connection and transactions, as two nodes
            start.wait(timeout=30)
            return run_renewals()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, range(2)))
    assert sum(r["issued"] for r in results) == len(services), results
    assert_each_period_once(services)
    assert run_renewals()["issued"] == 0


def run_in_thread() -> dict[str, int]:
    with db.connection():
        return run_renewals()


def _waiting_for_a_lock() -> bool:
    with db.connection():
        return bool(
            db.database.obj.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()[0]
        )


def test_a_payment_holding_the_customers_lock_is_waited_for(world):
    """The run reads a customer's balance only under their money lock: a credit committed meanwhile pays the renewal."""
    [service] = due_services(world, 1)
    locked, credited = threading.Event(), threading.Event()

    def payment() -> None:
        with db.connection(), db.write_transaction():
            db.lock_customer(service.customer_id)  # a payment of this customer, in flight
            locked.set()
            credited.wait(timeout=60)
            LedgerEntry.create(customer=service.customer_id, kind="topup", amount=Decimal("100.00"), reason="x")

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = pool.submit(payment)
        assert locked.wait(timeout=60)
        renewal = pool.submit(run_in_thread)
        if db.is_postgres():
            deadline = time.monotonic() + 60
            while not _waiting_for_a_lock() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert _waiting_for_a_lock()  # the run waits for the customer's row
        else:
            time.sleep(0.3)  # the run waits for the write lock (BEGIN IMMEDIATE)
        credited.set()
        held.result(timeout=60)
        assert renewal.result(timeout=60)["issued"] == 1
    [proforma] = proformas()
    assert proforma.status == "paid" and proforma.paid == Decimal("61.50")  # paid from the credit it waited for
    assert Service.get_by_id(service.id).next_due == date(2026, 4, 26)


KILLER = """
import os, time
from core.hookspecs import hookimpl

CALLS = [0]


@hookimpl
def on_invoice_issue(document):
    CALLS[0] += 1
    if CALLS[0] == int(os.environ["KILL_AT"]):
        with open(os.environ["KILL_MARK"], "w") as mark:
            mark.write(document.number)
        time.sleep(600)
"""


def test_kill_9_mid_batch_loses_that_batch_only_and_the_next_run_finishes_it(world, app, tmp_path):
    services = due_services(world, 2 * BATCH + 2)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "killer.py").write_text(KILLER)
    mark = tmp_path / "mark"
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")},
        "HOOKBILL_DATABASE_URL": str(app.config["HOOKBILL"].get_value("database.url")),
        "HOOKBILL_APP_SECRET_KEY": "kill-test-secret",
        "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path / "instance"),
        "HOOKBILL_CLOCK_FIXED": NOW,
        "HOOKBILL_MAIL_PORT": "1",
        "HOOKBILL_BILLING_RENEWAL_BATCH_SIZE": str(BATCH),
        "HOOKBILL_PLUGINS_FOLDER": str(plugins),
        "KILL_AT": str(BATCH + 2),  # the second proforma of the second batch
        "KILL_MARK": str(mark),
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "cron.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "cron", "--job", "renewals"],
            cwd=tmp_path,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mark.exists(), log.read_text()
        os.kill(process.pid, signal.SIGKILL)  # in the middle of the second batch
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with db.connection():
        assert sequence(proformas()) == list(range(1, BATCH + 1))  # the first batch, whole; nothing of the second
        assert ServiceRenewal.select().count() == BATCH
        assert OutboxMessage.select().where(OutboxMessage.kind == "document_issued").count() == BATCH
        assert run_renewals()["issued"] == len(services) - BATCH  # the next run finishes the work
        assert_each_period_once(services)


def test_services_whose_cancellation_was_asked_for_get_nothing(world):
    services = due_services(world, BATCH + 2)
    asked = [services[0], services[BATCH]]
    requests = [
        cancellation.request_cancellation(Customer.get_by_id(s.customer_id), s.id, "end_of_period") for s in asked
    ]
    assert run_renewals()["issued"] == len(services) - 2
    assert not ServiceRenewal.select().where(ServiceRenewal.service.in_([s.id for s in asked])).exists()
    assert run_renewals()["issued"] == 0
    cancellation.withdraw_cancellation(Customer.get_by_id(asked[0].customer_id), requests[0].id)
    assert run_renewals()["issued"] == 1  # renewals go on once the request is withdrawn
    assert not ServiceRenewal.select().where(ServiceRenewal.service == asked[1].id).exists()


def test_the_progress_of_a_run_is_one_summary_line_from_cron(world, capsys):
    due_services(world, 3)
    capsys.readouterr()
    run_renewals()
    assert re.fullmatch(r"Odnowienia: 3 w \d+,\d s \(\d+/s\)\n", capsys.readouterr().err.replace("\xa0", " "))
    run_renewals()
    assert capsys.readouterr().err == ""  # nothing to do, nothing said


def test_the_progress_bar_in_a_terminal(world, monkeypatch):
    due_services(world, 2)
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", terminal)
    run_renewals()
    drawn = terminal.getvalue().replace("\xa0", " ")
    assert "\rOdnowienia  [" in drawn and " z 2 " in drawn  # the bar, redrawn in place
    assert re.fullmatch(r"Odnowienia: 2 w \d+,\d s \(\d+/s\)\n", drawn.rsplit("\r", 1)[1])  # then the summary


# -- what marks an open renewal for the next run ----------------------------------


def open_renewal(service: Service) -> ServiceRenewal:
    return ServiceRenewal.get(ServiceRenewal.service == service.id)


def test_a_renewal_needing_nothing_is_left_alone_until_its_reminder_day(world, hookbill_clock):
    [service] = due_services(world, 1)
    run_renewals()
    assert open_renewal(service).next_step_on == date(2026, 3, 23)  # 3 days before it is due
    hookbill_clock.freeze("2026-03-22T12:00:00")
    assert run_renewals()["reminded"] == 0
    hookbill_clock.freeze("2026-03-23T12:00:00")
    assert run_renewals()["reminded"] == 1
    assert open_renewal(service).next_step_on == date(2026, 4, 2)  # the suspension day
    hookbill_clock.freeze("2026-04-02T12:00:00")
    assert run_renewals()["suspended"] == 1
    assert open_renewal(service).next_step_on == date(2026, 4, 25)  # the termination day


def test_staff_terminating_the_service_cancels_its_renewal_on_the_next_run(world):
    [service] = due_services(world, 1)
    run_renewals()
    set_service_status(service.id, "terminated", None, reason="on request")
    assert open_renewal(service).next_step_on == clock.today()
    run_renewals()
    assert [d.status for d in proformas()] == ["cancelled"]
    assert open_renewal(service).next_step_on is None


def test_a_products_new_vat_rate_reprices_its_open_renewals(world):
    services = due_services(world, 2)
    run_renewals()
    update_product(world, name="Basic", vat_rate="8", prices={"monthly": "50.00"})
    assert run_renewals()["repriced"] == 2
    assert sorted(d.total_gross for d in proformas() if d.status == "unpaid") == [Decimal("54.00")] * 2
    assert len(proformas()) == 2 * len(services)


@pytest.mark.parametrize(
    "app_overrides", [{"billing": {"renewal_batch_size": BATCH, "vat_rates_by_country": {"DE": "19"}}}]
)
def test_new_billing_data_reprice_the_open_renewal(world):
    [service, other] = due_services(world, 2)
    run_renewals()
    german = {
        "kind": "private",
        "name": "Erika Muster",
        "address_line1": "Hauptstr. 1",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
    }
    change_billing_data(Customer.get_by_id(service.customer_id), german)
    assert open_renewal(service).next_step_on == clock.today() and open_renewal(other).next_step_on > clock.today()
    assert run_renewals()["repriced"] == 1
    current_one = Document.get_by_id(open_renewal(service).document_id)
    assert (current_one.total_vat, current_one.snapshot["buyer"]["country"]) == (Decimal("9.50"), "DE")


def test_new_dunning_settings_reschedule_every_open_renewal(world):
    [service] = due_services(world, 1)
    run_renewals()
    assert run_renewals()["reminded"] == 0
    current().config["billing"]["reminder_days_before_due"] = 10  # DUE - 10 days is today
    assert run_renewals()["reminded"] == 1
    assert open_renewal(service).reminded_at is not None


def test_the_migration_schedules_what_was_issued_before_it(world):
    from core.migrations import m0011_renewal_schedule

    [service] = due_services(world, 1)
    run_renewals()
    Service.update(renewal_billed_for=None).execute()
    ServiceRenewal.update(next_step_on=None).execute()
    m0011_renewal_schedule.up(db.database.obj, None)  # on a database migrated before: the columns exist
    assert Service.get_by_id(service.id).renewal_billed_for == DUE
    assert open_renewal(service).next_step_on == clock.today()
    assert run_renewals() == dict.fromkeys(("issued", "repriced", "reminded", "suspended", "terminated"), 0)
    assert open_renewal(service).next_step_on == date(2026, 3, 23)


def test_staff_credit_is_a_discount_in_a_batch_and_credit_granted_later_reprices_on_the_next_run(world):
    services = due_services(world, BATCH + 1)
    credited, later = services[1], services[BATCH]
    with db.write_transaction():
        LedgerEntry.create(customer=credited.customer_id, kind="staff_credit", amount=Decimal("20.00"), reason="x")
    run_renewals()
    by_service = {d.purpose_ref: d for d in proformas()}
    [line] = by_service[credited.id].snapshot["lines"]
    assert (Decimal(line["discount"]), by_service[credited.id].total_gross) == (Decimal("16.26"), Decimal("41.50"))
    assert {by_service[s.id].total_gross for s in services if s != credited} == {Decimal("61.50")}
    staff_adjust(later.customer_id, "20.00", "Przerwa w działaniu", None)  # granted after the renewal was issued
    assert open_renewal(later).next_step_on == clock.today()
    assert run_renewals()["repriced"] == 1
    assert Document.get_by_id(open_renewal(later).document_id).total_gross == Decimal("41.50")
