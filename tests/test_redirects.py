"""The panel sends a browser back only to its own pages: the language switch and ``next`` after login."""

from __future__ import annotations

import pytest

from core.web.redirects import back_to, local_path
from tests.helpers import csrf, make_customer, post_form

OFF_SITE = [
    "//evil.com",
    "//evil.com/login",
    "/\\evil.com",
    "/\\/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "https://evil.com/",
    "http:evil.com",
    "javascript:alert(1)",
    "evil.com",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_only_paths_of_this_site_are_local(target):
    assert local_path(target) is None


def test_local_paths_keep_their_query():
    assert local_path("/invoices?page=2") == "/invoices?page=2"
    assert back_to("http://panel.test/invoices?page=2", "panel.test", "/") == "/invoices?page=2"
    assert back_to("http://other.test/invoices", "panel.test", "/") == "/"


def switch_language(client, referrer: str):
    token = csrf(client, "/login")
    return client.post("/language/en", data={"csrf_token": token}, headers={"Referer": referrer})


@pytest.mark.parametrize(
    "referrer",
    [
        "http://localhost//evil.com",
        "http://localhost/\\evil.com",
        "//evil.com",
        "/\\evil.com",
        "https://evil.com/login",
        "javascript:alert(1)",
    ],
)
def test_the_language_switch_never_leaves_the_site(app, referrer):
    response = switch_language(app.test_client(), referrer)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert local_path(location) == location, location
    assert "evil" not in location


def test_the_language_switch_goes_back_to_the_page_it_was_used_on(app):
    response = switch_language(app.test_client(), "http://localhost/register?from=menu")
    assert response.headers["Location"] == "/register?from=menu"


@pytest.mark.parametrize("target", ["//evil.com", "/\\evil.com", "https://evil.com/", "/\n/evil.com"])
def test_next_after_login_is_local_only(app, target):
    make_customer("ala@example.test")
    client = app.test_client()
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ala@example.test", "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_after_login_keeps_a_page_of_the_site(app):
    make_customer("ala@example.test")
    client = app.test_client()
    response = post_form(
        client,
        "/login?next=/invoices",
        {"email": "ala@example.test", "password": "correct horse battery"},
        form_page="/login",
    )
    assert response.headers["Location"] == "/invoices"
