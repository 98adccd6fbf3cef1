"""A visitor who is not logged in writes no session row; a login does, and only while it lasts."""

from __future__ import annotations

from core import db
from core.models import WebSession
from core.web.sessions import COOKIE_NAME, VISITOR_COOKIE
from tests.helpers import csrf_from, login, make_customer, post_form


def rows() -> int:
    with db.connection():
        return WebSession.select().count()


def test_a_hundred_anonymous_views_of_the_login_form_write_no_session(app):
    for _ in range(50):
        assert app.test_client().get("/login").status_code == 200  # a new visitor each time
    same = app.test_client()
    for _ in range(50):
        assert same.get("/login").status_code == 200  # one visitor coming back with its cookie
    assert rows() == 0
    assert same.get_cookie(COOKIE_NAME) is None


def test_a_visitors_form_post_passes_csrf_and_shows_its_message_without_a_row(app):
    client = app.test_client()
    response = post_form(client, "/password/forgot", {"email": "nobody@example.test"})
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "wysłaliśmy" in page  # the flashed message travelled in the visitor cookie
    assert rows() == 0
    # Without the visitor cookie the token is not this browser's: refused.
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    stranger = app.test_client()
    assert stranger.post("/password/forgot", data={"email": "x@example.test", "csrf_token": token}).status_code == 400


def test_a_forged_visitor_cookie_is_ignored(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    forged = client.get_cookie(VISITOR_COOKIE).value[:-2] + "xx"
    client.set_cookie(VISITOR_COOKIE, forged)
    assert client.post("/password/forgot", data={"email": "x@example.test", "csrf_token": token}).status_code == 400


def test_a_visitors_language_choice_writes_no_row(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": csrf_from(page)}, headers={"Referer": "http://localhost/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)
    assert rows() == 0


def test_a_login_has_one_row_and_logout_removes_it_keeping_the_language(app):
    make_customer("ala@example.test")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": csrf_from(page)})
    assert login(client, "ala@example.test").status_code == 302
    assert rows() == 1
    logout_page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(logout_page)}).status_code == 302
    assert rows() == 0
    assert client.get_cookie(COOKIE_NAME) is None
    assert "Log in" in client.get("/login").get_data(as_text=True)  # the language stayed, in the visitor cookie
    assert rows() == 0
