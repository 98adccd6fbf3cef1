"""One way in for every business operation: the admin pages, the CLI and the demo call the same services.

The catalogue (:mod:`core.catalogue.service`), account changes
(:mod:`core.accounts.service`) and staff accounts (:mod:`core.staff.service`)
each have one service with one set of rules; every endpoint of the customer API
lives in :mod:`core.api`; the domain layer never imports the web or API layer;
currency and language come from the configuration.
"""

from __future__ import annotations

import ast
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from core import clock, db
from core.hookspecs import hookimpl
from core.models import ActivityLog, Customer, Product, ProductPrice, Staff
from core.runtime import current
from tests.api_helpers import bearer, token_for
from tests.cli_helpers import run_hookbill
from tests.helpers import PASSWORD, csrf, login, make_customer, make_staff, post_form, staff_login
from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller

ROOT = Path(__file__).resolve().parent.parent

# -- the catalogue ------------------------------------------------------------------------------------


@pytest.fixture
def product_page(app):
    make_staff()
    with db.connection():
        item = product("start", "Start", {"monthly": "20.00"})
    client = app.test_client()
    staff_login(client, "staff@example.test")
    return client, item


@pytest.mark.parametrize("rate", ["22.5", "oo", "19", "23%", "abc"])
def test_a_vat_rate_documents_do_not_accept_is_refused(product_page, rate):
    client, item = product_page
    response = post_form(
        client,
        f"/admin/catalogue/products/{item.id}",
        {"name": "Start+", "vat_rate": rate, "price_monthly": "25.00", "active": "on"},
    )
    assert response.status_code == 422
    assert "VAT" in response.get_data(as_text=True)
    with db.connection():
        stored = Product.get_by_id(item.id)
        assert stored.vat_rate == "" and stored.name == "Start"  # nothing of the form was saved
        assert ProductPrice.get(ProductPrice.product == item).net_price == Decimal("20.00")


@pytest.mark.parametrize("rate", ["8", "zw", ""])
def test_a_rate_documents_accept_is_saved(product_page, rate):
    client, item = product_page
    response = post_form(
        client, f"/admin/catalogue/products/{item.id}", {"name": "Start", "vat_rate": rate, "price_monthly": "20.00"}
    )
    assert response.status_code == 302
    with db.connection():
        assert Product.get_by_id(item.id).vat_rate == rate


def test_an_unknown_provisioning_module_is_refused(product_page):
    client, item = product_page
    response = post_form(
        client, f"/admin/catalogue/products/{item.id}", {"name": "Start", "provisioning_module": "cpanel-typo"}
    )
    assert response.status_code == 422
    with db.connection():
        assert Product.get_by_id(item.id).provisioning_module == ""


def test_the_demo_makes_its_catalogue_staff_and_customers_through_the_services(conn):
    from core.demo import load_demo_data

    assert load_demo_data() is not None
    actions = [(e.action, e.details.get("via")) for e in ActivityLog.select().order_by(ActivityLog.id)]
    assert ("staff.created", "demo") in actions
    assert [a for a, _ in actions].count("catalogue.created") == 2 + 5  # two groups, five products
    assert [a for a, _ in actions].count("catalogue.product_updated") == 5
    assert [a for a, _ in actions].count("customer.registered") == 2
    assert Customer.select().where(Customer.email_verified_at.is_null()).count() == 0


# -- staff accounts -------------------------------------------------------------------------------------

LONG_RULE = {"security": {"password_min_length": 16}}


