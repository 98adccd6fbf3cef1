"""Browser: E2 upgrade paid through the test gateway, and a scheduled downgrade, in both change-document modes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core import clock, db
from core.models import Document
from tests.helpers import PASSWORD, make_customer
from tests.upgrade_helpers import billing_profile, give_balance, invoice_period, link, product, service, setup_seller


@pytest.fixture(params=["difference", "correction"])
def app_overrides(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Both ways a paid change may be invoiced (billing.change_documents)."""
    return {"billing": {"change_documents": request.param}}


@pytest.mark.browser
def test_upgrade_mid_period_with_balance_and_gateway_then_downgrade(
    page: Page, live_server: str, app_overrides: dict[str, dict[str, str]]
) -> None:
    mode = app_overrides["billing"]["change_documents"]
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test")
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"}, [["Disk", "25 GB SSD"], ["Domains", "5"]])
        pro = product("pro", "Pro", {"monthly": "100.00"}, [["Disk", "100 GB NVMe"], ["Domains", "unlimited"]])
        start = product("start", "Start", {"monthly": "20.00"}, [["Disk", "10 GB SSD"], ["Domains", "1"]])
        link(basic, pro, start)
        svc = service(
            customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00", label="ola.pl"
        )
        period_invoice = invoice_period(svc)
        give_balance(customer, "10.00")
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server}/services/{svc.id}")
    page.get_by_test_id("upgrade-link").click()
    expect(page.get_by_test_id("option-pro")).to_contain_text("100 GB NVMe")
    expect(page.get_by_test_id("option-basic")).to_contain_text("25 GB SSD")
    page.locator(f"input[name=choice][value='{pro.id}:monthly']").check()
    page.get_by_test_id("change-continue").click()
    arithmetic = page.get_by_test_id("summary-arithmetic")
    for figure in ("Pozostało 16 z 31 dni", "-25,81", "51,61", "25,80", "5,93", "31,73", "-10,00", "21,73"):
        expect(arithmetic).to_contain_text(figure)
    expect(page.get_by_test_id("summary-to-pay")).to_contain_text("21,73")
    if mode == "correction":  # the page names the two documents, each with its own total
        expect(page.get_by_test_id("summary-document-correction")).to_contain_text(period_invoice.number)
        expect(page.get_by_test_id("summary-document-correction")).to_contain_text("-31,75")
        expect(page.get_by_test_id("summary-document-vat")).to_contain_text("63,48")
    else:
        expect(page.get_by_test_id("summary-document-vat")).to_contain_text("31,73")
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("summary-confirm").click()
    expect(page.get_by_test_id("gateway-amount")).to_contain_text("21,73")
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    expect(page.get_by_test_id("applied-note")).to_be_visible()
    page.goto(f"{live_server}/services/{svc.id}")
    expect(page.get_by_test_id("service-package")).to_have_text("Pro")
    with db.connection():
        invoice = Document.get((Document.kind == "vat") & (Document.id != period_invoice.id))
        corrections = list(Document.select().where(Document.kind == "correction"))
    nets = [line["net"] for line in invoice.snapshot["lines"]]
    if mode == "correction":
        assert nets == ["51.61"] and [c.corrects_id for c in corrections] == [period_invoice.id]
        assert invoice.total_gross + corrections[0].total_gross == Decimal("31.73")
    else:
        assert nets == ["25.80"] and corrections == []
    # A downgrade in the default end_of_period mode is scheduled, not applied.
    page.get_by_test_id("upgrade-link").click()
    page.locator(f"input[name=choice][value='{start.id}:monthly']").check()
    page.get_by_test_id("change-continue").click()
    expect(page.get_by_test_id("summary-note")).to_contain_text("1 kwi 2026")
    page.get_by_test_id("summary-confirm").click()
    expect(page.get_by_test_id("pending-change")).to_contain_text("Start")
    expect(page.get_by_test_id("service-package")).to_have_text("Pro")
