"""In a real browser: register, confirm the e-mail through real SMTP, log in, switch language; staff log in."""

from __future__ import annotations

import re

import pytest

from core import db, outbox
from tests.helpers import make_staff

pytestmark = pytest.mark.browser


def test_register_verify_login_and_switch_language(page, live_server, smtp_server):
    page.goto(f"{live_server}/register")
    page.get_by_label("Imię").fill("Zuzanna")
    page.get_by_label("Nazwisko").fill("Łęcka")
    page.get_by_label("E-mail").fill("zuzanna@example.test")
    page.get_by_label("Hasło").fill("bardzo tajne hasło")
    page.get_by_role("button", name="Załóż konto").click()
    assert "Sprawdź pocztę" in page.locator(".flashes").inner_text()

    with db.connection():
        outbox.process()
    message = smtp_server.wait_for(lambda m: m["To"] == "zuzanna@example.test")
    link = re.search(r"http://\S+/verify/\S+", message.text()).group(0)
    page.goto(link)
    assert "potwierdzony" in page.locator(".flashes").inner_text()

    page.get_by_label("E-mail").fill("zuzanna@example.test")
    page.get_by_label("Hasło").fill("bardzo tajne hasło")
    page.get_by_role("button", name="Zaloguj się").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Witaj, Zuzanna"
    assert page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Usługi").is_visible()

    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Zuzanna"
    assert page.get_by_role("link", name="Services").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_staff_log_in_to_the_admin_area(page, live_server):
    member = make_staff("anna@example.test", role="admin")
    page.goto(f"{live_server}/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("E-mail").fill(member.email)
    page.get_by_label("Hasło").fill("correct horse battery")
    page.get_by_role("button", name="Zaloguj się").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Pulpit"
    page.get_by_role("link", name="Klienci").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Klienci"
