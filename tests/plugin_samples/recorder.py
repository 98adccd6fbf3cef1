"""A plugin implementing every hook, recording each call: proves every spec can be implemented.

Registered by the tests that need it; each implementation returns the neutral
value, so the app behaves as without it.
"""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl

calls: list[tuple[str, dict[str, Any]]] = []


def _record(hook: str, **kwargs: Any) -> None:
    calls.append((hook, kwargs))


@hookimpl
def hookbill_configure(config):
    _record("hookbill_configure")


@hookimpl
def hookbill_migrations():
    _record("hookbill_migrations")
    return []


@hookimpl
def hookbill_blueprints(config):
    _record("hookbill_blueprints")
    return []


@hookimpl
def hookbill_cli_commands():
    _record("hookbill_cli_commands")
    return []


@hookimpl
def hookbill_demo_data(config):
    _record("hookbill_demo_data")
    return []


@hookimpl
def hookbill_settings():
    _record("hookbill_settings")
    return []


@hookimpl
def hookbill_cron_jobs():
    _record("hookbill_cron_jobs")
    return []


@hookimpl
def hookbill_outbox_handlers():
    _record("hookbill_outbox_handlers")
    return {}


@hookimpl
def hookbill_client_menu(customer):
    _record("hookbill_client_menu")
    return []


@hookimpl
def hookbill_admin_menu(staff):
    _record("hookbill_admin_menu")
    return []


@hookimpl
def hookbill_template_snippet(name, context):
    _record("hookbill_template_snippet", name=name)


@hookimpl
def on_customer_registered(customer):
    _record("on_customer_registered", email=customer.email)


@hookimpl
def on_customer_updated(customer, changes):
    _record("on_customer_updated", changes=changes)


@hookimpl
def on_password_changed(account, kind, how):
    _record("on_password_changed", kind=kind, how=how)


@hookimpl
def on_login(account, kind, ip):
    _record("on_login", kind=kind)


@hookimpl
def login_second_factor(account, kind):
    _record("login_second_factor", kind=kind)


@hookimpl
def on_logout(account, kind):
    _record("on_logout", kind=kind)


@hookimpl
def on_logout_everywhere(account, kind):
    _record("on_logout_everywhere", kind=kind)


@hookimpl
def hookbill_provisioning_modules():
    _record("hookbill_provisioning_modules")
    return []


@hookimpl
def hookbill_change_targets(service, products):
    _record("hookbill_change_targets", products=[p.slug for p in products])


@hookimpl
def on_order_quote(quote):
    _record("on_order_quote", quote=quote)


@hookimpl
def on_order_placed(order, quote):
    _record("on_order_placed", order=order)


@hookimpl
def on_service_created(service, order):
    _record("on_service_created", service=service, order=order)


@hookimpl
def hookbill_renewal_list_price(service, product, cycle, net):
    _record("hookbill_renewal_list_price", cycle=cycle, net=str(net))


@hookimpl
def on_upgrade_quote(quote):
    _record("on_upgrade_quote")


@hookimpl
def on_service_changed(service, change):
    _record("on_service_changed")


@hookimpl
def on_service_status_changed(service, old_status, new_status):
    _record("on_service_status_changed")


@hookimpl
def on_cancellation_requested(service, request):
    _record("on_cancellation_requested")


@hookimpl
def hookbill_payment_methods():
    _record("hookbill_payment_methods")
    return []


@hookimpl
def hookbill_seller_overrides(customer, kind):
    _record("hookbill_seller_overrides", kind=kind)


@hookimpl
def hookbill_ksef_number(document):
    _record("hookbill_ksef_number", number=document.number)


@hookimpl
def hookbill_document_marks(document, lang):
    _record("hookbill_document_marks", number=document.number, lang=lang)


@hookimpl
def hookbill_hold_document_mail(document):
    _record("hookbill_hold_document_mail", number=document.number)


@hookimpl
def on_invoice_issue(document):
    _record("on_invoice_issue", number=document.number)


@hookimpl
def on_payment(payment, document):
    _record("on_payment")


@hookimpl
def on_invoice_paid(document):
    _record("on_invoice_paid")


@hookimpl
def on_invoice_cancelled(document):
    _record("on_invoice_cancelled")


@hookimpl
def on_balance_changed(entry):
    _record("on_balance_changed")


@hookimpl
def on_ticket_create(ticket, message, attachments, options):
    _record("on_ticket_create")


@hookimpl
def on_ticket_reply(ticket, message, attachments, author_kind, options):
    _record("on_ticket_reply")


@hookimpl
def on_ticket_status_change(ticket, old_status, new_status):
    _record("on_ticket_status_change")


@hookimpl
def on_ticket_close(ticket, closed_by):
    _record("on_ticket_close")
