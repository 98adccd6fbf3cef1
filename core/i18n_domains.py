"""Gettext domains: the core's catalog, and one of its own for each plugin.

* The **core** domain (``messages``): ``core/translations`` and every
  ``core/<feature>/translations``, merged (they are one program).
* A **plugin**'s domain is named after its package folder (``totp``,
  ``hookbill_hello``); its catalogs are
  ``<package>/translations/<lang>/LC_MESSAGES/<domain>.mo``, compiled when the
  package is built (:mod:`core.catalogs`).

Where a message is looked up:

* the plugin's own text (its templates, :meth:`Domain.gettext`, a message it
  marked with :meth:`Domain.N_`, even when the core shows it): the plugin's
  catalog first, then the core's, so a plugin uses the core's words without
  copying them;
* the core's text (core templates and code): the core's catalog first, then
  each plugin's in plugin order, for a message a plugin handed over unmarked.

So one English text may be translated one way on the core's pages and another
on a plugin's, and neither catalog changes what the other's pages say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

CORE_DIR = Path(__file__).resolve().parent
CORE_DOMAIN = "messages"


class DomainText(str):
    """An English message marked as belonging to a plugin's domain (what :meth:`Domain.N_` returns).

    As a ``str`` it is the English text; where the core translates it (a setting
    label, a menu entry, an error message), the plugin's catalog is asked first.
    """

    domain: str

    def __new__(cls, text: str, domain: str) -> DomainText:
        marked = super().__new__(cls, text)
        marked.domain = domain
        return marked

    def __reduce__(self) -> tuple[Any, ...]:
        return (DomainText, (str(self), self.domain))


def domain_of_folder(folder: Path | None) -> str | None:
    """The gettext domain of a plugin living in ``folder``: its name; None for the core's own folders."""
    if folder is None:
        return None
    resolved = folder.resolve()
    if resolved == CORE_DIR or CORE_DIR in resolved.parents:
        return None
    return resolved.name


def plugin_domains(pm: Any) -> dict[str, Path]:
    """``{domain: translations folder}`` of every registered plugin that ships translations, in plugin order."""
    from core.plugins import plugin_folder

    found: dict[str, Path] = {}
    for _name, plugin in pm.list_name_plugin():
        folder = plugin_folder(plugin)
        domain = domain_of_folder(folder)
        if folder is not None and domain and (folder / "translations").is_dir():
            found.setdefault(domain, folder / "translations")
    return found


def _core(lang: str, dirs: Iterable[Path]) -> NullTranslations:
    merged: NullTranslations | None = None
    for folder in dirs:
        loaded = Translations.load(str(folder), [lang], CORE_DOMAIN)
        if not isinstance(loaded, Translations):
            continue
        if merged is None or not isinstance(merged, Translations):
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()


def _plugin(lang: str, domain: str, folder: Path) -> NullTranslations:
    return Translations.load(str(folder), [lang], domain)


class Lookup(NullTranslations):
    """Every catalog of one language: the core's chain, and each plugin domain's chain.

    ``gettext`` and friends take the chain of a message's domain when it is a
    :class:`DomainText`, else the core's; :meth:`chain` gives one domain's chain.
    Flask-Babel, the Jinja environments and :func:`core.i18n.translations_for`
    all translate through one of these.
    """

    def __init__(self, core: NullTranslations, domains: Mapping[str, NullTranslations]) -> None:
        super().__init__()
        self.core = core
        self.domains = dict(domains)

    def chain(self, name: str | None) -> NullTranslations:
        """The chain of domain ``name`` (the plugin's catalog, then the core's); the core's for None or unknown."""
        return self.domains.get(name, self.core) if name else self.core

    def _chain(self, message: object) -> NullTranslations:
        return self.chain(getattr(message, "domain", None))

    def gettext(self, message: str) -> str:
        return str(self._chain(message).gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return str(self._chain(msgid1).ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        return str(self._chain(message).pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return str(self._chain(singular).npgettext(context, singular, plural, num))

    # The names Flask-Babel calls.
    ugettext = gettext
    ungettext = ngettext
    upgettext = pgettext
    unpgettext = npgettext


def load_lookup(lang: str, core_dirs: Iterable[Path], domains: Mapping[str, Path]) -> Lookup:
    """Read the ``.mo`` files of ``lang`` into a :class:`Lookup` (nothing is compiled here).

    Each chain gets catalogs of its own (gettext fallbacks are linked in place,
    so two chains must never share one object).
    """
    dirs = list(core_dirs)
    core = _core(lang, dirs)
    for domain, folder in domains.items():
        core.add_fallback(_plugin(lang, domain, folder))
    chains = {}
    for domain, folder in domains.items():
        chain = _plugin(lang, domain, folder)
        chain.add_fallback(_core(lang, dirs))
        chains[domain] = chain
    return Lookup(core, chains)


def lookup(lang: str) -> Lookup:
    """The :class:`Lookup` of ``lang`` for the current runtime's plugins (loaded once per runtime)."""
    from core import i18n, runtime

    rt = runtime.current()
    key = f"i18n-lookup:{lang}"
    if key not in rt.cache:
        rt.cache[key] = load_lookup(lang, i18n.catalog_dirs(), plugin_domains(rt.pm))
    found: Lookup = rt.cache[key]
    return found


def current_language() -> str:
    """The language of the current request, else the provider's (``app.language``)."""
    from flask import has_request_context

    from core import runtime

    if has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None:
            return str(locale)
    return str(runtime.config().get_value("app.language"))


class Domain:
    """A plugin's gettext domain: what its Python code translates with.

    ``Domain("hookbill_hello")`` reads ``translations/<lang>/LC_MESSAGES/hookbill_hello.mo``
    of the plugin whose package folder is ``hookbill_hello``. Every method
    translates into the current request's language (the provider's outside a
    request) unless a ``lang`` is given to :meth:`translations`.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Domain({self.name!r})"

    def translations(self, lang: str | None = None) -> NullTranslations:
        """This domain's chain (its catalog, then the core's) for ``lang``."""
        return lookup(lang or current_language()).chain(self.name)

    def gettext(self, message: str, **values: Any) -> str:
        """``message`` translated now, with ``values`` filled into its ``%(name)s`` placeholders."""
        text = str(self.translations().gettext(message))
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: Any) -> str:
        """The form of ``singular``/``plural`` the language uses for ``num`` (``%(num)s`` is filled in)."""
        values.setdefault("num", num)
        return str(self.translations().ngettext(singular, plural, num)) % values

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """``message`` in ``context`` (a word with several senses), translated now."""
        text = str(self.translations().pgettext(context, message))
        return text % values if values else text

    def lazy_gettext(self, message: str, **values: Any) -> Any:
        """``message``, translated each time it is shown (form labels defined at import time)."""
        from flask_babel.speaklater import LazyString

        return LazyString(self.gettext, message, **values)

    def N_(self, message: str, **params: object) -> str:
        """Mark ``message`` as this domain's, untranslated: the core translates it where it shows it.

        As :func:`core.i18n.N_`: with ``params`` the result is a
        :class:`core.i18n.Message` (``i18n.N_("At most %(count)s points.", count=5)``).
        """
        if params:
            from core.i18n import Message

            return Message(message, params, self.name)
        return DomainText(message, self.name)
