"""Properties of the billing arithmetic that must hold for any input."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.billing.cycles import Cycle, add_cycles
from core.billing.proration import ProrationError, ProrationInput, apply_balance, prorate
from core.billing.vat import document_totals, grand_totals, require_grosz
from core.money import round_money

prices = st.decimals(min_value=0, max_value=Decimal("999999.99"), places=2, allow_nan=False, allow_infinity=False)
signed = st.decimals(
    min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False
)
rates = st.sampled_from([Decimal("23"), Decimal("8"), Decimal("5"), Decimal("0"), Decimal("23.00"), Decimal("19")])
cycles = st.sampled_from(list(Cycle))


@st.composite
def changes(draw: st.DrawFn, same_cycle: bool | None = None) -> ProrationInput:
    anchor = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
    old_cycle = draw(cycles)
    k = draw(st.integers(min_value=0, max_value=20))
    start = add_cycles(anchor, old_cycle, k)
    due = add_cycles(anchor, old_cycle, k + 1)
    change = start + timedelta(days=draw(st.integers(0, (due - start).days - 1)))
    if same_cycle is None:
        new_cycle = draw(cycles)
    elif same_cycle:
        new_cycle = old_cycle
    else:
        new_cycle = draw(cycles.filter(lambda c: c != old_cycle))
    return ProrationInput(draw(prices), old_cycle, draw(prices), new_cycle, start, due, change)


@given(changes())
def test_credit_never_above_old_price_and_net_is_exact(inp: ProrationInput) -> None:
    p = prorate(inp)
    assert Decimal(0) <= p.credit <= inp.old_net_price
    assert p.net == p.charge - p.credit
    assert round_money(p.credit) == p.credit and round_money(p.charge) == p.charge
    assert 0 < p.remaining_days <= p.period_days
    assert p.new_period_start <= inp.change_date < p.new_next_due


@given(changes(same_cycle=True))
def test_same_cycle_charge_never_above_new_price_and_period_stays(inp: ProrationInput) -> None:
    p = prorate(inp)
    assert p.same_cycle and p.new_anchor is None
    assert Decimal(0) <= p.charge <= inp.new_net_price
    assert (p.new_period_start, p.new_next_due) == (inp.period_start, inp.next_due)
    if inp.old_net_price == inp.new_net_price:
        assert p.net == 0  # E13: same price, no document


@given(changes(same_cycle=False))
def test_other_cycle_charges_full_price_from_the_change_date(inp: ProrationInput) -> None:
    p = prorate(inp)
    assert p.charge == inp.new_net_price
    assert p.new_anchor == p.new_period_start == inp.change_date
    assert p.new_next_due == add_cycles(inp.change_date, inp.new_cycle, 1)


@given(changes(), st.integers(min_value=1, max_value=400))
def test_change_date_outside_period_is_refused(inp: ProrationInput, days: int) -> None:
    for bad in (inp.period_start - timedelta(days=days), inp.next_due + timedelta(days=days - 1)):
        with pytest.raises(ProrationError, match="outside the current period"):
            prorate(
                ProrationInput(
                    inp.old_net_price,
                    inp.old_cycle,
                    inp.new_net_price,
                    inp.new_cycle,
                    inp.period_start,
                    inp.next_due,
                    bad,
                )
            )


def test_bad_inputs_are_refused() -> None:
    ok = ProrationInput(
        Decimal("50.00"),
        Cycle.monthly,
        Decimal("100.00"),
        Cycle.monthly,
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 3, 16),
    )
    with pytest.raises(ProrationError, match="must not be negative"):
        prorate(dataclasses.replace(ok, old_net_price=Decimal("-1")))
    with pytest.raises(ProrationError, match="new net price"):
        prorate(dataclasses.replace(ok, new_net_price=1.5))  # float refused
    with pytest.raises(ProrationError, match="must be before next due"):
        prorate(dataclasses.replace(ok, period_start=ok.next_due, change_date=ok.next_due))
    with pytest.raises(ValueError):
        apply_balance(Decimal("10.00"), Decimal("-0.01"))
    with pytest.raises(ValueError):
        apply_balance(Decimal("10.001"), Decimal("0"))
    with pytest.raises(ValueError):
        document_totals([(Decimal("1.005"), Decimal("23"))])
    with pytest.raises(ValueError):
        require_grosz(0.1, "float")


@given(st.lists(st.tuples(signed, rates), max_size=12))
def test_vat_once_per_rate_and_totals_add_up(lines: list[tuple[Decimal, Decimal]]) -> None:
    per_rate = document_totals(lines)
    total = grand_totals(per_rate)
    assert total.net == sum((net for net, _ in lines), Decimal(0))
    assert [t.rate for t in per_rate] == sorted({r for _, r in lines}, reverse=True)
    for t in per_rate:
        net = sum((n for n, r in lines if r == t.rate), Decimal(0))
        assert t.net == net
        assert t.vat == round_money(net * t.rate / 100)
        assert t.gross == t.net + t.vat
    assert total.vat == sum((t.vat for t in per_rate), Decimal(0))
    assert total.gross == sum((t.gross for t in per_rate), Decimal(0))
    assert total.gross == total.net + total.vat


@given(changes(), rates)
def test_proforma_lines_sum_to_document_net(inp: ProrationInput, rate: Decimal) -> None:
    p = prorate(inp)
    per_rate = document_totals([(-p.credit, rate), (p.charge, rate)])
    assert grand_totals(per_rate).net == p.net


@given(prices, prices)
def test_apply_balance(gross: Decimal, balance: Decimal) -> None:
    applied, to_pay = apply_balance(gross, balance)
    assert Decimal(0) <= applied <= gross
    assert applied <= balance
    assert balance - applied >= 0
    assert to_pay >= 0 and applied + to_pay == gross
    assert applied == min(gross, balance)
