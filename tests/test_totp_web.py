"""TOTP in the browser flow (test client): partial sessions, code form, management pages, staff."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp

from core import clock, db, outbox
from core.models import ActivityLog
from plugins.totp import service
from tests.helpers import (
    PASSWORD,
    csrf_from,
    login,
    make_customer,
    make_staff,
    post_form,
    staff_login,
)

T0 = "2026-03-16T12:00:00"
SECRET_RE = re.compile(r'data-testid="totp-secret"[^>]*>([^<]+)<')
CLIENT_PAGES = [
    "/",
    "/services",
    "/invoices",
    "/profile",
    "/security",
    "/security/2fa",
    "/services/1",
    "/security/2fa/setup",
]


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def turn_on_through_pages(client) -> tuple[str, list[str]]:
    """As a logged-in customer: Turn on, read the secret from the page, confirm. Returns (secret, codes)."""
    page = client.get("/security/2fa").get_data(as_text=True)
    response = client.post("/security/2fa/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/security/2fa/setup")
    setup = client.get("/security/2fa/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in setup
    secret = SECRET_RE.search(setup).group(1).replace(" ", "")
    done = client.post("/security/2fa/setup", data={"csrf_token": csrf_from(setup), "code": code_now(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def session_cookie(client) -> str:
    cookie = client.get_cookie("hookbill_session")
    return cookie.value if cookie else ""


def test_security_page_shows_status_and_turns_on(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    security = client.get("/security").get_data(as_text=True)
    assert 'data-testid="totp-card"' in security and "/security/2fa" in security
    secret, _ = turn_on_through_pages(client)
    assert len(secret) == 32
    status = client.get("/security/2fa").get_data(as_text=True)
    assert re.search(r'data-testid="totp-status">[^<]*(On|Wł)', status)


def test_no_client_page_between_password_and_code(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    secret, _ = turn_on_through_pages(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/security/2fa").get_data(as_text=True))})

    response = login(client, "ala@example.test")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/2fa")
    partial_cookie = session_cookie(client)
    for path in [*CLIENT_PAGES, "/admin/", "/admin/customers"]:
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/2fa"), path
    form = client.get("/login/2fa").get_data(as_text=True)
    for path in ["/profile", "/security/2fa/start", "/security/2fa/disable", "/profile/logout-everywhere"]:
        answer = client.post(path, data={"csrf_token": csrf_from(form), "first_name": "X"})
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/2fa"), path
    wrong = client.post("/login/2fa", data={"csrf_token": csrf_from(form), "code": "12345x"})
    assert wrong.status_code == 422
    assert client.get("/").status_code == 302

    clock.advance(timedelta(seconds=30))
    done = client.post("/login/2fa", data={"csrf_token": csrf_from(form), "code": code_now(secret)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    assert session_cookie(client) not in ("", partial_cookie)  # session id renewed
    assert client.get("/").status_code == 200
    with db.connection():
        assert ActivityLog.select().where(ActivityLog.action == "customer.login").count() == 2


def test_turning_on_ends_the_other_sessions(app):
    clock.freeze(T0)
    make_customer()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "ala@example.test")
    login(phone, "ala@example.test")
    assert phone.get("/").status_code == 200
    turn_on_through_pages(laptop)
    assert phone.get("/").status_code == 302  # logged in with the password alone: gone
    assert laptop.get("/").status_code == 200


def test_code_step_keeps_the_page_asked_for_before_login(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    secret, _ = turn_on_through_pages(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/security/2fa").get_data(as_text=True))})
    asked = client.get("/invoices")
    assert asked.headers["Location"].endswith("/login?next=/invoices")
    form = client.get("/login?next=/invoices").get_data(as_text=True)
    response = client.post(
        "/login?next=/invoices", data={"csrf_token": csrf_from(form), "email": "ala@example.test", "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/login/2fa")
    clock.advance(timedelta(seconds=30))
    code_form = client.get("/login/2fa").get_data(as_text=True)
    done = client.post("/login/2fa", data={"csrf_token": csrf_from(code_form), "code": code_now(secret)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/invoices")


def test_recovery_code_logs_in_once(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    _, codes = turn_on_through_pages(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/security").get_data(as_text=True))})
    login(client, "ala@example.test")
    used = post_form(client, "/login/2fa", {"code": codes[0]})
    assert used.status_code == 302 and client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    login(client, "ala@example.test")
    again = post_form(client, "/login/2fa", {"code": codes[0]})
    assert again.status_code == 422
    assert client.get("/").status_code == 302


def test_turn_off_needs_code_and_password(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    secret, _ = turn_on_through_pages(client)
    clock.advance(timedelta(seconds=30))
    bad = post_form(
        client,
        "/security/2fa/disable",
        {"disable-code": code_now(secret), "disable-password": "nope"},
        form_page="/security/2fa",
    )
    assert bad.status_code == 422
    page = client.get("/security/2fa").get_data(as_text=True)
    token = re.search(r'name="disable-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    ok = client.post(
        "/security/2fa/disable",
        data={"disable-csrf_token": token, "disable-code": code_now(secret), "disable-password": PASSWORD},
    )
    assert ok.status_code == 302
    with db.connection():
        customer = service.Customer.get()
        assert not service.is_enabled(customer)


def test_staff_reset_from_customer_page(client, smtp_server):
    clock.freeze(T0)
    customer = make_customer()
    with db.connection():
        secret = service.begin_enrollment(customer).secret
        service.confirm_enrollment(customer, code_now(secret))
    make_staff(role="support")
    staff_login(client, "staff@example.test")
    page = client.get(f"/admin/customers/{customer.id}").get_data(as_text=True)
    assert 'data-testid="totp-admin"' in page and f"/admin/customers/{customer.id}/2fa/reset" in page
    response = post_form(
        client,
        f"/admin/customers/{customer.id}/2fa/reset",
        {"confirmed": "1"},
        form_page=f"/admin/customers/{customer.id}",
    )
    assert response.status_code == 302
    with db.connection():
        assert not service.is_enabled(customer)
        assert ActivityLog.select().where(ActivityLog.action == "totp.staff_reset").count() == 1
        outbox.process()
    assert smtp_server.wait_for(lambda m: m["To"] == customer.email)


def test_code_form_answers_429_when_locked_and_half_login_expires(client):
    clock.freeze(T0)
    make_customer()
    login(client, "ala@example.test")
    secret, _ = turn_on_through_pages(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/security").get_data(as_text=True))})
    login(client, "ala@example.test")
    clock.advance(timedelta(seconds=30))
    wrong = "123456" if code_now(secret) != "123456" else "654321"
    statuses = [post_form(client, "/login/2fa", {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [422] * 5
    locked = post_form(client, "/login/2fa", {"code": code_now(secret)})
    assert locked.status_code == 429 and client.get("/").status_code == 302

    clock.advance(timedelta(minutes=11))  # past the 10 minutes a half login may last
    expired = client.get("/login/2fa")
    assert expired.status_code == 302 and expired.headers["Location"].endswith("/login")
    assert client.get("/").headers["Location"].startswith("/login?")  # logged out, not half-in
