"""Templates of a plugin translate in the plugin's gettext domain, without saying so.

A template is compiled once; when its file lies in a plugin's ``templates/``
folder, every ``_()``, ``gettext()``, ``ngettext()``, ``pgettext()``,
``npgettext()`` call in it, and every ``{% trans %}`` block (which Jinja's i18n
extension turns into those calls), is rewritten at compile time to pass the
plugin's domain. Only that template's own text is affected: the core layout a
plugin page extends keeps the core's translations, and a plugin template
included in a core page keeps the plugin's. See :mod:`core.i18n_domains` for the
order in which catalogs are asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import flask.templating
import jinja2
from jinja2 import nodes
from jinja2.utils import pass_context
from markupsafe import Markup

from core.i18n_domains import domain_of_folder

GETTEXT_CALLS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext"})
#: The global every rewritten call goes through: ``hookbill_dgettext(domain, kind, *args, **values)``.
DOMAIN_GETTEXT = "hookbill_dgettext"


class DomainTemplates:
    """Mixin for a Jinja environment: compile plugin templates with their domain's gettext.

    ``template_domains`` maps a templates folder to its domain; a template whose
    file lies in none of them is compiled as it is (the core's domain).
    """

    template_domains: Mapping[Path, str] = {}

    def domain_of(self, filename: str | None) -> str | None:
        """The domain of the template file ``filename``, or None for the core's."""
        if not filename:
            return None
        path = Path(filename).resolve()
        for folder, domain in self.template_domains.items():
            if path.is_relative_to(folder):
                return domain
        return None

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree: nodes.Template = super()._parse(source, name, filename)  # type: ignore[misc]
        domain = self.domain_of(filename)
        if domain is not None:
            bind_domain(tree, domain)
        return tree


def bind_domain(tree: nodes.Template, domain: str) -> None:
    """Rewrite every gettext call in ``tree`` into ``hookbill_dgettext(domain, kind, ...)``."""
    for call in tree.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name) and target.name in GETTEXT_CALLS:
            kind = "gettext" if target.name == "_" else target.name
            call.node = nodes.Name(DOMAIN_GETTEXT, "load", lineno=call.lineno)
            call.args = [nodes.Const(domain, lineno=call.lineno), nodes.Const(kind, lineno=call.lineno), *call.args]


def domain_gettext(translations_of: Callable[[str], Any]) -> Callable[..., str]:
    """The ``hookbill_dgettext`` global, reading a domain's chain from ``translations_of(domain)``.

    It behaves as Jinja's new-style gettext: the result is marked safe when the
    template autoescapes, and it is always a format string (``%(name)s`` filled
    from keyword arguments, ``%%`` for a percent sign).
    """

    @pass_context
    def hookbill_dgettext(context: Any, domain: str, kind: str, *args: Any, **values: Any) -> str:
        chain = translations_of(domain)
        if kind in ("ngettext", "npgettext"):
            values.setdefault("num", args[-1])
        text = getattr(chain, kind)(*args)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        result: str = text % values
        return result

    return hookbill_dgettext


def plugin_template_domains(pm: Any) -> dict[Path, str]:
    """``{templates folder: domain}`` of every registered plugin with a ``templates/`` folder (not the core's)."""
    from core.plugins import plugin_folder

    found: dict[Path, str] = {}
    for _name, plugin in pm.list_name_plugin():
        folder = plugin_folder(plugin)
        domain = domain_of_folder(folder)
        if folder is not None and domain is not None and (folder / "templates").is_dir():
            found[(folder / "templates").resolve()] = domain
    return found


class FlaskEnvironment(DomainTemplates, flask.templating.Environment):
    """The app's Jinja environment (``Flask.jinja_environment``)."""


class PlainEnvironment(DomainTemplates, jinja2.Environment):
    """A Jinja environment outside Flask (mail)."""
