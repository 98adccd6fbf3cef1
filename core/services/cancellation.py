"""A customer cancels a service: the request, staff's decision, and the end of the service.

The way WHMCS and Blesta do it, with staff in the loop:

1. **The customer asks** (:func:`request_cancellation`), in the panel, for one
   of two moments: ``end_of_period`` (the service runs to the end of the period
   paid for and ends on its next due date) or ``immediate`` (it ends as soon as
   staff approve). From then on the service gets **no renewal proforma**: an
   open one is cancelled at once (anything paid on it goes to the credit
   balance), and the renewal cron skips the service (:mod:`core.renewals.issuing`).
   ``on_cancellation_requested`` runs in the request's transaction; a plugin may
   refuse (a minimum term, say) and the customer reads its message.
2. **Staff decide** in the admin area's list of requests (:func:`requests_page`,
   a page at a time by keyset, the open ones oldest first): approve
   (:func:`approve_cancellation`) or refuse with a reason the customer reads
   (:func:`refuse_cancellation`). Either way the customer is mailed. A refused
   request, or one the customer withdraws while it is open
   (:func:`withdraw_cancellation`), lets renewals go on: the renewal proforma
   withdrawn for it is issued again.
3. **At the end** (an approved request whose day has come, at approval or from
   the hourly cron, :func:`run_due_cancellations`) the service moves to
   ``cancelled`` through :func:`core.service_status.set_service_status`, which
   queues the provisioning module's ``terminate`` in the outbox: the control
   panel is told after commit, with retries. The customer is mailed.

Nothing is refunded for the days a service ended early: the customer chose to
end it (a consumer's withdrawal within 14 days is a different right, with its
own refund). Staff may credit the balance by hand.

Each step runs in one write transaction under the customer's money lock and is
re-checked inside it, so a double click, two staff members, or two cron nodes
act once. Bad input and broken rules raise :class:`core.errors.DomainError`
subclasses with a message for the person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core import activity, clock, db, mail, runtime
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_
from core.keyset import Page, keyset_page
from core.models import Customer, Product, Service
from core.renewals.issuing import reissue_withdrawn_renewal, withdraw_open_renewals
from core.service_status import set_service_status
from core.services.models import (
    CANCELLATION_STATUSES,
    CANCELLATION_TIMINGS,
    OPEN_CANCELLATION,
    CancellationRequest,
)

#: Services a customer may ask to cancel.
CANCELLABLE = ("active", "suspended")
#: What a service ends as: the provisioning module terminates it (``core.service_status``).
ENDED_STATUS = "cancelled"
MAX_REASON = 1000
#: Requests on one page of staff's list.
PAGE_SIZE = 50


def open_request(service_id: int) -> CancellationRequest | None:
    """The service's request that is ``requested`` or ``approved``, if any."""
    return (
        CancellationRequest.select()
        .where((CancellationRequest.service == service_id) & CancellationRequest.status.in_(OPEN_CANCELLATION))
        .order_by(CancellationRequest.id.desc())
        .first()
    )


def requests_page(status: str, *, size: int = PAGE_SIZE, after: str | None = None, before: str | None = None) -> Page:
    """One page of staff's list of requests, each with its service, package and customer (no query per row).

    ``status`` ``open`` lists the requests that wait for a decision or for
    their day, oldest first (each status read by its index, merged); one of
    :data:`CANCELLATION_STATUSES` lists those, newest first; anything else
    lists every request, newest first. ``after`` / ``before`` are the
    cursors of :func:`core.keyset.keyset_page`.
    """
    query = (
        CancellationRequest.select(CancellationRequest, Service, Product, Customer)
        .join(Service, on=(CancellationRequest.service == Service.id))
        .join(Product, on=(Service.product == Product.id))
        .switch(CancellationRequest)
        .join(Customer, on=(CancellationRequest.customer == Customer.id))
    )
    keys = [CancellationRequest.id]
    if status == "open":
        each = (CancellationRequest.status, OPEN_CANCELLATION)
        return keyset_page(query, keys, size=size, after=after, before=before, each=each, ascending=True)
    if status in CANCELLATION_STATUSES:
        query = query.where(CancellationRequest.status == status)
    return keyset_page(query, keys, size=size, after=after, before=before)


def _mail(request: CancellationRequest, template: str) -> None:
    customer = Customer.get_by_id(request.customer_id)
    mail.queue_mail(
        customer.email,
        template,
        customer.language,
        dedupe_key=f"{template}:{request.id}",
        customer=customer,
        service=Service.get_by_id(request.service_id),
        request=request,
    )


