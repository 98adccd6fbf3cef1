"""What templates can use: menus, template hooks, money and date filters, the language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask, g, session
from flask_babel import get_locale, gettext, pgettext
from markupsafe import Markup, escape

from core import clock, countries, i18n, labels, runtime
from core.extension import TEMPLATE_HOOK_NAMES, MenuItem, TemplateContext


class UnknownTemplateHook(LookupError):
    """A template asked for a snippet hook name that does not exist."""


def current_lang() -> str:
    """The language of this request (``pl``, ``en``...)."""
    return str(get_locale() or runtime.config().get_value("app.language"))


def menu(area: str) -> list[MenuItem]:
    """The menu of ``area`` (``client`` or ``admin``) from every plugin, sorted."""
    if area == "client":
        groups = runtime.hooks().hookbill_client_menu(customer=g.get("customer"))
    else:
        groups = runtime.hooks().hookbill_admin_menu(staff=g.get("staff"))
    items = [item for group in groups for item in group]
    if area == "admin" and g.get("staff") is not None:
        role = g.staff.role
        items = [i for i in items if not i.roles or role == "admin" or role in i.roles]
    return sorted(items, key=lambda item: (item.order, item.label))


def hook_snippets(name: str, **values: Any) -> Markup:
    """Render every plugin's snippet for template hook ``name``; unknown names raise."""
    if name not in TEMPLATE_HOOK_NAMES:
        raise UnknownTemplateHook(f"unknown template hook {name!r}; known: {sorted(TEMPLATE_HOOK_NAMES)}")
    parts = runtime.hooks().hookbill_template_snippet(name=name, context=TemplateContext(values))
    return Markup("").join(part if isinstance(part, Markup) else escape(part) for part in parts if part)


def money_filter(amount: Decimal | None, currency: str | None = None) -> str:
    """Format money in the request's language and the configured currency."""
    if amount is None:
        return ""
    return i18n.money(amount, currency or str(runtime.config().get_value("app.currency")), current_lang())


def number_filter(amount: Decimal | None) -> str:
    """Two-decimal number in the request's language (for arithmetic lines)."""
    return "" if amount is None else i18n.number(amount, current_lang())


def integer_filter(value: int | None) -> str:
    """A whole number (a count) with the request's language's digit grouping."""
    return "" if value is None else i18n.integer(int(value), current_lang())


def date_filter(value: date | datetime | None) -> str:
    """A date (or stored UTC datetime, shown in the provider's zone) in the request's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return i18n.moment(clock.to_local(value), current_lang())
    return i18n.day(value, current_lang())


def label_filter(code: object, table: str) -> str:
    """The translated label of a stored ``code`` (see :mod:`core.labels`); the code itself when it has none."""
    if code is None or code == "":
        return ""
    return labels.label(table, str(code), pgettext)


def country_filter(code: str | None) -> str:
    """The name of country ``code`` in the request's language."""
    return countries.name(code, current_lang()) if code else ""


def translated_filter(text: str | None) -> str:
    """A message a domain service produced (a msgid or a :class:`core.i18n.Message`), translated."""
    return i18n.translate(text or "", gettext, current_lang())


def filesize_filter(size: int | None) -> str:
    """A size in bytes as a person reads it: ``532 B``, ``12,5 kB``, ``3,2 MB`` in the request's language."""
    return "" if size is None else i18n.filesize(int(size), current_lang())


def last_day_filter(value: date) -> date:
    """The last day of a half-open period ending at ``value`` (what a person calls its end)."""
    return value - timedelta(days=1)


def install(app: Flask) -> None:
    """Register filters and globals on ``app``'s Jinja environment."""
    app.jinja_env.filters.update(
        money=money_filter,
        num=number_filter,
        integer=integer_filter,
        date=date_filter,
        last_day=last_day_filter,
        label=label_filter,
        translated=translated_filter,
        filesize=filesize_filter,
        country=country_filter,
    )
    app.jinja_env.globals.update(
        menu=menu,
        hook_snippets=hook_snippets,
        current_lang=current_lang,
        languages=lambda: list(runtime.config().get_value("app.languages")),
        app_name=lambda: runtime.config().get_value("app.name"),
        today=clock.today,
    )

    @app.context_processor
    def _account() -> dict[str, Any]:
        return {"customer": g.get("customer"), "staff": g.get("staff"), "session": session}
