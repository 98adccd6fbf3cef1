"""Accounts: sessions, revocation, reset tokens, CSRF, scoping, rate limits, registration."""

from __future__ import annotations

from datetime import timedelta

from core import clock, db, outbox
from core.accounts import service
from core.models import Customer, Service
from core.web.sessions import VISITOR_COOKIE
from tests.helpers import PASSWORD, csrf, login, make_customer, make_staff, post_form

COOKIE = "hookbill_session"


def cookie(client):
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def test_session_id_changes_on_login(app, client):
    make_customer("ala@example.test")
    client.get("/login")  # a visitor: the form's CSRF token travels in the signed visitor cookie
    assert cookie(client) is None
    visitor = client.get_cookie(VISITOR_COOKIE)
    assert visitor is not None
    assert login(client, "ala@example.test").status_code == 302
    first = cookie(client)
    assert first
    assert client.get_cookie(VISITOR_COOKIE) is None  # the visitor's data moved into the login's row
    # Logging in again renews the token: the one known before is worthless after it.
    assert login(client, "ala@example.test").status_code == 302
    second = cookie(client)
    assert second and second != first
    client.set_cookie(COOKIE, first)
    assert client.get("/").status_code == 302
    # The visitor cookie of before the login logs nobody in.
    other = app.test_client()
    other.set_cookie(VISITOR_COOKIE, visitor.value)
    assert other.get("/").status_code == 302


def test_logout_everywhere_revokes_other_sessions(app):
    make_customer("ala@example.test")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "ala@example.test")
    login(phone, "ala@example.test")
    assert phone.get("/").status_code == 200
    response = post_form(laptop, "/profile/logout-everywhere", {"confirmed": "1"}, form_page="/profile")
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_suspended_customer_is_logged_out_at_once(app):
    customer = make_customer("ala@example.test")
    staff = make_staff()
    browser = app.test_client()
    login(browser, "ala@example.test")
    assert browser.get("/").status_code == 200
    with db.connection():
        service.set_customer_status(Customer.get_by_id(customer.id), "suspended", staff)
    assert browser.get("/").headers["Location"].startswith("/login")
    assert login(browser, "ala@example.test").status_code == 401


def test_reset_token_works_once_and_expires(app, client, smtp_server):
    make_customer("ala@example.test")
    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    with db.connection():
        outbox.process()
    message = smtp_server.wait_for(lambda m: "reset" in m.text())
    token = message.text().split("/password/reset/")[1].split()[0]
    new = "a brand new password"
    assert post_form(client, f"/password/reset/{token}", {"password": new}).status_code == 302
    assert login(client, "ala@example.test", new).status_code == 302
    again = post_form(client, f"/password/reset/{token}", {"password": "another password 1"})
    assert again.headers["Location"].endswith("/password/forgot")
    # A fresh token expires after the configured minutes.
    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    with db.connection():
        outbox.process()
    later = smtp_server.wait_for(lambda m: "reset" in m.text() and token not in m.text())
    second = later.text().split("/password/reset/")[1].split()[0]
    clock.advance(timedelta(minutes=61))
    expired = post_form(client, f"/password/reset/{second}", {"password": "yet another password"})
    assert expired.headers["Location"].endswith("/password/forgot")
    assert login(client, "ala@example.test", new).status_code == 302


def test_post_without_csrf_token_is_rejected(client):
    make_customer("ala@example.test")
    response = client.post("/login", data={"email": "ala@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_customer_b_gets_404_on_customer_a_service(app):
    ala = make_customer("ala@example.test")
    make_customer("bob@example.test")
    from tests.catalogue import make_service

    with db.connection():
        own = make_service(ala)
    bob = app.test_client()
    login(bob, "bob@example.test")
    assert bob.get(f"/services/{own.id}").status_code == 404
    ala_client = app.test_client()
    login(ala_client, "ala@example.test")
    assert ala_client.get(f"/services/{own.id}").status_code == 200
    with db.connection():
        assert Service.select().count() == 1


def test_login_is_rate_limited_even_with_the_right_password(client):
    make_customer("ala@example.test")
    for _ in range(5):
        assert login(client, "ala@example.test", "wrong password!").status_code == 401
    assert login(client, "ala@example.test").status_code == 429


def test_registration_errors_rerender_and_keep_input(client):
    make_customer("taken@example.test")
    response = post_form(
        client,
        "/register",
        {"first_name": "Zenon", "last_name": "Źdźbło", "email": "taken@example.test", "password": "long enough pw"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Konto z tym adresem e-mail już istnieje." in page
    assert 'value="Źdźbło"' in page
    with db.connection():
        assert Customer.select().where(Customer.email == "taken@example.test").count() == 1


def test_registration_sends_verification_that_works_once(client, smtp_server):
    response = post_form(
        client,
        "/register",
        {"first_name": "Zenon", "last_name": "Nowak", "email": "zenon@example.test", "password": "long enough pw"},
    )
    assert response.status_code == 302
    with db.connection():
        outbox.process()
    message = smtp_server.wait_for(lambda m: "zenon@example.test" in m["To"])
    assert message["Subject"] == "Potwierdź adres e-mail"
    link = message.text().split("/verify/")[1].split()[0]
    client.get(f"/verify/{link}")
    with db.connection():
        assert Customer.get(Customer.email == "zenon@example.test").email_verified_at is not None
    page = client.get(f"/verify/{link}", follow_redirects=True).get_data(as_text=True)
    assert "nieprawidłowy lub wygasł" in page


def test_csrf_token_on_every_form(client):
    assert csrf(client, "/login")
    assert csrf(client, "/register")


def reset_link(smtp_server, exclude: tuple[str, ...] = ()) -> str:
    with db.connection():
        outbox.process()
    message = smtp_server.wait_for(
        lambda m: "/password/reset/" in m.text() and not any(old in m.text() for old in exclude)
    )
    return message.text().split("/password/reset/")[1].split()[0]


def test_an_older_reset_link_dies_when_a_newer_one_is_used_or_the_password_changes(app, client, smtp_server):
    make_customer("ala@example.test")
    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    older = reset_link(smtp_server)
    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    newer = reset_link(smtp_server, exclude=(older,))
    assert post_form(client, f"/password/reset/{newer}", {"password": "a brand new password"}).status_code == 302
    stale = post_form(client, f"/password/reset/{older}", {"password": "the attackers password"})
    assert stale.headers["Location"].endswith("/password/forgot")
    assert login(client, "ala@example.test", "a brand new password").status_code == 302

    post_form(client, "/password/forgot", {"email": "ala@example.test"})
    pending = reset_link(smtp_server, exclude=(older, newer))
    form = {"current_password": "a brand new password", "new_password": "changed by the owner"}
    assert post_form(client, "/profile/password", form, form_page="/profile").status_code == 302
    late = post_form(app.test_client(), f"/password/reset/{pending}", {"password": "the attackers password"})
    assert late.headers["Location"].endswith("/password/forgot")
    assert login(app.test_client(), "ala@example.test", "changed by the owner").status_code == 302