@pytest.fixture
def app_overrides(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    marker = request.node.get_closest_marker("app_config")
    return marker.args[0] if marker else {}


def _staff_form(password: str) -> dict[str, str]:
    return {"name": "Bartek", "email": "bartek@example.test", "role": "support", "password": password}


@pytest.mark.app_config(LONG_RULE)
def test_the_staff_page_follows_the_password_rule(app):
    make_staff()
    client = app.test_client()
    staff_login(client, "staff@example.test")
    short = post_form(client, "/admin/staff", _staff_form("twelve chars"))  # 12 < 16
    assert short.status_code == 422
    with db.connection():
        assert not Staff.select().where(Staff.email == "bartek@example.test").exists()
    assert post_form(client, "/admin/staff", _staff_form("sixteen chars ok")).status_code == 302


def test_create_staff_in_the_cli_follows_the_same_rule(tmp_path):
    run_hookbill(tmp_path, "migrate")
    args = ("create-staff", "--email", "ewa@example.test", "--name", "Ewa", "--role", "billing")
    env = {"HOOKBILL_SECURITY_PASSWORD_MIN_LENGTH": "16"}
    short = run_hookbill(tmp_path, *args, "--password", "twelve chars", check=False, env=env)
    assert short.returncode == 1 and "The password is too short." in short.stderr
    assert "created staff" in run_hookbill(tmp_path, *args, "--password", "sixteen chars ok", env=env).stdout


def test_a_staff_member_cannot_switch_themselves_off(app):
    admin = make_staff()
    client = app.test_client()
    staff_login(client, admin.email)
    response = post_form(client, f"/admin/staff/{admin.id}/toggle", {}, form_page="/admin/staff", follow_redirects=True)
    assert response.status_code == 200
    with db.connection():
        assert Staff.get_by_id(admin.id).active


# -- account changes --------------------------------------------------------------------------------------


class Watcher:
    """Records what ``on_customer_updated`` is told."""

    def __init__(self) -> None:
        self.changes: list[dict[str, Any]] = []

    @hookimpl
    def on_customer_updated(self, customer: Any, changes: dict[str, Any]) -> None:
        self.changes.append(changes)


def test_the_language_switch_is_a_customer_update(app):
    make_customer("ala@example.test")
    client = app.test_client()
    login(client, "ala@example.test")
    watcher = Watcher()
    current().pm.register(watcher, name="watcher")
    response = client.post("/language/en", data={"csrf_token": csrf(client, "/profile")})
    assert response.status_code == 302
    assert watcher.changes == [{"language": ("pl", "en")}]
    with db.connection():
        assert Customer.get(Customer.email == "ala@example.test").language == "en"
        entry = ActivityLog.get(ActivityLog.action == "customer.profile_updated")
        assert entry.details == {"fields": ["language"]}


def test_the_profile_form_and_the_service_share_one_rule(app):
    make_customer("ala@example.test")
    client = app.test_client()
    login(client, "ala@example.test")
    response = post_form(client, "/profile", {"first_name": "Ala", "last_name": "Nowak", "language": "de"})
    assert response.status_code == 422  # a language the panel does not offer
    with db.connection():
        assert Customer.get(Customer.email == "ala@example.test").language == "pl"


# -- the API lives in core/api; the domain does not import the web --------------------------------------------


def test_every_api_endpoint_lives_in_core_api(app):
    endpoints = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert len(endpoints) > 10
    for rule in endpoints:
        module = app.view_functions[rule.endpoint].__module__
        assert module.startswith("core.api."), f"{rule.rule} is served by {module}"


DOMAIN_PACKAGES = ("accounts", "catalogue", "staff", "balance", "billing")
UPPER_LAYERS = ("core.api", "core.web", "flask", "flask_babel", "flask_wtf", "werkzeug")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_packages_do_not_import_the_web_or_the_api(package):
    for path in sorted((ROOT / "core" / package).rglob("*.py")):
        upward = {n for n in _imports(path) if any(n == u or n.startswith(u + ".") for u in UPPER_LAYERS)}
        assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


# -- currency and language come from the configuration ---------------------------------------------------------

ENGLISH_EUR = {"app": {"currency": "EUR", "language": "en", "languages": ["en", "pl"]}}


@pytest.mark.app_config(ENGLISH_EUR)
def test_the_api_states_the_configured_currency(app):
    customer = make_customer("ala@example.test")
    raw = token_for(customer)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["currency"] == "EUR"
    assert client.get("/api/v1/balance", headers=bearer(raw)).get_json()["currency"] == "EUR"


@pytest.mark.app_config(ENGLISH_EUR)
def test_new_accounts_get_the_configured_language(app):
    client = app.test_client()
    form = {"first_name": "Ola", "last_name": "Nowak", "email": "ola@example.test", "password": PASSWORD}
    assert post_form(client, "/register", form).status_code == 302
    with db.connection():
        assert Customer.get(Customer.email == "ola@example.test").language == "en"
        made = Customer.create(email="raw@example.test", password_hash="x")  # no language given: the config's
        assert made.language == "en"


@pytest.mark.app_config(ENGLISH_EUR)
def test_the_profile_offers_the_configured_languages_in_their_own_names(app):
    make_customer("ala@example.test", language="en")
    client = app.test_client()
    login(client, "ala@example.test")
    page = client.get("/profile").get_data(as_text=True)
    assert page.index('value="en">English') < page.index('value="pl">Polski')


@pytest.mark.app_config(ENGLISH_EUR)
def test_documents_are_written_in_the_configured_language(app):
    from core.documents.files import document_pdf
    from core.upgrades.confirm import confirm_change

    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ala@example.test", language="pl")
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document_pdf(proforma))).pages)
    assert proforma.currency == "EUR"
    assert "Seller" in text and "Sprzedawca" not in text
