"""Actions that cannot be undone ask first: nothing happens until the person confirms.

Each action is posted twice, as a browser without JavaScript would: first from
its button (the confirmation page answers, saying what will happen, and nothing
changed), then from the page's Confirm button (``confirmed=1``: it happens).
"""

from __future__ import annotations

import re
from datetime import date

import pyotp
import pytest

from core import clock, db
from core.models import Service, ServiceChange, WebSession
from core.tickets.models import Ticket
from plugins.totp import service as totp
from tests.helpers import csrf, login, make_customer, make_staff, post_form, staff_login
from tests.ticket_helpers import make_department, make_service, open_ticket
from tests.upgrade_helpers import link, product, service, setup_seller

CONFIRM_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)


def confirm_step(response):
    """The confirmation page's form: its action and its hidden fields."""
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="confirm-step"' in html and 'data-testid="confirm-no"' in html
    section = html[html.index('data-testid="confirm-step"') :]
    action, body = CONFIRM_FORM.search(section).groups()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    assert fields.pop("confirmed") == "1" and fields.pop("csrf_token")
    return html, action, fields


def cancel_link(html):
    return re.search(r'<a class="button" href="([^"]+)" data-testid="confirm-no"', html).group(1)


def test_log_out_everywhere_asks_first(app):
    customer = make_customer()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, customer.email)
    login(phone, customer.email)
    asked = post_form(laptop, "/profile/logout-everywhere", {}, form_page="/profile")
    html, action, fields = confirm_step(asked)
    assert "Wylogować na wszystkich urządzeniach?" in html and "łącznie z tym" in html
    assert cancel_link(html) == "/profile" and action == "/profile/logout-everywhere" and fields == {}
    with db.connection():
        assert WebSession.select().where(WebSession.user_id == customer.id).count() == 2
    assert phone.get("/").status_code == 200
    post_form(laptop, action, {"confirmed": "1"}, form_page="/profile")
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 302


def test_closing_a_ticket_asks_the_customer_first(sqlite_app):
    client = sqlite_app.test_client()
    make_customer()
    login(client, "ala@example.test")
    open_ticket(client, make_department())
    with db.connection():
        ticket = Ticket.get()
    path = f"/tickets/{ticket.id}"
    html, action, _fields = confirm_step(post_form(client, f"{path}/close", {}, form_page=path))
    assert f"Zamknąć zgłoszenie #{ticket.id}?" in html and "odpowiedź otworzy je ponownie" in html
    assert cancel_link(html) == path
    with db.connection():
        assert Ticket.get().status == "open"
    post_form(client, action, {"confirmed": "1"}, form_page=path)
    with db.connection():
        assert Ticket.get().status == "closed"


def test_closing_a_ticket_asks_staff_first_and_other_statuses_do_not(sqlite_app, smtp_server):
    customer_browser, staff_browser = sqlite_app.test_client(), sqlite_app.test_client()
    make_customer()
    login(customer_browser, "ala@example.test")
    member = make_staff(role="support")
    open_ticket(customer_browser, make_department(staff=member))
    with db.connection():
        ticket = Ticket.get()
    staff_login(staff_browser, member.email)
    path = f"/admin/tickets/{ticket.id}"
    assert post_form(staff_browser, f"{path}/status", {"status": "on_hold"}, form_page=path).status_code == 302
    html, action, fields = confirm_step(
        post_form(staff_browser, f"{path}/status", {"status": "closed"}, form_page=path)
    )
    assert "Klient dostanie e-mail" in html and fields == {"status": "closed"}
    with db.connection():
        assert Ticket.get().status == "on_hold"
    post_form(staff_browser, action, {**fields, "confirmed": "1"}, form_page=path)
    with db.connection():
        assert Ticket.get().status == "closed"


@pytest.mark.parametrize("status, words", [("suspended", "Zawiesić usługę"), ("terminated", "Tego nie da się cofnąć")])
def test_suspending_or_terminating_a_service_asks_first(app, status, words):
    customer = make_customer()
    svc = make_service(customer)
    browser = app.test_client()
    staff_login(browser, make_staff(role="support").email)
    page = f"/admin/customers/{customer.id}"
    asked = post_form(
        browser, f"/admin/services/{svc.id}/status", {"status": status, "reason": "nieopłacona"}, form_page=page
    )
    html, action, fields = confirm_step(asked)
    assert words in html and "zazolc.pl" in html and cancel_link(html) == page
    assert fields == {"status": status, "reason": "nieopłacona"}
    with db.connection():
        assert Service.get_by_id(svc.id).status == "active"
    post_form(browser, action, {**fields, "confirmed": "1"}, form_page=page)
    with db.connection():
        assert Service.get_by_id(svc.id).status == status


def test_unsuspending_needs_no_confirmation(app):
    customer = make_customer()
    svc = make_service(customer)
    with db.connection():
        Service.update(status="suspended").where(Service.id == svc.id).execute()
    browser = app.test_client()
    staff_login(browser, make_staff(role="support").email)
    page = f"/admin/customers/{customer.id}"
    assert (
        post_form(browser, f"/admin/services/{svc.id}/status", {"status": "active"}, form_page=page).status_code == 302
    )
    with db.connection():
        assert Service.get_by_id(svc.id).status == "active"


def test_cancelling_a_pending_change_asks_first(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        basic = product("basic", "Basic", {"monthly": "50.00"})
        start = product("start", "Start", {"monthly": "20.00"})
        link(basic, start)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    client = app.test_client()
    login(client, alice.email)
    token = csrf(client, f"/services/{svc.id}/change")
    client.post(
        f"/services/{svc.id}/change/confirm", data={"csrf_token": token, "product": start.id, "cycle": "monthly"}
    )
    with db.connection():
        change = ServiceChange.get()
    assert change.status == "scheduled"
    page = f"/services/{svc.id}/change"
    html, action, _ = confirm_step(post_form(client, f"{page}/{change.id}/cancel", {}, form_page=page))
    assert "Anulować zmianę na Start?" in html and "zachowa pakiet Basic" in html and cancel_link(html) == page
    with db.connection():
        assert ServiceChange.get_by_id(change.id).status == "scheduled"
    post_form(client, action, {"confirmed": "1"}, form_page=page)
    with db.connection():
        assert ServiceChange.get_by_id(change.id).status == "cancelled"


def test_staff_2fa_reset_asks_first(client):
    clock.freeze("2026-03-16T12:00:00")
    customer = make_customer()
    with db.connection():
        secret = totp.begin_enrollment(customer).secret
        totp.confirm_enrollment(customer, pyotp.TOTP(secret).at(clock.now()))
    staff_login(client, make_staff(role="support").email)
    page = f"/admin/customers/{customer.id}"
    html, action, _ = confirm_step(post_form(client, f"{page}/2fa/reset", {}, form_page=page))
    assert "Wyłączyć weryfikację dwuetapową klienta Ala Nowak?" in html and "dostanie o tym e-mail" in html
    with db.connection():
        assert totp.is_enabled(customer)
    post_form(client, action, {"confirmed": "1"}, form_page=page)
    with db.connection():
        assert not totp.is_enabled(customer)


def test_the_confirmation_page_is_in_the_readers_language(app):
    customer = make_customer(language="en")
    client = app.test_client()
    login(client, customer.email)
    html, _action, _fields = confirm_step(post_form(client, "/profile/logout-everywhere", {}, form_page="/profile"))
    assert "Log out on every device?" in html and ">Cancel</a>" in html
