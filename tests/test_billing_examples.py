"""Every worked example of docs/billing.md, reproduced to the grosz."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.billing.cycles import period_containing
from core.billing.proration import ProrationInput, apply_balance, prorate
from core.billing.vat import document_totals, grand_totals
from tests.billing_examples import BILLING_EXAMPLES

EXAMPLES = pytest.mark.parametrize("ex", BILLING_EXAMPLES, ids=[e["id"] for e in BILLING_EXAMPLES])


def _prorate(ex: dict[str, Any]):
    return prorate(
        ProrationInput(
            old_net_price=ex["old_net_price"],
            old_cycle=ex["old_cycle"],
            new_net_price=ex["new_net_price"],
            new_cycle=ex["new_cycle"],
            period_start=ex["period_start"],
            next_due=ex["next_due"],
            change_date=ex["change_date"],
        )
    )


def test_all_public_examples_are_in_the_table() -> None:
    assert [e["id"] for e in BILLING_EXAMPLES] == ["E1", "E2", "E4", "E5", "E6", "E9", "E13", "E15", "E17"]


@EXAMPLES
def test_period_comes_from_the_anchored_schedule(ex: dict[str, Any]) -> None:
    assert period_containing(ex["anchor"], ex["old_cycle"], ex["change_date"]) == (ex["period_start"], ex["next_due"])


@EXAMPLES
def test_proration_lines(ex: dict[str, Any]) -> None:
    p = _prorate(ex)
    assert (p.remaining_days, p.period_days) == (ex["remaining_days"], ex["period_days"])
    assert p.credit == ex["credit"]
    assert p.charge == ex["charge"]
    assert p.net == ex["net"]
    assert str(p.net) == str(ex["net"])  # two decimal places, as printed
    assert (p.new_period_start, p.new_next_due) == (ex["new_period_start"], ex["new_next_due"])
    if ex["old_cycle"] == ex["new_cycle"]:
        assert p.same_cycle and p.new_anchor is None
    else:
        assert not p.same_cycle and p.new_anchor == ex["change_date"]


@EXAMPLES
def test_document_and_payment(ex: dict[str, Any]) -> None:
    p = _prorate(ex)
    assert (p.net > 0) is ex["document"]
    if not ex["document"]:
        assert p.net == Decimal("0.00")
        return
    rates = document_totals([(-p.credit, ex["vat_rate"]), (p.charge, ex["vat_rate"])])
    assert len(rates) == 1
    assert (rates[0].net, rates[0].vat, rates[0].gross) == (ex["net"], ex["vat"], ex["gross"])
    total = grand_totals(rates)
    assert (total.net, total.vat, total.gross) == (ex["net"], ex["vat"], ex["gross"])
    applied, to_pay = apply_balance(total.gross, ex["balance"])
    assert applied == ex["balance_applied"]
    assert to_pay == ex["to_pay"]
