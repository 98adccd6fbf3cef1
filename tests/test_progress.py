"""Long commands show a bar with a count and the time left in a terminal, and one summary line from cron.

The clock is a counter the test moves, so the rate and the time left are exact.
Text is in the provider's language (Polish in the tests' configuration).
"""

from __future__ import annotations

import io
import re

import pytest

from core.i18n import N_
from core.progress import Progress, duration
from tests.cli_helpers import run_hookbill


class Ticking:
    """A monotonic clock the test sets."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_a_bar_redrawn_in_place_then_the_summary(app):
    stream, clock = io.StringIO(), Ticking()
    with Progress(N_("Customers"), total=1000, stream=stream, tty=True, clock=clock) as progress:
        clock.now += 2
        progress.advance(250)
        assert stream.getvalue().replace("\xa0", " ") == (
            "\rKlienci  [######------------------]  250 z 1 000  125/s  zostało 0:06"
        )
        clock.now += 0.05
        progress.advance(10)  # sooner than the redraw interval: the line stays
        assert stream.getvalue().count("\r") == 1
        clock.now += 1
        progress.advance(740, note="core:m0007_list_indexes")  # a new note redraws at once
        drawn = stream.getvalue().replace("\xa0", " ")
        assert drawn.endswith("[########################]  1 000 z 1 000  328/s  core:m0007_list_indexes")
        clock.now += 1
    lines = stream.getvalue().replace("\xa0", " ").split("\r")
    assert lines[-2].strip() == "" and lines[-1] == "Klienci: 1 000 w 4,0 s (247/s)\n"  # 4.05 s


def test_cron_gets_one_line_and_a_failure_no_summary(app):
    stream, clock = io.StringIO(), Ticking()
    with Progress(N_("Customers"), stream=stream, tty=False, clock=clock) as progress:
        for _ in range(30):
            clock.now += 0.5
            progress.advance(1)
        assert stream.getvalue() == ""  # nothing while it works
    assert stream.getvalue() == "Klienci: 30 w 15,0 s (2/s)\n"

    broken = io.StringIO()
    with pytest.raises(ValueError), Progress(N_("Customers"), total=10, stream=broken, tty=True, clock=clock) as bar:
        bar.advance(3)
        raise ValueError("stop")
    assert broken.getvalue().endswith("3 z 10  0/s\n")  # the bar ends its line; the error follows on its own


def test_durations_read_like_a_clock():
    assert [duration(s) for s in (0, 42.4, 725, 3725)] == ["0:00", "0:42", "12:05", "1:02:05"]


def test_migrate_from_cron_says_how_many_in_one_line(tmp_path):
    result = run_hookbill(tmp_path, "migrate")
    assert "applied core:m0001_initial" in result.stdout
    summary = result.stderr.replace("\xa0", " ").replace("\u202f", " ").strip().splitlines()[-1]
    # a rate past 999 is grouped in thousands, as Polish writes numbers ("1 003/s")
    assert re.fullmatch(r"Migracje: \d+ w \d+,\d s \(\d{1,3}(?: \d{3})*/s\)", summary), result.stderr
    again = run_hookbill(tmp_path, "migrate")
    assert again.stdout.strip() == "nothing to migrate" and again.stderr == ""
