"""Browser: a customer changes billing data (company -> private) and downloads invoice PDFs.

The invoice issued before the change keeps the company; the open proforma keeps it too
until corrected, but its VAT invoice, issued after the change, carries the new data. In the
``correction`` change-document mode the correcting invoice of the period keeps the company.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import clock, db
from core.models import BillingProfile, Customer, Document
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import COMPANY, pdf_text, setup_seller, shop
from tests.helpers import PASSWORD
from tests.upgrade_helpers import invoice_period


@pytest.fixture(params=["difference", "correction"])
def app_overrides(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Both ways a paid change may be invoiced (billing.change_documents)."""
    return {"billing": {"change_documents": request.param}}


@pytest.mark.browser
def test_customer_switches_to_private_and_downloads_the_invoice_pdf(
    page: Page, live_server: str, tmp_path: Path, app_overrides: dict[str, dict[str, str]]
) -> None:
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer, (svc, other), _basic, pro = shop("ola@example.test", services=2)
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        record_payment("banktransfer", "BANK-1", proforma.total_gross, proforma)
        invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        period_invoice = invoice_period(other)  # what the open change's correction corrects (correction mode)
        open_proforma = confirm_change(customer.id, other.id, pro.id, "monthly").document
    page.goto(f"{live_server}/login")
    page.fill("#email", "ola@example.test")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server}/profile")
    expect(page.get_by_test_id("billing-data-card")).to_contain_text("5260250274")
    page.get_by_test_id("edit-billing").click()
    expect(page.get_by_role("heading", name="Dane do faktury")).to_be_visible()
    expect(page.get_by_test_id("advance-invoices")).to_be_hidden()  # a company gets advance invoices anyway
    page.fill("#tax_id", "5260250275")  # a typo in the NIP
    page.get_by_test_id("save-billing").click()
    expect(page.locator("#tax_id-error")).to_contain_text("To nie jest poprawny NIP")
    page.get_by_test_id("kind-private").check()
    expect(page.locator("#tax_id")).to_be_hidden()  # the company-only field hides
    page.get_by_test_id("advance-invoices").check()  # a private person asks for them (art. 106b ust. 3)
    page.fill("#name", "Aleksandra Wróblewska")
    page.fill("#address_line1", "ul. Świętojańska 44")
    page.fill("#postcode", "81-391")
    page.fill("#city", "Gdynia")
    page.get_by_test_id("save-billing").click()
    expect(page.locator(".flash-success").first).to_contain_text("Dane do faktury zapisane")
    expect(page.locator(".flash-success").nth(1)).to_contain_text("Od teraz otrzymasz fakturę zaliczkową")
    expect(page.locator(".flash-info")).to_contain_text(
        f"Proforma {open_proforma.number} zachowuje dane, z którymi została wystawiona"
    )
    expect(page.locator(".flash-info")).to_contain_text("będzie zawierała Twoje nowe dane")
    with db.connection():
        current = BillingProfile.select().order_by(BillingProfile.id.desc()).first()
        assert (current.kind, current.name, current.tax_id) == ("private", "Aleksandra Wróblewska", "")
        assert Customer.get_by_id(customer.id).advance_invoices
    expect(page.get_by_test_id("advance-invoices")).to_be_checked()
    page.goto(f"{live_server}/invoices/{invoice.id}")
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    download = info.value
    assert download.suggested_filename == invoice.number.replace("/", "-") + ".pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = pdf_text(target.read_bytes())
    # issued before the change: the invoice keeps the company data it was issued with
    assert COMPANY["name"] in text and "NIP: 5260250274" in text and invoice.number in text
    assert "Aleksandra Wróblewska" not in text
    # the open proforma is paid after the change: its VAT invoice carries the new data
    with db.connection():
        record_payment("banktransfer", "BANK-2", open_proforma.total_gross, open_proforma)
        later = Document.get((Document.kind == "vat") & (Document.proforma_id == open_proforma.id))
        corrections = list(Document.select().where(Document.kind == "correction"))
    if app_overrides["billing"]["change_documents"] == "correction":
        # the correction corrects the company's invoice, so it keeps that buyer (art. 106j)
        assert [c.corrects_id for c in corrections] == [period_invoice.id]
        assert corrections[0].snapshot["buyer"]["name"] == COMPANY["name"]
        assert later.total_gross + corrections[0].total_gross == open_proforma.total_gross
    else:
        assert corrections == []
    page.goto(f"{live_server}/invoices/{later.id}")
    expect(page.get_by_test_id("doc-buyer")).to_contain_text("Aleksandra Wróblewska")
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    text = pdf_text(target.read_bytes())
    assert "Aleksandra Wróblewska" in text and "ul. Świętojańska 44" in text and "81-391 Gdynia" in text
    assert COMPANY["name"] not in text and "5260250274" not in text.replace("NIP: 5213017228", "")
    assert f"Dotyczy faktury pro forma nr {open_proforma.number}" in text
