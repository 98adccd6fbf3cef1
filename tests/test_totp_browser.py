"""End to end in chromium: a customer turns 2FA on from the page, logs in with a code, turns it off."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from core import clock
from tests.helpers import PASSWORD, make_customer


def submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").click()


@pytest.mark.browser
def test_customer_turns_2fa_on_logs_in_with_a_code_and_turns_it_off(page: Page, live_server: str) -> None:
    clock.freeze("2026-03-16T12:00:00")
    make_customer("ala@example.test")

    page.goto(f"{live_server}/login")
    page.fill("#email", "ala@example.test")
    page.fill("#password", PASSWORD)
    submit(page, "main form")
    expect(page).to_have_url(f"{live_server}/")

    page.goto(f"{live_server}/security")
    page.locator("[data-testid=totp-card] a").click()
    expect(page).to_have_url(f"{live_server}/security/2fa")
    submit(page, "form[action$='/security/2fa/start']")
    expect(page).to_have_url(f"{live_server}/security/2fa/setup")
    expect(page.locator(".qr img")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert page.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0")  # CSP let it render
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.at(clock.now()))
    submit(page, "main form")
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)

    submit(page, "form[action='/logout']")
    expect(page).to_have_url(f"{live_server}/login")
    page.fill("#email", "ala@example.test")
    page.fill("#password", PASSWORD)
    submit(page, "main form")
    expect(page).to_have_url(f"{live_server}/login/2fa")
    page.goto(f"{live_server}/invoices")
    expect(page).to_have_url(f"{live_server}/login/2fa")  # nothing else until the code
    clock.advance(timedelta(seconds=30))
    page.fill("#code", totp.at(clock.now()))
    submit(page, "main form[method=post]:not([action])")
    expect(page).to_have_url(f"{live_server}/")

    page.goto(f"{live_server}/security/2fa")
    clock.advance(timedelta(seconds=30))
    page.fill("#disable-code", totp.at(clock.now()))
    page.fill("#disable-password", PASSWORD)
    submit(page, "form[action$='/security/2fa/disable']")
    expect(page).to_have_url(f"{live_server}/security/2fa")
    expect(page.locator("form[action$='/security/2fa/disable']")).to_have_count(0)
    expect(page.locator("form[action$='/security/2fa/start']")).to_have_count(1)
