"""Browser: the customer's path from the order page to a paid, active service (issue "Sell", done when 1 and 2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core import clock, db
from core.models import Service
from core.orders.models import Order
from tests.helpers import PASSWORD, make_staff
from tests.order_helpers import PRIVATE, buyer, package, promo, setup_seller


def _order_basic_for(page: Page, base: str, domain: str) -> None:
    page.goto(f"{base}/order")
    expect(page.get_by_test_id("package-basic")).to_contain_text("25 GB SSD")
    expect(page.get_by_test_id("package-basic")).to_contain_text("61,50")  # gross for a visitor (a consumer)
    page.get_by_test_id("order-basic").click()
    page.get_by_test_id("domain").fill("http://" + domain)
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("domain-error")).to_be_visible()  # not a hostname: said, nothing added
    page.get_by_test_id("domain").fill(domain)
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-item-0")).to_contain_text(domain)


@pytest.mark.browser
def test_a_visitor_orders_registers_as_a_company_uses_a_code_and_pays(page: Page, live_server: str) -> None:
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        package("basic", "Basic", {"monthly": "50.00"}, features=[["Dysk", "25 GB SSD"], ["Domeny", "5"]])
        promo("WIOSNA20")
        make_staff("szef@example.test")
    _order_basic_for(page, live_server, "example.pl")
    page.get_by_test_id("promo-code").fill("wiosna20")
    page.get_by_test_id("promo-apply").click()
    expect(page.get_by_test_id("item-discount")).to_contain_text("10,00")
    page.get_by_test_id("to-checkout").click()
    page.fill("#register-first_name", "Jan")
    page.fill("#register-last_name", "Kowalski")
    page.fill("#register-email", "jan@firma.test")
    page.fill("#register-password", PASSWORD)
    page.get_by_test_id("checkout-register").click()
    expect(page.get_by_test_id("cart-item-0")).to_contain_text("example.pl")  # the cart survived sign-up
    page.get_by_test_id("kind-company").check()
    page.fill("#name", "Firma Jana sp. z o.o.")
    page.fill("#tax_id", "526-025-02-74")
    page.fill("#address_line1", "ul. Prosta 1")
    page.fill("#postcode", "00-001")
    page.fill("#city", "Warszawa")
    expect(page.get_by_test_id("checkout-promo")).to_have_value("WIOSNA20")
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("place-order").click()
    expect(page.locator(".flash-error, .error").first).to_be_visible()  # the terms were not accepted
    page.get_by_test_id("accept-terms").check()
    expect(page.get_by_test_id("place-order")).to_have_text("Zamawiam z obowiązkiem zapłaty")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("gateway-amount")).to_contain_text("49,20")  # (50.00 - 10.00) + 23% VAT
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    with db.connection():
        order = Order.get()
        service = Service.get()
    assert (order.status, order.promo_code, service.status, service.label) == (
        "paid",
        "WIOSNA20",
        "active",
        "example.pl",
    )
    page.goto(f"{live_server}/orders/{order.id}")
    expect(page.get_by_test_id("order-service-status")).to_contain_text("Aktywna")
    page.get_by_test_id("order-document-vat").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    expect(page.get_by_test_id("document-number")).to_have_text(re.compile(r"^FV/2026/03/"))
    staff = page.context.browser.new_context().new_page()
    staff.goto(f"{live_server}/admin/login")
    staff.fill("#email", "szef@example.test")
    staff.fill("#password", PASSWORD)
    staff.locator("form button[type=submit]").first.click()
    staff.goto(f"{live_server}/admin/orders")
    expect(staff.get_by_test_id("order-row")).to_contain_text("Jan Kowalski")
    staff.get_by_test_id("order-row").get_by_role("link").first.click()
    expect(staff.get_by_test_id("admin-order-status")).to_contain_text("Opłacone")
    expect(staff.get_by_test_id("admin-order-promo")).to_have_text("WIOSNA20")


@pytest.mark.browser
def test_a_private_person_orders_with_the_early_start_request_and_withdraws(page: Page, live_server: str) -> None:
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        package("basic", "Basic", {"monthly": "50.00"}, features=[["Dysk", "25 GB SSD"], ["Domeny", "5"]])
        buyer("ola@example.test", PRIVATE)
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    _order_basic_for(page, live_server, "ola.pl")
    page.get_by_test_id("to-checkout").click()
    expect(page.get_by_test_id("cart-gross")).to_contain_text("61,50")
    page.get_by_test_id("accept-terms").check()
    page.get_by_test_id("early-start").check()
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    with db.connection():
        order = Order.get()
        assert order.early_start_at is not None and order.consumer
        assert Service.get().status == "active"
    page.goto(f"{live_server}/orders/{order.id}")
    expect(page.get_by_test_id("early-start-record")).to_be_visible()
    clock.freeze("2026-03-26T12:00:00")  # 10 of 31 days used
    page.reload()
    page.get_by_test_id("withdraw").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Odstąpiono")
    expect(page.get_by_test_id("order-document-correction")).to_be_visible()
    expect(page.get_by_test_id("order-service-status")).to_contain_text("Anulowana")
