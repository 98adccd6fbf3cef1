"""Small handles a test holds: the clock, the outbox, and the ``hookbill`` command."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from click.testing import CliRunner, Result

from core import clock, db, outbox, runtime
from core.models import OutboxMessage


class Clock:
    """The one clock of :mod:`core.clock`, as a test moves it.

    ``freeze("2026-03-16T12:00")`` pins it (naive times are in the provider's
    zone), ``advance(days=3)`` moves a frozen clock on, ``unfreeze()`` lets it
    run. The kit's fixture unfreezes it after every test.
    """

    def freeze(self, moment: str | datetime | date = "2026-03-16T12:00:00") -> datetime:
        """Pin the clock at ``moment`` (a date means its noon); return the new now."""
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, 12)
        clock.freeze(moment)
        return clock.now()

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move the clock on by ``delta`` or by ``timedelta(**units)`` (``days=3``); return the new now."""
        clock.advance(delta if delta is not None else timedelta(**units))
        return clock.now()

    def unfreeze(self) -> None:
        """Let the clock run with the wall clock again."""
        clock.freeze(None)

    def now(self) -> datetime:
        """The current time in the provider's zone."""
        return clock.now()

    def today(self) -> date:
        """Today in the provider's zone."""
        return clock.today()


class Outbox:
    """The outbox of the test's database: what was queued, delivering it, what was sent."""

    def messages(self, kind: str | None = None, status: str | None = None) -> list[OutboxMessage]:
        """Queued messages (oldest first), of ``kind`` and in ``status`` when given."""
        with db.connection():
            query = OutboxMessage.select().order_by(OutboxMessage.id)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            if status is not None:
                query = query.where(OutboxMessage.status == status)
            return list(query)

    def pending(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Payloads of the messages still waiting to be sent."""
        return [m.payload for m in self.messages(kind) if m.status in ("pending", "sending")]

    def sent(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Payloads of the messages whose handler ran without an error."""
        return [m.payload for m in self.messages(kind, "sent")]

    def failed(self, kind: str | None = None) -> list[OutboxMessage]:
        """Messages that are waiting for a retry after an error, or gave up; ``last_error`` says why."""
        return [m for m in self.messages(kind) if m.last_error and m.status != "sent"]

    def deliver(self, limit: int = 100) -> int:
        """Run the outbox worker once, as ``hookbill outbox`` does; return how many messages were sent.

        Messages waiting for a retry are due only when the clock has passed
        their next attempt: advance ``hookbill_clock`` to retry them now.
        """
        max_attempts = int(runtime.config().get_value("mail.max_attempts"))
        with db.connection():
            return outbox.process(limit=limit, max_attempts=max_attempts)


class Cli:
    """Runs ``hookbill`` commands in this process, against the test's runtime (database, plugins)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, check: bool = True) -> Result:
        """Run ``hookbill ARGS...``; with ``check`` a non-zero exit fails with the command's output.

        Plugins' commands (``hookbill_cli_commands``) are there too. Use
        ``result.output`` for what it printed and ``result.exit_code``.
        """
        return self.invoke(list(args), input=input, check=check)

    def invoke(self, args: Sequence[str], input: str | None = None, check: bool = True) -> Result:
        """Run ``hookbill`` with ``args`` (a list); see :meth:`__call__`."""
        from core.cli import with_plugin_commands

        rt = runtime.current()
        result = self.runner.invoke(with_plugin_commands(rt.pm), list(args), input=input, obj={"runtime": rt})
        if check and result.exit_code != 0:
            raise AssertionError(
                f"hookbill {' '.join(args)} exited with {result.exit_code}:\n{result.output}"
            ) from result.exception
        return result
