"""Billing cycles and the anchored due-date schedule (docs/billing.md rules 3 and 4).

A service has an *anchor* date. Its due dates are ``anchor + k cycles`` for every
integer ``k``, each counted from the original anchor and clamped to the end of the
month, so an anchor on 31 Jan gives 28/29 Feb, 31 Mar, 30 Apr, 31 May... and never
drifts to the 28th. Periods are half-open: ``[start, next_due)``.

Days before the anchor are allowed: the schedule is extended backwards by the same
rule (``k`` negative). Callers that must not bill before a service existed check
that themselves; the arithmetic stays total and consistent in both directions.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date


class Cycle(enum.StrEnum):
    """A billing cycle; the value is the lowercase name stored in config and DB."""

    monthly = "monthly"
    quarterly = "quarterly"
    semiannually = "semiannually"
    annually = "annually"
    biennially = "biennially"
    triennially = "triennially"

    def __str__(self) -> str:
        """Return the plain value (``"monthly"``), the same on every Python version."""
        return self.value

    @property
    def months(self) -> int:
        """Length of the cycle in calendar months (1, 3, 6, 12, 24, 36)."""
        return _MONTHS[self]


_MONTHS: dict[Cycle, int] = {
    Cycle.monthly: 1,
    Cycle.quarterly: 3,
    Cycle.semiannually: 6,
    Cycle.annually: 12,
    Cycle.biennially: 24,
    Cycle.triennially: 36,
}


def _add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by ``months`` calendar months, day clamped to month end."""
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(anchor.day, last_day))


def add_cycles(anchor: date, cycle: Cycle, n: int) -> date:
    """Return the ``n``-th due date of the schedule anchored at ``anchor``.

    Promises: the result is ``anchor`` plus ``n * cycle.months`` months counted
    from the original anchor (never from an earlier, clamped due date), with the
    day clamped to the last day of the target month. ``n`` may be zero (returns
    ``anchor``) or negative. The schedule is strictly increasing in ``n``.
    Raises ``OverflowError``/``ValueError`` only if the date leaves year 1..9999.
    """
    return _add_months(anchor, cycle.months * n)


def _index_of_period(anchor: date, cycle: Cycle, day: date) -> int:
    """The ``k`` with ``add_cycles(anchor, cycle, k) <= day < add_cycles(..., k + 1)``."""
    months_apart = (day.year - anchor.year) * 12 + (day.month - anchor.month)
    k = months_apart // cycle.months  # floor; off by at most one either way
    while add_cycles(anchor, cycle, k) > day:
        k -= 1
    while add_cycles(anchor, cycle, k + 1) <= day:
        k += 1
    return k


def period_containing(anchor: date, cycle: Cycle, day: date) -> tuple[date, date]:
    """Return the half-open period ``(start, next_due)`` of the schedule holding ``day``.

    Promises: ``start <= day < next_due``, and both ends are due dates of the
    schedule anchored at ``anchor`` (consecutive ones). A ``day`` equal to a due
    date starts a new period. Days before the anchor are answered from the
    schedule extended backwards (no error is raised).
    """
    k = _index_of_period(anchor, cycle, day)
    return add_cycles(anchor, cycle, k), add_cycles(anchor, cycle, k + 1)


def next_due_after(anchor: date, cycle: Cycle, day: date) -> date:
    """Return the first due date of the anchored schedule strictly after ``day``.

    Promises: equals ``period_containing(anchor, cycle, day)[1]``; when ``day`` is
    itself a due date the *following* one is returned.
    """
    return period_containing(anchor, cycle, day)[1]
