"""A plugin's refusal (``HookRefused``) is a message to the person, never a 500 and never a login.

Every hook whose spec says it may refuse is refused once by a drop-in plugin,
through the action a person takes in the browser that triggers it: the answer
is the page again with the plugin's message (4xx, or 200 after a redirect for
a button), and nothing of the event is in the database. The list of hooks comes
from the specs (:func:`core.hookdoc.refusable_hooks`), so a new refusable hook
fails here until it has an action. The API and the CLI answer a refusal their
own way: 422 JSON, and a message with exit status 1.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import clock, db
from core.hookdoc import refusable_hooks
from core.models import ActivityLog, Customer, Document, Product, Service, ServiceChange, Staff
from core.tickets import service as tickets
from core.tickets.models import Department
from tests.api_helpers import bearer, token_for
from tests.cli_helpers import run_hookbill
from tests.helpers import PASSWORD, csrf, login, make_customer, make_staff, post_form, staff_login
from tests.refusal_helpers import arm, changed_tables, database_state, message, write_refuser
from tests.ticket_helpers import make_department, open_ticket
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

T0 = "2026-03-16T12:00:00"


@pytest.fixture
def refused_hooks(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The hooks the refusing plugin implements: the test's ``hook`` parameter, or its ``refuses`` marker."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    if "hook" in params:
        return (params["hook"],)
    marker = request.node.get_closest_marker("refuses")
    return tuple(marker.args) if marker else ()


@pytest.fixture
def app_overrides(tmp_path: Path, refused_hooks: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The app loads the refusing drop-in plugin (written before the app is built)."""
    folder = tmp_path / "dropins"
    write_refuser(folder, *refused_hooks)
    return {"plugins": {"folder": str(folder)}}


@dataclass
class World:
    """A seller, a customer with billing data and a service that can change, staff, a department."""

    app: Flask
    alice: Customer
    svc: Service
    pro: Product
    staff: Staff
    department: Department

    def customer(self) -> FlaskClient:
        client = self.app.test_client()
        login(client, "alice@example.test")
        return client

    def admin(self) -> FlaskClient:
        client = self.app.test_client()
        staff_login(client, self.staff.email)
        return client


@pytest.fixture
def world(app: Flask) -> World:
    clock.freeze(T0)
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        billing_profile(alice)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    staff = make_staff()
    department = make_department()
    return World(app, alice, svc, pro, staff, department)


def _confirm(client: FlaskClient, w: World) -> Any:
    """Confirm the change Basic -> Pro from the summary page, as the browser does."""
    return client.post(
        f"/services/{w.svc.id}/change/confirm",
        data={
            "csrf_token": csrf(client, f"/services/{w.svc.id}/change"),
            "product": w.pro.id,
            "cycle": "monthly",
            "method": "banktransfer",
        },
        follow_redirects=True,
    )


def _reply(client: FlaskClient, ticket_id: int) -> Any:
    return post_form(
        client, f"/tickets/{ticket_id}/reply", {"body": "Jeszcze jedno pytanie."}, form_page=f"/tickets/{ticket_id}"
    )


def _open_ticket_as_alice(w: World) -> int:
    with db.connection():
        ticket = tickets.open_ticket(
            w.alice, department_id=w.department.id, subject="Pytanie", body="Dzień dobry.", priority="medium"
        )
    return int(ticket.id)


def _with_cart(client: FlaskClient) -> FlaskClient:
    """Put the basic package for example.pl in the customer's cart."""
    post_form(client, "/order/basic", {"cycle": "monthly", "domain": "example.pl"})
    return client


def _checkout(client: FlaskClient) -> Any:
    """Place the order from the checkout page with the customer's billing data unchanged."""
    billing = {
        "kind": "private",
        "name": "Ala Nowak",
        "address_line1": "ul. Długa 5",
        "postcode": "80-831",
        "city": "Gdańsk",
        "country": "PL",
    }
    return post_form(client, "/checkout", {**billing, "accept_terms": "1", "payment_method": "banktransfer"})


