"""Translations: where catalogs live, which ones a lookup uses, and formatting money and dates.

English is the source language of every message; Polish (the default UI
language) and any other language come from gettext catalogs: the core's
(``core/translations`` and ``core/<feature>/translations``, the domain
``messages``) and each plugin's own domain (:mod:`core.i18n_domains`, where the
order of look-up is). ``.mo`` files are compiled when a package is built, or by
``make catalogs`` in a checkout (:mod:`core.catalogs`); never here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel import numbers
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations

CORE_DIR = Path(__file__).resolve().parent

#: The functions message extraction must know besides Babel's defaults (``_``,
#: ``gettext``, ``N_``, ``pgettext``...): Flask-Babel's lazy ``_l`` and our ``NP_``.
EXTRACT_KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "NP_": ((1, "c"), 2),
    "_l": None,
    "lazy_gettext": None,
}


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


def integer(value: int, lang: str) -> str:
    """A whole number with ``lang``'s digit grouping (``10 000`` in Polish, ``10,000`` in English)."""
    return numbers.format_decimal(value, locale=lang)


def filesize(size: int, lang: str) -> str:
    """``size`` bytes in ``lang``'s notation: bytes below 1 kB, else kB or MB with one decimal.

    Units of 1024, the way the attachment limit is stated ("5 MB each" is
    5 x 1024 x 1024 bytes), so a file at the limit reads as the limit.
    """
    if size < 1024:
        return f"{numbers.format_decimal(size, locale=lang)} B"
    value, unit = Decimal(size) / 1024, "kB"
    if value.quantize(Decimal("0.1"), ROUND_HALF_UP) >= 1024:
        value, unit = value / 1024, "MB"
    value = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{numbers.format_decimal(value, format='#,##0.#', locale=lang)} {unit}"


def day(value: date, lang: str) -> str:
    """A date in ``lang``'s medium format."""
    return format_date(value, format="medium", locale=lang)


def moment(value: datetime, lang: str) -> str:
    """A date and time in ``lang``'s medium format."""
    return format_datetime(value, format="medium", locale=lang)


class FileSize(int):
    """A number of bytes in a message; shown as ``B``, ``kB`` or ``MB`` in the reader's language."""


class Message(str):
    """An English message with named values, to be translated where it is shown.

    As a ``str`` it is the English text with its values filled in (what the
    JSON API, logs and the CLI show); :func:`translate` looks up ``msgid`` (the
    text with its ``%(name)s`` placeholders) in a catalog first and fills the
    values in afterwards, so a translation never depends on the values.
    ``domain`` names the plugin whose catalog is asked first (a message a plugin
    marked with :meth:`core.i18n_domains.Domain.N_`); None is the core's.
    """

    msgid: str
    params: dict[str, object]
    domain: str | None

    def __new__(cls, msgid: str, params: Mapping[str, object], domain: str | None = None) -> Message:
        text = super().__new__(cls, _fill(msgid, params, _identity, "en"))
        text.msgid = msgid
        text.params = dict(params)
        text.domain = domain
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, self.params, self.domain))

    def key(self) -> str:
        """What a catalog is asked for: the msgid, marked with the plugin's domain when there is one."""
        return DomainText(self.msgid, self.domain) if self.domain else self.msgid


def _identity(text: str) -> str:
    return text


def _fill(template: str, params: Mapping[str, object], gettext: Callable[[str], str], lang: str | None) -> str:
    if not params:
        return template
    values = {}
    for key, value in params.items():
        if isinstance(value, Message):
            value = translate(value, gettext, lang)
        elif lang and isinstance(value, FileSize):
            value = filesize(value, lang)
        elif lang and isinstance(value, int | Decimal) and not isinstance(value, bool):
            value = numbers.format_decimal(value, locale=lang)
        elif lang and isinstance(value, date) and not isinstance(value, datetime):
            value = day(value, lang)
        values[key] = value
    return template % values


def N_(message: str, **params: object) -> str:
    """Mark ``message`` for translation without translating it now (gettext's ``N_``).

    Domain services raise errors with marked English messages; the web layer
    translates them into the request's language with :func:`translate`. With
    ``params`` the result is a :class:`Message`: ``N_("At most %(count)s files.",
    count=5)`` keeps the placeholder for the catalog and the value beside it.
    """
    return Message(message, params) if params else message


def NP_(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` in ``context`` for translation (``pgettext`` later); returns both.

    The context tells translators, and the catalog, which sense of a word is
    meant: ``NP_("service status", "Active")`` and ``NP_("account status",
    "Active")`` may be translated differently.
    """
    return (context, message)


def as_message(text: str) -> Message:
    """``text`` as a :class:`Message`, so that, put inside another message, it is translated too."""
    return text if isinstance(text, Message) else Message(text, {})


def translate(text: str, gettext: Callable[[str], str], lang: str | None = None) -> str:
    """``text`` (a msgid or a :class:`Message`) translated with ``gettext``.

    A message's values are filled in after the look-up: a value that is itself a
    :class:`Message` (a reason inside a sentence) is translated too, numbers are
    written in ``lang``'s notation (a :class:`FileSize` as kB or MB), days (a ``date``) in
    its medium format (as the pages' ``date`` filter writes them), and any
    other value (a file name, a fingerprint) is shown as it is.
    """
    if isinstance(text, Message):
        return _fill(gettext(text.key()), text.params, gettext, lang)
    return gettext(text) if text else text


# Words that reach templates as data (the demo catalogue's feature labels, menu
# entries) and are translated there with ``_(value)``; listed so extraction sees
# them. Stored codes (statuses, kinds, cycles) have labels in :mod:`core.labels`.
DATA_WORDS = [
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
