"""Every docs/billing.md worked example through the real quote (hooks) and the real proforma."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core import clock
from core.balance_view import balance_of
from core.documents.issuing import snapshot_of
from core.models import Document, Service, ServiceChange
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from tests.billing_examples import BILLING_EXAMPLES
from tests.helpers import make_customer
from tests.upgrade_helpers import billing_profile, example_situation, setup_seller

EXAMPLES = pytest.mark.parametrize("ex", BILLING_EXAMPLES, ids=[e["id"] for e in BILLING_EXAMPLES])


def _situation(ex: dict[str, Any]):
    clock.freeze(f"{ex['change_date'].isoformat()}T12:00:00")
    setup_seller()
    customer = make_customer()
    billing_profile(customer)
    svc, new = example_situation(ex, customer)
    return customer, svc, new


@EXAMPLES
def test_quote_matches_the_example(sqlite_app, conn, ex: dict[str, Any]) -> None:
    _customer, svc, new = _situation(ex)
    quote = build_quote(svc, new.id, ex["new_cycle"].value)
    assert (quote.remaining_days, quote.period_days) == (ex["remaining_days"], ex["period_days"])
    assert quote.credit == ex["credit"]
    assert quote.charge == ex["charge"]
    assert quote.net == ex["net"]
    assert (quote.new_period_start, quote.new_next_due) == (ex["new_period_start"], ex["new_next_due"])
    if ex["document"]:
        assert quote.action == "pay"
        assert (quote.vat, quote.gross) == (ex["vat"], ex["gross"])
        assert (quote.balance_applied, quote.to_pay) == (ex["balance_applied"], ex["to_pay"])
        assert [line.kind for line in quote.lines] == ["credit", "charge"]
    else:
        assert quote.action == "apply" and quote.to_pay == Decimal("0.00")


@EXAMPLES
def test_proforma_carries_the_same_numbers(app, conn, ex: dict[str, Any]) -> None:
    customer, svc, new = _situation(ex)
    result = confirm_change(customer.id, svc.id, new.id, ex["new_cycle"].value)
    if not ex["document"]:
        assert result.document is None and result.status == "applied"
        assert Document.select().count() == 0
        assert Service.get_by_id(svc.id).product_id == new.id
        return
    proforma = result.document
    snap = snapshot_of(proforma)
    # the default ("difference") mode: one positive line, charge - credit, no negative line
    assert [line.net for line in snap.lines] == [ex["charge"] - ex["credit"]]
    assert snap.lines[0].description.startswith("Dopłata za zmianę pakietu ")
    assert (proforma.total_net, proforma.total_vat, proforma.total_gross) == (ex["net"], ex["vat"], ex["gross"])
    assert proforma.paid == ex["balance_applied"]
    assert proforma.total_gross - proforma.paid == ex["to_pay"]
    assert proforma.status == ("partially_paid" if ex["balance_applied"] > 0 else "unpaid")
    assert balance_of(customer.id) == ex["balance"] - ex["balance_applied"]
    assert result.change.status == "awaiting_payment"
    assert proforma.due_date < ex["next_due"]  # rule 10: never after the prorated period
    assert ServiceChange.get_by_id(result.change.id).quote["gross"] == str(ex["gross"])