@dataclass(frozen=True)
class Trigger:
    """How a person causes the event: ``prepare`` (not refused) builds the situation, ``act`` is the action."""

    act: Callable[[World, Any], Any]
    prepare: Callable[[World], Any] = lambda w: None


#: For every refusable hook, the browser action that makes it run.
TRIGGERS: dict[str, Trigger] = {
    "on_customer_registered": Trigger(
        lambda w, _: post_form(
            w.app.test_client(),
            "/register",
            {"first_name": "Ola", "last_name": "Nowak", "email": "ola@example.test", "password": PASSWORD},
        )
    ),
    "on_customer_updated": Trigger(
        lambda w, c: post_form(c, "/profile", {"first_name": "Alicja", "last_name": "Nowak", "language": "pl"}),
        prepare=lambda w: w.customer(),
    ),
    "on_password_changed": Trigger(
        lambda w, c: post_form(
            c,
            "/profile/password",
            {"current_password": PASSWORD, "new_password": "another good password"},
            form_page="/profile",
        ),
        prepare=lambda w: w.customer(),
    ),
    "on_login": Trigger(lambda w, _: login(w.app.test_client(), "alice@example.test")),
    "on_upgrade_quote": Trigger(
        lambda w, c: c.get(f"/services/{w.svc.id}/change/summary?product={w.pro.id}&cycle=monthly"),
        prepare=lambda w: w.customer(),
    ),
    "on_invoice_issue": Trigger(lambda w, c: _confirm(c, w), prepare=lambda w: w.customer()),
    # the balance pays the whole proforma, so the change applies while confirming
    "on_service_changed": Trigger(
        lambda w, c: _confirm(c, w), prepare=lambda w: (give_balance(w.alice, "1000.00"), w.customer())[1]
    ),
    "on_service_status_changed": Trigger(
        lambda w, c: post_form(
            c,
            f"/admin/services/{w.svc.id}/status",
            {"status": "suspended", "reason": "test", "confirmed": "1"},
            form_page=f"/admin/customers/{w.alice.id}",
            follow_redirects=True,
        ),
        prepare=lambda w: w.admin(),
    ),
    # the customer asks to cancel the service, from its page
    "on_cancellation_requested": Trigger(
        lambda w, c: post_form(
            c,
            f"/services/{w.svc.id}/cancel",
            {"timing": "end_of_period", "reason": "", "confirmed": "1"},
            form_page=f"/services/{w.svc.id}",
            follow_redirects=True,
        ),
        prepare=lambda w: w.customer(),
    ),
    # the customer cancels a change waiting for payment: its proforma is cancelled
    "on_invoice_cancelled": Trigger(
        lambda w, c: c.post(
            f"/services/{w.svc.id}/change/{ServiceChange.get().id}/cancel",
            data={"csrf_token": csrf(c, f"/services/{w.svc.id}"), "confirmed": "1"},
            follow_redirects=True,
        ),
        prepare=lambda w: (_confirm(client := w.customer(), w), client)[1],
    ),
    # checkout with the basic package in the cart; a balance covering it creates the service while ordering
    "on_order_placed": Trigger(lambda w, c: _checkout(c), prepare=lambda w: _with_cart(w.customer())),
    "on_service_created": Trigger(
        lambda w, c: _checkout(c), prepare=lambda w: (give_balance(w.alice, "1000.00"), _with_cart(w.customer()))[1]
    ),
    "on_ticket_create": Trigger(lambda w, c: open_ticket(c, w.department), prepare=lambda w: w.customer()),
    "on_ticket_reply": Trigger(
        lambda w, c: _reply(c[0], c[1]), prepare=lambda w: (w.customer(), _open_ticket_as_alice(w))
    ),
    # a customer's reply moves the ticket to "customer reply"
    "on_ticket_status_change": Trigger(
        lambda w, c: _reply(c[0], c[1]), prepare=lambda w: (w.customer(), _open_ticket_as_alice(w))
    ),
}


