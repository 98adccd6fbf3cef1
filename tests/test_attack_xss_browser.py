"""Stored XSS and template injection, in every text field, rendered in chromium: nothing runs.

The payload goes into every text a person can type: the world of
``tests/support/world.py`` is built with it (names, company and address,
ticket subjects and bodies, staff replies, product names and features, the
department, staff names, the bank, token names), and then every form the pages
show, as a visitor, the customer and the administrator, is submitted with it in
each of its text fields (so a field added tomorrow is covered). Then every page
of the client and admin areas is opened in chromium, with the Content Security
Policy bypassed so that escaping alone is what is tested: no dialog opens, no
element the payload would create exists, and ``{{7*7}}`` is never evaluated.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page

from tests.helpers import CSRF_RE, PASSWORD
from tests.support.forms import Form, crawl, valid_values
from tests.support.probe import send
from tests.support.world import (
    World,
    admin_client,
    app_rules,
    area_of,
    build_path,
    build_world,
    customer_client,
    methods_of,
    values_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOAD = "\"'><img src=x onerror=alert(1)>ZQ{{7*7}}<script>alert(2)</script>"
SHORT = "<img src=x onerror=alert(3)>"  # for fields of 40 characters or fewer
EVALUATED = "ZQ49"
PUBLIC = ("/login", "/register", "/password/forgot", "/admin/login")


def _pages(app: Flask, world: World, area: str) -> list[str]:
    """The paths of every GET route of ``area`` (A's objects)."""
    return [
        build_path(app, rule, values_for(world, rule))
        for rule in app_rules(app)
        if "GET" in methods_of(rule) and area_of(rule) == area
    ]


def _html_pages(client: FlaskClient, paths: list[str]) -> list[str]:
    """Those of ``paths`` that answer an HTML page to ``client`` (not a download)."""
    return [path for path in paths if send(client, "GET", path).mimetype == "text/html"]


def _submit(client: FlaskClient, form: Form, token_page: str) -> bool:
    """Post ``form`` with the payload in all its text fields, else in each one alone; True when one was taken."""
    fields = form.text_fields()
    base = valid_values(form, email="xss@example.test")
    attempts: list[dict[str, str]] = [dict.fromkeys(fields, PAYLOAD)] + [{name: PAYLOAD} for name in fields]
    attempts += [{name: SHORT} for name in fields]
    taken = False
    for changes in attempts:
        token = CSRF_RE.search(send(client, "GET", token_page).text)
        if token is None:
            return taken
        reply = send(client, "POST", form.action, data={**base, **changes, "csrf_token": token.group(1)})
        if reply.status in (302, 303):
            taken = True
            if len(changes) == len(fields):
                return True
    return taken


def _store_through_every_form(app: Flask, world: World) -> int:
    visitor, customer, staff = app.test_client(), customer_client(app, world.a), admin_client(app, world)
    forms: list[tuple[FlaskClient, Form]] = []
    for client, pages in (
        (visitor, PUBLIC),
        (customer, _pages(app, world, "client")),
        (staff, _pages(app, world, "admin")),
    ):
        forms += [(client, form) for form in crawl(client, pages).values() if form.text_fields()]
    taken = 0
    for client, form in forms:
        if "logout" in form.action or "/2fa" in form.action:
            continue  # no text to store there; a refused code would only lock the account
        taken += _submit(client, form, form.page)
    return taken


def _log_in(page: Page, base: str, path: str, email: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.url


def _visit(page: Page, url: str, dialogs: list[str]) -> dict[str, Any]:
    response = page.goto(url)
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return {"html": False}
    return {
        "html": True,
        "status": response.status,
        "injected": page.locator("img[src='x'], img[onerror]").count(),
        "scripts": page.evaluate("() => [...document.scripts].filter(s => s.text.includes('alert(')).length"),
        "evaluated": EVALUATED in page.content(),
        "shown": "onerror=alert(" in page.inner_text("body"),
        "dialogs": list(dialogs),
    }


def test_payloads_in_every_text_field_never_run(sqlite_app: Flask, live_server: str, browser: Browser) -> None:
    world = build_world(PAYLOAD)
    taken = _store_through_every_form(sqlite_app, world)
    pages = {
        "client": _html_pages(customer_client(sqlite_app, world.a), _pages(sqlite_app, world, "client")),
        "admin": _html_pages(admin_client(sqlite_app, world), _pages(sqlite_app, world, "admin")),
    }
    assert taken >= 15, taken  # forms took the payload; not just the world
    wrong: list[str] = []
    shown = 0
    for who, login_path, email, area in (
        ("customer", "/login", world.a.email, "client"),
        ("staff", "/admin/login", world.admin.email, "admin"),
    ):
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # noqa: B023
        try:
            _log_in(page, live_server, login_path, email)
            for path in pages[area]:
                seen = _visit(page, f"{live_server}{path}", dialogs)
                if not seen["html"]:
                    continue
                shown += seen["shown"]
                if seen["injected"] or seen["scripts"] or seen["evaluated"] or seen["dialogs"]:
                    wrong.append(f"{who} {path}: {seen}")
                dialogs.clear()
        finally:
            context.close()
    assert not wrong, "\n".join(wrong)
    assert shown >= 20, shown  # the payload is on the pages, as text
