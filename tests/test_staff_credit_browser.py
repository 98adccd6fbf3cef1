"""Browser: S1, an upgrade with credit granted by staff, shown and invoiced as a discount (rabat), in both modes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core import clock, db
from core.documents.issuing import snapshot_of
from core.models import Document
from tests.helpers import PASSWORD, make_customer
from tests.upgrade_helpers import billing_profile, give_balance, invoice_period, link, product, service, setup_seller


@pytest.fixture(params=["difference", "correction"])
def app_overrides(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Both ways a paid change may be invoiced (billing.change_documents)."""
    return {"billing": {"change_documents": request.param}}


@pytest.mark.browser
def test_an_upgrade_with_staff_credit_shows_and_invoices_a_discount(
    page: Page, live_server: str, app_overrides: dict[str, dict[str, str]]
) -> None:
    mode = app_overrides["billing"]["change_documents"]
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test")
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(
            customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00", label="ola.pl"
        )
        period_invoice = invoice_period(svc)
        give_balance(customer, "10.00", kind="staff_credit")
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server}/services/{svc.id}")
    page.get_by_test_id("upgrade-link").click()
    page.locator(f"input[name=choice][value='{pro.id}:monthly']").check()
    page.get_by_test_id("change-continue").click()
    arithmetic = page.get_by_test_id("summary-arithmetic")
    expect(arithmetic).to_contain_text("rabat z uznania przyznanego przez obsługę")
    discount = page.get_by_test_id("summary-staff-discount").inner_text()
    gross = page.get_by_test_id("summary-gross").inner_text()
    if mode == "difference":  # S1: 25.80 - 8.13 = 17.67 net, VAT 4.06, gross 21.73
        for figure in ("-25,81", "51,61", "-8,13", "17,67", "4,06", "21,73"):
            expect(arithmetic).to_contain_text(figure)
        assert "-8,13" in discount and "21,73" in gross
    expect(page.get_by_test_id("summary-to-pay")).to_contain_text(gross.replace("zł", "").strip())
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("summary-confirm").click()
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    with db.connection():
        invoice = Document.get((Document.kind == "vat") & (Document.id != period_invoice.id))
        corrections = list(Document.select().where(Document.kind == "correction"))
        [line] = snapshot_of(invoice).lines
    assert line.discount > 0
    if mode == "difference":
        assert (line.discount, invoice.total_gross, corrections) == (Decimal("8.13"), Decimal("21.73"), [])
    else:
        assert invoice.total_gross + corrections[0].total_gross == Decimal(
            gross.replace("zł", "").strip().replace(",", ".")
        )
    page.goto(f"{live_server}/invoices/{invoice.id}")
    expect(page.get_by_test_id("line-discount")).to_contain_text(f"-{line.discount}".replace(".", ","))
    expect(page.get_by_test_id("doc-notes")).to_contain_text("Rabat z uznania przyznanego przez obsługę")
