"""The core calls its hooks at the right moments (a drop-in plugin records every call)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core import clock, db, outbox
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
    post_form(
        client,
        "/register",
        {"first_name": "Ola", "last_name": "Lis", "email": "ola@example.test", "password": "long enough pw"},
    )
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


def test_password_changes_are_told_how_they_happened(app, client):
    from core.accounts import tokens

    make_customer("ala@example.test")
    login(client, "ala@example.test")
    form = {"current_password": "correct horse battery", "new_password": "a new long password"}
    assert post_form(client, "/profile/password", form, form_page="/profile").status_code == 302
    with db.connection():
        customer = Customer.get(Customer.email == "ala@example.test")
        raw = tokens.issue("reset_password", "customer", customer.id, timedelta(minutes=5))
    accounts.reset_password(raw, "yet another password")
    assert called("on_password_changed") == [
        {"kind": "customer", "how": "changed"},
        {"kind": "customer", "how": "reset"},
    ]


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
    assert called("hookbill_seller_overrides") == [{"kind": "vat"}]


def test_seller_overrides_print_another_account_and_nothing_else(conn):
    from core.documents.issuing import snapshot_of
    from core.hookspecs import hookimpl
    from core.runtime import current
    from tests.upgrade_helpers import SELLER, setup_seller

    class OwnAccount:
        @hookimpl
        def hookbill_seller_overrides(self, customer, kind):
            return (
                {"bank_account": f"PL27 1140 2004 0000 3002 0135 {5380 + customer.id}"} if kind == "proforma" else None
            )

    class Rebrand:
        @hookimpl
        def hookbill_seller_overrides(self, customer, kind):
            return {"name": "Someone Else"}

    setup_seller()
    customer = make_customer()
    lines = [LineInput("Hosting", Decimal(1), "szt.", Decimal("10.00"))]
    current().pm.register(OwnAccount(), name="own-account")
    with db.write_transaction():
        proforma = issue_document(customer, "proforma", lines)
        invoice = issue_document(customer, "vat", lines)
    assert snapshot_of(proforma).seller.bank_account == f"PL27 1140 2004 0000 3002 0135 {5380 + customer.id}"
    assert snapshot_of(proforma).seller.name == SELLER["name"]
    assert snapshot_of(invoice).seller.bank_account == SELLER["bank_account"]
    current().pm.unregister(name="own-account")
    current().pm.register(Rebrand(), name="rebrand")
    with pytest.raises(RuntimeError, match="may only return"), db.write_transaction():
        issue_document(customer, "proforma", lines)


def test_cron_outbox_and_settings_hooks(conn, smtp_server):
    assert set(run_due()) >= {"outbox", "prune-expired"}
    assert called("hookbill_cron_jobs") and called("hookbill_outbox_handlers")
    assert get_setting("nothing", "declared") is None
    assert called("hookbill_settings")
    assert outbox.pending_count() == 0


def test_billing_hooks_run_in_the_payment_flow(conn, smtp_server):
    from datetime import date

    from core.billing_data.service import change_billing_data
    from core.documents.staff import correct_proforma
    from core.payments.methods import methods_for
    from core.payments.recording import record_payment
    from core.upgrades.confirm import confirm_change
    from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller

    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer()
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    from core.balance.ledger import staff_adjust

    staff = make_staff()
    staff_adjust(customer.id, "10.00", "goodwill", staff)
    assert called("on_balance_changed")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert called("on_upgrade_quote") and called("on_invoice_issue")
    assert called("hookbill_change_targets")[-1] == {"products": ["pro"]}  # the current package is not a target
    assert [m.code for m in methods_for(proforma)]
    assert called("hookbill_payment_methods")
    record_payment("banktransfer", "BANK-1", "21.73", proforma)
    for name in ("on_payment", "on_invoice_paid", "on_service_changed"):
        assert called(name), name
    outbox.process()
    assert called("hookbill_provisioning_modules")
    with db.write_transaction():
        second = issue_document(customer, "proforma", [LineInput("Domena", Decimal(1), "szt.", Decimal("40.00"))])
    fields = {"kind": "private", "name": "Ala Nowak-Kowalska", "address_line1": "ul. Długa 5"}
    change_billing_data(customer, {**fields, "postcode": "80-831", "city": "Gdańsk", "country": "PL"})
    correct_proforma(second.id, staff)
    assert called("on_invoice_cancelled")


def test_service_status_hook_can_refuse_and_queues_provisioning(conn):
    from core.errors import Conflict
    from core.hookspecs import HookRefused, hookimpl
    from core.models import ActivityLog, OutboxMessage, Service
    from core.runtime import current
    from core.service_status import set_service_status
    from tests.catalogue import make_service

    staff = make_staff()
    svc = make_service(make_customer())
    set_service_status(svc.id, "suspended", staff, reason="unpaid")
    assert called("on_service_status_changed")
    assert OutboxMessage.get(OutboxMessage.kind == "provisioning").payload == {
        "service_id": svc.id,
        "action": "suspend",
    }
    assert ActivityLog.get(ActivityLog.action == "service.status").details["reason"] == "unpaid"
    with pytest.raises(Conflict):
        set_service_status(svc.id, "pending", staff)

    class NoTermination:
        @hookimpl
        def on_service_status_changed(self, service, old_status, new_status):
            if new_status == "terminated":
                raise HookRefused("Backups first.")

    current().pm.register(NoTermination())
    with pytest.raises(HookRefused):
        set_service_status(svc.id, "terminated", staff)
    assert Service.get_by_id(svc.id).status == "suspended"
    assert OutboxMessage.select().where(OutboxMessage.kind == "provisioning").count() == 1


def test_a_failing_logout_hook_is_logged_and_the_logout_happens(app, caplog):
    from core.hookspecs import hookimpl
    from core.models import ActivityLog
    from core.runtime import current

    class Broken:
        @hookimpl
        def on_logout(self, account, kind):
            raise RuntimeError("plugin bug")

    make_customer("ala@example.test")
    client = app.test_client()
    login(client, "ala@example.test")
    current().pm.register(Broken(), name="broken")
    assert post_form(client, "/logout", {}, form_page="/").status_code == 302
    assert client.get("/").status_code == 302
    assert "on_logout failed, the logout goes on: plugin 'broken' failed in hook on_logout" in caplog.text
    with db.connection():
        assert ActivityLog.select().where(ActivityLog.action == "customer.logout").count() == 1


def test_logout_everywhere_calls_its_hook_and_a_failing_one_ends_nothing(app, caplog):
    from core.api.models import ApiToken
    from core.hookspecs import hookimpl
    from core.runtime import current
    from tests.api_helpers import token_for

    class Broken:
        @hookimpl
        def on_logout_everywhere(self, account, kind):
            raise RuntimeError("plugin bug")

    alice = make_customer("ala@example.test")
    token_for(alice)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "ala@example.test")
    login(phone, "ala@example.test")
    current().pm.register(Broken(), name="broken")
    failed = post_form(laptop, "/profile/logout-everywhere", {"confirmed": "1"}, form_page="/profile")
    assert failed.status_code == 500
    assert phone.get("/").status_code == 200  # nothing ended: the person sees the error and tries again
    with db.connection():
        assert ApiToken.get().revoked_at is None
    current().pm.unregister(name="broken")
    assert post_form(laptop, "/profile/logout-everywhere", {"confirmed": "1"}, form_page="/profile").status_code == 302
    assert phone.get("/").status_code == 302
    assert called("on_logout_everywhere") == [{"kind": "customer"}]
    with db.connection():
        assert ApiToken.get().revoked_reason == "logout_everywhere"


def test_demo_data_hook_runs_after_the_core_demo_and_again_on_a_second_run(conn):
    from core.demo import load_demo_data, load_plugin_demo_data

    assert load_demo_data() is not None
    load_plugin_demo_data()
    assert load_demo_data() is None  # already there: the plugins are still asked
    load_plugin_demo_data()
    assert len(called("hookbill_demo_data")) == 2
