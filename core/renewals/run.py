"""The hourly renewal run: due renewals issued in batches, then the open renewals whose day has come.

**Work found by index.** Services awaiting their next renewal are the rows of
the partial index ``service_renewal_due`` (billed, and ``renewal_billed_for``
is not their ``next_due``); open renewals with something to do have their
``next_step_on`` on or before today (:mod:`core.renewals.schedule`). A run with
nothing new reads two empty ranges of two indexes, whatever the number of
services and open renewals.

**Batches.** Due services are taken ``billing.renewal_batch_size`` (200) at a
time, in order of due date. Each batch is one write transaction, so no lock is
held for the whole run, and a run killed half-way (kill -9, a crash, a lost
node) loses at most the batch at work: its rows commit together or not at all,
and the next run issues it again. In each batch:

1. the money locks of its customers, in id order (PostgreSQL; on SQLite the
   write transaction's ``BEGIN IMMEDIATE`` serialises writers): two runs on two
   nodes wait for each other, never in a circle;
2. the services with their customer, package and current billing data, in one
   query, re-checked under the locks (still billed, no renewal for ``next_due``
   yet, which another node may have issued meanwhile, no open cancellation
   request), and their scheduled changes and the changes' packages in two more;
   the seller's data and the configuration are read once;
3. the batch's ``service_renewal`` rows, in one statement (each is there when
   its proforma's ``on_invoice_issue`` runs, as for a single renewal);
4. per service, in its own savepoint: the next number and the proforma, with
   ``hookbill_seller_overrides`` and ``on_invoice_issue`` called once, with the
   arguments a single renewal passes. A plugin refusing or failing rolls back
   that service alone, its number with it (numbering stays gapless); the batch's
   other services are kept, the failure is logged and reported, and the next
   run tries the service again;
5. for the services issued, one statement each: the renewal rows get their
   proformas' ids (the failed ones' rows go), the ``document_issued`` outbox
   messages, the activity entries, ``renewal_billed_for``.

On SQLite, which keeps no queue of waiting writers, a long run pauses briefly
between batches (:meth:`Report.between_batches`).

**Open renewals** whose day has come are taken in batches too: the customers'
locks, the rows claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), then each
renewal in a savepoint: re-priced when its terms changed
(:func:`core.renewals.issuing.reprice`), its dunning step when one is due
(:func:`core.renewals.overdue.dunning_step`), and its next day set.

:func:`run_renewals` is the cron job: both passes with a progress bar in a
terminal (a summary line from cron), and an error at the end naming every
service or renewal that failed, after all the others were done.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import peewee

from core import activity, clock, db, runtime
from core.balance.credit import STAFF_CREDIT_IN, split_at_issue, staff_credit_notes
from core.documents.batch import DocumentBatch
from core.documents.issuing import party_of
from core.documents.snapshot import Party
from core.documents.taxation import rate_for_buyer
from core.i18n import N_
from core.models import BillingProfile, Customer, Document, LedgerEntry, Product, Service, ServiceChange
from core.money import ZERO
from core.plugins import describe_failure
from core.progress import Progress
from core.renewals.issuing import BILLED_STATUSES, RenewalTerms, renewal_line, reprice, reschedule, terms_from
from core.renewals.models import DUE_INDEX, ServiceRenewal, awaiting_renewal
from core.renewals.schedule import Thresholds, check_settings, next_step_on
from core.services.models import OPEN_CANCELLATION, CancellationRequest

log = logging.getLogger("hookbill.renewals")

#: Services (or open renewals) per write transaction when ``billing.renewal_batch_size`` is not set.
DEFAULT_BATCH_SIZE = 200


class RenewalsFailed(RuntimeError):
    """Some services or renewals failed in a run; everything else was done and committed. Lists each."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__(f"{len(failures)} failed: " + "; ".join(failures[:20]))
        self.failures = failures


