"""A plugin's bug during a request: rolled back, a friendly page (JSON for the API and gateways), one log line
naming the plugin and the hook; in the CLI a message naming them and exit status 1."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core import clock, db
from core.config import load_config
from core.models import Customer, Document, Payment
from core.plugins import failed_in, make_plugin_manager
from core.web.errors import is_server_callback
from plugins.testgateway import sign
from tests.cli_helpers import run_hookbill
from tests.helpers import PASSWORD, login, make_customer, post_form
from tests.refusal_helpers import changed_tables, database_state, dropin, write_plugin
from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller

BROKEN = """
from core.hookspecs import hookimpl

ARMED: set[str] = set()


def _fail(hook):
    if hook in ARMED:
        raise RuntimeError("the broken plugin's bug")


@hookimpl
def on_customer_registered(customer):
    _fail("on_customer_registered")


@hookimpl
def on_payment(payment, document):
    _fail("on_payment")


@hookimpl
def on_upgrade_quote(quote):
    _fail("on_upgrade_quote")


@hookimpl
def hookbill_demo_data(config):
    _fail("hookbill_demo_data")
    return []
"""


@pytest.fixture
def app_overrides(tmp_path: Path) -> dict[str, dict[str, Any]]:
    folder = tmp_path / "dropins"
    write_plugin(folder, "broken", BROKEN)
    return {"plugins": {"folder": str(folder)}}


def break_hook(hook: str) -> None:
    dropin("broken").ARMED.add(hook)


def mend() -> None:
    dropin("broken").ARMED.clear()


def _plugin_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_plugin_bug_in_a_form_is_a_translated_page_one_log_line_and_nothing_written(app, caplog):
    client = app.test_client()
    before = database_state()
    break_hook("on_customer_registered")
    form = {"first_name": "Ola", "last_name": "Nowak", "email": "ola@example.test", "password": PASSWORD}
    response = post_form(client, "/register", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Błąd wewnętrzny" in text and "Spróbuj ponownie później" in text  # the page, in Polish
    assert "Traceback" not in text and "broken plugin's bug" not in text  # nothing internal on it
    errors = _plugin_lines(caplog)
    assert len(errors) == 1
    assert "POST /register: plugin 'broken' failed in hook on_customer_registered" in errors[0].getMessage()
    assert changed_tables(before, database_state()) == []
    mend()
    assert post_form(client, "/register", form).status_code == 302
    with db.connection():
        assert Customer.select().where(Customer.email == "ola@example.test").exists()


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        billing_profile(alice)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    return alice, svc, pro


@pytest.fixture
def proforma(shop):
    from core.upgrades.confirm import confirm_change

    alice, svc, pro = shop
    with db.connection():
        return confirm_change(alice.id, svc.id, pro.id, "monthly").document


def test_a_plugin_bug_in_a_gateway_callback_answers_500_json_so_the_gateway_retries(app, proforma, caplog):
    client = app.test_client()
    body = json.dumps(
        {
            "document_id": proforma.id,
            "transaction_id": "TG-500",
            "amount": str(proforma.total_gross),
            "currency": proforma.currency,
            "timestamp": int(clock.now().timestamp()),
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-Hookbill-Signature": sign(body)}
    break_hook("on_payment")
    failed = client.post("/pay/testgateway/callback", data=body, headers=headers)
    assert failed.status_code == 500 and failed.mimetype == "application/json"
    assert failed.get_json()["error"] == "internal"
    assert "plugin 'broken' failed in hook on_payment" in _plugin_lines(caplog)[0].getMessage()
    with db.connection():
        assert not Payment.select().exists()
        assert Document.get_by_id(proforma.id).status == "unpaid"
    mend()
    retried = client.post("/pay/testgateway/callback", data=body, headers=headers)
    assert retried.status_code == 200 and retried.get_json()["status"] == "recorded"


def test_a_plugin_bug_in_the_api_answers_500_json(app, shop):
    _alice, svc, pro = shop
    client = app.test_client()
    login(client, "alice@example.test")
    break_hook("on_upgrade_quote")
    response = client.get(f"/api/v1/services/{svc.id}/quote?product={pro.id}&cycle=monthly")
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert response.get_json()["error"] == "internal" and "Traceback" not in response.get_data(as_text=True)


def test_every_gateway_callback_answers_json(app):
    callbacks = [rule for rule in app.url_map.iter_rules() if "callback" in rule.rule]
    assert callbacks, "no gateway callback found (the test gateway has one)"
    for rule in callbacks:
        assert is_server_callback(app.view_functions[rule.endpoint]), f"{rule.rule}: mark it @server_callback"
    # A gateway names its notification URL as it likes (Przelewy24's urlStatus): every view another
    # server posts to without a CSRF token, the API's token-authenticated blueprint aside, is marked too.
    from core.app import csrf

    exempt = [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/")
        and "{0.__module__}.{0.__name__}".format(app.view_functions[rule.endpoint]) in csrf._exempt_views
    ]
    assert {"/pay/przelewy24/status", "/pay/przelewy24/refund-status"} <= {rule.rule for rule in exempt}
    for rule in exempt:
        assert is_server_callback(app.view_functions[rule.endpoint]), f"{rule.rule}: mark it @server_callback"


def test_a_plugin_bug_in_the_cli_names_the_plugin_and_the_hook(tmp_path):
    folder = tmp_path / "dropins"
    write_plugin(folder, "broken", BROKEN.replace("ARMED: set[str] = set()", "ARMED = {'hookbill_demo_data'}"))
    run_hookbill(tmp_path, "migrate")
    result = run_hookbill(tmp_path, "demo-data", check=False, env={"HOOKBILL_PLUGINS_FOLDER": str(folder)})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "Error: plugin 'broken' failed in hook hookbill_demo_data: RuntimeError: the broken plugin's bug"


def test_the_innermost_hook_is_named_when_one_hook_calls_another(tmp_path):
    folder = tmp_path / "dropins"
    write_plugin(
        folder,
        "outer",
        "from core.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def on_customer_registered(customer):\n"
        "    HOOK.on_customer_updated(customer=customer, changes={})\n",
    )
    write_plugin(
        folder,
        "inner",
        "from core.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def on_customer_updated(customer, changes):\n"
        "    raise KeyError('inner bug')\n",
    )
    config = load_config(
        overrides={"database": {"url": f"sqlite:///{tmp_path}/x.sqlite3"}, "plugins": {"folder": str(folder)}},
        environ={},
        use_files=False,
    )
    pm = make_plugin_manager(config)
    dropin("outer").HOOK = pm.hook
    with pytest.raises(KeyError) as caught:
        pm.hook.on_customer_registered(customer=None)
    fault = failed_in(caught.value)
    assert fault is not None and (fault.plugin, fault.hook) == ("inner", "on_customer_updated")
    assert "(raised in plugin 'inner', hook on_customer_updated)" in caught.value.__notes__
