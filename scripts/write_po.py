"""Write a gettext catalog from a {msgid: translation} mapping (developer helper).

Usage from Python: ``write_po(path, "pl", translations)``. Keeps catalogs
consistent (header, UTF-8, sorted) without a manual editor. A key is a msgid,
or ``(context, msgid)`` for a message marked with ``pgettext`` / ``NP_``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po as babel_write_po

Key = str | tuple[str, str]


def write_po(path: Path, locale: str, translations: Mapping[Key, str], project: str = "hookbill") -> None:
    """Write ``translations`` as ``path`` (a ``<domain>.po``: ``messages.po`` for the core) for ``locale``."""
    catalog = Catalog(locale=locale, project=project, charset="utf-8", fuzzy=False)
    if path.exists():
        # Keep the file's own header (dates, plural forms), so that adding a
        # message changes only the lines of that message.
        with path.open("rb") as handle:
            previous = read_po(handle, locale=locale)
        catalog.header_comment = previous.header_comment
        catalog.mime_headers = previous.mime_headers
    for key, msgstr in translations.items():
        context, msgid = key if isinstance(key, tuple) else (None, key)
        catalog.add(msgid, msgstr, context=context)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        babel_write_po(handle, catalog, width=100, sort_output=True)


def read_translations(path: Path, locale: str) -> dict[Key, str]:
    """The entries of the catalog at ``path`` (empty when it does not exist)."""
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {(m.context, m.id) if m.context else m.id: m.string for m in read_po(handle, locale=locale) if m.id}


def add_translations(path: Path, locale: str, translations: Mapping[Key, str]) -> None:
    """Merge ``translations`` into the catalog at ``path`` (new ids added, existing ones replaced)."""
    existing = read_translations(path, locale)
    existing.update(translations)
    write_po(path, locale, existing)


def remove_translations(path: Path, locale: str, keys: Iterable[Key]) -> None:
    """Drop ``keys`` from the catalog at ``path`` (messages the code no longer uses)."""
    existing = read_translations(path, locale)
    for key in keys:
        existing.pop(key, None)
    write_po(path, locale, existing)


if __name__ == "__main__":
    import json
    import sys

    # python scripts/write_po.py PATH LOCALE '{"msgid": "translation"}'
    add_translations(Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]))
