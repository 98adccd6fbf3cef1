"""Built-in plugin: bank statements imported and matched to documents automatically.

Staff upload a statement in the admin area (Bank statements), or a scheduled
job runs ``hookbill statements import FILE [--bank NAME]``. Each file is
read as MT940 in the Polish ZBP variant, camt.053 XML or CSV with the column
mapping saved for its bank (:mod:`plugins.bankstatements.parsers`). Each
incoming credit is matched to documents (:mod:`plugins.bankstatements.matching`:
document number in the title, split-payment title, the customer's virtual
account, amount and payer) and recorded through
:func:`core.payments.recording.record_payment` under the bank-transfer
method's code and the bank's reference, the key staff use when they type a
transfer in, so nothing is ever booked twice
(:mod:`plugins.bankstatements.importing`). What is not certain waits in a
queue, where staff assign it to a document or a customer, or mark it as not
ours (:mod:`plugins.bankstatements.queue`).

Config ``[bankstatements]``: ``virtual_accounts`` (false) and
``virtual_account_prefix`` (the bank's sort code and the fixed digits of the
range it gave): each customer's proformas then show their own account number
(:mod:`plugins.bankstatements.virtual`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core.config import Config
from core.extension import MenuItem, MigrationSet, TemplateContext
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.documents.snapshot import DocumentKind
    from core.models import Customer, Document, Payment, Staff

DEFAULTS: dict[str, Any] = {"virtual_accounts": False, "virtual_account_prefix": ""}


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.section("bankstatements", DEFAULTS)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("bankstatements", "plugins.bankstatements.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    """The admin pages; a wrong virtual account prefix stops the app here, not at the first proforma."""
    from plugins.bankstatements import virtual
    from plugins.bankstatements.views import bp

    if virtual.enabled(config):
        virtual.prefix(config)
    return [bp]


@hookimpl
def hookbill_cli_commands() -> list[Any]:
    from plugins.bankstatements.cli import statements

    return [statements]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [
        MenuItem(
            "Bank statements",
            "bankstatements.index",
            order=45,
            roles=("admin", "billing"),
            active_prefix="/admin/statements",
        )
    ]


@hookimpl
def hookbill_seller_overrides(customer: Customer, kind: DocumentKind) -> dict[str, str] | None:
    """The customer's own virtual account on their proformas, when virtual accounts are on."""
    from plugins.bankstatements import virtual

    if kind != "proforma" or not virtual.enabled():
        return None
    return {"bank_account": virtual.formatted_account_for(customer.id)}


@hookimpl
def on_payment(payment: Payment, document: Document | None) -> None:
    """A bank transfer staff typed in takes the same transfer out of the statements queue."""
    from plugins.bankstatements.queue import recognise_payment

    recognise_payment(payment)


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """On the admin customer page: the customer's virtual account, when they are on."""
    if name != "admin_customer_detail" or context.get("customer") is None:
        return None
    from flask import render_template
    from markupsafe import Markup

    from plugins.bankstatements import virtual

    if not virtual.enabled():
        return None
    customer = context.get("customer")
    return Markup(
        render_template("statements/_customer_account.html", account=virtual.formatted_account_for(customer.id))
    )
