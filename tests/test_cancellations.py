"""A customer cancels a service: no renewal after the request, staff approve or refuse, the end goes to provisioning."""

from __future__ import annotations

from datetime import date

import pytest

from core import db
from core.errors import Conflict, NotFound, ValidationError
from core.hookspecs import HookRefused, hookimpl
from core.models import ActivityLog, Document, Service
from core.renewals.issuing import issue_due_renewals
from core.services import cancellation
from core.services.models import CancellationRequest

PASSWORD = "correct horse battery"


@pytest.fixture
def world(app, hookbill_make, hookbill_clock):
    """A service 2026-03-01..04-01 and its renewal proforma issued on 03-18 (14 days ahead)."""
    hookbill_clock.freeze("2026-03-18T12:00:00")
    hookbill_make.seller()
    customer = hookbill_make.customer("ala@example.test")
    service = hookbill_make.service(customer, start=date(2026, 3, 1), label="ala.pl")
    staff = hookbill_make.staff("kasia@example.test", role="support")
    with db.connection():
        assert issue_due_renewals()["issued"] == 1
    return customer, service, staff


def renewals(service_id: int) -> list[str]:
    return [
        d.status
        for d in Document.select()
        .where((Document.purpose == "renewal") & (Document.purpose_ref == service_id))
        .order_by(Document.id)
    ]


def test_at_the_end_of_the_period_no_renewal_then_approved_then_terminated_on_the_day(
    world, hookbill_clock, hookbill_outbox, hookbill_mail
):
    customer, service, staff = world
    with db.connection():
        request = cancellation.request_cancellation(customer, service.id, "end_of_period", "Przenoszę się")
        assert request.ends_on == date(2026, 4, 1)
        assert renewals(service.id) == ["cancelled"]  # the open renewal proforma is withdrawn
        assert issue_due_renewals()["issued"] == 0  # and none is issued while the request is open
        with pytest.raises(Conflict):
            cancellation.request_cancellation(customer, service.id, "immediate")
        approved = cancellation.approve_cancellation(request.id, staff)
        assert approved.status == "approved" and Service.get_by_id(service.id).status == "active"
        assert cancellation.run_due_cancellations(date(2026, 3, 31)) == 0
        hookbill_clock.freeze("2026-04-01T01:00:00")
        assert cancellation.run_due_cancellations() == 1
        assert cancellation.run_due_cancellations() == 0  # once
        assert Service.get_by_id(service.id).status == "cancelled"
        assert CancellationRequest.get_by_id(request.id).status == "done"
    assert hookbill_outbox.pending("provisioning") == [{"service_id": service.id, "action": "terminate"}]
    hookbill_outbox.deliver()
    subjects = [m["Subject"] for m in hookbill_mail.messages]
    assert any("ala.pl" in s for s in subjects) and len(subjects) >= 3


def test_refused_the_withdrawn_renewal_is_issued_again_and_the_customer_reads_why(world, hookbill_outbox):
    customer, service, staff = world
    with db.connection():
        request = cancellation.request_cancellation(customer, service.id, "immediate")
        with pytest.raises(ValidationError) as missing:
            cancellation.refuse_cancellation(request.id, staff, "  ")
        assert "note" in missing.value.errors
        refused = cancellation.refuse_cancellation(request.id, staff, "Umowa na czas określony do 2027 r.")
        assert refused.status == "refused"
        assert renewals(service.id) == ["cancelled", "unpaid"]
        with pytest.raises(Conflict):
            cancellation.approve_cancellation(request.id, staff)
    mails = [m["body"] for m in hookbill_outbox.pending("mail")]
    assert any("Umowa na czas określony do 2027 r." in body for body in mails)


def test_immediate_approval_ends_the_service_at_once(world, hookbill_outbox):
    customer, service, staff = world
    with db.connection():
        request = cancellation.request_cancellation(customer, service.id, "immediate")
        assert cancellation.approve_cancellation(request.id, staff).status == "done"
        assert Service.get_by_id(service.id).status == "cancelled"
    assert hookbill_outbox.pending("provisioning") == [{"service_id": service.id, "action": "terminate"}]


def test_withdrawn_by_the_customer_it_renews_again(world):
    customer, service, _staff = world
    with db.connection():
        request = cancellation.request_cancellation(customer, service.id, "end_of_period")
        assert cancellation.withdraw_cancellation(customer, request.id).status == "withdrawn"
        assert renewals(service.id) == ["cancelled", "unpaid"]


