"""Progress of a long job a person watches: a bar in a terminal, one summary line from cron.

Commands that can run for minutes (``hookbill migrate`` on a big database, a
renewal run, a statement import, seeding a benchmark) count their work here::

    with Progress(N_("Customers"), total=100_000) as progress:
        for batch in batches:
            write(batch)
            progress.advance(len(batch))

In a terminal the line is redrawn in place (at most :data:`REDRAW_SECONDS`
apart): the label, a bar, how many of how many, the rate and the time left.
Anywhere else (cron, a pipe, a log file) nothing is written until the end,
then one line says how many and how long. Text is in the provider's language
(``app.language``) when hookbill is set up, in English otherwise.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TextIO

from core.i18n import N_

#: The terminal line is redrawn at most this often.
REDRAW_SECONDS = 0.2
#: The bar's width in characters.
BAR_WIDTH = 24


def _text(message: str, **values: object) -> str:
    """``message`` in the provider's language when hookbill is set up, else in English."""
    from core import runtime

    try:
        runtime.current()
    except RuntimeError:
        return message % values if values else message
    from core.i18n import document_text

    return document_text(message, **values)


def _language() -> str:
    from core import runtime

    try:
        return str(runtime.config().get_value("app.language"))
    except RuntimeError:
        return "en"


def _number(value: float, decimals: int = 0) -> str:
    from babel import numbers

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=_language())


def duration(seconds: float) -> str:
    """``seconds`` as a person reads a time: ``0:42``, ``12:05``, ``1:02:05``."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts the work of one job and shows it (module docstring); a context manager.

    ``label`` is an English msgid (mark it with ``N_``); ``total`` is how much
    work there is, or None when it is not known (no bar, no time left).
    ``stream`` defaults to standard error; ``tty`` (default: whether
    ``stream`` is a terminal) chooses the bar or the summary line.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._drawn_at: float | None = None
        self._width = 0
        self.finished = False
        self.note = ""

    def __enter__(self) -> Self:
        self.started = self.clock()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.finish(failed=exc is not None)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return self.clock() - self.started

    def advance(self, amount: int = 1, note: str | None = None) -> None:
        """Count ``amount`` more units of work done; redraw the terminal line when it is time.

        ``note`` (shown at the end of the line, e.g. what is being worked on now)
        replaces the previous one and redraws the line at once.
        """
        self.done += amount
        changed = note is not None and note != self.note
        if note is not None:
            self.note = note
        if not self.tty:
            return
        now = self.clock()
        if changed or self._drawn_at is None or now - self._drawn_at >= REDRAW_SECONDS:
            self._draw(self.line())
            self._drawn_at = now

    def line(self) -> str:
        """The terminal line now: label, bar, count, rate, time left."""
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        parts = [_text(self.label)]
        if self.total:
            filled = min(BAR_WIDTH, int(BAR_WIDTH * self.done / self.total))
            parts.append("[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]")
            parts.append(_text(N_("%(done)s of %(total)s"), done=_number(self.done), total=_number(self.total)))
        else:
            parts.append(_number(self.done))
        parts.append(_text(N_("%(rate)s/s"), rate=_number(rate)))
        if self.total and rate > 0 and self.done < self.total:
            parts.append(_text(N_("%(time)s left"), time=duration((self.total - self.done) / rate)))
        if self.note:
            parts.append(self.note)
        return "  ".join(parts)

    def summary(self) -> str:
        """The one line that sums the job up: how many, how long, at what rate."""
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        return _text(
            N_("%(label)s: %(count)s in %(seconds)s s (%(rate)s/s)"),
            label=_text(self.label),
            count=_number(self.done),
            seconds=_number(elapsed, 1),
            rate=_number(rate),
        )

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self._width - len(text))
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self._width = len(text)

    def finish(self, failed: bool = False) -> None:
        """End the job's output: the terminal line is replaced by the summary, which is written anyway.

        After a failure (``failed``) the terminal line is ended as it stands,
        so the error that follows starts on its own line.
        """
        if self.finished:
            return
        self.finished = True
        if self.tty and self._drawn_at is not None:
            if failed:
                self.stream.write("\n")
            else:
                self._draw("")
                self.stream.write("\r")
        if not failed:
            self.stream.write(self.summary() + "\n")
        self.stream.flush()
