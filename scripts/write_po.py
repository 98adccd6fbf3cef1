"""Write a gettext catalog from a {msgid: translation} mapping (developer helper).

Usage from Python: ``write_po(path, "pl", translations)``. Keeps catalogs
consistent (header, UTF-8) without a manual editor.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po as babel_write_po


def write_po(path: Path, locale: str, translations: dict[str, str], project: str = "hookbill") -> None:
    """Write ``translations`` as ``path`` (a messages.po) for ``locale``."""
    catalog = Catalog(locale=locale, project=project, charset="utf-8", fuzzy=False)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        babel_write_po(handle, catalog, width=100, sort_output=True)