@dataclass
class Report:
    """What a run did: counts per outcome, and one line per failure."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    progress: Progress | None = None
    worked: float = 0.0  # seconds of batches since the last pause
    paused: float = 0.0  # seconds paused for other writers, in all

    def advance(self, amount: int) -> None:
        if self.progress is not None:
            self.progress.advance(amount)

    @contextmanager
    def between_batches(self) -> Iterator[None]:
        """Around one batch: on SQLite, after each second of batches, a pause that lets other writers in.

        SQLite keeps no queue of writers: one that finds the database locked
        sleeps and tries again, up to 100 ms apart, so a run that began each
        batch the moment the last committed kept a payment or a page's write
        waiting for many seconds. A pause of 0.12 s after every second of work
        is one such a writer cannot miss: it waits about a second at most, and
        the run takes a tenth longer. PostgreSQL queues waiters on the locks
        themselves: there the run never pauses.
        """
        began = time.monotonic()
        yield
        self.worked += time.monotonic() - began
        if not db.is_postgres() and self.worked >= WORK_BETWEEN_PAUSES:
            time.sleep(PAUSE)
            self.paused += PAUSE
            self.worked = 0.0


def batch_size() -> int:
    """``billing.renewal_batch_size``: services (or open renewals) per write transaction, at least 1."""
    value = runtime.config().get_value("billing.renewal_batch_size")
    size = DEFAULT_BATCH_SIZE if value in (None, "") else int(value)
    if size < 1:
        from core.config import ConfigError

        raise ConfigError(f"billing.renewal_batch_size must be at least 1, not {value!r}")
    return size


def horizon(today: date) -> date:
    """The last next-due date billed today: ``billing.renewal_days_before`` days ahead."""
    return today + timedelta(days=int(runtime.config().get_value("billing.renewal_days_before") or 14))


#: On SQLite, after every WORK_BETWEEN_PAUSES seconds of batches the run pauses PAUSE seconds
#: (:meth:`Report.between_batches`): longer than SQLite's longest sleep between a waiting writer's tries.
WORK_BETWEEN_PAUSES, PAUSE = 1.0, 0.12


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


def _cancelling() -> peewee.Function:
    return peewee.fn.EXISTS(
        CancellationRequest.select(CancellationRequest.id).where(
            (CancellationRequest.service == Service.id) & CancellationRequest.status.in_(OPEN_CANCELLATION)
        )
    )


def _due(until: date) -> peewee.ModelSelect[Service]:
    query = Service.select(Service.id, Service.next_due, Service.customer)
    if not db.is_postgres():
        # SQLite's planner, without statistics, prefers the index on status (most services are active);
        # told the partial index, it reads only the services awaiting a renewal. PostgreSQL's finds it itself.
        query = query.from_(peewee.NodeList((Service, peewee.SQL(f"INDEXED BY {DUE_INDEX}"))))
    return query.where(awaiting_renewal() & (Service.next_due <= until) & ~_cancelling())


def due_count(today: date) -> int:
    """How many services the run would bill today (by the partial index)."""
    return int(_due(horizon(today)).count())


def _due_pages(until: date, size: int) -> Iterator[list[Service]]:
    """The due services, ``size`` at a time, in order of (next_due, id); each page read when the last is done."""
    after: tuple[date, int] | None = None
    while True:
        query = _due(until)
        if after is not None:
            query = query.where(peewee.Tuple(Service.next_due, Service.id) > peewee.Tuple(*after))
        page = list(query.order_by(Service.next_due, Service.id).limit(size))
        if not page:
            return
        yield page
        after = (page[-1].next_due, page[-1].id)


def _load(service_ids: list[int]) -> list[Service]:
    """The services with customer, product and current billing data (``service.profile``), under the locks.

    ``service.billed`` says whether ``next_due`` has its renewal already,
    ``service.cancelling`` whether a cancellation request is open.
    """
    newest = BillingProfile.select(peewee.fn.MAX(BillingProfile.id)).where(BillingProfile.customer == Service.customer)
    billed = ServiceRenewal.select(ServiceRenewal.id).where(
        (ServiceRenewal.service == Service.id) & (ServiceRenewal.period_start == Service.next_due)
    )
    return list(
        Service.select(
            Service,
            Customer,
            Product,
            BillingProfile,
            peewee.fn.EXISTS(billed).alias("billed"),
            _cancelling().alias("cancelling"),
        )
        .join(Customer, on=(Service.customer == Customer.id))
        .switch(Service)
        .join(Product, on=(Service.product == Product.id))
        .switch(Service)
        .join(BillingProfile, peewee.JOIN.LEFT_OUTER, on=(BillingProfile.id == newest), attr="profile")
        .where(Service.id.in_(service_ids))
        .order_by(Service.next_due, Service.id)
    )


def _changes(services: list[Service]) -> tuple[dict[int, ServiceChange], dict[int, Product]]:
    """The change scheduled for each service's next due date (still valid), and the packages they move to."""
    if not services:
        return {}, {}
    by_id = {s.id: s for s in services}
    found: dict[int, ServiceChange] = {}
    rows = (
        ServiceChange.select()
        .where(ServiceChange.service.in_(list(by_id)) & (ServiceChange.status == "scheduled"))
        .order_by(ServiceChange.id.desc())
    )
    for change in rows:
        service = by_id[change.service_id]
        if change.apply_on == service.next_due and change.service_version == service.version:
            found.setdefault(service.id, change)
    wanted = {c.to_product_id for c in found.values()}
    products = {p.id: p for p in Product.select().where(Product.id.in_(list(wanted)))} if wanted else {}
    return found, products


