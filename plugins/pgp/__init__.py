"""PGP ticket encryption: a built-in plugin.

Customers may tick "encrypt this message" on a ticket; the message body and its
attachments are then encrypted to the department's public key before anything is
stored, so the plaintext is never written to the database, logs, mail, error pages
or temporary files. Staff replies are encrypted to the customer's own public key when
one was uploaded. Staff decrypt on demand with the department's secret key, whose
passphrase comes from the configuration (``[pgp] passphrase_<slug>``) or the
environment (``HOOKBILL_PGP_PASSPHRASE_<SLUG>``). ``hookbill demo-data`` gives the
demo's technical department a key pair (:mod:`plugins.pgp.demo`).

:mod:`plugins.pgp.keyring` holds the building blocks (key validation, import,
encryption, decryption) on top of the real ``gpg`` binary; the hook implementations
that wire them to ``on_ticket_create`` and friends live in this package too
(:mod:`plugins.pgp.service`, pages in :mod:`plugins.pgp.views`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from flask import Blueprint, render_template
from markupsafe import Markup

from core.config import Config
from core.extension import MigrationSet, TemplateContext
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.tickets.models import Ticket, TicketMessage
    from core.tickets.pending import PendingAttachment

PGP_DEFAULTS = {"keyring_folder": "", "gpg_binary": "gpg"}


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.section("pgp", PGP_DEFAULTS)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("pgp", "plugins.pgp.migrations")]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from plugins.pgp.views import bp

    return [bp]


@hookimpl
def hookbill_cli_commands() -> list[Any]:
    from plugins.pgp.cli import import_secret

    return [import_secret]


@hookimpl
def hookbill_demo_data() -> list[str]:
    """Give the demo's encrypted department its key pair (see :mod:`plugins.pgp.demo`)."""
    from plugins.pgp.demo import set_up_demo_keys

    return set_up_demo_keys()


@hookimpl
def on_ticket_create(
    ticket: Ticket, message: TicketMessage, attachments: list[PendingAttachment], options: dict[str, Any]
) -> None:
    """Encrypt the first message and its files when the customer ticked "encrypt"."""
    if options.get("encrypt"):
        from plugins.pgp.service import encrypt_customer_message

        encrypt_customer_message(ticket, message, attachments)


@hookimpl
def on_ticket_reply(
    ticket: Ticket,
    message: TicketMessage,
    attachments: list[PendingAttachment],
    author_kind: Literal["customer", "staff"],
    options: dict[str, Any],
) -> None:
    """Encrypt a customer's reply on request; a staff reply in an encrypted ticket to the customer's key."""
    from plugins.pgp import service

    if author_kind == "customer" and options.get("encrypt"):
        service.encrypt_customer_message(ticket, message, attachments)
    elif author_kind == "staff" and ticket.encrypted and not options.get("internal"):
        service.encrypt_staff_reply(ticket, message, attachments)


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Markup | None:
    """The "encrypt" checkbox, decrypt buttons, the customer's and department's key panels."""
    from plugins.pgp import service

    if name == "ticket_form" and context.get("area") == "admin":
        ticket = context.get("ticket")
        if ticket is None or not ticket.encrypted:
            return None
        # Staff must know before writing whether the reply will be encrypted.
        return Markup(render_template("pgp/staff_reply_notice.html", key=service.customer_key(ticket.customer_id)))
    if name == "ticket_form":
        if not any(d.pgp_fingerprint for d in context.get("departments") or []):
            return None
        return Markup(render_template("pgp/encrypt_checkbox.html", checked=context.get("encrypt")))
    if name == "ticket_message" and context.get("area") == "admin":
        message = context.get("message")
        files = [f for f in context.get("files") or [] if f.encrypted]
        if not (message.encrypted or files):
            return None
        from flask import g

        allowed = service.may_decrypt(g.staff, context.get("ticket").department)
        return Markup(render_template("pgp/decrypt_buttons.html", message=message, files=files, allowed=allowed))
    if name == "client_profile":
        customer = context.get("customer")
        return Markup(render_template("pgp/profile_card.html", key=service.customer_key(customer.id)))
    if name == "admin_department":
        return Markup(
            render_template(
                "pgp/department_card.html",
                department=context.get("department"),
                key=service.passphrase_key(context.get("department")),
                variable=service.passphrase_variable(context.get("department")),
            )
        )
    return None
