"""In a real browser: actions that cannot be undone ask first, say what will happen, and
Cancel leaves everything as it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core import db
from core.tickets.models import Ticket
from tests.helpers import PASSWORD, make_customer
from tests.ticket_helpers import make_department

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()


def test_log_out_everywhere_asks_and_cancel_keeps_the_session(page: Page, live_server: str) -> None:
    customer = make_customer()
    log_in(page, live_server, customer.email)
    page.goto(f"{live_server}/profile")
    page.get_by_role("button", name="Wyloguj wszędzie").click()
    step = page.get_by_test_id("confirm-step")
    expect(step.get_by_role("heading", level=1)).to_have_text("Wylogować na wszystkich urządzeniach?")
    expect(step).to_contain_text("łącznie z tym")
    page.get_by_test_id("confirm-no").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dane konta")  # still logged in

    page.get_by_role("button", name="Wyloguj wszędzie").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.locator(".flashes")).to_contain_text("Wylogowano na wszystkich urządzeniach.")
    page.goto(f"{live_server}/profile")
    assert "/login" in page.url


def test_closing_a_ticket_asks_then_closes(page: Page, live_server: str) -> None:
    customer = make_customer()
    make_department()
    log_in(page, live_server, customer.email)
    page.goto(f"{live_server}/tickets/new")
    page.get_by_label("Temat").fill("Nie działa poczta")
    page.get_by_label("Wiadomość").fill("Dzień dobry, poczta nie odbiera wiadomości.")
    page.get_by_role("button", name="Wyślij").click()
    page.get_by_role("button", name="Zamknij zgłoszenie").click()
    step = page.get_by_test_id("confirm-step")
    expect(step).to_contain_text("odpowiedź otworzy je ponownie")
    with db.connection():
        assert Ticket.get().status == "open"
    page.get_by_test_id("confirm-yes").focus()
    expect(page.get_by_test_id("confirm-yes")).to_have_css("outline-style", "solid")  # a visible focus ring
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("zamknięte")
    with db.connection():
        assert Ticket.get().status == "closed"
