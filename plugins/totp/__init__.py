"""Built-in plugin ``totp``: two-step verification with an authenticator app (TOTP).

The core knows only that a login may need a second step (the
``login_second_factor`` hook); everything about TOTP lives here: its tables and
migrations (component ``totp``), its pages (a blueprint), its snippets on the
client Security page and the admin customer page, its ``[totp]`` config section
(see :mod:`plugins.totp.crypto`) and its Polish catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from flask import Blueprint, render_template
from markupsafe import Markup

from core.config import Config
from core.extension import MenuItem, MigrationSet, SettingSpec, TemplateContext
from core.hookspecs import hookimpl
from core.i18n import N_
from plugins.totp import crypto

if TYPE_CHECKING:
    from core.models import Customer, Staff


@hookimpl
def hookbill_configure(config: Config) -> None:
    crypto.configure(config)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("totp", "plugins.totp.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from plugins.totp.web import bp

    return [bp]


@hookimpl
def hookbill_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            "totp",
            "max_failures",
            N_("Wrong codes before two-step verification locks"),
            default=crypto.DEFAULTS["max_failures"],
            kind="int",
            minimum=1,
            help=N_("When set, overrides [totp] max_failures of the config."),
        ),
        SettingSpec(
            "totp",
            "lock_minutes",
            N_("Minutes the lock lasts"),
            default=crypto.DEFAULTS["lock_minutes"],
            kind="int",
            minimum=1,
            help=N_("When set, overrides [totp] lock_minutes of the config."),
        ),
        SettingSpec(
            "totp",
            "require_for_staff",
            N_("Staff must use two-step verification"),
            default=crypto.DEFAULTS["require_for_staff"],
            kind="bool",
            help=N_("When set, overrides [totp] require_for_staff of the config."),
        ),
    ]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [MenuItem("Two-step verification", "totp.admin_manage", order=95, active_prefix="/admin/security")]


@hookimpl
def login_second_factor(account: Customer | Staff, kind: Literal["customer", "staff"]) -> str | None:
    from plugins.totp import service

    return service.second_factor_path(account, kind)


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> str | None:
    from plugins.totp import service

    if name == "client_security" and context.get("customer") is not None:
        customer = context.get("customer")
        return Markup(render_template("totp/snippet_security.html", enabled=service.is_enabled(customer)))
    if name == "admin_customer_detail" and context.get("customer") is not None:
        customer = context.get("customer")
        return Markup(
            render_template(
                "totp/snippet_admin_customer.html",
                c=customer,
                enabled=service.is_enabled(customer),
                codes_left=service.recovery_codes_left(customer),
                staff=context.get("staff"),
            )
        )
    return None
