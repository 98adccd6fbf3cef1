"""Refunds of Przelewy24 payments by staff: the correcting invoice, the ledger, P24's answers and notifications."""

from __future__ import annotations

from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import db
from core.balance_view import balance_of
from core.documents.corrections import current_lines, lowered_by_gross, state_gross
from core.documents.issuing import snapshot_of
from core.errors import Conflict
from core.models import Document, LedgerEntry, OutboxMessage, Payment
from plugins.przelewy24.models import P24Refund
from plugins.przelewy24.refunds import request_refund, send_refund
from tests.helpers import make_staff, post_form, staff_login
from tests.p24_helpers import notify, paid_notification, proforma_for
from tests.support.p24 import FakeP24, p24_config

SETTINGS: dict[str, Any] = {}


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24, **SETTINGS)}


def paid(client: FlaskClient, fake: FakeP24, balance: str = "0") -> tuple[Any, Document, Payment, Document]:
    """A proforma paid by BLIK: (customer, proforma, the payment, its VAT invoice)."""
    customer, proforma = proforma_for(balance=balance)
    assert notify(client, paid_notification(client, fake, proforma)).status_code == 200
    with db.connection():
        payment = Payment.get(Payment.method == "przelewy24_blik")
        invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        return customer, proforma, payment, invoice


