"""At 390 px (a phone): every menu entry is on screen, and invoice amounts and statuses
are visible without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from core import db, outbox
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import PRIVATE, setup_seller, shop
from tests.helpers import PASSWORD, make_staff

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def documents_of_every_kind() -> str:
    """A customer with a paid proforma, its VAT invoice and an unpaid proforma; returns the e-mail."""
    with db.connection():
        setup_seller()
        customer, services, _basic, pro = shop(billing=PRIVATE, services=2)
        paid = confirm_change(customer.id, services[0].id, pro.id, "monthly", actor=customer).document
        record_payment("banktransfer", "BANK-1", paid.total_gross, paid)
        confirm_change(customer.id, services[1].id, pro.id, "monthly", actor=customer)
        outbox.process()
    return customer.email


def log_in(page: Page, base: str, path: str, email: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()


def on_screen(page: Page, locator) -> bool:
    """Whether the element is visible and lies within the viewport's width."""
    box = locator.bounding_box()
    return box is not None and locator.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_phone_menu_reaches_every_item_and_invoices_show_amounts_and_statuses(page: Page, live_server: str) -> None:
    email = documents_of_every_kind()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "/login", email)
    menu = page.get_by_role("navigation", name="Menu główne").get_by_role("link")
    names = menu.all_inner_texts()
    assert {"Dane konta", "Bezpieczeństwo", "Faktury", "Zgłoszenia i wiadomości"} <= set(names)
    for index in range(menu.count()):
        assert on_screen(page, menu.nth(index)), names[index]
    assert no_sideways_scroll(page)

    menu.get_by_text("Faktury", exact=True).click()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 3
    for index in range(rows.count()):
        row = rows.nth(index)
        amount = row.locator("td.num").first
        status = row.locator(".badge")
        assert "zł" in amount.inner_text() and on_screen(page, amount)
        assert status.inner_text() in ("Opłacona", "Nieopłacona") and on_screen(page, status)
        # Each value is named by its column, the way the table header names it on a wide screen.
        assert amount.get_attribute("data-label") == "Razem (brutto)"
    assert no_sideways_scroll(page)
    assert page.get_by_role("table").count() == 1  # still a table for screen readers

    menu.get_by_text("Bezpieczeństwo", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bezpieczeństwo"


def test_phone_admin_menu_reaches_every_item(page: Page, live_server: str) -> None:
    member = make_staff()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "/admin/login", member.email)
    menu = page.get_by_role("navigation", name="Menu obsługi").get_by_role("link")
    assert menu.count() >= 6
    for index in range(menu.count()):
        assert on_screen(page, menu.nth(index)), menu.nth(index).inner_text()
    assert no_sideways_scroll(page)


def test_wide_screens_keep_the_table(page: Page, live_server: str) -> None:
    email = documents_of_every_kind()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "/login", email)
    page.goto(f"{live_server}/invoices")
    assert page.locator("main table thead").is_visible()
    header = page.locator("main table thead th").first.bounding_box()
    first_cell = page.locator("main table tbody tr").first.locator("td").first.bounding_box()
    assert abs(header["x"] - first_cell["x"]) < 1  # columns under their headers, not cards