@pytest.mark.parametrize("how", ["refused", "withdrawn"])
def test_a_request_closed_without_ending_the_service_is_decided_logged_and_renews(world, how):
    """Refused by staff or withdrawn by the customer: the same closing steps, each once."""
    customer, service, staff = world
    with db.connection():
        request = cancellation.request_cancellation(customer, service.id, "end_of_period")
        if how == "refused":
            cancellation.refuse_cancellation(request.id, staff, "Umowa do 2027 r.", ip="198.51.100.7")
        else:
            cancellation.withdraw_cancellation(customer, request.id, ip="198.51.100.7")
        stored = CancellationRequest.get_by_id(request.id)
        assert stored.status == how and stored.decided_at is not None
        by_staff = (staff.id, "Umowa do 2027 r.") if how == "refused" else (None, "")
        assert (stored.decided_by, stored.staff_note) == by_staff
        (renewal,) = Document.select().where((Document.purpose_ref == service.id) & (Document.status == "unpaid"))
        (log,) = ActivityLog.select().where(ActivityLog.action == f"service.cancellation_{how}")
        actor = ("staff", staff.id) if how == "refused" else ("customer", customer.id)
        assert (log.actor_kind, log.actor_id, log.subject_type, log.subject_id, log.ip) == (
            *actor,
            "service",
            service.id,
            "198.51.100.7",
        )
        assert log.details == {"request": request.id, "renewal": renewal.number}
        with pytest.raises(Conflict):  # closed: neither can happen again
            cancellation.withdraw_cancellation(customer, request.id)


def test_another_customers_service_is_not_found(world, hookbill_make):
    _customer, service, _staff = world
    other = hookbill_make.customer("ola@example.test")
    with db.connection():
        with pytest.raises(NotFound):
            cancellation.request_cancellation(other, service.id, "immediate")
        assert CancellationRequest.select().count() == 0


class MinimumTerm:
    """A plugin author's on_cancellation_requested: immediate cancellations are refused."""

    @hookimpl
    def on_cancellation_requested(self, service, request):
        if request.timing == "immediate":
            raise HookRefused("Umowa trwa do końca okresu.")


@pytest.mark.hookbill_plugins(MinimumTerm())
def test_a_plugin_refuses_a_cancellation_and_nothing_is_kept(world):
    customer, service, _staff = world
    with db.connection():
        with pytest.raises(HookRefused):
            cancellation.request_cancellation(customer, service.id, "immediate")
        assert CancellationRequest.select().count() == 0
        assert renewals(service.id) == ["unpaid"]  # the renewal proforma stays open
        assert cancellation.request_cancellation(customer, service.id, "end_of_period").status == "requested"


def test_the_pages_ask_first_scope_to_the_customer_and_list_for_staff(world, client, hookbill_make):
    customer, service, staff = world
    client.login(customer.email, PASSWORD)
    client.language("en", page="/")
    page = f"/services/{service.id}"
    assert 'data-testid="cancellation-card"' in client.get(page).get_data(as_text=True)
    asked = client.post_form(f"/services/{service.id}/cancel", {"timing": "end_of_period"}, form_page=page)
    assert asked.status_code == 200 and 'data-testid="confirm-step"' in asked.get_data(as_text=True)
    with db.connection():
        assert CancellationRequest.select().count() == 0  # asking is not doing
    done = client.post_form(
        f"/services/{service.id}/cancel",
        {"timing": "end_of_period", "confirmed": "1"},
        form_page=page,
        follow_redirects=True,
    )
    assert "Your cancellation request was sent." in done.get_data(as_text=True)
    # another customer's service answers 404
    other = hookbill_make.customer("ola@example.test")
    theirs = hookbill_make.service(other, label="ola.pl")
    assert client.post_form(f"/services/{theirs.id}/cancel", {"timing": "immediate"}, form_page=page).status_code == 404
    staff_client = client.application.test_client()
    staff_client.staff_login(staff.email, PASSWORD)
    staff_client.language("en", page="/admin/")
    listing = staff_client.get("/admin/cancellations").get_data(as_text=True)
    assert "ala.pl" in listing and "At the end of the paid period" in listing and "Waiting for a decision" in listing
    with db.connection():
        request = CancellationRequest.get()
    refused = staff_client.post_form(
        f"/admin/cancellations/{request.id}/refuse",
        {"note": ""},
        form_page="/admin/cancellations",
        follow_redirects=True,
    )
    assert "Say why: the customer reads it." in refused.get_data(as_text=True)
    assert staff_client.post("/admin/cancellations/1/approve", data={"confirmed": "1"}).status_code == 400  # no CSRF