@dataclass
class _Planned:
    """A service of the batch with what its renewal bills, computed before anything is written."""

    service: Service
    terms: RenewalTerms
    buyer: Party
    due: date
    document: Document | None = None


def _plan(service: Service, change: ServiceChange | None, product: Product, today: date) -> _Planned:
    """The renewal terms of one loaded service, from its current billing data; raises what pricing raises."""
    profile = getattr(service, "profile", None)
    buyer = party_of(service.customer, profile if profile is not None and profile.id is not None else None)
    terms = terms_from(service, change, rate_for_buyer(product, buyer), product)
    return _Planned(service, terms, buyer, max(terms.period_start, today))


def _periods(planned: list[_Planned], today: date, thresholds: Thresholds) -> None:
    """The ``service_renewal`` rows of the batch, in one statement, before any proforma.

    Each is there when ``on_invoice_issue`` runs for its proforma (the balance
    plugin may pay it in full, and the payment extends that very period); its
    ``document_id`` is filled in when the batch ends (:func:`_link`). An empty
    ``document_id`` is how the payment hook knows a period being issued, as for
    a single renewal.
    """
    rows = []
    for item in planned:
        row = ServiceRenewal(
            service=item.service.id,
            period_start=item.terms.period_start,
            period_end=item.terms.period_end,
            change_id=item.terms.change.id if item.terms.change else None,
            terms=item.terms.key,
        )
        row.next_step_on = next_step_on(row, item.due, today, thresholds)
        rows.append(row.__data__)
    if rows:
        ServiceRenewal.insert_many(rows).execute()


def _link(issued: list[_Planned], failed: list[_Planned]) -> None:
    """Each issued period gets its proforma's id; the rows of services that failed go (the next run bills them)."""
    pairs = [(item.service.id, item.document.id) for item in issued if item.document is not None]
    if pairs:
        ServiceRenewal.update(document_id=peewee.Case(ServiceRenewal.service, pairs)).where(
            ServiceRenewal.service.in_([service for service, _document in pairs]) & ServiceRenewal.document_id.is_null()
        ).execute()
    for item in failed:
        ServiceRenewal.delete().where(
            (ServiceRenewal.service == item.service.id)
            & (ServiceRenewal.period_start == item.terms.period_start)
            & ServiceRenewal.document_id.is_null()
        ).execute()


def _with_staff_credit(customer_ids: set[int]) -> set[int]:
    """Which of the customers ever had staff credit (only theirs can discount a renewal; one query per batch).

    A customer with no ``staff_credit`` entry has none to use
    (:func:`core.balance.credit.parts_from`): their lines are issued as they are,
    as :func:`core.balance.credit.split_at_issue` would leave them, without its reads.
    """
    if not customer_ids:
        return set()
    rows = (
        LedgerEntry.select(LedgerEntry.customer)
        .where(LedgerEntry.customer.in_(list(customer_ids)) & LedgerEntry.kind.in_(STAFF_CREDIT_IN))
        .distinct()
    )
    return {row.customer_id for row in rows}


