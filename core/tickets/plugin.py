"""The ticket feature's hook implementations (a built-in plugin of the core).

Registers the ``[tickets]`` defaults, the ``tickets`` migrations, the client and
admin blueprints, the menu entries, the idle-close cron job and the mail handlers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint

from core import db
from core.config import Config
from core.extension import CronJob, MenuItem, MigrationSet
from core.hookspecs import hookimpl
from core.tickets.pending import DEFAULTS

if TYPE_CHECKING:
    from core.models import Customer, Staff


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.section("tickets", DEFAULTS)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("tickets", "core.tickets.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.tickets import views_admin, views_client

    return [views_client.bp, views_admin.bp]


@hookimpl
def hookbill_client_menu(customer: Customer) -> list[MenuItem]:
    return [MenuItem("Tickets & messages", "tickets.index", order=60, active_prefix="/tickets")]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [
        MenuItem("Tickets", "tickets_admin.queue", order=30, active_prefix="/admin/tickets"),
        MenuItem(
            "Departments", "tickets_admin.departments", order=70, roles=("admin",), active_prefix="/admin/departments"
        ),
    ]


def close_idle_tickets() -> None:
    """Cron: close answered tickets idle for ``[tickets] idle_close_days``."""
    from core.tickets.service import close_idle

    with db.connection():
        close_idle()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("tickets-idle-close", close_idle_tickets, every=timedelta(hours=1))]
