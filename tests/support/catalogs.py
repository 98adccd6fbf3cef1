"""Message extraction and catalog checks, as the runtime loads the catalogs.

The code and templates are extracted with Babel and ``babel.cfg`` (the same
keywords as :data:`core.i18n.EXTRACT_KEYWORDS`), then split into *parts*:

- ``core``: ``core/`` and ``themes/``; it may use any core catalog
  (``core/translations`` and every ``core/<feature>/translations``), since the
  runtime always loads all of them;
- one part per plugin package (``plugins/<name>``, ``examples/<dist>/<pkg>``): it
  may use the core catalogs and its own ``translations`` folder (its own gettext
  domain, ``<lang>/LC_MESSAGES/<name>.po``, which the runtime asks first for the
  plugin's text; see :mod:`core.i18n_domains`), never another plugin's, because
  that plugin may be disabled.

Run ``python -m tests.support.catalogs`` for a list of what is missing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n import EXTRACT_KEYWORDS
from core.i18n_domains import CORE_DOMAIN, domain_of_folder

ROOT = Path(__file__).resolve().parents[2]
SOURCE_LANGUAGE = "en"

#: (context or None, msgid) of one message.
Key = tuple[str | None, str]

_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifr%])")


@dataclass
class Part:
    """One extraction unit and the catalog folders the runtime uses for it."""

    name: str
    roots: list[Path]
    own_catalogs: list[Path]
    messages: dict[Key, list[str]] = field(default_factory=dict)


def core_catalogs() -> list[Path]:
    """The core's translations folders, always loaded."""
    core = ROOT / "core"
    return [core / "translations", *sorted(p for p in core.glob("*/translations") if p.is_dir())]


def plugin_roots() -> list[Path]:
    """Every shipped plugin package: ``plugins/<name>`` and the example distributions' packages."""
    roots = sorted(p.parent for p in (ROOT / "plugins").glob("*/__init__.py"))
    roots += sorted(p.parent for p in (ROOT / "examples").glob("*/*/__init__.py"))
    return roots


def parts() -> list[Part]:
    """The core part and one part per plugin, each with its extracted messages."""
    result = [Part("core", [ROOT / "core", ROOT / "themes"], core_catalogs())]
    for root in plugin_roots():
        own = root / "translations"
        result.append(Part(str(root.relative_to(ROOT)), [root], [own] if own.is_dir() else []))
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    # babel.cfg names core/ and plugins/; the examples are plugins too.
    method_map = [*method_map, ("examples/**.py", "python"), ("examples/**/templates/**.html", "jinja2")]
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=EXTRACT_KEYWORDS, strip_comment_tags=True)
    for filename, lineno, message, _comments, context in found:
        path = ROOT / filename
        part = max(
            (p for p in result if any(path.is_relative_to(r) for r in p.roots)),
            key=lambda p: max(len(r.parts) for r in p.roots if path.is_relative_to(r)),
        )
        msgid = message if isinstance(message, str) else message[0]
        part.messages.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return result


def languages() -> list[str]:
    """Every language a catalog ships (the source language needs none)."""
    folders = [*core_catalogs(), *(r / "translations" for r in plugin_roots())]
    found = {po.parent.parent.name for folder in folders for po in folder.glob("*/LC_MESSAGES/*.po")}
    return sorted(found - {SOURCE_LANGUAGE})


def catalog_file(folder: Path, lang: str) -> Path:
    """The ``.po`` of ``folder`` for ``lang``: ``messages.po`` for the core's, ``<domain>.po`` for a plugin's."""
    domain = domain_of_folder(folder.parent) or CORE_DOMAIN
    return folder / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(folder: Path, lang: str) -> dict[Key, Message]:
    """The messages of ``folder``'s catalog for ``lang`` (empty when it has none)."""
    path = catalog_file(folder, lang)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def usable(message: Message | None) -> bool:
    """A translation the runtime uses: present, not fuzzy, every form non-empty."""
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s.strip() for s in strings)


def placeholders(text: str) -> list[str]:
    """The printf-style placeholders of ``text``, sorted (``%%`` is not one)."""
    return sorted(f"{name or ''}:{kind}" for name, kind in _PLACEHOLDER.findall(text) if kind != "%")


def missing(part: Part, lang: str) -> dict[Key, list[str]]:
    """Messages of ``part`` with no usable translation in the catalogs the runtime uses for it."""
    catalogs = [read_catalog(f, lang) for f in [*core_catalogs(), *part.own_catalogs]]
    return {key: where for key, where in part.messages.items() if not any(usable(c.get(key)) for c in catalogs)}


def placeholder_mismatches(lang: str) -> list[str]:
    """Entries of every catalog whose translation has other placeholders than its msgid."""
    bad = []
    for folder in [*core_catalogs(), *(r / "translations" for r in plugin_roots())]:
        for key, message in read_catalog(folder, lang).items():
            if not usable(message):
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                if placeholders(key[1]) != placeholders(text):
                    bad.append(f"{folder.relative_to(ROOT)}: {key[1]!r} -> {text!r}")
    return bad


def conflicts(lang: str) -> list[str]:
    """Messages translated differently in two of the core's catalogs; the runtime merges those, so one would lose.

    A plugin's catalog is a domain of its own: it may translate a text of the
    core's another way, and each shows in its own place.
    """
    seen: dict[Key, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for folder in core_catalogs():
        for key, message in read_catalog(folder, lang).items():
            if usable(message):
                seen[key][str(message.string)].append(str(folder.relative_to(ROOT)))
    return [f"{key[1]!r}: {dict(found)}" for key, found in seen.items() if len(found) > 1]


def main() -> None:
    """Print every gap, per language and part."""
    every = parts()
    for lang in languages():
        for part in every:
            for (context, msgid), where in sorted(missing(part, lang).items(), key=lambda kv: kv[1][0]):
                print(f"{lang} {part.name}: {msgid!r}{f' (context {context})' if context else ''} at {where[0]}")
        for line in placeholder_mismatches(lang) + conflicts(lang):
            print(f"{lang} {line}")


if __name__ == "__main__":
    main()