@pytest.mark.parametrize("hook", refusable_hooks())
def test_every_refusable_hook_is_a_message_and_writes_nothing(world, hook):
    assert hook in TRIGGERS, f"{hook} may refuse (says its spec): add the browser action that triggers it"
    trigger = TRIGGERS[hook]
    prepared = trigger.prepare(world)
    before = database_state()
    arm(hook)
    response = trigger.act(world, prepared)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (200, 422), (hook, response.status_code)
    assert message(hook) in text, f"{hook}: the plugin's message is not on the page"
    assert changed_tables(before, database_state()) == [], f"{hook}: the refused event left rows behind"


# -- logging in ------------------------------------------------------------------------------------


def _is_logged_in(client: FlaskClient, home: str) -> bool:
    return client.get(home).status_code == 200


def _turn_on_totp(kind: str, account: Any) -> str:
    from plugins.totp import service as totp

    with db.connection():
        enrollment = totp.begin_enrollment(account, "127.0.0.1")
        secret = enrollment.secret
        totp.confirm_enrollment(account, pyotp.TOTP(secret).at(clock.now()), "127.0.0.1")
    return secret


@pytest.mark.refuses("on_login")
@pytest.mark.parametrize("kind", ["customer", "staff"])
@pytest.mark.parametrize("second_factor", [False, True], ids=["password", "password+2fa"])
def test_a_refused_login_logs_nobody_in(app, kind, second_factor):
    clock.freeze(T0)
    account = make_customer("ala@example.test") if kind == "customer" else make_staff("ala@example.test")
    home = "/" if kind == "customer" else "/admin/"
    secret = _turn_on_totp(kind, account) if second_factor else ""
    client = app.test_client()
    arm("on_login")
    response = (login if kind == "customer" else staff_login)(client, "ala@example.test")
    if second_factor:
        assert response.status_code == 302 and "/2fa" in response.location
        clock.freeze("2026-03-16T12:01:00")  # the next code: the one that confirmed 2FA is spent
        code = pyotp.TOTP(secret).at(clock.now())
        response = post_form(client, response.location, {"code": code}, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (200, 422) and message("on_login") in text
    assert 'name="password"' in text  # the login form again
    assert not _is_logged_in(client, home)
    with db.connection():
        assert not ActivityLog.select().where(ActivityLog.action == f"{kind}.login").exists()


@pytest.mark.refuses("on_login")
def test_the_login_form_keeps_the_email_after_a_refusal(app):
    make_customer("ala@example.test")
    client = app.test_client()
    arm("on_login")
    response = login(client, "ala@example.test")
    assert response.status_code == 422
    assert 'value="ala@example.test"' in response.get_data(as_text=True)
    # after the refusal the same browser can try again (its session and CSRF token still work)
    assert client.get("/").status_code == 302


# -- the README's example, and the two refusals the issue found -------------------------------------

README_PLUGIN = """
from core.hookspecs import hookimpl, HookRefused


@hookimpl
def on_customer_registered(customer):
    if customer.email.endswith("@spam.example"):
        raise HookRefused("Registration from this domain is not possible.")
"""


@pytest.fixture
def readme_app(sqlite_url, tmp_path, smtp_server):
    from tests.conftest import _build
    from tests.refusal_helpers import write_plugin

    folder = tmp_path / "readme"
    write_plugin(folder, "antispam", README_PLUGIN)
    yield from _build(sqlite_url, tmp_path, smtp_server.port, {"plugins": {"folder": str(folder)}})


def test_the_readme_example_refuses_a_registration_with_its_message(readme_app):
    client = readme_app.test_client()
    form = {"first_name": "Spam", "last_name": "Bot", "email": "bot@spam.example", "password": PASSWORD}
    response = post_form(client, "/register", form)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Registration from this domain is not possible." in text
    assert 'value="Spam"' in text and 'value="bot@spam.example"' in text  # the form keeps what was typed
    with db.connection():
        assert not Customer.select().exists()
    ok = post_form(client, "/register", {**form, "email": "ola@example.test"})
    assert ok.status_code == 302


@pytest.mark.refuses("on_upgrade_quote")
def test_a_refused_quote_in_the_browser_and_the_api(world):
    client = world.customer()
    raw = token_for(world.alice)
    arm("on_upgrade_quote")
    page = client.get(f"/services/{world.svc.id}/change/summary?product={world.pro.id}&cycle=monthly")
    assert page.status_code == 422
    assert message("on_upgrade_quote") in html.unescape(page.get_data(as_text=True))
    api = client.get(f"/api/v1/services/{world.svc.id}/quote?product={world.pro.id}&cycle=monthly", headers=bearer(raw))
    assert api.status_code == 422 and api.mimetype == "application/json"
    assert api.get_json()["error"] == "refused" and api.get_json()["detail"] == message("on_upgrade_quote")


@pytest.mark.refuses("on_upgrade_quote")
def test_a_quote_refused_when_the_customer_confirms_in_the_browser_and_the_api(world):
    """The summary was fine; when confirming, the plugin refuses: said once, nothing confirmed."""
    client = world.customer()
    raw = token_for(world.alice)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200  # the token's first use is written now
    summary = client.get(f"/services/{world.svc.id}/change/summary?product={world.pro.id}&cycle=monthly")
    assert summary.status_code == 200
    before = database_state()
    arm("on_upgrade_quote")
    page = _confirm(client, world)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and text.count(message("on_upgrade_quote")) == 1
    assert 'data-testid="option-pro"' in text  # the packages again, to choose another
    api = client.post(
        f"/api/v1/services/{world.svc.id}/change",
        data=json.dumps({"product": world.pro.id, "cycle": "monthly"}),
        headers={**bearer(raw), "Content-Type": "application/json"},
    )
    assert api.status_code == 422 and api.get_json() == {
        "error": "refused",
        "detail": message("on_upgrade_quote"),
        "status": 422,
    }
    assert changed_tables(before, database_state()) == []


@pytest.mark.refuses("on_invoice_issue")
def test_a_refused_proforma_while_confirming_in_the_browser_and_the_api(world):
    client = world.customer()
    raw = token_for(world.alice)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200  # the token's first use is written now
    before = database_state()
    arm("on_invoice_issue")
    page = _confirm(client, world)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and message("on_invoice_issue") in text
    assert "Pro" in text  # the summary again, to confirm later
    api = client.post(
        f"/api/v1/services/{world.svc.id}/change",
        data=json.dumps({"product": world.pro.id, "cycle": "monthly"}),
        headers={**bearer(raw), "Content-Type": "application/json"},
    )
    assert api.status_code == 422 and api.get_json() == {
        "error": "refused",
        "detail": message("on_invoice_issue"),
        "status": 422,
    }
    assert changed_tables(before, database_state()) == []
    with db.connection():
        assert not Document.select().exists() and not ServiceChange.select().exists()


@pytest.mark.refuses("on_customer_updated")
def test_a_refused_language_switch_keeps_the_language(world):
    client = world.customer()
    arm("on_customer_updated")
    token = csrf(client, "/profile")
    response = client.post(
        "/language/en", data={"csrf_token": token}, headers={"Referer": "/profile"}, follow_redirects=True
    )
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and message("on_customer_updated") in text
    assert 'lang="pl"' in text  # the page stays in Polish
    with db.connection():
        assert Customer.get_by_id(world.alice.id).language == "pl"


# -- the command line -------------------------------------------------------------------------------


def test_a_refusal_in_the_cli_is_a_message_and_exit_status_1(tmp_path):
    import sqlite3

    folder = tmp_path / "dropins"
    write_refuser(folder, "on_customer_registered")
    (folder / "refuser.py").write_text(
        (folder / "refuser.py").read_text().replace("ARMED: set[str] = set()", "ARMED = {'on_customer_registered'}"),
        encoding="utf-8",
    )
    run_hookbill(tmp_path, "migrate")
    result = run_hookbill(tmp_path, "demo-data", check=False, env={"HOOKBILL_PLUGINS_FOLDER": str(folder)})
    assert result.returncode == 1
    assert message("on_customer_registered") in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as database:
        assert database.execute("SELECT COUNT(*) FROM staff").fetchone() == (0,)  # the demo rolled back whole
