"""Write a gettext catalog from a {msgid: translation} mapping (developer helper).

Usage from Python: ``write_po(path, "pl", translations)``. Keeps catalogs
consistent (header, UTF-8) without a manual editor.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po as babel_write_po


def write_po(path: Path, locale: str, translations: dict[str, str], project: str = "hookbill") -> None:
    """Write ``translations`` as ``path`` (a ``<domain>.po``: ``messages.po`` for the core) for ``locale``."""
    catalog = Catalog(locale=locale, project=project, charset="utf-8", fuzzy=False)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        babel_write_po(handle, catalog, width=100, sort_output=True)


def add_translations(path: Path, locale: str, translations: dict[str, str]) -> None:
    """Merge ``translations`` into the catalog at ``path`` (new ids added, existing ones replaced)."""
    from babel.messages.pofile import read_po

    existing: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as handle:
            existing = {m.id: m.string for m in read_po(handle, locale=locale) if m.id}
    existing.update(translations)
    write_po(path, locale, existing)


if __name__ == "__main__":
    import json
    import sys

    # python scripts/write_po.py PATH LOCALE '{"msgid": "translation"}'
    add_translations(Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]))
