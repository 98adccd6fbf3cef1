"""hookbill-hello: the example third-party plugin, made with ``hookbill new-plugin hello``.

hookbill finds it through the entry point ``hello`` in the group ``hookbill``
(pyproject.toml). It shows a note in the footer of every page: the newest row of
its table (``hello_note``), or else a greeting in the visitor's language; an
admin can turn it off on the settings page. It also counts each customer's
logins (``hello_login``) and shows the count on the customer's dashboard, and
adds the command ``hookbill hello``. README.md says the same for a provider.
"""

from __future__ import annotations

from typing import Any

import click
from core.extension import MigrationSet, SettingSpec, TemplateContext
from core.hookspecs import hookimpl
from core.i18n import Domain
from core.settings import get_setting

__version__ = "1.2.0"

#: The plugin's name: the namespace of its settings and the component of its migrations.
NAME = "hello"

#: The plugin's own gettext domain: translations/<lang>/LC_MESSAGES/hookbill_hello.po
i18n = Domain("hookbill_hello")


@hookimpl
def hookbill_settings() -> list[SettingSpec]:
    """What an admin can change under Settings -> Plugin settings."""
    return [
        SettingSpec(
            NAME,
            "show_note",
            i18n.N_("Show the hookbill-hello note in the footer"),
            default=True,
            kind="bool",
        ),
    ]


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    """The plugin's tables, created by ``hookbill migrate`` from the migrations package."""
    return [MigrationSet(NAME, "hookbill_hello.migrations")]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> str | None:
    """The footer note: the newest stored note, else a greeting in the visitor's language."""
    if name != "footer" or not get_setting(NAME, "show_note"):
        return None
    from hookbill_hello.models import Note

    newest = Note.select().order_by(Note.id.desc()).first()
    return newest.text if newest is not None else i18n.gettext("Hello from %(plugin)s!", plugin="hookbill-hello")


@hookimpl
def on_login(account: Any, kind: str) -> None:
    """Count a customer's login, inside the login transaction (a refused login counts nothing)."""
    if kind != "customer":
        return
    from hookbill_hello.models import LoginCount

    updated = LoginCount.update(logins=LoginCount.logins + 1).where(LoginCount.customer_id == account.id).execute()
    if not updated:
        LoginCount.create(customer_id=account.id, logins=1)


@hookimpl(specname="hookbill_template_snippet")
def login_count_snippet(name: str, context: TemplateContext) -> str | None:
    """On the customer's dashboard: how many times they have logged in, in their language."""
    customer = context.get("customer")
    if name != "client_dashboard" or customer is None:
        return None
    from hookbill_hello.models import LoginCount

    row = LoginCount.get_or_none(LoginCount.customer_id == customer.id)
    logins = row.logins if row is not None else 0
    return i18n.ngettext("You have logged in %(num)s time.", "You have logged in %(num)s times.", logins)


@click.command("hello")
def hello_command() -> None:
    """Say hello (a plugin adds a command to hookbill)."""
    click.echo("hello from hookbill-hello")


@hookimpl
def hookbill_cli_commands() -> list[click.Command]:
    """``hookbill hello``."""
    return [hello_command]
