"""Staff credit on the balance is a discount (rabat), deposits are payments (docs/billing.md, *The balance*).

The worked examples S1-S3 (a package change), R1 (a renewal) and O1 (an order
with a promotion code) are the ones docs/billing.md shows, to the grosz.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from core import clock
from core.balance.credit import BalanceParts, parts_from, parts_of, split
from core.balance.ledger import append
from core.balance_view import balance_of
from core.db import write_transaction
from core.documents.build import LineInput, make_line, rate_totals
from core.documents.files import document_pdf, document_xml
from core.documents.issuing import snapshot_of
from core.documents.ksef import validate_fa3
from core.documents.ksef_parts import NS
from core.errors import Conflict
from core.models import Document, LedgerEntry, Payment, Service, ServiceChange
from core.orders.cancelling import cancel_unpaid_orders
from core.orders.models import Order, OrderItem, OrderService
from core.orders.placing import place_order
from core.payments.recording import pay_from_balance, record_payment
from core.renewals.issuing import issue_due_renewals, reprice_renewal
from core.renewals.models import ServiceRenewal
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from tests import order_helpers
from tests.api_helpers import bearer, token_for
from tests.helpers import login, make_customer
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

F = {"f": NS}


def gross_of(lines: list[LineInput]) -> D:
    return sum((t.gross for t in rate_totals(make_line(line) for line in lines)), D("0.00"))


# --- the two parts of a balance, read from the ledger --------------------------------------------


def test_staff_credit_and_deposits_are_read_from_the_ledger_in_order():
    entries = [
        ("staff_credit", D("10.00")),
        ("applied", D("-5.00")),  # before this rule a payment could spend staff credit: deposits first, then it
        ("topup", D("20.00")),
        ("staff_debit", D("-12.00")),  # staff take their credit back first, then deposits
        ("refund", D("-3.00")),
        ("staff_credit", D("4.00")),
        ("staff_credit_used", D("-1.50")),
        ("staff_credit_returned", D("1.50")),
    ]
    parts = parts_from(entries)
    assert parts == BalanceParts(D("4.00"), D("10.00"))
    assert parts.total == sum((amount for _kind, amount in entries), D("0.00"))


# --- the split: the one function that decides it --------------------------------------------------


def test_s1_staff_credit_lowers_the_net_and_the_vat_of_e1():
    line = LineInput("Dopłata", D(1), "usł.", D("25.80"), "23")
    use = split([line], staff_credit=D("10.00"), deposits=D("0.00"))
    assert (use.discounts, use.staff_credit, use.gross) == ((D("8.13"),), D("10.00"), D("21.73"))
    [total] = rate_totals(make_line(x) for x in use.applied_to([line]))
    assert (total.net, total.vat, total.gross) == (D("17.67"), D("4.06"), D("21.73"))


def test_a_grosz_the_vat_rounding_cannot_give_stays_on_the_balance():
    line = LineInput("x", D(1), "usł.", D("50.00"), "23")
    use = split([line], staff_credit=D("0.01"), deposits=D("0.00"))
    # a discount of 0.01 net lowers the gross by 0.01 or 0.02: here VAT(50.00) - VAT(49.99) = 0.00
    assert use.staff_credit == gross_of([line]) - gross_of(use.applied_to([line])) <= D("0.01")


def test_reverse_charge_and_several_rates_each_line_in_order():
    lines = [
        LineInput("a", D(1), "usł.", D("19.99"), "23"),
        LineInput("b", D(2), "usł.", D("7.77"), "8"),
        LineInput("c", D(1), "usł.", D("3.33"), "np"),
    ]
    use = split(lines, staff_credit=D("30.00"), deposits=D("100.00"))
    assert use.discounts[0] == D("19.99") and use.discounts[1] > 0  # the first line fully, then the next
    assert use.staff_credit == gross_of(lines) - gross_of(use.applied_to(lines))
    assert use.deposits == use.gross
    reverse = split(lines, staff_credit=D("10.00"), deposits=D("0.00"), reverse_charge=True)
    assert reverse.discounts[0] == D("10.00") and reverse.staff_credit == D("10.00")  # no VAT: net = gross


@settings(max_examples=200, deadline=None)
@given(
    nets=st.lists(st.integers(min_value=1, max_value=500_000), min_size=1, max_size=4),
    rates=st.lists(st.sampled_from(["23", "8", "5", "0", "np"]), min_size=4, max_size=4),
    credit=st.integers(min_value=0, max_value=800_000),
    deposits=st.integers(min_value=0, max_value=800_000),
)
def test_the_split_is_exact_to_the_grosz_and_never_gives_more(nets, rates, credit, deposits):
    lines = [LineInput(str(i), D(1), "usł.", D(n) / 100, rates[i]) for i, n in enumerate(nets)]
    staff, money = D(credit) / 100, D(deposits) / 100
    use = split(lines, staff_credit=staff, deposits=money)
    after = use.applied_to(lines)
    assert all(0 <= d <= make_line(line).net for d, line in zip(use.discounts, lines, strict=True))
    assert use.staff_credit == gross_of(lines) - gross_of(after) <= staff  # the ledger debit is the drop in gross
    assert use.gross == gross_of(after) and use.deposits == min(money, use.gross)
    # VAT once per rate on the discounted net (rule 1)
    assert all(
        t.vat == make_line(LineInput("t", D(1), "", t.net, t.vat_rate)).vat
        for t in rate_totals(make_line(x) for x in after)
    )
    # no grosz of credit is held back that a line could still take (the VAT rounding leaves at most 0.02)
    assert use.gross == 0 or staff - use.staff_credit <= D("0.02")


# --- a package change -------------------------------------------------------------------------------


@pytest.fixture
def change(app, conn):
    """E1: Basic monthly 50.00 -> Pro 100.00, period 2026-03-01..04-01, on 03-16 (16 of 31 days)."""
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer("ala@example.test")
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    return customer, svc, pro


def figures(quote):
    return (quote.net, quote.vat, quote.gross, quote.staff_discount, quote.staff_credit_applied, quote.balance_applied)


def test_s1_the_change_with_staff_credit_is_discounted_on_every_document(change, client):
    customer, svc, pro = change
    give_balance(customer, "10.00", kind="staff_credit")
    quote = build_quote(svc, pro.id, "monthly")
    assert (quote.credit, quote.charge, quote.to_pay) == (D("25.81"), D("51.61"), D("21.73"))
    assert figures(quote) == (D("17.67"), D("4.06"), D("21.73"), D("8.13"), D("10.00"), D("0.00"))
    assert quote.direction == "upgrade"
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly", expected_gross="21.73").document
    [line] = snapshot_of(proforma).lines
    assert (line.unit_net, line.discount, line.net) == (D("25.80"), D("8.13"), D("17.67"))
    assert (proforma.total_net, proforma.total_vat, proforma.total_gross, proforma.paid) == (
        D("17.67"),
        D("4.06"),
        D("21.73"),
        D("0.00"),  # staff credit is not a payment
    )
    used = LedgerEntry.get(LedgerEntry.kind == "staff_credit_used")
    assert (used.amount, used.document_id) == (D("-10.00"), proforma.id)
    assert balance_of(customer.id) == 0 and parts_of(customer.id) == BalanceParts(D("0.00"), D("0.00"))
    assert any("uznania" in note for note in snapshot_of(proforma).notes)
    record_payment("banktransfer", "BANK-S1", "21.73", proforma)
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("17.67"), D("4.06"), D("21.73"))
    assert [(ln.discount, ln.net) for ln in snapshot_of(invoice).lines] == [(D("8.13"), D("17.67"))]
    assert [p.method for p in Payment.select().where(Payment.document == proforma.id)] == ["banktransfer"]
    xml = document_xml(invoice)
    validate_fa3(xml)
    row = ET.fromstring(xml).find(".//f:FaWiersz", F)
    assert (row.findtext("f:P_10", namespaces=F), row.findtext("f:P_11", namespaces=F)) == ("8.13", "17.67")
    assert ET.fromstring(xml).findtext(".//f:P_15", namespaces=F) == "21.73"
    text = " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(document_pdf(invoice))).pages).split()
    )
    assert "rabat: 8,13" in text and "21,73" in text
    login(client, "ala@example.test")
    page = " ".join(client.get(f"/invoices/{invoice.id}").get_data(as_text=True).split())
    assert "Rabat -8,13" in page and "21,73" in page and "Rabat z uznania" in page


def test_s2_staff_credit_first_then_deposits_pay_what_is_left(change):
    customer, svc, pro = change
    give_balance(customer, "10.00", kind="staff_credit")
    give_balance(customer, "10.00")  # a top-up: money the customer paid
    quote = build_quote(svc, pro.id, "monthly")
    assert figures(quote) == (D("17.67"), D("4.06"), D("21.73"), D("8.13"), D("10.00"), D("10.00"))
    assert quote.to_pay == D("11.73")
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    assert (proforma.total_gross, proforma.paid, proforma.status) == (D("21.73"), D("10.00"), "partially_paid")
    kinds = [(e.kind, e.amount) for e in LedgerEntry.select().order_by(LedgerEntry.id)]
    assert kinds[-2:] == [("staff_credit_used", D("-10.00")), ("applied", D("-10.00"))]
    assert balance_of(customer.id) == 0 == sum(amount for _k, amount in kinds)


def test_s3_staff_credit_covering_everything_applies_the_change_with_a_zero_invoice(change):
    customer, svc, pro = change
    give_balance(customer, "50.00", kind="staff_credit")
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    assert (result.quote.net, result.quote.gross, result.quote.staff_credit_applied) == (
        D("0.00"),
        D("0.00"),
        D("31.73"),
    )
    assert result.document.status == "paid" and result.document.total_gross == 0
    assert ServiceChange.get_by_id(result.change.id).status == "applied"
    assert Service.get_by_id(svc.id).product_id == pro.id
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == result.document.id))
    assert [(ln.unit_net, ln.discount, ln.net) for ln in snapshot_of(invoice).lines] == [
        (D("25.80"), D("25.80"), D("0.00"))
    ]
    validate_fa3(document_xml(invoice))
    assert parts_of(customer.id) == BalanceParts(D("18.27"), D("0.00"))


@pytest.mark.parametrize("app_overrides", [{"billing": {"change_documents": "correction"}}])
def test_in_correction_mode_the_discount_is_on_the_new_invoice(change, app_overrides):
    from tests.upgrade_helpers import invoice_period

    customer, svc, pro = change
    corrected = invoice_period(svc)
    give_balance(customer, "10.00", kind="staff_credit")
    quote = build_quote(svc, pro.id, "monthly")
    result = confirm_change(customer.id, svc.id, pro.id, "monthly")
    proforma = result.document
    assert proforma.total_gross == quote.gross == quote.to_pay
    record_payment("banktransfer", "BANK-C", proforma.total_gross, proforma)
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    correction = Document.get((Document.kind == "correction") & (Document.corrects_id == corrected.id))
    assert invoice.total_gross + correction.total_gross == proforma.total_gross
    [line] = snapshot_of(invoice).lines
    assert line.discount == quote.staff_discount > 0 and line.unit_net == D("51.61")
    assert D("-10.00") == LedgerEntry.get(LedgerEntry.kind == "staff_credit_used").amount


def test_the_summary_page_and_the_api_show_the_discount(change, client):
    customer, svc, pro = change
    give_balance(customer, "10.00", kind="staff_credit")
    login(client, "ala@example.test")
    html = client.get(f"/services/{svc.id}/change/summary?product={pro.id}&cycle=monthly").get_data(as_text=True)
    text = " ".join(html.split())
    assert "rabat z uznania przyznanego przez obsługę -8,13" in text
    assert "Rabat z uznania przyznanego przez obsługę" in text and "17,67" in text and "4,06" in text
    assert 'data-testid="summary-to-pay">21,73' in text
    data = client.get(
        f"/api/v1/services/{svc.id}/quote?product={pro.id}&cycle=monthly", headers=bearer(token_for(customer))
    )
    quote = data.get_json()
    assert (quote["staff_discount"], quote["staff_credit_applied"], quote["gross"], quote["to_pay"]) == (
        "8.13",
        "10.00",
        "21.73",
        "21.73",
    )
    balance = client.get("/api/v1/balance", headers=bearer(token_for(customer))).get_json()
    assert (balance["staff_credit"], balance["deposits"]) == ("10.00", "0.00")
    page = " ".join(client.get("/balance").get_data(as_text=True).split())
    assert "10,00 zł to uznanie przyznane przez obsługę" in page


# --- staff credit is never paid out or paid with -------------------------------------------------------


def test_staff_credit_is_not_a_payment_method_nor_refundable(change):
    customer, svc, pro = change
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document  # no balance: nothing taken
    give_balance(customer, "50.00", kind="staff_credit")
    assert pay_from_balance(proforma, "web:1") is None  # only deposits pay an issued proforma
    with pytest.raises(Conflict), write_transaction():
        append(customer.id, "refund", D("-5.00"))
    give_balance(customer, "5.00")
    outcome = pay_from_balance(proforma, "web:2")
    assert outcome is not None and outcome.applied == D("5.00")
    assert parts_of(customer.id) == BalanceParts(D("50.00"), D("0.00"))
    with pytest.raises(Conflict), write_transaction():
        append(customer.id, "refund", D("-0.01"))


# --- a renewal ---------------------------------------------------------------------------------------


def test_r1_a_renewal_takes_the_staff_credit_as_a_discount(change):
    customer, _svc, _pro = change
    give_balance(customer, "20.00", kind="staff_credit")
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    proforma = Document.get((Document.purpose == "renewal") & (Document.kind == "proforma"))
    [line] = snapshot_of(proforma).lines
    assert (line.unit_net, line.discount, line.net) == (D("50.00"), D("16.26"), D("33.74"))
    assert (proforma.total_vat, proforma.total_gross, proforma.paid) == (D("7.76"), D("41.50"), D("0.00"))
    assert balance_of(customer.id) == 0


def test_credit_granted_after_a_renewal_was_issued_re_prices_it_once(change):
    customer, _svc, _pro = change
    clock.freeze("2026-03-18T12:00:00")
    issue_due_renewals()
    first = Document.get((Document.purpose == "renewal") & (Document.kind == "proforma"))
    assert first.total_gross == D("61.50")
    give_balance(customer, "20.00", kind="staff_credit")
    renewal = ServiceRenewal.get()
    second = reprice_renewal(renewal.id)
    assert second is not None and second.total_gross == D("41.50")
    assert Document.get_by_id(first.id).status == "cancelled"
    assert reprice_renewal(renewal.id) is None and issue_due_renewals() == {"issued": 0, "repriced": 0}
    give_balance(customer, "5.00", kind="staff_credit")  # more credit: the open one gives its discount back first
    third = reprice_renewal(renewal.id)
    # 25.00 of credit on 61.50: a discount of 20.32 net lowers the gross by 24.99, one of 20.33 by 25.01
    assert third is not None and third.total_gross == D("36.51")
    assert snapshot_of(third).lines[0].discount == D("20.32")
    assert parts_of(customer.id) == BalanceParts(D("0.01"), D("0.00"))
    assert reprice_renewal(renewal.id) is None  # the grosz left cannot lower it: no new version every run
    assert sum(e.amount for e in LedgerEntry.select()) == balance_of(customer.id)


# --- an order ------------------------------------------------------------------------------------------


@pytest.fixture
def shop(app, conn):
    clock.freeze("2026-03-16T12:00:00")
    order_helpers.setup_seller()
    return order_helpers.package("basic", "Basic", {"monthly": "50.00"})


def test_o1_an_order_adds_the_staff_credit_to_the_codes_discount_on_the_line(shop):
    order_helpers.promo("START20")
    customer = order_helpers.buyer("firma@example.test")
    give_balance(customer, "12.30", kind="staff_credit")
    placed = place_order(
        customer, [order_helpers.item(shop)], accept_terms=True, payment_method="testgateway", promo_code="START20"
    )
    [line] = snapshot_of(placed.document).lines
    assert (line.unit_net, line.discount, line.net) == (D("50.00"), D("20.00"), D("30.00"))
    assert (placed.document.total_vat, placed.document.total_gross) == (D("6.90"), D("36.90"))
    assert placed.order.total_gross == D("36.90") and placed.order.quote["staff_credit_applied"] == "12.30"
    assert OrderItem.get().discount == D("10.00")  # the code's; the staff credit is not the package's price
    order_helpers.pay(placed.document)
    [link] = OrderService.select()
    assert (link.service.recurring_net, link.service.period_net) == (D("50.00"), D("40.00"))
    invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == placed.document.id))
    assert [ln.discount for ln in snapshot_of(invoice).lines] == [D("20.00")]


def test_an_unpaid_order_cancelled_gives_its_staff_credit_back(shop):
    customer = order_helpers.buyer("firma@example.test")
    give_balance(customer, "12.30", kind="staff_credit")
    placed = place_order(customer, [order_helpers.item(shop)], accept_terms=True, payment_method="testgateway")
    assert parts_of(customer.id).staff_credit == 0
    clock.freeze("2026-04-16T12:00:00")
    cancel_unpaid_orders()
    assert Order.get_by_id(placed.order.id).status == "cancelled"
    assert parts_of(customer.id) == BalanceParts(D("12.30"), D("0.00"))
    assert LedgerEntry.get(LedgerEntry.kind == "staff_credit_returned").amount == D("12.30")


def test_a_proforma_staff_write_takes_the_staff_credit_too_and_a_transfer_received_does_not(change):
    from core.documents.manual import LineForm, issue_paid_invoice, issue_proforma

    customer, _svc, _pro = change
    give_balance(customer, "12.30", kind="staff_credit")
    document = issue_proforma(customer.id, [LineForm("Wdrożenie", "1", "usł.", "100.00", "23")])
    [line] = snapshot_of(document).lines
    assert (line.discount, line.net, document.total_gross) == (D("10.00"), D("90.00"), D("110.70"))
    give_balance(customer, "12.30", kind="staff_credit")
    invoice = issue_paid_invoice(
        customer.id, [LineForm("Wdrożenie", "1", "usł.", "100.00", "23")], amount="123.00", reference="BANK-77"
    )
    assert invoice.total_gross == D("123.00") and snapshot_of(invoice).lines[0].discount == 0
    assert parts_of(customer.id) == BalanceParts(D("12.30"), D("0.00"))


def test_the_cart_and_checkout_show_the_staff_credit_as_a_discount(shop, client):
    from tests.helpers import post_form

    customer = order_helpers.buyer("firma@example.test")
    give_balance(customer, "12.30", kind="staff_credit")
    login(client, "firma@example.test")
    added = post_form(client, "/order/basic", {"cycle": "monthly", "domain": "ok.pl"}, form_page="/order/basic")
    assert added.status_code == 302
    for path in ("/cart", "/checkout"):
        text = " ".join(client.get(path).get_data(as_text=True).split())
        assert 'data-testid="cart-staff-discount">-10,00' in text, path
        assert 'data-testid="cart-gross">49,20' in text and 'data-testid="cart-to-pay"><strong>49,20' in text
