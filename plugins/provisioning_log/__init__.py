"""Built-in plugin: the default provisioning module, which only records what it is told.

Products with no ``provisioning_module`` (or ``"log"``) use it. It writes an
activity-log entry per call, so a provider without a control-panel connector
still sees "change Basic -> Pro on server X" for staff to do by hand, and the
outbox path (queued in the payment's transaction, run after commit) is
exercised end to end.
"""

from __future__ import annotations

from typing import Any

from core import activity, db
from core.hookspecs import hookimpl


class LogModule:
    """A provisioning module that records each action in the activity log."""

    code = "log"

    def _record(self, action: str, service: Any, **details: Any) -> None:
        with db.write_transaction():
            activity.record(
                f"provisioning.{action}", subject=service, customer_id=service.customer_id, module=self.code, **details
            )

    def create(self, service: Any) -> None:
        """Record a create request."""
        self._record("create", service)

    def suspend(self, service: Any) -> None:
        """Record a suspend request."""
        self._record("suspend", service)

    def unsuspend(self, service: Any) -> None:
        """Record an unsuspend request."""
        self._record("unsuspend", service)

    def terminate(self, service: Any) -> None:
        """Record a terminate request."""
        self._record("terminate", service)

    def change_package(self, service: Any, product: Any) -> None:
        """Record a package change request."""
        self._record("change_package", service, product=product.slug)


@hookimpl
def hookbill_provisioning_modules() -> list[Any]:
    return [LogModule()]
