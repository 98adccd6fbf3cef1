"""Documents are written in the provider's language, whatever language the customer browses in."""

from __future__ import annotations

from datetime import date

import pytest

from core import clock, db
from core.models import Customer
from core.upgrades.confirm import confirm_change
from tests.helpers import make_customer
from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller


@pytest.mark.parametrize("customer_language", ["pl", "en"])
def test_proforma_lines_are_in_the_provider_language(conn, customer_language):
    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer(language=customer_language)
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00", "annually": "500.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    with db.connection():
        assert Customer.get_by_id(customer.id).language == customer_language
    proforma = confirm_change(customer.id, svc.id, pro.id, "annually").document
    lines = [line["description"] for line in proforma.snapshot["lines"]]
    # one positive line for the difference (the default mode), naming both packages and the new period
    assert lines == ["Dopłata za zmianę pakietu Basic -> Pro za okres 16.03.2026-15.03.2027"]
    assert proforma.snapshot["notes"] == ["Zmiana usługi example.pl: Basic -> Pro"]


def test_balance_history_reasons_are_in_the_provider_language(conn):
    from decimal import Decimal

    from core.balance import ledger
    from core.models import LedgerEntry
    from core.payments.recording import record_payment
    from tests.helpers import make_staff

    clock.freeze("2026-03-16T12:00:00")
    setup_seller()
    customer = make_customer(language="en")
    billing_profile(customer)
    basic = product("basic", "Basic", {"monthly": "50.00"})
    pro = product("pro", "Pro", {"monthly": "100.00"})
    link(basic, pro)
    svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    ledger.staff_adjust(customer.id, "10.00", "goodwill", make_staff())
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-77", "30.00", proforma)
    reasons = [e.reason for e in LedgerEntry.select().order_by(LedgerEntry.id)]
    assert reasons[1] == f"Rabat na {proforma.number}"  # staff credit is a discount on it, not a payment
    assert reasons[2] == f"Nadpłata do {proforma.number}"
    assert sum(e.amount for e in LedgerEntry.select()) == Decimal("8.27")
