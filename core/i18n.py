"""Translations: where catalogs live, which ones a lookup uses, and formatting money and dates.

English is the source language of every message; Polish (the default UI
language) and any other language come from gettext catalogs: the core's
(``core/translations`` and ``core/<feature>/translations``, the domain
``messages``) and each plugin's own domain (:mod:`core.i18n_domains`, where the
order of look-up is). ``.mo`` files are compiled when a package is built, or by
``make catalogs`` in a checkout (:mod:`core.catalogs`); never here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import numbers
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations

CORE_DIR = Path(__file__).resolve().parent


def catalog_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """Every translations folder: the core's, core features', then ``extra`` (plugins)."""
    dirs = [CORE_DIR / "translations"]
    dirs += sorted(p for p in CORE_DIR.glob("*/translations") if p.is_dir())
    dirs += [p for p in extra if p.is_dir()]
    return list(dict.fromkeys(p.resolve() for p in dirs))


def runtime_catalog_dirs(pm: Any) -> list[Path]:
    """Every translations folder of the core and of the plugins registered in ``pm``."""
    from core.plugins import plugin_folder

    extra = [folder / "translations" for _n, p in pm.list_name_plugin() if (folder := plugin_folder(p))]
    return catalog_dirs(extra)


def translations_for(lang: str) -> NullTranslations:
    """gettext translations for ``lang``: the core's catalog, then the plugins' (see :mod:`core.i18n_domains`).

    Loaded once per runtime; used where no Flask request chooses the language
    (mail, document texts).
    """
    from core.i18n_domains import lookup

    return lookup(lang)


def money(amount: Decimal, currency: str, lang: str) -> str:
    """``amount`` with its currency, formatted the way ``lang`` writes money."""
    return numbers.format_currency(amount, currency, locale=lang)


def number(amount: Decimal, lang: str) -> str:
    """``amount`` with two decimals in ``lang``'s notation (no currency sign)."""
    return numbers.format_decimal(amount, format="#,##0.00", locale=lang)


def day(value: date, lang: str) -> str:
    """A date in ``lang``'s medium format."""
    return format_date(value, format="medium", locale=lang)


def moment(value: datetime, lang: str) -> str:
    """A date and time in ``lang``'s medium format."""
    return format_datetime(value, format="medium", locale=lang)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (gettext's ``N_``).

    Domain services raise errors with marked English messages; the web layer
    translates them into the request's language.
    """
    return message


# Words that reach templates as data (statuses, cycles, kinds, roles, feature
# labels) and are translated there with ``_(value)``; listed so extraction sees them.
DATA_WORDS = [
    N_("Active"),
    N_("Suspended"),
    N_("Pending"),
    N_("Terminated"),
    N_("Cancelled"),
    N_("Deleted"),
    N_("Monthly"),
    N_("Quarterly"),
    N_("Semiannually"),
    N_("Annually"),
    N_("Biennially"),
    N_("Triennially"),
    N_("proforma"),
    N_("vat"),
    N_("correction"),
    N_("unpaid"),
    N_("partially_paid"),
    N_("paid"),
    N_("superseded"),
    N_("issued"),
    N_("cancelled"),
    N_("company"),
    N_("private"),
    N_("customer"),
    N_("staff"),
    N_("system"),
    N_("admin"),
    N_("billing"),
    N_("support"),
    N_("Disk"),
    N_("Transfer"),
    N_("Domains"),
    N_("Mailboxes"),
    N_("Databases"),
    N_("Backups"),
    N_("unlimited"),
    N_("7 days"),
    N_("14 days"),
    N_("30 days"),
    N_("RAM"),
    N_("vCPU"),
    N_("IPv4"),
    N_("Dashboard"),
    N_("Services"),
    N_("Invoices"),
    N_("Account details"),
    N_("Security"),
    N_("Customers"),
    N_("Staff"),
    N_("Activity log"),
]


def document_text(message: str, **values: object) -> str:
    """``message`` in the provider's document language (``app.language``), filled with ``values``.

    Text printed on proformas and invoices (line descriptions, notes, correction
    reasons) is written in the provider's language whatever language the
    customer browses in: an invoice is the seller's legal document.
    """
    from core import runtime

    text = translations_for(str(runtime.config().get_value("app.language"))).gettext(message)
    return text % values if values else text


# A plugin's domain, for plugins to import from here (``from core.i18n import Domain``).
from core.i18n_domains import Domain, DomainText  # noqa: E402

__all__ = ["Domain", "DomainText"]
