"""Overlapping dunning runs remind, suspend and terminate each renewal once.

Before, a step read the renewal before taking the customer's lock: on
PostgreSQL the second of two overlapping runs acted on what it had read,
logged the same reminder again, or tried to suspend a suspended service and
aborted the whole run with a conflict. Now every step reads after its locks,
claims the renewal row with ``FOR UPDATE SKIP LOCKED`` and records its
:class:`core.renewals.models.DunningStep`, unique per renewal and step.

Two runs at once in threads of one process (both engines), and two ``hookbill
cron`` processes whose clocks are in two hourly slots (PostgreSQL, the
production engine for several nodes): each job runs once per slot, each step
happens once, no renewal proforma is issued twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from core import clock, db
from core.models import ActivityLog, CronRun, Document, OutboxMessage, Service
from core.renewals.issuing import issue_renewal
from core.renewals.models import DunningStep, ServiceRenewal
from core.renewals.overdue import run_dunning
from tests.helpers import make_customer
from tests.upgrade_helpers import billing_profile, product, service, setup_seller

ROOT = Path(__file__).resolve().parent.parent
PER_STEP = 8
TODAY = "2026-04-20T12:00:00"
#: Next due dates, seen from 2026-04-20: due in two days (remind), ten days late (suspend), 36 late (terminate).
GROUPS = {"reminded": date(2026, 4, 22), "suspended": date(2026, 4, 10), "terminated": date(2026, 3, 15)}


def _overdue_world() -> dict[str, list[int]]:
    """``PER_STEP`` customers per step, each with one service whose renewal proforma is unpaid."""
    clock.freeze("2026-03-01T12:00:00")
    made: dict[str, list[int]] = {step: [] for step in GROUPS}
    with db.connection():
        setup_seller()
        basic = product("basic", "Basic", {"monthly": "50.00"})
        for step, due in GROUPS.items():
            for n in range(PER_STEP):
                customer = make_customer(f"{step}{n}@example.test")
                billing_profile(customer)
                start = date(due.year, due.month - 1, due.day)
                svc = service(customer, basic, "monthly", start, start, due, "50.00", label=f"{step}{n}.pl")
                assert issue_renewal(svc.id) is not None
                made[step].append(svc.id)
    return made


def _assert_each_step_once(made: dict[str, list[int]]) -> None:
    with db.connection():
        steps = Counter((row.renewal.service_id, row.step) for row in DunningStep.select())
        assert all(count == 1 for count in steps.values()), steps
        for step, services in made.items():
            assert sorted(service for service, s in steps if s == step) == sorted(services), step
        reminded = Counter(
            row.subject_id for row in ActivityLog.select().where(ActivityLog.action == "renewal.reminded")
        )
        assert sorted(reminded) == sorted(made["reminded"]) and set(reminded.values()) == {1}
        for step, status in (("suspended", "service.status"), ("terminated", "service.status")):
            changes = Counter(
                row.subject_id
                for row in ActivityLog.select().where(ActivityLog.action == status)
                if row.details.get("new") == step
            )
            assert sorted(changes) == sorted(made[step]) and set(changes.values()) == {1}, (step, changes)
        statuses = {svc.id: svc.status for svc in Service.select()}
        assert {statuses[s] for s in made["reminded"]} == {"active"}
        assert {statuses[s] for s in made["suspended"]} == {"suspended"}
        assert {statuses[s] for s in made["terminated"]} == {"terminated"}
        mails = Counter(
            (m.dedupe_key or "").split(":")[0] for m in OutboxMessage.select().where(OutboxMessage.kind == "mail")
        )
        for template in ("renewal_reminder", "renewal_suspended", "renewal_terminated"):
            assert mails[template] == PER_STEP, mails
        actions = Counter(
            m.payload["action"] for m in OutboxMessage.select().where(OutboxMessage.kind == "provisioning")
        )
        assert actions["suspend"] == PER_STEP and actions["terminate"] == PER_STEP, actions


def test_two_dunning_runs_at_once_do_each_step_once(app):
    made = _overdue_world()
    clock.freeze(TODAY)
    start = threading.Barrier(2)

    def dunning(_: int) -> dict[str, int]:
        with db.connection():
            start.wait(timeout=30)
            return run_dunning()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(dunning, range(2)))
    assert {step: sum(r[step] for r in results) for step in GROUPS} == dict.fromkeys(GROUPS, PER_STEP), results
    _assert_each_step_once(made)
    with db.connection():
        assert run_dunning() == dict.fromkeys(GROUPS, 0)  # and a third run later finds nothing to do


def _cron(url: str, tmp_path: Path, moment: str) -> subprocess.Popen[str]:
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")},
        "HOOKBILL_DATABASE_URL": url,
        "HOOKBILL_APP_SECRET_KEY": "cron-test-secret",
        "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path / "instance"),
        "HOOKBILL_CLOCK_FIXED": moment,
        "HOOKBILL_MAIL_PORT": "1",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "core.cli", "cron"]
    return subprocess.Popen(
        command, cwd=tmp_path, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_overlapping_cron_processes_on_postgresql_run_each_job_once_per_slot(postgres_app, tmp_path):
    made = _overdue_world()
    with db.connection():
        later = make_customer("later@example.test")  # due within the renewal window: issued by cron
        billing_profile(later)
        basic = product("pro", "Pro", {"monthly": "80.00"})
        fresh = service(later, basic, "monthly", date(2026, 4, 1), date(2026, 4, 1), date(2026, 5, 1), "80.00")
    db.database.obj.close()
    # A run still going at the top of the hour, the next hour's run, and a second node in the first hour.
    moments = ["2026-04-20T10:59:59", "2026-04-20T11:00:01", "2026-04-20T10:59:58"]
    url = str(postgres_app.config["HOOKBILL"].get_value("database.url"))
    processes = [_cron(url, tmp_path, moment) for moment in moments]
    outputs = [process.communicate(timeout=180)[0] for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert sum("renewals: ran" in out for out in outputs) == 2, outputs  # once per slot
    assert sum("renewals: skipped" in out for out in outputs) == 1, outputs
    _assert_each_step_once(made)
    with db.connection():
        runs = list(CronRun.select().where(CronRun.job == "renewals"))
        assert len(runs) == 2 and all(not run.error for run in runs), [run.error for run in runs]
        issued = Counter(r.service_id for r in ServiceRenewal.select())
        assert set(issued.values()) == {1} and issued[fresh.id] == 1
        numbers = [d.number for d in Document.select().where(Document.kind == "proforma").order_by(Document.id)]
        assert len(numbers) == len(set(numbers)) == 3 * PER_STEP + 1
