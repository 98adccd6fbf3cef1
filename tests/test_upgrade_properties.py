"""Properties of the quote, through the real plugin manager (proration tryfirst, balance trylast)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.billing.cycles import Cycle, add_cycles
from core.config import load_config
from core.money import ZERO
from core.plugins import make_plugin_manager
from core.upgrades.quote import Quote


@pytest.fixture(scope="module")
def hook():
    config = load_config(overrides={"billing": {"downgrade": "credit"}}, environ={}, use_files=False)
    return make_plugin_manager(config).hook


money = st.integers(min_value=0, max_value=10_000_00).map(lambda n: (Decimal(n) / 100).quantize(Decimal("0.01")))
cycles = st.sampled_from(list(Cycle))


@settings(max_examples=300, deadline=None)
@given(
    old=money,
    new=money,
    balance=money,
    old_cycle=cycles,
    new_cycle=cycles,
    anchor=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    offset=st.integers(min_value=0, max_value=2000),
    mode=st.sampled_from(["end_of_period", "credit", "none"]),
)
def test_quote_properties(hook, old, new, balance, old_cycle, new_cycle, anchor, offset, mode):
    next_due = add_cycles(anchor, old_cycle, 1)
    change = anchor + timedelta(days=offset % (next_due - anchor).days)
    service = SimpleNamespace(
        id=1,
        version=1,
        product_id=1,
        cycle=old_cycle.value,
        period_start=anchor,
        next_due=next_due,
        anchor_date=anchor,
        product=SimpleNamespace(name="Old"),
    )
    quote = Quote(
        service=service,
        target=SimpleNamespace(id=2, name="New"),
        target_cycle=new_cycle.value,
        change_date=change,
        old_price=old,
        new_price=new,
        vat_rate="23",
        balance_available=balance,
        downgrade_mode=mode,
        created_at=datetime(2026, 1, 1),
    )
    hook.on_upgrade_quote(quote=quote)
    assert ZERO <= quote.credit <= old  # credit never above the old price
    assert sum((line.net for line in quote.lines), ZERO) == quote.net  # lines sum to the total
    assert quote.gross == quote.net + quote.vat
    assert ZERO <= quote.balance_applied <= max(quote.gross, ZERO)  # never above the gross total
    assert quote.balance_applied <= balance and balance - quote.balance_applied >= 0  # balance never negative
    assert quote.to_pay >= 0
    if quote.action == "pay":
        assert quote.balance_applied + quote.to_pay == quote.gross
    else:
        assert quote.balance_applied == 0 and quote.to_pay == 0
    assert (quote.net > 0) == (quote.action == "pay")
