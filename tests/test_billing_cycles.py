"""Anchored due dates (docs/billing.md rule 4) and half-open periods (rule 3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.billing.cycles import Cycle, add_cycles, next_due_after, period_containing

JAN31 = date(2026, 1, 31)


def test_cycle_values_and_lengths() -> None:
    assert {c.value: c.months for c in Cycle} == {
        "monthly": 1,
        "quarterly": 3,
        "semiannually": 6,
        "annually": 12,
        "biennially": 24,
        "triennially": 36,
    }
    assert Cycle("quarterly") is Cycle.quarterly
    assert str(Cycle.annually) == "annually" and f"{Cycle.annually}" == "annually"
    assert Cycle.monthly == "monthly"


def test_anchor_31_jan_monthly_clamps_and_never_drifts() -> None:
    got = [add_cycles(JAN31, Cycle.monthly, n) for n in range(13)]
    assert got == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
    ]


def test_leap_year_february() -> None:
    assert add_cycles(date(2028, 1, 31), Cycle.monthly, 1) == date(2028, 2, 29)
    assert add_cycles(date(2028, 1, 31), Cycle.monthly, 2) == date(2028, 3, 31)
    assert add_cycles(date(2028, 2, 29), Cycle.annually, 1) == date(2029, 2, 28)
    assert add_cycles(date(2028, 2, 29), Cycle.annually, 4) == date(2032, 2, 29)
    assert add_cycles(date(2027, 2, 28), Cycle.annually, 1) == date(2028, 2, 28)


@pytest.mark.parametrize(
    "cycle, expected",
    [
        (Cycle.monthly, date(2026, 2, 28)),
        (Cycle.quarterly, date(2026, 4, 30)),
        (Cycle.semiannually, date(2026, 7, 31)),
        (Cycle.annually, date(2027, 1, 31)),
        (Cycle.biennially, date(2028, 1, 31)),
        (Cycle.triennially, date(2029, 1, 31)),
    ],
)
def test_every_cycle_length(cycle: Cycle, expected: date) -> None:
    assert add_cycles(JAN31, cycle, 1) == expected
    assert add_cycles(date(2026, 3, 15), cycle, 2) == add_cycles(date(2026, 3, 15), Cycle.monthly, 2 * cycle.months)


def test_zero_and_negative_n() -> None:
    assert add_cycles(JAN31, Cycle.quarterly, 0) == JAN31
    assert add_cycles(JAN31, Cycle.monthly, -1) == date(2025, 12, 31)
    assert add_cycles(JAN31, Cycle.monthly, -2) == date(2025, 11, 30)
    assert add_cycles(date(2026, 3, 31), Cycle.monthly, -1) == date(2026, 2, 28)
    assert add_cycles(JAN31, Cycle.triennially, -1) == date(2023, 1, 31)


def test_period_containing_edges() -> None:
    # day == start belongs to the period it starts
    assert period_containing(JAN31, Cycle.monthly, date(2026, 2, 28)) == (date(2026, 2, 28), date(2026, 3, 31))
    # day == next_due - 1 is the last day of the period
    assert period_containing(JAN31, Cycle.monthly, date(2026, 3, 30)) == (date(2026, 2, 28), date(2026, 3, 31))
    # day == next_due starts the next period
    assert period_containing(JAN31, Cycle.monthly, date(2026, 3, 31)) == (date(2026, 3, 31), date(2026, 4, 30))
    assert period_containing(JAN31, Cycle.monthly, JAN31) == (JAN31, date(2026, 2, 28))
    assert period_containing(JAN31, Cycle.annually, date(2027, 1, 30)) == (JAN31, date(2027, 1, 31))


def test_period_containing_before_anchor_extends_schedule_backwards() -> None:
    assert period_containing(JAN31, Cycle.monthly, date(2026, 1, 30)) == (date(2025, 12, 31), JAN31)
    assert period_containing(JAN31, Cycle.monthly, date(2025, 12, 1)) == (date(2025, 11, 30), date(2025, 12, 31))
    assert period_containing(JAN31, Cycle.quarterly, date(2025, 11, 1)) == (date(2025, 10, 31), JAN31)


def test_next_due_after() -> None:
    assert next_due_after(JAN31, Cycle.monthly, date(2026, 2, 27)) == date(2026, 2, 28)
    assert next_due_after(JAN31, Cycle.monthly, date(2026, 2, 28)) == date(2026, 3, 31)
    assert next_due_after(date(2026, 3, 1), Cycle.annually, date(2026, 3, 16)) == date(2027, 3, 1)


@pytest.mark.parametrize("cycle", list(Cycle))
@pytest.mark.parametrize("anchor", [JAN31, date(2028, 2, 29), date(2026, 8, 30), date(2026, 1, 1)])
def test_every_day_for_years_falls_in_exactly_one_scheduled_period(anchor: date, cycle: Cycle) -> None:
    schedule = [add_cycles(anchor, cycle, n) for n in range(-3, 8)]
    assert schedule == sorted(set(schedule))  # strictly increasing
    day = schedule[0]
    while day < schedule[-1]:
        start, due = period_containing(anchor, cycle, day)
        assert start <= day < due
        assert schedule.index(due) == schedule.index(start) + 1
        day += timedelta(days=1)
