"""Browser: a customer opens an encrypted ticket with an attachment; staff see it and reply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import db
from core.tickets.models import TicketAttachment, TicketMessage
from plugins.pgp import service as pgp
from tests.helpers import PASSWORD, make_customer, make_staff
from tests.ticket_helpers import make_department

pytest_plugins = ("tests.support.pgp_fixtures",)


@pytest.fixture
def app_overrides(keyring_home: Path) -> dict:
    return {"pgp": {"keyring_folder": str(keyring_home)}}


@pytest.fixture(autouse=True)
def _stop_agents(keyring_home: Path) -> Iterator[None]:
    yield
    pgp.close_keyrings()


@pytest.mark.browser
def test_encrypted_ticket_in_techniczny_and_staff_reply(
    live_server: str, page: Page, tmp_path: Path, department_key
) -> None:
    staff = make_staff()
    make_customer("ala@example.test")
    department = make_department(staff=staff)
    make_department("Rozliczenia", "rozliczenia")
    with db.connection():
        pgp.set_department_key(department, department_key.public, staff)
    screenshot = tmp_path / "blad.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 200)

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "ala@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.sidebar a[href='/tickets']")
    page.click("a[href='/tickets/new']")
    page.select_option("select[name=department_id]", label="Techniczny")
    page.fill("input[name=subject]", "Nie działa poczta")
    page.fill("textarea[name=body]", "Hasło do skrzynki: żółć-123")
    page.set_input_files("input[name=attachments]", str(screenshot))
    page.check("input[name=encrypt]")
    page.click("form button.button-primary")
    expect(page.locator("h1")).to_contain_text("Nie działa poczta")
    expect(page.locator("article.ticket-message")).to_contain_text("blad.png.asc")
    expect(page.locator("article.ticket-message .badge").first).to_be_visible()
    assert "żółć-123" not in page.content()
    with db.connection():
        assert TicketMessage.get().encrypted and TicketAttachment.get().encrypted

    page.context.clear_cookies()
    page.goto(f"{live_server}/admin/login")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/tickets")
    page.click("text=Nie działa poczta")
    expect(page.locator("article.ticket-message")).to_have_count(1)
    page.fill("textarea[name=body]", "Sprawdzamy, proszę czekać.")
    page.click("form button.button-primary >> nth=-1")
    expect(page.locator("article.ticket-message")).to_have_count(2)
    expect(page.locator("article.ticket-message").last).to_contain_text("Sprawdzamy, proszę czekać.")
