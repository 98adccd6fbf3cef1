"""The API feature's hook implementations (a built-in plugin of the core).

* ``hookbill_configure``: the ``[api]`` defaults (failed-token rate limit).
* ``hookbill_blueprints``: the JSON API (``/api/v1``: every endpoint of it lives
  in this package) and the "API tokens" pages.
* ``hookbill_template_snippet``: on "Account details" (``client_profile``) a card
  linking to the tokens page; on the admin customer page (``admin_customer_detail``)
  the customer's tokens with a revoke button.
* ``on_password_changed`` and ``on_logout_everywhere``: a password change or
  reset, and "log out everywhere", revoke every token of the customer (whoever
  does it may not trust what was made before).

The table is created by the core migration ``m0004_api_tokens``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from flask import Blueprint

from core.config import Config
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.extension import TemplateContext
    from core.models import Customer, Staff


@hookimpl
def hookbill_configure(config: Config) -> None:
    from core.api.auth import DEFAULTS

    config.section("api", DEFAULTS)


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.api import pages, views, views_orders, views_tickets, views_upgrades

    return [views.bp, views_tickets.bp, views_upgrades.bp, views_orders.bp, pages.bp]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """The tokens card on "Account details" and the tokens list on the admin customer page."""
    if name not in ("client_profile", "admin_customer_detail") or context.get("customer") is None:
        return None
    from flask import render_template
    from markupsafe import Markup

    from core.api.tokens import active_tokens

    customer = context.get("customer")
    rows = active_tokens(customer.id)
    if name == "client_profile":
        return Markup(render_template("api/_profile_link.html", count=len(rows)))
    return Markup(render_template("api/_admin_tokens.html", c=customer, tokens=rows, staff=context.get("staff")))


@hookimpl
def on_password_changed(
    account: Customer | Staff, kind: Literal["customer", "staff"], how: Literal["changed", "reset"]
) -> None:
    """After a password change or a reset, the customer's tokens stop working (in that transaction)."""
    if kind == "customer":
        from core.api.tokens import revoke_all

        revoke_all(account.id, "password_reset" if how == "reset" else "password_changed")


@hookimpl
def on_logout_everywhere(account: Customer | Staff, kind: Literal["customer", "staff"]) -> None:
    """Revoke the customer's tokens on "log out everywhere" (in the transaction that ends the sessions)."""
    if kind == "customer":
        from core.api.tokens import revoke_all

        revoke_all(account.id, "logout_everywhere")
