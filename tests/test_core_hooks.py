"""The core calls its hooks at the right moments (a drop-in plugin records every call)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import db, outbox
from core.accounts import service as accounts
from core.cron import run_due
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Customer
from core.settings import get_setting
from tests.helpers import login, make_customer, make_staff, post_form
from tests.plugin_samples import recorder


@pytest.fixture
def app_overrides(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "recording.py").write_text("from tests.plugin_samples.recorder import *\n", encoding="utf-8")
    recorder.calls.clear()
    return {"plugins": {"folder": str(folder)}}


def called(name):
    return [kwargs for hook, kwargs in recorder.calls if hook == name]


def test_start_up_hooks_are_called(app):
    # hookbill_configure, hookbill_blueprints at create_app; hookbill_migrations by migrate.
    for name in ("hookbill_configure", "hookbill_blueprints", "hookbill_migrations"):
        assert called(name), name


def test_account_hooks_are_called(app, client):
    post_form(client, "/register", {"first_name": "Ola", "last_name": "Lis", "email": "ola@example.test",
                                    "password": "long enough pw"})
    assert called("on_customer_registered") == [{"email": "ola@example.test"}]
    make_customer("ala@example.test")
    login(client, "ala@example.test")
    assert called("login_second_factor") == [{"kind": "customer"}]
    assert called("on_login") == [{"kind": "customer"}]
    client.get("/")
    assert called("hookbill_client_menu")
    assert {c["name"] for c in called("hookbill_template_snippet")} >= {"head", "client_dashboard", "footer"}
    post_form(client, "/profile", {"first_name": "Alicja", "last_name": "Nowak", "phone": "", "language": "pl"})
    assert called("on_customer_updated")[-1]["changes"] == {"first_name": ("Ala", "Alicja")}
    post_form(client, "/logout", {}, form_page="/")
    assert called("on_logout") == [{"kind": "customer"}]


def test_staff_hooks_and_status_change(app):
    staff = make_staff()
    customer = make_customer()
    browser = app.test_client()
    post_form(browser, "/admin/login", {"email": staff.email, "password": "correct horse battery"})
    browser.get("/admin/")
    assert called("hookbill_admin_menu")
    with db.connection():
        accounts.set_customer_status(Customer.get_by_id(customer.id), "suspended", staff)
    assert called("on_customer_updated")[-1]["changes"] == {"status": ("active", "suspended")}


def test_invoice_issue_hook_runs_inside_the_issue(conn):
    customer = make_customer()
    with db.write_transaction():
        document = issue_document(customer, "vat", [LineInput("Hosting", Decimal(1), "szt.", Decimal("10.00"))])
    assert called("on_invoice_issue") == [{"number": document.number}]


def test_cron_outbox_and_settings_hooks(conn, smtp_server):
    assert set(run_due()) >= {"outbox", "prune-expired"}
    assert called("hookbill_cron_jobs") and called("hookbill_outbox_handlers")
    assert get_setting("nothing", "declared") is None
    assert called("hookbill_settings")
    assert outbox.pending_count() == 0
