"""Issuing renewal proformas ahead of a service's next due date (the cron job's first step).

The way WHMCS and Blesta do it: ``billing.renewal_days_before`` days (default
14) before ``next_due`` the customer gets a proforma for the next period, due
on ``next_due`` itself (or today, when the job catches up late). Choices:

* **Which services.** ``active`` and ``suspended`` ones (a service suspended
  by staff is still billed, as in WHMCS); pending, terminated and cancelled
  ones are not.
* **The period.** ``[next_due, add_cycles(anchor, cycle, n + 1))`` where
  ``next_due = add_cycles(anchor, cycle, n)``: counted from the original anchor
  and clamped to the month's end (docs/billing.md rule 4), so anchor 31 Jan bills
  28 Feb..31 Mar, then 31 Mar..30 Apr. The line prints the period with its last
  day (``2026-02-28 – 2026-03-30``), the way a Polish invoice states "od – do".
* **A scheduled downgrade** (``ServiceChange`` ``scheduled`` for ``next_due``)
  is priced in: the renewal bills the new package, cycle and price, and the new
  period the change's frozen quote gives (``new_next_due``), which is exactly
  the period :func:`core.upgrades.apply.apply_change` sets when it applies the
  change on that day, so the two always agree.
* **The VAT rate** comes from :func:`core.documents.taxation.vat_rate_for`,
  the rule the upgrade quotes use (reverse charge, OSS, product rate).
* **Once per period.** ``service_renewal`` has a unique index on
  ``(service, period_start)``; the run issues due services in batches
  (:mod:`core.renewals.run`), each batch one write transaction under its
  customers' money locks, every service re-checked inside it, so two cron runs,
  or two nodes at once, issue one proforma. The row is written before
  ``on_invoice_issue``, so when the balance plugin pays the proforma in full on
  issue the payment hook already finds its period.
* **Staff credit** on the customer's balance is a discount on the renewal
  line (:func:`core.balance.credit.split_at_issue`), decided when the proforma
  is issued; deposits then pay it (``on_invoice_issue``).
* **Re-pricing.** While a renewal proforma is untouched (nothing paid), its
  terms (package, cycle, price, period, VAT rate) are compared with the
  service's current ones whenever one of them may have changed (the run looks at
  the renewals such a change marked, :mod:`core.renewals.schedule`); after an
  upgrade, a newly scheduled downgrade or a change of the buyer's country it is
  cancelled and a new one is issued for the same period; and so it is when staff
  credit granted after it was issued would take more off it (the cancelled one
  gives its discount back first). A proforma with money on it is never re-priced.
* **Cancellation.** A service whose customer asked to cancel it (a request
  ``requested`` or ``approved``, :mod:`core.services.cancellation`) gets no
  renewal: its open renewal proforma is cancelled when the request is made
  (:func:`withdraw_open_renewals`), and if staff refuse the request or the
  customer withdraws it, that period's proforma is issued again
  (:func:`reissue_withdrawn_renewal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core import activity, clock, db, runtime
from core.balance.credit import parts_of, split_at_issue, staff_credit_notes, taken_by
from core.billing.cycles import Cycle, period_containing
from core.billing.vat import require_grosz
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.documents.taxation import default_rate, vat_rate_for
from core.i18n import N_, document_text
from core.models import Document, Product, Service, ServiceChange
from core.renewals.models import ServiceRenewal
from core.renewals.schedule import Thresholds, next_step_on
from core.services.models import OPEN_CANCELLATION, CancellationRequest

UNIT = "usł."
BILLED_STATUSES = ("active", "suspended")
OPEN = ("unpaid", "partially_paid")
CYCLE_WORDS = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "semiannually": N_("semi-annual"),
    "annually": N_("annual"),
    "biennially": N_("two-year"),
    "triennially": N_("three-year"),
}


@dataclass(frozen=True)
class RenewalTerms:
    """What the renewal of a service's next period bills, and for which period."""

    product: Product
    cycle: str
    net: Decimal
    period_start: date
    period_end: date
    vat_rate: str
    change: ServiceChange | None = None

    @property
    def key(self) -> str:
        """A text that differs whenever the price of the renewal would differ."""
        return f"{self.product.id}:{self.cycle}:{self.net}:{self.period_end.isoformat()}:{self.vat_rate}"