def refund_via_page(staff_client: FlaskClient, payment: Payment, document: Document, **form: Any) -> str:
    data = {"amount": "", "reason": "", "confirmed": "1", "document_id": str(document.id), **form}
    page = f"/admin/documents/{document.id}"
    response = post_form(
        staff_client, f"/admin/przelewy24/payments/{payment.id}/refund", data, form_page=page, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def ledger_kinds(customer_id: int) -> list[tuple[str, Decimal]]:
    with db.connection():
        rows = LedgerEntry.select().where(LedgerEntry.customer == customer_id).order_by(LedgerEntry.id)
        return [(e.kind, e.amount) for e in rows]


def refund_mails() -> list[tuple[str, str, str]]:
    """The refund mails queued, oldest first: (template, subject, body)."""
    with db.connection():
        rows = OutboxMessage.select().where(OutboxMessage.kind == "mail").order_by(OutboxMessage.id)
        return [
            (str(m.dedupe_key).split(":")[1], m.payload["subject"], m.payload["body"])
            for m in rows
            if str(m.dedupe_key or "").startswith("mail:balance_refund")
        ]


def corrections_of(invoice: Document) -> list[Document]:
    with db.connection():
        return list(Document.select().where(Document.kind == "correction").order_by(Document.id))


@pytest.fixture
def staff_client(app: Flask) -> FlaskClient:
    make_staff("kasia@example.test", role="billing")
    web = app.test_client()
    staff_login(web, "kasia@example.test")
    return web


def test_staff_refund_the_whole_payment_with_a_correcting_invoice(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    page = staff_client.get(f"/admin/documents/{invoice.id}").get_data(as_text=True)
    assert 'data-testid="p24-refund-form"' in page and 'value="31.73"' in page  # the VAT invoice page too
    html = refund_via_page(staff_client, payment, invoice, amount="31.73", reason="Rezygnacja w terminie")
    assert "Przelewy24 przyjęło zwrot." in html
    (correction,) = corrections_of(invoice)
    snap = snapshot_of(correction)
    assert correction.total_gross == Decimal("-31.73") and correction.corrects_id == invoice.id
    assert snap.corrected is not None and snap.corrected.reason.endswith("Rezygnacja w terminie")
    assert snap.buyer == snapshot_of(invoice).buyer  # a correction keeps the corrected invoice's buyer
    with db.connection():
        assert state_gross(current_lines(invoice)) == Decimal("0.00")
    assert ledger_kinds(customer.id)[-2:] == [
        ("correction_credit", Decimal("31.73")),
        ("refund", Decimal("-31.73")),
    ]
    with db.connection():
        assert balance_of(customer.id) == Decimal("0.00")
    # the customer is told, in the ledger entry's transaction, in their language
    ((template, subject, body),) = refund_mails()
    assert template == "balance_refund" and subject == "Zwracamy 31,73 zł na Twoje konto"
    assert "z którego przyszła Twoja wpłata z dnia" in body and f"Faktura korygująca {correction.number}" in body
    assert "Twoje saldo wynosi teraz 0,00\xa0zł" in body and "/balance" in body
    (sent,) = fake_p24.refunds
    assert (sent["amount"], sent["orderId"]) == (3173, fake_p24.txn_for_session(sent["sessionId"]).order_id)
    assert sent["urlStatus"].endswith("/pay/przelewy24/refund-status")
    assert len(sent["description"]) <= 35
    # P24 reports the refund done
    ((_url, body),) = fake_p24.refund_notifications(status=0)
    response = client.post("/pay/przelewy24/refund-status", json=body)
    assert response.status_code == 200 and response.get_json() == {"status": "OK"}
    with db.connection():
        assert P24Refund.get().status == "completed"
    assert client.post("/pay/przelewy24/refund-status", json=body).status_code == 200  # a repeat changes nothing
    assert "refund_reversed" not in [k for k, _a in ledger_kinds(customer.id)]
    page = staff_client.get(f"/admin/documents/{invoice.id}").get_data(as_text=True)
    assert correction.number in page and "zwrócony" in page
    assert 'data-testid="p24-refund-form"' not in page  # nothing left to refund


def test_two_partial_refunds_correct_the_invoice_step_by_step(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    refund_via_page(staff_client, payment, invoice, amount="10.00")
    refund_via_page(staff_client, payment, invoice, amount="21.73")
    first, second = corrections_of(invoice)
    assert (first.total_net, first.total_vat, first.total_gross) == (
        Decimal("-8.13"),
        Decimal("-1.87"),
        Decimal("-10.00"),
    )
    # the second corrects the state after the first
    assert second.total_gross == Decimal("-21.73") and second.corrects_id == first.id
    with db.connection():
        assert invoice.total_gross + first.total_gross + second.total_gross == Decimal("0.00")
        assert state_gross(current_lines(invoice)) == Decimal("0.00")
        assert balance_of(customer.id) == Decimal("0.00")
    assert [r["amount"] for r in fake_p24.refunds] == [1000, 2173]
    html = refund_via_page(staff_client, payment, invoice, amount="0.01")
    assert "Kwota przekracza to, co pozostało do zwrotu" in html
    assert len(fake_p24.refunds) == 2


def test_a_refund_p24_refuses_later_goes_back_to_the_balance(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    refund_via_page(staff_client, payment, invoice, amount="31.73")
    ((_url, body),) = fake_p24.refund_notifications(status=1)
    assert client.post("/pay/przelewy24/refund-status", json=body).status_code == 200
    assert client.post("/pay/przelewy24/refund-status", json=body).status_code == 200  # once only
    with db.connection():
        assert P24Refund.get().status == "rejected"
        assert balance_of(customer.id) == Decimal("31.73")  # the customer's money, on their balance
    assert ledger_kinds(customer.id)[-1] == ("refund_reversed", Decimal("31.73"))
    assert len(corrections_of(invoice)) == 1  # the correction stands
    mails = refund_mails()
    assert [m[0] for m in mails] == ["balance_refund", "balance_refund_reversed"]  # once each
    assert mails[1][1] == "Zwrot 31,73 zł nie został wykonany" and "Twoje saldo wynosi teraz 31,73" in mails[1][2]


def test_a_refund_p24_refuses_at_once_goes_back_to_the_balance(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    error = [{"orderId": 1, "sessionId": "x", "amount": 3173, "status": False, "message": "Insufficient funds"}]
    fake_p24.fail("refund", 409, {"error": error, "code": 409})
    html = refund_via_page(staff_client, payment, invoice, amount="31.73")
    assert "Przelewy24 odrzuciło zwrot" in html
    with db.connection():
        row = P24Refund.get()
        assert (row.status, row.message) == ("rejected", "Insufficient funds")
        assert balance_of(customer.id) == Decimal("31.73")


def test_a_lost_answer_is_sent_again_and_p24_does_not_refund_twice(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    fake_p24.fail("refund", 502)
    html = refund_via_page(staff_client, payment, invoice, amount="31.73")
    assert "Przelewy24 nie odpowiedziało" in html
    with db.connection():
        row = P24Refund.get()
        assert row.status == "unknown" and balance_of(customer.id) == Decimal("0.00")
    page = staff_client.get(f"/admin/documents/{invoice.id}").get_data(as_text=True)
    assert "Wyślij zwrot ponownie" in page
    response = post_form(
        staff_client, f"/admin/przelewy24/refunds/{row.id}/send", {}, form_page=f"/admin/documents/{invoice.id}"
    )
    assert response.status_code == 302
    with db.connection():
        assert P24Refund.get().status == "accepted"
        assert send_refund(row.id) == "accepted"  # not sent a third time
    assert len(fake_p24.refunds) == 1


def test_an_answer_lost_after_p24_took_the_request_is_recognised(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    _customer, _proforma, payment, _invoice = paid(client, fake_p24)
    staff = make_staff("ala-staff@example.test")
    with db.connection():
        row = request_refund(payment.id, "31.73", "", staff)
        assert row.status == "accepted"
        P24Refund.update(status="unknown").where(P24Refund.id == row.id).execute()  # as if the answer was lost
        assert send_refund(row.id) == "accepted"  # "Request already exists": it got through the first time
    assert len(fake_p24.refunds) == 1


def test_refund_without_confirming_or_over_the_payment_changes_nothing(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    customer, _proforma, payment, invoice = paid(client, fake_p24)
    html = refund_via_page(staff_client, payment, invoice, amount="31.73", reason="Rezygnacja", confirmed="")
    html = unescape(html).replace("\xa0", " ")
    # the confirmation step (core.web.confirm) says what the refund does; nothing was done yet
    assert 'data-testid="confirm-step"' in html and "Zwrócić 31,73 zł przez Przelewy24?" in html
    assert f"Zostanie wystawiona faktura korygująca do {invoice.number} na 31,73 zł (brutto)" in html
    assert 'name="reason" value="Rezygnacja"' in html and 'name="confirmed" value="1"' in html
    html = refund_via_page(staff_client, payment, invoice, amount="31.74")
    assert "Kwota przekracza to, co pozostało do zwrotu" in html
    html = refund_via_page(staff_client, payment, invoice, amount="abc")
    assert "Podaj kwotę" in html
    assert fake_p24.refunds == [] and corrections_of(invoice) == [] and refund_mails() == []
    with db.connection():
        assert P24Refund.select().count() == 0 and balance_of(customer.id) == Decimal("0.00")


def test_a_payment_that_went_to_the_balance_is_refunded_from_it_without_a_correction(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    from core.payments.recording import record_payment

    customer, proforma = proforma_for()
    body = paid_notification(client, fake_p24, proforma)
    with db.connection():
        record_payment("banktransfer", "BANK-1", Decimal("31.73"), Document.get_by_id(proforma.id))
    assert notify(client, body).status_code == 200  # the BLIK money is an overpayment now
    with db.connection():
        payment = Payment.get(Payment.method == "przelewy24_blik")
        invoice = Document.get(Document.kind == "vat")
    refund_via_page(staff_client, payment, invoice, amount="31.73")
    assert corrections_of(invoice) == []
    ((template, _subject, body),) = refund_mails()  # a refund from the balance is mailed too, with no correction
    assert template == "balance_refund" and "Faktura korygująca" not in body
    with db.connection():
        assert balance_of(customer.id) == Decimal("0.00")
        assert P24Refund.get().corrected == Decimal("0.00")


def test_money_still_on_an_open_proforma_is_not_refunded(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    from plugins.przelewy24.models import P24Session
    from plugins.przelewy24.notifications import CODES

    _customer, proforma = proforma_for()
    staff = make_staff()
    with db.connection():
        from core.payments.recording import record_payment

        outcome = record_payment(CODES["blik"], "hb-part", Decimal("10.00"), Document.get_by_id(proforma.id))
        P24Session.create(
            session_id="hb-part",
            customer=proforma.customer_id,
            document=proforma.id,
            kind="blik",
            amount=Decimal("10.00"),
            currency="PLN",
            status="booked",
            order_id=77,
            payment_id=outcome.payment.id,
        )
        with pytest.raises(Conflict) as caught:
            request_refund(outcome.payment.id, "10.00", "", staff)
        assert caught.value.code == "refund_open_proforma"
        assert P24Refund.select().count() == 0
    assert fake_p24.refunds == []


def test_a_refund_notification_that_does_not_match_changes_nothing(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    from tests.support.p24 import REFUND_NOTIFY, p24_sign

    _customer, _proforma, payment, invoice = paid(client, fake_p24)
    refund_via_page(staff_client, payment, invoice, amount="31.73")
    ((_url, body),) = fake_p24.refund_notifications(status=1)
    for bad in (
        {**body, "sign": "0" * 96},
        {**body, "amount": 1, "sign": p24_sign(REFUND_NOTIFY, {**body, "amount": 1})},
        {**body, "refundsUuid": "other", "sign": p24_sign(REFUND_NOTIFY, {**body, "refundsUuid": "other"})},
    ):
        response = client.post("/pay/przelewy24/refund-status", json=bad)
        assert response.status_code == 400 and response.is_json
    with db.connection():
        assert P24Refund.get().status == "accepted"


def test_lowered_by_gross_is_exact_or_refuses(app: Flask, client: FlaskClient, fake_p24: FakeP24):
    _customer, _proforma, _payment, invoice = paid(client, fake_p24)
    exact, refused = [], []
    with db.connection():
        for cents in range(1, 200):
            gross = Decimal(cents) / 100
            try:
                after = lowered_by_gross(invoice, gross, "zwrot")
            except Conflict:
                refused.append(gross)
                continue
            from core.documents.build import make_line

            assert Decimal("31.73") - state_gross([make_line(x) for x in after]) == gross
            exact.append(gross)
        assert lowered_by_gross(invoice, Decimal("31.73"), "zwrot") == []  # all of it: every line goes
        with pytest.raises(Conflict):
            lowered_by_gross(invoice, Decimal("31.74"), "zwrot")
    assert len(exact) > 150  # most amounts are exact...
    assert refused  # ...but at 23% some gross amounts are reached by no net
    assert all(g - Decimal("0.01") in exact or g + Decimal("0.01") in exact for g in refused)


def test_a_refund_s_correcting_invoice_says_it_went_back_through_przelewy24(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    """Not "to be refunded" by a payment term: the refund is paid back to the payer's account at once."""
    from core.documents.files import document_xml
    from core.documents.ksef import validate_fa3
    from core.documents.pdf import render_pdf
    from core.documents.state import state_of
    from tests.billing_doc_helpers import pdf_text

    _customer, _proforma, payment, invoice = paid(client, fake_p24)
    refund_via_page(staff_client, payment, invoice, amount="10.00", reason="Rabat")
    (correction,) = corrections_of(invoice)
    with db.connection():
        printed = state_of(Document.get_by_id(correction.id)).printed()
        polish, english = (pdf_text(render_pdf(printed, lang=lang)) for lang in ("pl", "en"))
        xml = document_xml(correction)
    assert "Zwrot na rachunek płatnika: 10,00 PLN" in polish and "zwrot na rachunek płatnika przez Przelewy24" in polish
    assert "Do zwrotu" not in polish and "Termin płatności" not in polish and "Tytuł przelewu" not in polish
    assert "Refunded to the payer's account: 10,00 PLN" in english and "To be refunded" not in english
    validate_fa3(xml)
    assert b"<TerminPlatnosci>" not in xml and "zwrot na rachunek płatnika przez Przelewy24".encode() in xml
    page = unescape(staff_client.get(f"/admin/documents/{correction.id}").get_data(as_text=True))
    assert "Zwrócono na rachunek płatnika" in page and "Zwrot wraca na rachunek płatnika" in page


def test_a_refusal_without_a_reason_reads_in_the_staff_language(
    app: Flask, client: FlaskClient, staff_client: FlaskClient, fake_p24: FakeP24
):
    _customer, _proforma, payment, invoice = paid(client, fake_p24)
    error = [{"orderId": 1, "sessionId": "x", "amount": 3173, "status": False}]
    fake_p24.fail("refund", 409, {"error": error, "code": 409})
    refund_via_page(staff_client, payment, invoice, amount="31.73")
    page = unescape(staff_client.get(f"/admin/documents/{invoice.id}").get_data(as_text=True))
    message = page.split('data-testid="p24-refund-message">')[1].split("</span>")[0]
    assert message == "Przelewy24 zgłosiło błąd, ale nie podało przyczyny."
