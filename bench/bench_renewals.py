"""Benchmark: the renewal run against a floor that writes every row the run writes; the hourly run with nothing new.

Run from the repository root, nothing beyond the project's own venv:

    .venv/bin/python -m bench.bench_renewals [--services 2000] [--rounds 5]
    .venv/bin/python -m bench.bench_renewals --engine postgres      # a private PostgreSQL server (testing kit)
    .venv/bin/python -m bench.bench_renewals --db postgresql://user:pass@host/db
    .venv/bin/python -m bench.bench_renewals --one-run 100000       # one run over that many due services

**The run against its floor.** Each round seeds ``--services`` customers, each
with billing data and a monthly service due in ten days (:mod:`bench.seeding`),
and as many again for the floor; then, in turns (the order swapped each round):

* **the run**: :func:`core.renewals.run.run_renewals`, the job ``hookbill cron``
  runs hourly: the due services found by index, issued in batches
  (``billing.renewal_batch_size``), every hook called per service, the balance
  plugin looking for credit to pay each proforma with;
* **the floor**: one write transaction that writes every row the run wrote for
  as many services, each kind with ``insert_many``: the proformas (copies of
  one the run issued, snapshot and lines included), their ``service_renewal``
  rows, the ``document_issued`` outbox messages, the activity entries, and the
  services' ``renewal_billed_for``; on PostgreSQL the customers' locks are
  taken first, as the run takes them.

The ratio run / floor is taken within each round (wall time); printed are its
min and median over the rounds.

**Nothing new.** The hourly run again when no service is due and no open renewal
has a step due, against the floor of one query that finds nothing (the indexed
select of open renewals with a step due): once with one open renewal (before
the rounds) and once with every round's renewals open (after them).

**One run** (``--one-run N``): N due services in one run; printed are its time,
its batches, the longest batch (the longest any lock was held) and the longest
another writer waited meanwhile (a small write transaction every 20 ms in a
thread of its own, as a payment of another customer would be).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from peewee import EXCLUDED

from bench import seeding
from bench.http import ratio_line
from core import clock, db
from core.app import create_app
from core.config import load_config
from core.models import ActivityLog, Customer, Document, OutboxMessage, Service, Setting
from core.renewals import run as renewal_run
from core.renewals.models import ServiceRenewal

TODAY = date(2026, 3, 16)
DUE = TODAY + timedelta(days=10)
CHUNK = 500


def build(url: str, folder: Path, batch: int) -> None:
    """The app on ``url`` (migrated, seller stored), its clock at TODAY."""
    config = load_config(
        overrides={
            "database": {"url": url},
            "app": {"secret_key": "bench", "instance_path": str(folder)},
            "outbox": {"process_after_request": False},
            "billing": {"renewal_batch_size": batch},
        },
        environ={},
        use_files=False,
    )
    create_app(config)
    seeding.prepare()
    clock.freeze(f"{TODAY.isoformat()}T12:00:00")


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    with db.connection():
        action()
    return time.perf_counter() - started


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class Floor:
    """Writes, for a list of services, the rows the run writes for them, in one transaction (module docstring)."""

    def __init__(self) -> None:
        with db.connection():
            self.document = Document.select().where(Document.purpose == "renewal").order_by(Document.id).first()
            self.renewal = ServiceRenewal.get(ServiceRenewal.document_id == self.document.id)
            self.message = OutboxMessage.get(OutboxMessage.dedupe_key == f"document_issued:{self.document.id}")
            self.entry = ActivityLog.get(ActivityLog.action == "renewal.issued")
        self.rounds = 0

    def write(self, service_ids: list[int]) -> None:
        self.rounds += 1
        with db.connection():
            owners = {
                s.id: s.customer_id
                for s in Service.select(Service.id, Service.customer).where(Service.id.in_(service_ids))
            }
        fields = [f for f in Document._meta.sorted_fields if f.name != "id"]
        template = {f.name: getattr(self.document, f.name) for f in fields}
        with db.connection(), db.write_transaction():
            db.lock_customers(set(owners.values()))
            documents = [
                {**template, "customer": owners[sid], "number": f"FLOOR/{self.rounds}/{n}", "purpose_ref": sid}
                for n, sid in enumerate(service_ids)
            ]
            for chunk in _chunks(documents):
                Document.insert_many(chunk).execute()
            first = Document.select(Document.id).where(Document.number == f"FLOOR/{self.rounds}/0").scalar()
            ids = list(range(first, first + len(service_ids)))
            renewals = [
                {
                    "service": sid,
                    "period_start": self.renewal.period_start,
                    "period_end": self.renewal.period_end,
                    "document_id": doc,
                    "terms": self.renewal.terms,
                    "next_step_on": self.renewal.next_step_on,
                }
                for sid, doc in zip(service_ids, ids, strict=True)
            ]
            for chunk in _chunks(renewals):
                ServiceRenewal.insert_many(chunk).execute()
            messages = [
                {"kind": self.message.kind, "payload": {"document_id": doc}, "dedupe_key": f"document_issued:{doc}"}
                for doc in ids
            ]
            for chunk in _chunks(messages):
                OutboxMessage.insert_many(chunk).execute()
            entries = [
                {
                    "actor_kind": "system",
                    "action": self.entry.action,
                    "subject_type": "service",
                    "subject_id": sid,
                    "customer_id": owners[sid],
                    "details": self.entry.details,
                }
                for sid in service_ids
            ]
            for chunk in _chunks(entries):
                ActivityLog.insert_many(chunk).execute()
            Service.update(renewal_billed_for=DUE).where(Service.id.in_(service_ids)).execute()


def nothing_new_floor() -> None:
    list(ServiceRenewal.select(ServiceRenewal.id).where(ServiceRenewal.next_step_on <= TODAY).limit(1))


def nothing_new(label: str, repeat: int = 20) -> float:
    """Median time of the hourly run with nothing to do, and of its floor, in turns; print and return the ratio.

    On PostgreSQL the tables are analysed first, as autovacuum does after so many
    new rows: without statistics the planner reads a table it believes empty whole.
    """
    if db.is_postgres():
        with db.connection():
            db.database.obj.execute_sql("ANALYZE")
    runs, floors = [], []
    for turn in range(repeat):
        order = [(runs, renewal_run.run_renewals), (floors, nothing_new_floor)]
        if turn % 2:
            order.reverse()
        for times, action in order:
            times.append(timed(action))
    with db.connection():
        open_count = ServiceRenewal.select().where(ServiceRenewal.next_step_on.is_null(False)).count()
    run_ms, floor_ms = statistics.median(runs) * 1000, statistics.median(floors) * 1000
    print(
        f"next hourly run, nothing new, {open_count} open renewals ({label}): "
        f"{run_ms:.2f} ms against a query finding nothing {floor_ms:.2f} ms ({run_ms / floor_ms:.1f}x)"
    )
    return run_ms


def rounds(services: int, count: int) -> None:
    seeding.due_services(1, "first", DUE)
    with db.connection():
        renewal_run.run_renewals()  # the settings remembered, one proforma for the floor to copy
    floor = Floor()
    quiet = nothing_new("before the rounds")
    ratios, run_ms, floor_ms = [], [], []
    for number in range(count):
        due = seeding.due_services(services, f"run{number}x", DUE)
        spare = seeding.due_services(services, f"floor{number}x", DUE, status="pending")
        order: list[tuple[str, Callable[[], Any]]] = [
            ("run", renewal_run.run_renewals),
            ("floor", lambda spare=spare: floor.write(spare)),  # type: ignore[misc]
        ]
        if number % 2:
            order.reverse()
        took = {name: timed(action) for name, action in order}
        with db.connection():
            issued = ServiceRenewal.select().where(ServiceRenewal.service.in_(due)).count()
        assert issued == services, f"round {number}: {issued} of {services} issued"
        ratios.append(took["run"] / took["floor"])
        run_ms.append(took["run"] * 1000 / services)
        floor_ms.append(took["floor"] * 1000 / services)
        print(f"round {number + 1}: run {run_ms[-1]:.3f} ms/service, floor {floor_ms[-1]:.3f} ms/service")
    print(
        f"renewal run, {services} due services per round, batches of {renewal_run.batch_size()}: "
        f"{statistics.median(run_ms):.3f} ms/service against the floor's {statistics.median(floor_ms):.3f} (medians)"
    )
    print(ratio_line("renewal run / all-rows floor", ratios))
    busy = nothing_new("after the rounds")
    print(f"nothing new, after / before the rounds: {busy / quiet:.2f}x")


def one_run(services: int) -> None:
    seeding.due_services(services, "one", DUE)
    batches: list[float] = []
    real = renewal_run.issue_batch

    def measured(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            batches.append(time.perf_counter() - started)

    renewal_run.issue_batch = measured  # type: ignore[assignment]
    waits: list[float] = []
    done = threading.Event()

    with db.connection():
        customers = [c.id for c in Customer.select(Customer.id).where(Customer.email.startswith("one"))]
    chosen = random.Random(16)

    def other_writer() -> None:  # a payment of a customer whose service the run renews
        with db.connection():
            while not done.is_set():
                started = time.perf_counter()
                with db.write_transaction():
                    db.lock_customer(chosen.choice(customers))
                    Setting.insert(namespace="bench", key="tick", value=started).on_conflict(
                        conflict_target=[Setting.namespace, Setting.key], update={Setting.value: EXCLUDED.value}
                    ).execute()
                waits.append(time.perf_counter() - started)
                time.sleep(0.02)

    writer = threading.Thread(target=other_writer, daemon=True)
    writer.start()
    report = renewal_run.Report()
    took = timed(lambda: renewal_run.run_renewals(report=report))
    done.set()
    writer.join()
    renewal_run.issue_batch = real  # type: ignore[assignment]
    print(
        f"one run, {services} due services: {took:.1f} s ({took * 1000 / services:.3f} ms/service), "
        f"{len(batches)} batches of {renewal_run.batch_size()}, the longest {max(batches) * 1000:.0f} ms, "
        f"{report.paused:.1f} s of it paused for other writers; "
        f"another writer (a customer's lock every 20 ms): {len(waits)} transactions, waits median "
        f"{statistics.median(waits) * 1000:.0f} ms, p99 {sorted(waits)[int(len(waits) * 0.99)] * 1000:.0f} ms, "
        f"longest {max(waits) * 1000:.0f} ms"
    )


@contextmanager
def database(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    if args.db:
        yield args.db
    elif args.engine == "postgres":
        from core.testing.postgres import PostgresServer

        with PostgresServer() as server:
            yield server.create_database("bench_renewals")
    else:
        yield f"sqlite:///{folder / 'renewals.sqlite3'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000, help="due services per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=renewal_run.DEFAULT_BATCH_SIZE, help="billing.renewal_batch_size")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--db", default="", help="a database URL (default: a new SQLite file, or --engine postgres)")
    parser.add_argument("--one-run", type=int, default=0, help="instead: one run over this many due services")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hookbill-bench-")))
        url = stack.enter_context(database(args, folder))
        build(url, folder, args.batch)
        print(f"{url.split(':', 1)[0]}, today {TODAY}, services due {DUE}")
        if args.one_run:
            one_run(args.one_run)
        else:
            rounds(args.services, args.rounds)
        db.close_all()


if __name__ == "__main__":
    main()