def scheduled_change(service: Service) -> ServiceChange | None:
    """The change scheduled to apply on the service's next due date (still valid), if any."""
    return (
        ServiceChange.select()
        .where(
            (ServiceChange.service == service)
            & (ServiceChange.status == "scheduled")
            & (ServiceChange.apply_on == service.next_due)
            & (ServiceChange.service_version == service.version)
        )
        .order_by(ServiceChange.id.desc())
        .first()
    )


def renewal_terms(service: Service) -> RenewalTerms:
    """The terms of renewing ``service`` for the period starting at its ``next_due`` (module docstring)."""
    change = scheduled_change(service)
    product = Product.get_by_id(change.to_product_id) if change is not None else service.product
    return terms_from(service, change, vat_rate_for(product, service.customer_id), product)


def terms_from(service: Service, change: ServiceChange | None, vat_rate: str, product: Product) -> RenewalTerms:
    """The renewal terms of ``service`` given what was read for it: its scheduled ``change`` and its ``product``.

    ``product`` is the package renewed (the change's new one when there is a
    change) and ``vat_rate`` the rate selling it to the customer carries; the
    renewal run reads these for a whole batch at once.
    """
    if change is not None:
        quote = change.quote
        return RenewalTerms(
            product,
            change.to_cycle,
            Decimal(quote["new_price"]),
            service.next_due,
            date.fromisoformat(quote["new_next_due"]),
            vat_rate,
            change,
        )
    end = period_containing(service.anchor_date, Cycle(service.cycle), service.next_due)[1]
    return RenewalTerms(product, service.cycle, service.recurring_net, service.next_due, end, vat_rate)


def renewal_line(service: Service, terms: RenewalTerms) -> LineInput:
    """The proforma line, in the provider's document language.

    When a plugin says the price is a discounted one (a recurring promotion
    code, ``hookbill_renewal_list_price``), the line carries the price before
    the discount and the discount (rabat) on it, as the order's documents did;
    its net is the renewal's price either way.
    """
    name = f"{terms.product.name} ({service.label})" if service.label else terms.product.name
    text = document_text(
        N_("Renewal: %(product)s, %(cycle)s, %(start)s – %(end)s"),
        product=name,
        cycle=document_text(CYCLE_WORDS[terms.cycle]),
        start=terms.period_start.isoformat(),
        end=(terms.period_end - timedelta(days=1)).isoformat(),
    )
    listed = runtime.hooks().hookbill_renewal_list_price(
        service=service, product=terms.product, cycle=terms.cycle, net=terms.net
    )
    unit, discount = terms.net, Decimal("0.00")
    if listed is not None:
        require_grosz(listed, "the price hookbill_renewal_list_price returned")
        if listed > terms.net:
            unit, discount = listed, listed - terms.net
    return LineInput(
        text, Decimal(1), UNIT, unit, terms.vat_rate, base_rate=default_rate(terms.product), discount=discount
    )


def current_document(renewal: ServiceRenewal) -> Document | None:
    """The renewal's proforma, following staff re-issues (``superseded_by``) to the newest version."""
    document = Document.get_or_none(Document.id == renewal.document_id) if renewal.document_id else None
    while document is not None and document.superseded_by_id:
        document = Document.get_by_id(document.superseded_by_id)
    return document


