"""The billing-data feature's hook implementations (a built-in plugin).

* ``hookbill_blueprints``: the client page ``/profile/billing``.
* ``hookbill_template_snippet``: on "Account details" (``client_profile``) a card
  with the current billing data and the "Edit details" button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core.config import Config
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.extension import TemplateContext


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from core.web import billing_data

    return [billing_data.bp]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """The billing data card on the customer's "Account details" page."""
    if name != "client_profile" or context.get("customer") is None:
        return None
    from flask import render_template
    from markupsafe import Markup

    from core.documents.issuing import current_profile

    customer = context.get("customer")
    return Markup(render_template("client/_billing_data_card.html", profile=current_profile(customer.id)))