def _issue_loaded(loaded: list[Service], report: Report, issued: list[_Planned], errors: list[BaseException]) -> None:
    """Steps 2-4 of a batch (module docstring), under the batch's locks; appends to ``issued`` and ``errors``."""
    changes, products = _changes(loaded)
    batch = DocumentBatch()
    billed: dict[date, list[int]] = {}
    planned: list[_Planned] = []
    failed: list[_Planned] = []

    def fail(service: Service, exc: BaseException) -> None:  # a plugin's refusal or fault: the next run tries again
        log.warning("renewal of service %s failed: %s", service.id, describe_failure(exc))
        report.failures.append(f"service {service.id}: {describe_failure(exc)}")
        errors.append(exc)

    for service in loaded:
        if service.status not in BILLED_STATUSES or getattr(service, "cancelling", False):
            continue
        if getattr(service, "billed", False):  # issued by another node meanwhile, or an index that fell behind
            billed.setdefault(service.next_due, []).append(service.id)
            continue
        change = changes.get(service.id)
        product = products[change.to_product_id] if change is not None else service.product
        try:
            planned.append(_plan(service, change, product, batch.today))
        except Exception as exc:
            fail(service, exc)
    _periods(planned, batch.today, Thresholds.configured())
    credited = _with_staff_credit({item.service.customer_id for item in planned})
    for item in planned:
        try:
            with db.write_transaction():  # a savepoint: a failure loses this service only, its number with it
                lines = [renewal_line(item.service, item.terms)]
                notes: list[str] = []
                taken = ZERO
                if item.service.customer_id in credited:  # staff credit is a discount on the line
                    use = split_at_issue(item.service.customer, lines)
                    lines, notes, taken = use.applied_to(lines), staff_credit_notes(use.discount), use.staff_credit
                item.document = batch.proforma(
                    item.service.customer,
                    lines,
                    buyer=item.buyer,
                    sale_date=item.terms.period_start,
                    due_date=item.due,
                    purpose="renewal",
                    purpose_ref=item.service.id,
                    notes=notes,
                    staff_credit=taken,
                )
        except Exception as exc:
            fail(item.service, exc)
            failed.append(item)
            continue
        issued.append(item)
        billed.setdefault(item.service.next_due, []).append(item.service.id)
    _link(issued, failed)
    DocumentBatch.queue_issued([item.document for item in issued if item.document is not None])
    activity.record_many(
        "renewal.issued",
        [
            (
                item.service,
                {
                    "document": item.document.number,
                    "period_start": item.terms.period_start.isoformat(),
                    "period_end": item.terms.period_end.isoformat(),
                },
            )
            for item in issued
            if item.document is not None
        ],
    )
    for day, ids in billed.items():
        Service.update(renewal_billed_for=day).where(Service.id.in_(ids)).execute()


def issue_batch(
    service_ids: list[int],
    report: Report | None = None,
    *,
    customer_ids: set[int] | None = None,
    raise_failure: bool = False,
) -> list[Document]:
    """Issue the renewals of ``service_ids`` in one write transaction (module docstring); return the proformas.

    ``customer_ids`` are the services' customers when the caller knows them
    (the ones whose locks are taken). Services not due any more under the locks
    are skipped. A service that fails is rolled back alone and reported in
    ``report`` (and logged); with ``raise_failure`` its exception is raised
    instead, after the rest committed.
    """
    report = report if report is not None else Report()
    issued: list[_Planned] = []
    errors: list[BaseException] = []
    with db.write_transaction():
        if customer_ids is None and db.is_postgres():
            owners = Service.select(Service.customer).where(Service.id.in_(service_ids))
            customer_ids = {s.customer_id for s in owners}
        with db.holding_customers(customer_ids or ()):
            _issue_loaded(_load(service_ids), report, issued, errors)
    report.counts["issued"] += len(issued)
    if raise_failure and errors:
        raise errors[0]
    return [item.document for item in issued if item.document]


def issue_due(today: date | None = None, report: Report | None = None) -> int:
    """Issue every renewal due by ``today`` (``billing.renewal_days_before`` ahead), batch by batch; return how many."""
    today = today or clock.today()
    report = report if report is not None else Report()
    before = report.counts["issued"]
    for page in _due_pages(horizon(today), batch_size()):
        with report.between_batches():
            issue_batch([s.id for s in page], report, customer_ids={s.customer_id for s in page})
        report.advance(len(page))
    return report.counts["issued"] - before


# ---------------------------------------------------------------------------
# Open renewals
# ---------------------------------------------------------------------------


def _waiting(today: date) -> peewee.ModelSelect[ServiceRenewal]:
    return ServiceRenewal.select(ServiceRenewal.id, ServiceRenewal.next_step_on).where(
        ServiceRenewal.next_step_on <= today
    )


def waiting_count(today: date) -> int:
    """How many open renewals have a step or a check due by ``today`` (by the index on ``next_step_on``)."""
    return int(_waiting(today).count())