def request_cancellation(
    customer: Customer, service_id: int, timing: str, reason: str = "", *, ip: str = ""
) -> CancellationRequest:
    """The customer asks to cancel their service ``service_id`` (module docstring, step 1); return the request.

    Raises NotFound for a service that is not the customer's, ValidationError
    for an unknown ``timing`` or a reason over 1000 characters, Conflict when
    the service cannot be cancelled (not active or suspended) or a request is
    open already, and a plugin's HookRefused, each leaving nothing behind.
    """
    if timing not in CANCELLATION_TIMINGS:
        raise ValidationError({"timing": N_("Choose when the service should end.")})
    reason = str(reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": N_("At most %(count)s characters.", count=MAX_REASON)})
    with db.write_transaction():
        db.lock_customer(customer.id)
        service = Service.get_or_none((Service.id == service_id) & (Service.customer == customer.id))
        if service is None:
            raise NotFound("service")
        if service.status not in CANCELLABLE:
            raise Conflict(N_("This service cannot be cancelled."), code="not_cancellable")
        if open_request(service.id) is not None:
            raise Conflict(N_("A cancellation of this service was already requested."), code="already_requested")
        withdrawn = withdraw_open_renewals(service.id, N_("%(number)s: the service is being cancelled"))
        request = CancellationRequest.create(
            service=service,
            customer=customer.id,
            timing=timing,
            reason=reason,
            ends_on=service.next_due if timing == "end_of_period" else clock.today(),
            requested_at=clock.utcnow(),
        )
        runtime.hooks().on_cancellation_requested(service=service, request=request)
        activity.record(
            "service.cancellation_requested",
            actor=customer,
            subject=service,
            ip=ip,
            request=request.id,
            timing=timing,
            ends_on=request.ends_on.isoformat(),
            withdrawn=",".join(d.number for d in withdrawn),
        )
        _mail(request, "cancellation_requested")
    return request


def _decide(request_id: int, statuses: tuple[str, ...]) -> CancellationRequest:
    """The request under its customer's lock, still in one of ``statuses`` (else Conflict)."""
    found = CancellationRequest.get_or_none(CancellationRequest.id == request_id)
    if found is None:
        raise NotFound("cancellation request")
    db.lock_customer(found.customer_id)
    request = CancellationRequest.get_by_id(request_id)  # re-read under the lock
    if request.status not in statuses:
        raise Conflict(N_("This request was already dealt with."), code="already_decided")
    return request


def _finish(request: CancellationRequest, actor: Any, ip: str = "") -> CancellationRequest:
    """End the service of an approved request (step 3); the request becomes ``done``."""
    service = Service.get_by_id(request.service_id)
    ended = service.status in CANCELLABLE
    if ended:
        set_service_status(service.id, ENDED_STATUS, actor, reason=f"cancellation request {request.id}", ip=ip)
    request.status = "done"
    request.done_at = clock.utcnow()
    request.save()
    activity.record(
        "service.cancellation_done", actor=actor, subject=service, ip=ip, request=request.id, ended=str(ended).lower()
    )
    if ended:
        _mail(request, "cancellation_done")
    return request


def approve_cancellation(request_id: int, staff: Any, note: str = "", *, ip: str = "") -> CancellationRequest:
    """Staff approve a ``requested`` cancellation; the service ends now when its day has come (step 2-3).

    The customer is mailed the day the service ends. Raises NotFound and
    Conflict (already decided, withdrawn or done).
    """
    with db.write_transaction():
        request = _decide(request_id, ("requested",))
        request.status = "approved"
        request.decided_at = clock.utcnow()
        request.decided_by = getattr(staff, "id", None)
        request.staff_note = str(note or "").strip()[:MAX_REASON]
        request.save()
        activity.record(
            "service.cancellation_approved",
            actor=staff,
            subject=Service.get_by_id(request.service_id),
            ip=ip,
            request=request.id,
            ends_on=request.ends_on.isoformat(),
        )
        _mail(request, "cancellation_approved")
        if request.ends_on <= clock.today():
            request = _finish(request, staff, ip)
    return request


def _close(request: CancellationRequest, status: str, actor: Any, ip: str) -> None:
    """Close an open ``request`` as ``status`` (``refused`` or ``withdrawn``) without ending its service.

    Saves it (with whatever the caller set on it) decided now, issues again the
    renewal proforma withdrawn when it was made, so renewals go on, and logs
    ``service.cancellation_<status>`` naming that proforma. Inside the caller's
    transaction, under the customer's lock (:func:`_decide`).
    """
    request.status = status
    request.decided_at = clock.utcnow()
    request.save()
    reissued = reissue_withdrawn_renewal(request.service_id)
    activity.record(
        f"service.cancellation_{status}",
        actor=actor,
        subject=Service.get_by_id(request.service_id),
        ip=ip,
        request=request.id,
        renewal=reissued.number if reissued else "",
    )


def refuse_cancellation(request_id: int, staff: Any, note: str, *, ip: str = "") -> CancellationRequest:
    """Staff refuse an open cancellation with ``note``, which the customer reads; renewals go on (step 2).

    Raises ValidationError without a note, NotFound, and Conflict for a request
    that is no longer open.
    """
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": N_("Say why: the customer reads it.")})
    with db.write_transaction():
        request = _decide(request_id, OPEN_CANCELLATION)
        request.decided_by = getattr(staff, "id", None)
        request.staff_note = note[:MAX_REASON]
        _close(request, "refused", staff, ip)
        _mail(request, "cancellation_refused")
    return request


def withdraw_cancellation(customer: Customer, request_id: int, *, ip: str = "") -> CancellationRequest:
    """The customer takes back their open request; the service renews again.

    Raises NotFound for another customer's request, Conflict for one no longer open.
    """
    with db.write_transaction():
        found = CancellationRequest.get_or_none(
            (CancellationRequest.id == request_id) & (CancellationRequest.customer == customer.id)
        )
        if found is None:
            raise NotFound("cancellation request")
        request = _decide(found.id, OPEN_CANCELLATION)
        _close(request, "withdrawn", customer, ip)
    return request


def run_due_cancellations(today: date | None = None) -> int:
    """Cron: end the service of every approved request whose day has come; return how many ended."""
    today = today or clock.today()
    due = [
        r.id
        for r in CancellationRequest.select(CancellationRequest.id)
        .where((CancellationRequest.status == "approved") & (CancellationRequest.ends_on <= today))
        .order_by(CancellationRequest.id)
    ]
    done = 0
    for request_id in due:
        with db.write_transaction():
            try:
                request = _decide(request_id, ("approved",))
            except Conflict:
                continue  # another node finished it
            _finish(request, None)
            done += 1
    return done
