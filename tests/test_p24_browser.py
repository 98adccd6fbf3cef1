"""Browser: an upgrade paid partly from the balance and partly with BLIK through the local Przelewy24,
then refunded by staff.

The local P24 (:mod:`tests.support.p24`) serves the payment page on its own
origin and sends its notification to the panel over HTTP, a moment after the
customer is back (``notify_delay``), so the return page first says the
payment is being confirmed and then, reloading itself, that it was received.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core import db
from core.documents.issuing import snapshot_of
from core.models import Document, Payment
from plugins.przelewy24.models import P24Refund
from tests.helpers import PASSWORD, make_staff
from tests.p24_helpers import proforma_for
from tests.support.p24 import FakeP24, p24_config


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24)}


@pytest.mark.browser
def test_blik_payment_through_p24_then_a_staff_refund(
    page: Page, browser: Browser, live_server: str, fake_p24: FakeP24
) -> None:
    _customer, proforma = proforma_for(balance="10.00")  # E2: 31.73, 10.00 from the balance
    fake_p24.notify_delay = 1.0
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server}/invoices/{proforma.id}")
    expect(page.get_by_test_id("doc-due")).to_contain_text("21,73")
    page.get_by_test_id("pay-przelewy24_blik").click()
    # P24's page, on P24's origin
    expect(page.get_by_test_id("p24-amount")).to_have_text("21,73 PLN")
    assert page.url.startswith(f"{fake_p24.url}/trnRequest/")
    page.get_by_test_id("p24-pay").click()
    # back with us before P24's notification: nothing booked yet
    expect(page.get_by_test_id("p24-confirming")).to_contain_text("Płatność jest potwierdzana")
    # the page reloads itself; the notification arrives, is verified and booked
    expect(page.get_by_test_id("p24-paid")).to_contain_text("21,73", timeout=20_000)
    fake_p24.wait_for_notifications()
    assert [d.status for d in fake_p24.deliveries] == [200]
    page.get_by_test_id("p24-to-document").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")  # main: capitalised status labels
    with db.connection():
        (payment,) = Payment.select().where(Payment.method == "przelewy24_blik")
        invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        parts = [(p.method, p.amount) for p in snapshot_of(invoice).payments]
    assert payment.amount == Decimal("21.73")
    assert parts == [("balance", Decimal("10.00")), ("przelewy24_blik", Decimal("21.73"))]

    # staff refund the BLIK part; P24's refund notification reaches the panel
    make_staff("kasia@example.test", role="billing")
    staff = browser.new_context().new_page()
    staff.goto(f"{live_server}/admin/login")
    staff.fill("#email", "kasia@example.test")
    staff.fill("#password", PASSWORD)
    staff.locator("form button[type=submit]").first.click()
    staff.goto(f"{live_server}/admin/documents/{invoice.id}")
    expect(staff.get_by_test_id("p24-refund-amount")).to_have_value("21.73")
    staff.get_by_test_id("p24-refund-reason").fill("Rezygnacja z usługi")
    staff.get_by_test_id("p24-refund-submit").click()
    # confirm first: the confirmation step says what the refund does; Cancel keeps things as they were
    expect(staff.get_by_test_id("confirm-step")).to_contain_text(f"faktura korygująca do {invoice.number}")
    staff.get_by_test_id("confirm-no").click()
    expect(staff.get_by_test_id("p24-refund-amount")).to_have_value("21.73")
    assert fake_p24.refunds == []
    staff.get_by_test_id("p24-refund-reason").fill("Rezygnacja z usługi")
    staff.get_by_test_id("p24-refund-submit").click()
    staff.get_by_test_id("confirm-yes").click()
    expect(staff.locator(".flash-success")).to_contain_text("Przelewy24 przyjęło zwrot")
    (delivery,) = fake_p24.deliver_refund_notifications(status=0)
    assert delivery.status == 200
    staff.reload()
    expect(staff.get_by_test_id("p24-refund-state")).to_have_text("zwrócony")
    staff.get_by_test_id("p24-refund-correction").click()
    expect(staff.get_by_test_id("admin-doc-status")).to_be_visible()
    with db.connection():
        assert P24Refund.get().status == "completed"
        correction = Document.get(Document.kind == "correction")
        assert correction.total_gross == Decimal("-21.73") and correction.corrects_id == invoice.id
    assert correction.number in staff.url or correction.number in staff.content()
    staff.context.close()
