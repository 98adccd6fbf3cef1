"""Translations: where catalogs live, compiling them, and formatting money and dates.

English is the source language of every message; Polish (the default UI
language) and any other language come from gettext catalogs. Catalogs live in
``translations/<lang>/LC_MESSAGES/messages.po`` folders: the core's
(``core/translations``), any ``translations`` folder of a core feature package
(``core/<feature>/translations``), and each plugin's. ``.mo`` files are compiled
from the ``.po`` sources when missing or older, so a checkout needs no build step.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import numbers
from babel.dates import format_date, format_datetime
from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

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
    """gettext translations for ``lang`` from the core's and every plugin's catalogs.

    Loaded once per runtime; used where no Flask request chooses the language
    (mail, document texts).
    """
    from core import runtime

    rt = runtime.current()
    key = f"translations:{lang}"
    if key not in rt.cache:
        rt.cache[key] = load_translations(lang, runtime_catalog_dirs(rt.pm))
    return rt.cache[key]


def compile_catalogs(dirs: Iterable[Path]) -> None:
    """Compile each ``messages.po`` to ``messages.mo`` when the .mo is missing or older."""
    for folder in dirs:
        for po_path in folder.glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as handle:
                catalog = pofile.read_po(handle, locale=po_path.parent.parent.name)
            # A name of this process's own: two workers compiling at once must not
            # write into one temporary file.
            tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                mofile.write_mo(handle, catalog)
            tmp.replace(mo_path)


def load_translations(lang: str, dirs: Iterable[Path]) -> NullTranslations:
    """gettext translations for ``lang`` merged from every folder (for mail, CLI)."""
    merged: NullTranslations | None = None
    for folder in dirs:
        loaded = Translations.load(str(folder), [lang])
        if not isinstance(loaded, Translations):
            continue
        if merged is None or not isinstance(merged, Translations):
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()


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
