"""Browser (Polish): staff add a service by hand and its renewal follows on time; a proforma with free
lines; a customer's cancellation request that staff approve."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from core import clock, db
from core.models import Document, Service
from core.renewals.plugin import run_renewals
from core.services.models import CancellationRequest
from core.testing.factories import PASSWORD, Factories


def staff_page(browser: Browser, live_server: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/admin/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()
    return page


def customer_login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()


@pytest.fixture
def shop(sqlite_app):
    clock.freeze("2026-03-16T12:00:00")
    make = Factories()
    make.seller()
    customer = make.customer("ala@example.test", billing="company", language="pl")
    product = make.product("Hosting Pro", prices={"monthly": "100.00"})
    make.staff("kasia@example.test", role="billing")
    return make, customer, product


@pytest.mark.browser
def test_staff_add_a_service_by_hand_and_the_renewal_proforma_follows_on_time(
    shop, page: Page, browser: Browser, live_server: str
) -> None:
    _make, customer, product = shop
    staff = staff_page(browser, live_server, "kasia@example.test")
    staff.goto(f"{live_server}/admin/customers/{customer.id}")
    staff.get_by_test_id("add-service").click()
    expect(staff.locator("h1")).to_have_text("Dodaj usługę")
    staff.select_option("#product", str(product.id))
    staff.select_option("#cycle", "monthly")
    staff.fill("#label", "example.pl")
    staff.fill("#next_due", "2026-03-01")  # in the past: refused, the form keeps what was typed
    staff.get_by_test_id("service-new-submit").click()
    expect(staff.locator("#next_due-error")).to_have_text("Następna płatność nie może przypadać w przeszłości.")
    expect(staff.locator("#label")).to_have_value("example.pl")
    staff.fill("#next_due", "2026-04-30")
    staff.get_by_test_id("service-new-submit").click()
    expect(staff.locator(".flash-success")).to_contain_text("nie wystawiono żadnego dokumentu")
    with db.connection():
        service = Service.get(Service.label == "example.pl")
        assert (service.next_due, service.status) == (date(2026, 4, 30), "active")
        # the renewal cron, hourly: nothing 15 days ahead, the proforma 14 days ahead
        clock.freeze("2026-04-15T10:00:00")
        assert run_renewals()["issued"] == 0
        clock.freeze("2026-04-16T10:00:00")
        assert run_renewals()["issued"] == 1
        renewal = Document.get((Document.purpose == "renewal") & (Document.purpose_ref == service.id))
        assert renewal.due_date == date(2026, 4, 30)
    customer_login(page, live_server, "ala@example.test")
    page.goto(f"{live_server}/services/{service.id}")
    expect(page.get_by_test_id("renewal-notice")).to_contain_text(renewal.number)
    staff = staff_page(browser, live_server, "kasia@example.test")  # a month later: a new session
    staff.goto(f"{live_server}/admin/customers/{customer.id}")
    expect(staff.get_by_role("link", name=renewal.number)).to_be_visible()


@pytest.mark.browser
def test_staff_issue_a_proforma_with_free_lines(shop, browser: Browser, live_server: str) -> None:
    _make, customer, _product = shop
    staff = staff_page(browser, live_server, "kasia@example.test")
    staff.goto(f"{live_server}/admin/customers/{customer.id}")
    staff.get_by_test_id("new-proforma").click()
    staff.fill("#line1_description", "Migracja sklepu")
    staff.fill("#line1_quantity", "3")
    staff.fill("#line1_unit", "godz.")
    staff.fill("#line1_unit_net", "120,505")
    staff.fill("#line2_description", "Szkolenie")
    staff.fill("#line2_unit_net", "100.00")
    staff.select_option("#line2_vat_rate", "8")
    staff.get_by_test_id("document-new-submit").click()
    expect(staff.locator("#line1_unit_net-error")).to_contain_text("z dokładnością do grosza")
    expect(staff.locator("#line1_description")).to_have_value("Migracja sklepu")
    staff.fill("#line1_unit_net", "120,50")  # a Polish decimal comma is fine
    staff.get_by_test_id("document-new-submit").click()
    expect(staff.locator(".flash-success")).to_contain_text("Wystawiono proformę")
    with db.connection():
        document = Document.get(Document.kind == "proforma")
    # 361.50 + 83.15 VAT (23%), 100.00 + 8.00 VAT (8%)
    assert str(document.total_gross) == "552.65"
    expect(staff.locator("h1")).to_contain_text(document.number)
    expect(staff.get_by_test_id("admin-doc-due")).to_contain_text("552,65")


@pytest.mark.browser
def test_a_customer_asks_to_cancel_and_staff_approve(shop, page: Page, browser: Browser, live_server: str) -> None:
    make, customer, product = shop
    service = make.service(customer, product, start=date(2026, 3, 1), label="sklep.pl")
    customer_login(page, live_server, "ala@example.test")
    page.goto(f"{live_server}/services/{service.id}")
    card = page.get_by_test_id("cancellation-card")
    expect(card).to_contain_text("Z końcem opłaconego okresu")
    page.fill("#cancel-reason", "Przenoszę sklep")
    page.get_by_test_id("request-cancellation").click()
    expect(page.get_by_test_id("confirm-step")).to_contain_text("działa do końca opłaconego okresu")
    page.get_by_test_id("confirm-yes").click()
    expect(page.locator(".flash-success")).to_contain_text("Twoja rezygnacja została zgłoszona")
    expect(page.get_by_test_id("cancellation-state")).to_contain_text("z końcem opłaconego okresu")
    with db.connection():
        request = CancellationRequest.get()
        assert (request.reason, request.ends_on) == ("Przenoszę sklep", date(2026, 4, 1))
    staff = staff_page(browser, live_server, "kasia@example.test")
    staff.goto(f"{live_server}/admin/cancellations")
    row = staff.get_by_test_id(f"cancellation-{request.id}")
    expect(row).to_contain_text("sklep.pl")
    expect(row).to_contain_text("Czeka na decyzję")
    staff.get_by_test_id(f"approve-{request.id}").click()
    staff.get_by_test_id("confirm-yes").click()
    expect(staff.locator(".flash-success")).to_contain_text("Przyjęto")
    page.reload()
    expect(page.get_by_test_id("cancellation-state")).to_contain_text("została przyjęta")
    with db.connection():
        clock.freeze("2026-04-01T08:00:00")
        from core.services.cancellation import run_due_cancellations

        assert run_due_cancellations() == 1
        assert Service.get_by_id(service.id).status == "cancelled"