def _claim(renewal_ids: list[int]) -> list[ServiceRenewal]:
    """The renewals' rows, locked for this transaction; rows another run holds are left out (PostgreSQL)."""
    query = ServiceRenewal.select().where(ServiceRenewal.id.in_(renewal_ids)).order_by(ServiceRenewal.id)
    if db.is_postgres():
        query = query.for_update(skip_locked=True)
    return list(query)


def attend(renewal: ServiceRenewal, today: date, *, dunning: bool, thresholds: Thresholds) -> list[str]:
    """Look at one open renewal under the caller's locks: re-price it, take its dunning step, set its next day.

    Returns what happened (``repriced`` and/or a step's name). Without
    ``dunning`` only the price is checked, and the day is left for the dunning
    pass (unless the renewal closed).
    """
    from core.renewals.overdue import dunning_step

    done = []
    if reprice(renewal) is not None:
        done.append("repriced")
    renewal = ServiceRenewal.get_by_id(renewal.id)
    if dunning:
        step = dunning_step(renewal, today, thresholds)
        if step:
            done.append(step)
            renewal = ServiceRenewal.get_by_id(renewal.id)
    reschedule(renewal, today, looked_today=dunning, closed_only=not dunning)
    return done


def _attend_batch(renewal_ids: list[int], today: date, dunning: bool, report: Report) -> None:
    thresholds = Thresholds.configured()
    with db.write_transaction():
        customers = (
            Service.select(Service.customer)
            .join(ServiceRenewal, on=(ServiceRenewal.service == Service.id))
            .where(ServiceRenewal.id.in_(renewal_ids))
        )
        with db.holding_customers({s.customer_id for s in customers}):
            for renewal in _claim(renewal_ids):
                if renewal.next_step_on is None or renewal.next_step_on > today:
                    continue  # another run looked at it since we listed it
                try:
                    with db.write_transaction():  # a savepoint: a failure loses this renewal only
                        report.counts.update(attend(renewal, today, dunning=dunning, thresholds=thresholds))
                except Exception as exc:
                    log.warning("renewal %s failed: %s", renewal.id, describe_failure(exc))
                    report.failures.append(f"renewal {renewal.id}: {describe_failure(exc)}")


def attend_open_renewals(
    today: date | None = None, *, dunning: bool = True, report: Report | None = None
) -> Counter[str]:
    """Look at every open renewal whose day has come, batch by batch; return the counts of what happened."""
    today = today or clock.today()
    report = report if report is not None else Report()
    size = batch_size()
    after: tuple[date | None, int] | None = None
    before = Counter(report.counts)
    while True:
        query = _waiting(today)
        if after is not None:
            query = query.where(peewee.Tuple(ServiceRenewal.next_step_on, ServiceRenewal.id) > peewee.Tuple(*after))
        page = list(query.order_by(ServiceRenewal.next_step_on, ServiceRenewal.id).limit(size))
        if not page:
            break
        with report.between_batches():
            _attend_batch([r.id for r in page], today, dunning, report)
        report.advance(len(page))
        after = (page[-1].next_step_on, page[-1].id)
    done = Counter(report.counts)
    done.subtract(before)
    return Counter({key: value for key, value in done.items() if value})


# ---------------------------------------------------------------------------
# The cron job
# ---------------------------------------------------------------------------


def run_renewals(today: date | None = None, report: Report | None = None) -> dict[str, int]:
    """Cron: issue due renewals, then re-price and dun the open ones whose day has come; return the counts.

    Shows its progress (:mod:`core.progress`) when there is work. Raises
    :class:`RenewalsFailed` at the end when any service or renewal failed; all
    the others were done and committed. ``report`` (a new one by default)
    receives the counts, failures and pauses as the run goes.
    """
    today = today or clock.today()
    check_settings()
    total = due_count(today) + waiting_count(today)
    report = report if report is not None else Report()
    counts = {"issued": 0, "repriced": 0, "reminded": 0, "suspended": 0, "terminated": 0}
    if total:
        with Progress(N_("Renewals"), total=total) as report.progress:
            issue_due(today, report)
            attend_open_renewals(today, dunning=True, report=report)
        counts.update({key: report.counts[key] for key in counts})
    if report.failures:
        raise RenewalsFailed(report.failures)
    return counts