def _issue(service: Service, terms: RenewalTerms, renewal: ServiceRenewal) -> Document:
    """Issue the proforma of an existing renewal row again (re-priced, or reissued after a withdrawn cancellation)."""
    renewal.document_id = None  # the payment hook finds a period being issued by its empty document id
    renewal.terms, renewal.change_id = terms.key, terms.change.id if terms.change else None
    renewal.period_end = terms.period_end
    renewal.next_step_on = None
    renewal.save()
    due = max(terms.period_start, clock.today())
    lines = [renewal_line(service, terms)]
    use = split_at_issue(service.customer, lines)
    document = issue_document(
        service.customer,
        "proforma",
        use.applied_to(lines),
        sale_date=terms.period_start,
        due_date=due,
        purpose="renewal",
        purpose_ref=service.id,
        notes=staff_credit_notes(use.discount),
        staff_credit=use.staff_credit,
    )
    renewal = ServiceRenewal.get_by_id(renewal.id)  # a payment on issue may have extended it
    if renewal.extended_at is None:
        renewal.next_step_on = next_step_on(renewal, due, clock.today(), Thresholds.configured())
    renewal.document_id = document.id
    renewal.save()
    activity.record(
        "renewal.issued",
        subject=service,
        customer_id=service.customer_id,
        document=document.number,
        period_start=terms.period_start.isoformat(),
        period_end=terms.period_end.isoformat(),
    )
    return document


def cancellation_requested(service_id: int) -> bool:
    """True while a request to cancel the service is open: it gets no renewal (module docstring)."""
    return bool(
        CancellationRequest.select()
        .where((CancellationRequest.service == service_id) & CancellationRequest.status.in_(OPEN_CANCELLATION))
        .exists()
    )


def withdraw_open_renewals(service_id: int, reason: str) -> list[Document]:
    """Cancel every open renewal proforma of the service (anything paid on one goes to the balance).

    Runs inside the caller's write transaction, with the customer's lock held;
    ``reason`` is the balance entry's text. Returns the cancelled proformas.
    """
    from core.upgrades.apply import release_document

    cancelled = []
    rows = ServiceRenewal.select().where(
        (ServiceRenewal.service == service_id)
        & ServiceRenewal.extended_at.is_null()
        & ServiceRenewal.document_id.is_null(False)
    )
    for row in rows:
        document = current_document(row)
        if document is not None and document.status in OPEN:
            release_document(document, "stale_payment", document_text(reason, number=document.number))
            cancelled.append(document)
    return cancelled


def reissue_withdrawn_renewal(service_id: int) -> Document | None:
    """Issue again the renewal of the service's next period whose proforma a cancellation request withdrew.

    Inside the caller's write transaction. Only when the period was billed and
    its proforma cancelled, unpaid (and not for a terminated service); the
    period's reminder and suspension steps start afresh. Returns the new proforma.
    """
    service = Service.get_by_id(service_id)
    renewal = ServiceRenewal.get_or_none(
        (ServiceRenewal.service == service) & (ServiceRenewal.period_start == service.next_due)
    )
    if service.status not in BILLED_STATUSES or renewal is None or renewal.extended_at is not None:
        return None
    document = current_document(renewal)
    if document is None or document.status != "cancelled":
        return None
    renewal.reminded_at = renewal.suspended_at = renewal.terminated_at = None
    return _issue(service, renewal_terms(service), renewal)


def issue_renewal(service_id: int) -> Document | None:
    """Issue the renewal proforma of the service's next period unless that period has one.

    A batch of one (:func:`core.renewals.run.issue_batch`): its own write
    transaction with the customer's lock; returns the new proforma, or None when
    the period was billed already (by this or another node) or the customer asked
    to cancel the service. A plugin's refusal or fault is raised.
    """
    from core.renewals.run import issue_batch

    issued = issue_batch([service_id], raise_failure=True)
    return issued[0] if issued else None


def reprice_renewal(renewal_id: int) -> Document | None:
    """Bring an open renewal proforma in line with its service (:func:`reprice`), in its own transaction.

    Takes the customer's lock, re-reads the renewal under it, and sets its next
    step's day (:mod:`core.renewals.schedule`) for the proforma it ends with.
    """
    with db.write_transaction():
        renewal = ServiceRenewal.get_by_id(renewal_id)
        db.lock_customer(Service.get_by_id(renewal.service_id).customer_id)
        renewal = ServiceRenewal.get_by_id(renewal_id)  # read again under the lock: another run may have moved it
        issued = reprice(renewal)
        reschedule(ServiceRenewal.get_by_id(renewal_id), clock.today())
        return issued


