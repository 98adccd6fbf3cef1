"""Properties of the quote: the real hooks (proration, a plugin's discount, balance), then the core's settling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import runtime
from core.billing.cycles import Cycle, add_cycles
from core.config import load_config
from core.hookspecs import hookimpl
from core.money import ZERO
from core.upgrades.quote import Quote
from core.upgrades.quoting import price


@pytest.fixture(scope="module")
def hook(tmp_path_factory):
    """The hooks of a runtime of their own (line texts are in its document language); no database is used."""
    folder = tmp_path_factory.mktemp("properties")
    config = load_config(
        overrides={
            "app": {"secret_key": "test-secret", "instance_path": str(folder)},
            "database": {"url": f"sqlite:///{folder / 'unused.sqlite3'}"},
        },
        environ={},
        use_files=False,
    )
    pm = runtime.setup(config).pm
    pm.register(Discount(), name="discount")
    return pm.hook


#: The discount the plugin below adds to the next quote (0: none); set per example.
DISCOUNT: list[Decimal] = [ZERO]


class Discount:
    """A plugin adding a ``discount`` line between proration and balance, as a third-party plugin would."""

    @hookimpl
    def on_upgrade_quote(self, quote):
        if DISCOUNT[0]:
            quote.add_line("discount", "Rabat", -DISCOUNT[0], label="Discount")


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
    discount=money,
)
def test_quote_properties(hook, old, new, balance, old_cycle, new_cycle, anchor, offset, mode, discount):
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
        customer=SimpleNamespace(id=1),
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
    DISCOUNT[0] = discount
    price(quote, hook)
    assert ZERO <= quote.credit <= old  # credit never above the old price
    assert [line.kind for line in quote.lines] == ["credit", "charge"] + (["discount"] if discount else [])
    assert sum((line.net for line in quote.lines), ZERO) == quote.net  # lines sum to the total, the plugin's too
    assert sum((t.net for t in quote.rate_totals), ZERO) == quote.net
    assert sum((t.vat for t in quote.rate_totals), ZERO) == quote.vat
    assert quote.gross == quote.net + quote.vat
    assert ZERO <= quote.balance_applied <= max(quote.gross, ZERO)  # never above the gross total
    assert quote.balance_applied <= balance and balance - quote.balance_applied >= 0  # balance never negative
    assert quote.to_pay >= 0
    if quote.action == "pay":
        assert quote.balance_applied + quote.to_pay == quote.gross
    else:
        assert quote.balance_applied == 0 and quote.to_pay == 0
    assert (quote.net > 0) == (quote.action == "pay")
