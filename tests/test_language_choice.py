"""The language a visitor chooses is kept: through login (stored on the account) and logout."""

from __future__ import annotations

from core import db
from core.models import Customer
from tests.helpers import csrf, csrf_from, login, make_customer, make_staff, post_form, staff_login


def choose(client, lang, page="/login"):
    return client.post(f"/language/{lang}", data={"csrf_token": csrf(client, page)}, headers={"Referer": page})


def language_of(customer_id):
    with db.connection():
        return Customer.get_by_id(customer_id).language


def test_a_language_chosen_before_login_survives_login_and_is_stored(app):
    customer = make_customer(language="pl")
    client = app.test_client()
    choose(client, "en")
    assert "Log in to the client panel" in client.get("/login").get_data(as_text=True)
    assert login(client, customer.email).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Welcome, Ala" in page
    assert language_of(customer.id) == "en"


def test_logout_keeps_the_language(app):
    customer = make_customer(language="en")
    client = app.test_client()
    login(client, customer.email)
    assert "Welcome, Ala" in client.get("/").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in after and "You have been logged out." in after
    # The session is a new one: the old login is gone.
    assert client.get("/").status_code == 302


def test_without_a_choice_the_account_language_wins_and_is_kept(app):
    polish, english = make_customer("pl@example.test", language="pl"), make_customer("en@example.test", language="en")
    client = app.test_client()
    login(client, english.email)
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    # The next person on this browser did not choose: their own language applies, unchanged.
    login(client, polish.email)
    assert "Witaj, Ala" in client.get("/").get_data(as_text=True)
    assert language_of(polish.id) == "pl"


def test_staff_keep_the_language_chosen_on_the_login_page(app):
    member = make_staff()
    client = app.test_client()
    choose(client, "en", "/admin/login")
    assert staff_login(client, member.email).status_code == 302
    assert "<h1>Dashboard</h1>" in client.get("/admin/").get_data(as_text=True)


def test_logout_everywhere_keeps_the_language_of_this_browser(app):
    customer = make_customer(language="en")
    client = app.test_client()
    login(client, customer.email)
    post_form(client, "/profile/logout-everywhere", {"confirmed": "1"}, form_page="/profile")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