def reprice(renewal: ServiceRenewal) -> Document | None:
    """Bring an open renewal proforma in line with its service (module docstring); return a new one if issued.

    Inside the caller's write transaction, with the customer's lock held and
    ``renewal`` read under it. Untouched and priced on old terms: cancelled and
    issued again for the same period. Obsolete (the service was terminated, or
    its dates moved off this period, e.g. an upgrade to another cycle
    re-anchored it): cancelled, and anything paid on it goes to the balance, so
    dunning never acts on it. A renewal whose scheduled change applied first
    (``next_due`` is already its ``period_end``) is still owed and left alone.
    """
    from core.upgrades.apply import release_document

    service = Service.get_by_id(renewal.service_id)
    document = current_document(renewal)
    if document is None or document.status not in OPEN or renewal.extended_at:
        return None
    if service.status not in BILLED_STATUSES or service.next_due not in (renewal.period_start, renewal.period_end):
        release_document(
            document,
            "stale_payment",
            document_text(N_("%(number)s: the renewal is no longer due"), number=document.number),
        )
        activity.record(
            "renewal.cancelled",
            subject=service,
            customer_id=service.customer_id,
            document=document.number,
            status=service.status,
        )
        return None
    if service.next_due != renewal.period_start or document.status != "unpaid" or document.paid > 0:
        return None
    terms = renewal_terms(service)
    if terms.key == renewal.terms and not _more_credit(service, terms, document):
        return None
    release_document(
        document, "stale_payment", document_text(N_("%(number)s: renewal re-priced"), number=document.number)
    )
    return _issue(service, terms, renewal)


def reschedule(renewal: ServiceRenewal, today: date, *, looked_today: bool = False, closed_only: bool = False) -> None:
    """Set the renewal's next step's day from its state now (None once it is closed); inside the caller's transaction.

    ``looked_today``: the run has just taken whatever step was due
    (:func:`core.renewals.schedule.next_step_on`). ``closed_only``: change it
    only when the renewal is closed (a pass that took no dunning step leaves a
    step due today for the pass that does).
    """
    document = current_document(renewal)
    if renewal.extended_at or renewal.terminated_at or document is None or document.status not in OPEN:
        day = None
    elif closed_only:
        return
    else:
        day = next_step_on(renewal, document.due_date, today, Thresholds.configured(), looked_today=looked_today)
    if day != renewal.next_step_on:
        ServiceRenewal.update(next_step_on=day).where(ServiceRenewal.id == renewal.id).execute()
        renewal.next_step_on = day


def _more_credit(service: Service, terms: RenewalTerms, document: Document) -> bool:
    """True when the customer's staff credit would now take more off this renewal than its proforma has."""
    if parts_of(service.customer_id).staff_credit <= 0:
        return False
    use = split_at_issue(service.customer, [renewal_line(service, terms)], replacing=document)
    return use.staff_credit > taken_by(document)


def refresh_open_renewals(service_id: int) -> int:
    """Re-check every open renewal of a service (after a package change); return how many were re-issued."""
    rows = [
        r.id
        for r in ServiceRenewal.select(ServiceRenewal.id).where(
            (ServiceRenewal.service == service_id)
            & ServiceRenewal.extended_at.is_null()
            & ServiceRenewal.document_id.is_null(False)
        )
    ]
    return sum(reprice_renewal(row) is not None for row in rows)


def issue_due_renewals(today: date | None = None) -> dict[str, int]:
    """Cron: issue every renewal due within ``billing.renewal_days_before`` days; re-price changed ones.

    The renewal run without its dunning steps (:mod:`core.renewals.run`).
    """
    from core.renewals.run import attend_open_renewals, issue_due

    issued = issue_due(today)
    repriced = attend_open_renewals(today, dunning=False)["repriced"]
    return {"issued": issued, "repriced": repriced}
