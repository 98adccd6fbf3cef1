"""The core's own behaviour, registered as a plugin like any other (pytest style)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core import clock, mail, outbox, ratelimit, runtime
from core.config import Config
from core.extension import CronJob, MenuItem, MigrationSet
from core.hookspecs import hookimpl
from core.models import WebSession

if TYPE_CHECKING:
    from core.models import Customer, Staff


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("core", "core.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.web import (
        admin,
        admin_billing,
        admin_reports,
        admin_settings,
        auth,
        client,
        documents,
        payments,
        upgrades,
    )

    return [
        auth.bp,
        client.bp,
        admin.bp,
        admin_settings.bp,
        upgrades.bp,
        payments.bp,
        admin_billing.bp,
        admin_reports.bp,
        documents.bp,
        documents.admin_bp,
    ]


@hookimpl
def hookbill_client_menu(customer: Customer) -> list[MenuItem]:
    return [
        MenuItem("Dashboard", "client.dashboard", order=10),
        MenuItem("Services", "client.services", order=20, active_prefix="/services"),
        MenuItem("Invoices", "client.invoices", order=30, active_prefix="/invoices"),
        MenuItem("Credit balance", "payments.balance", order=35, active_prefix="/balance"),
        MenuItem("Account details", "client.profile", order=80, active_prefix="/profile"),
        MenuItem("Security", "client.security", order=90, active_prefix="/security"),
    ]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [
        MenuItem("Dashboard", "admin.dashboard", order=10),
        MenuItem("Customers", "admin.customers", order=20, active_prefix="/admin/customers"),
        MenuItem(
            "Documents",
            "admin_billing.documents",
            order=30,
            roles=("admin", "billing"),
            active_prefix="/admin/documents",
        ),
        MenuItem(
            "Catalogue",
            "admin_billing.catalogue",
            order=40,
            roles=("admin", "billing"),
            active_prefix="/admin/catalogue",
        ),
        MenuItem("Staff", "admin.staff", order=80, roles=("admin",), active_prefix="/admin/staff"),
        MenuItem("Settings", "admin_settings.index", order=85, roles=("admin",), active_prefix="/admin/settings"),
        MenuItem("Activity log", "admin.activity_log", order=90, active_prefix="/admin/activity"),
    ]


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Any]:
    from core.documents.files import refresh_pdf
    from core.documents.notify import send_document_issued

    return {"mail": mail.send_queued_mail, "document_issued": send_document_issued, "document_pdf": refresh_pdf}


def process_outbox() -> None:
    """Cron, every minute: send what is due in the outbox, at most ``outbox.per_minute`` messages."""
    outbox.process(limit=outbox.per_minute(), max_attempts=int(runtime.config().get_value("mail.max_attempts")))


def prune_expired() -> None:
    """Cron: delete expired sessions and old rate-limit events."""
    from core import db

    with db.write_transaction():
        WebSession.delete().where(WebSession.expires_at < clock.utcnow()).execute()
        ratelimit.prune(timedelta(days=2))


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [
        CronJob("outbox", process_outbox, every=timedelta(minutes=1)),
        CronJob("prune-expired", prune_expired, every=timedelta(hours=1)),
    ]
