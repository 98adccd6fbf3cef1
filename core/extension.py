"""Small value types that hooks take and return (menu items, cron jobs, migrations...).

They live here, not in :mod:`core.hookspecs`, so a plugin can import them
without importing Flask or the models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
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


#: The kinds of setting a plugin can declare, and what an admin can enter for each.
SETTING_KINDS: dict[str, str] = {
    "str": "one line of text",
    "text": "several lines of text",
    "secret": "text that is stored but never shown back (an API key); left empty, the stored value stays",
    "url": "a web address starting with http:// or https://",
    "int": "a whole number, optionally within minimum..maximum",
    "decimal": "a decimal number (comma or point), stored exactly, read back as decimal.Decimal",
    "bool": "a check box",
    "choice": "one of ``choices``: (value, label) pairs, or a function returning them",
}

#: (value, label) pairs of a ``choice`` setting; labels are shown through gettext.
Choices = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SettingSpec:
    """A setting a plugin declares (``hookbill_settings``): shown on the admin settings page,
    stored per ``namespace``/``key`` in the database, read with :func:`core.settings.get_setting`.

    ``label`` and ``help`` are English msgids, shown translated. ``kind`` is one
    of :data:`SETTING_KINDS`; the page shows the matching input and refuses a
    value that is not of the kind, with a message on the field, storing nothing.
    ``required`` refuses an empty value. ``minimum`` / ``maximum`` bound an
    ``int`` or ``decimal``. ``choices`` (for ``choice``) are ``(value, label)``
    pairs or a function returning them, called each time the page is shown or
    saved (so a list of departments is always current). ``validate`` is a
    further check: it gets the parsed value and returns None when it is fine,
    or a message (marked with ``N_``) to show on the field.

    The value read back is ``default`` until an admin saves one; ``int`` as int,
    ``decimal`` as :class:`decimal.Decimal`, ``bool`` as bool, the rest as str.
    """

    namespace: str
    key: str
    label: str
    default: Any = None
    kind: str = "str"
    help: str = ""
    required: bool = False
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    choices: Choices | Callable[[], Choices] | None = None
    validate: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in SETTING_KINDS:
            known = ", ".join(SETTING_KINDS)
            raise ValueError(f"setting {self.namespace}.{self.key}: unknown kind {self.kind!r}; use one of {known}")
        if self.kind == "choice" and self.choices is None:
            raise ValueError(f"setting {self.namespace}.{self.key}: a choice setting needs choices")

    @property
    def name(self) -> str:
        """``namespace.key``: the setting's form field name."""
        return f"{self.namespace}.{self.key}"

    def choice_list(self) -> list[tuple[str, str]]:
        """The current ``(value, label)`` pairs of a ``choice`` setting (empty for other kinds)."""
        found = self.choices() if callable(self.choices) else self.choices
        return [(str(value), str(label)) for value, label in (found or ())]


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
