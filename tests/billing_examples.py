"""The worked examples of BILLING.md (VAT 23%), as data other tests can reuse.

Every amount is a Decimal string-built to the grosz; cycles are ``Cycle`` members.
``anchor`` is the service's billing anchor: the schedule it implies must produce
``[period_start, next_due)`` for ``change_date``. ``document`` is False when the
net is zero (rule 8: no document, the change applies at once); then ``vat``,
``gross``, ``balance_applied`` and ``to_pay`` are None. E13's period is "any" in
BILLING.md; E1's period is used here, and its credit/charge are the internal
arithmetic (not shown to the customer, since no document is made).
``new_period_start``/``new_next_due`` are the service's period after the change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from core.billing.cycles import Cycle

M, A = Cycle.monthly, Cycle.annually

BILLING_EXAMPLES: list[dict[str, Any]] = [
    dict(id="E1", old_net_price=D("50.00"), old_cycle=M, new_net_price=D("100.00"), new_cycle=M,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 16), remaining_days=16, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("25.81"), charge=D("51.61"), net=D("25.80"), vat=D("5.93"),
         gross=D("31.73"), balance_applied=D("0.00"), to_pay=D("31.73"), document=True,
         new_period_start=date(2026, 3, 1), new_next_due=date(2026, 4, 1)),
    dict(id="E2", old_net_price=D("50.00"), old_cycle=M, new_net_price=D("100.00"), new_cycle=M,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 16), remaining_days=16, period_days=31, balance=D("10.00"),
         vat_rate=D("23"), credit=D("25.81"), charge=D("51.61"), net=D("25.80"), vat=D("5.93"),
         gross=D("31.73"), balance_applied=D("10.00"), to_pay=D("21.73"), document=True,
         new_period_start=date(2026, 3, 1), new_next_due=date(2026, 4, 1)),
    dict(id="E4", old_net_price=D("30.00"), old_cycle=M, new_net_price=D("60.00"), new_cycle=M,
         anchor=date(2026, 2, 1), period_start=date(2026, 2, 1), next_due=date(2026, 3, 1),
         change_date=date(2026, 2, 15), remaining_days=14, period_days=28, balance=D("0.00"),
         vat_rate=D("23"), credit=D("15.00"), charge=D("30.00"), net=D("15.00"), vat=D("3.45"),
         gross=D("18.45"), balance_applied=D("0.00"), to_pay=D("18.45"), document=True,
         new_period_start=date(2026, 2, 1), new_next_due=date(2026, 3, 1)),
    dict(id="E5", old_net_price=D("30.00"), old_cycle=M, new_net_price=D("60.00"), new_cycle=M,
         anchor=date(2028, 2, 1), period_start=date(2028, 2, 1), next_due=date(2028, 3, 1),
         change_date=date(2028, 2, 15), remaining_days=15, period_days=29, balance=D("0.00"),
         vat_rate=D("23"), credit=D("15.52"), charge=D("31.03"), net=D("15.51"), vat=D("3.57"),
         gross=D("19.08"), balance_applied=D("0.00"), to_pay=D("19.08"), document=True,
         new_period_start=date(2028, 2, 1), new_next_due=date(2028, 3, 1)),
    dict(id="E6", old_net_price=D("40.00"), old_cycle=M, new_net_price=D("80.00"), new_cycle=M,
         anchor=date(2026, 1, 31), period_start=date(2026, 2, 28), next_due=date(2026, 3, 31),
         change_date=date(2026, 3, 10), remaining_days=21, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("27.10"), charge=D("54.19"), net=D("27.09"), vat=D("6.23"),
         gross=D("33.32"), balance_applied=D("0.00"), to_pay=D("33.32"), document=True,
         new_period_start=date(2026, 2, 28), new_next_due=date(2026, 3, 31)),
    dict(id="E9", old_net_price=D("50.00"), old_cycle=M, new_net_price=D("500.00"), new_cycle=A,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 16), remaining_days=16, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("25.81"), charge=D("500.00"), net=D("474.19"), vat=D("109.06"),
         gross=D("583.25"), balance_applied=D("0.00"), to_pay=D("583.25"), document=True,
         new_period_start=date(2026, 3, 16), new_next_due=date(2027, 3, 16)),
    dict(id="E13", old_net_price=D("50.00"), old_cycle=M, new_net_price=D("50.00"), new_cycle=M,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 16), remaining_days=16, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("25.81"), charge=D("25.81"), net=D("0.00"), vat=None,
         gross=None, balance_applied=None, to_pay=None, document=False,
         new_period_start=date(2026, 3, 1), new_next_due=date(2026, 4, 1)),
    dict(id="E15", old_net_price=D("50.00"), old_cycle=M, new_net_price=D("100.00"), new_cycle=M,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 1), remaining_days=31, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("50.00"), charge=D("100.00"), net=D("50.00"), vat=D("11.50"),
         gross=D("61.50"), balance_applied=D("0.00"), to_pay=D("61.50"), document=True,
         new_period_start=date(2026, 3, 1), new_next_due=date(2026, 4, 1)),
    dict(id="E17", old_net_price=D("100.00"), old_cycle=M, new_net_price=D("300.00"), new_cycle=A,
         anchor=date(2026, 3, 1), period_start=date(2026, 3, 1), next_due=date(2026, 4, 1),
         change_date=date(2026, 3, 16), remaining_days=16, period_days=31, balance=D("0.00"),
         vat_rate=D("23"), credit=D("51.61"), charge=D("300.00"), net=D("248.39"), vat=D("57.13"),
         gross=D("305.52"), balance_applied=D("0.00"), to_pay=D("305.52"), document=True,
         new_period_start=date(2026, 3, 16), new_next_due=date(2027, 3, 16)),
]
