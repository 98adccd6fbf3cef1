"""Small value types that hooks take and return (menu items, cron jobs, migrations...).

They live here, not in :mod:`core.hookspecs`, so a plugin can import them
without importing Flask or the models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    """An entry of the client or admin menu.

    ``endpoint`` is a Flask endpoint name (``"tickets.index"``); ``label`` is shown
    translated through gettext; lower ``order`` comes first; ``roles`` limits an
    admin entry to staff roles (empty: everyone).
    """

    label: str
    endpoint: str
    order: int = 100
    icon: str = ""
    roles: tuple[str, ...] = ()
    active_prefix: str = ""


@dataclass(frozen=True)
class MigrationSet:
    """A component's migrations: modules in ``package`` named ``mNNNN_*.py``, each with ``up(db, migrator)``."""

    component: str
    package: str


@dataclass(frozen=True)
class CronJob:
    """A job ``hookbill cron`` runs at most once per ``every`` across all nodes.

    ``func`` takes no arguments and runs in its own transaction(s); it may queue
    outbox messages but should not do slow network I/O itself.
    """

    name: str
    func: Callable[[], Any]
    every: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class SettingSpec:
    """A setting a plugin declares: stored per ``namespace``/``key`` in the database."""

    namespace: str
    key: str
    label: str
    default: Any = None
    kind: str = "str"  # str | int | bool | secret | text
    help: str = ""


@dataclass
class TemplateContext:
    """What a template snippet hook sees: the page's variables, read-only by convention."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """A page variable, or ``default``."""
        return self.values.get(name, default)


# Template snippet names the default theme renders. A template that asks for a
# name not listed here raises an error: a typo must fail loudly, not render nothing.
TEMPLATE_HOOK_NAMES: frozenset[str] = frozenset(
    {
        "head",  # inside <head>, e.g. a stylesheet link
        "client_dashboard",  # panels on the customer's dashboard
        "client_service_detail",  # below a service's details
        "client_profile",  # below the profile forms
        "client_security",  # the security page (2FA, sessions)
        "admin_dashboard",  # panels on the staff dashboard
        "admin_customer_detail",  # below a customer's details in the admin area
        "admin_document_detail",  # below a document's payments in the admin area (e.g. gateway refunds)
        "footer",  # the page footer
        "ticket_form",  # inside the ticket open/reply forms (e.g. "encrypt this message")
        "ticket_message",  # below one ticket message, client and admin (e.g. decrypt)
        "admin_department",  # below a department's form in the admin area (e.g. its PGP key)
    }
)
