"""The orders feature's hook implementations (a built-in plugin of the core).

* ``hookbill_configure``: the ``[vies]`` defaults (:mod:`core.orders.vies`).
* ``hookbill_settings``: the terms and order settings (:mod:`core.orders.terms`).
* ``on_invoice_paid`` (``tryfirst``): an order's proforma paid in full creates
  and activates its services (:mod:`core.orders.paying`), before the core's own
  implementation (``trylast``) issues the VAT invoice in the same transaction.
* ``hookbill_cron_jobs``: ``orders``: cancel unpaid orders, start the services
  whose withdrawal period ended, ask VIES again for waiting orders.
* ``hookbill_blueprints`` and the menus: the order page, cart and checkout,
  the customer's orders, and the staff's orders list.

The tables come from the core migration ``m0010_orders``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint

from core.config import Config
from core.extension import CronJob, MenuItem, SettingSpec
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.models import Customer, Document, Staff


@hookimpl
def hookbill_configure(config: Config) -> None:
    from core.orders.vies import DEFAULTS

    section = config.setdefault("vies", {})
    for key, value in DEFAULTS.items():
        section.setdefault(key, value)


@hookimpl
def hookbill_settings() -> list[SettingSpec]:
    from core.orders.terms import settings

    return settings()


@hookimpl(tryfirst=True)
def on_invoice_paid(document: Document) -> None:
    """Create and activate the services of an order whose proforma became fully paid."""
    if document.kind == "proforma" and document.purpose == "order":
        from core.orders.paying import activate_order

        activate_order(document)


def run_orders_job() -> None:
    """Cron: cancel unpaid orders, start services after the withdrawal period, ask VIES again."""
    from core.orders.cancelling import cancel_unpaid_orders
    from core.orders.paying import start_due_services
    from core.orders.waiting import recheck_waiting_orders

    recheck_waiting_orders()
    cancel_unpaid_orders()
    start_due_services()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("orders", run_orders_job, every=timedelta(hours=1))]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.web import admin_orders, shop

    return [shop.bp, admin_orders.bp]


@hookimpl
def hookbill_client_menu(customer: Customer) -> list[MenuItem]:
    return [
        MenuItem("Order", "shop.catalogue", order=25, active_prefix="/order"),
        MenuItem("Orders", "shop.orders", order=27, active_prefix="/orders"),
    ]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [MenuItem("Orders", "admin_orders.index", order=30, active_prefix="/admin/orders")]
