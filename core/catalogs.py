"""Compiling gettext catalogs (``.po`` to ``.mo``): when a package is built, never at start-up.

A built package (``pip install``, a wheel) gets its ``.mo`` files from the build
step in ``setup.py``, which calls :func:`compile_tree` on the build folder. An
editable install (a checkout, ``pip install -e``) compiles them in place:
``make catalogs`` (which ``make run`` and ``make test`` run first) or
``hookbill compile-catalogs FOLDER``. The app only reads ``.mo`` files, so an
installed package's folder is never written to.

This module imports nothing but Babel, so a build can use it before hookbill's
other dependencies are installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.messages import mofile, pofile


def catalog_sources(roots: Iterable[Path]) -> list[Path]:
    """Every ``translations/<lang>/LC_MESSAGES/<domain>.po`` under ``roots``, sorted."""
    found: set[Path] = set()
    for root in roots:
        found.update(p for p in Path(root).rglob("*.po") if p.parent.name == "LC_MESSAGES")
    return sorted(found)


def compile_catalog(po_path: Path, mo_path: Path | None = None) -> Path:
    """Compile ``po_path`` into ``mo_path`` (default: beside it); return the ``.mo`` path.

    Fuzzy entries are left out, as ``msgfmt`` does. The file is written under a
    temporary name of this process and renamed, so a reader never sees half of it.
    """
    target = mo_path or po_path.with_suffix(".mo")
    with po_path.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=po_path.parent.parent.name)
    tmp = target.with_suffix(f".mo.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        mofile.write_mo(handle, catalog)
    tmp.replace(target)
    return target


def is_stale(po_path: Path) -> bool:
    """True when the ``.mo`` beside ``po_path`` is missing or older than it."""
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_tree(roots: Iterable[Path], *, only_stale: bool = True) -> list[Path]:
    """Compile every catalog under ``roots`` (only the stale ones by default); return the ``.mo`` written."""
    return [compile_catalog(po) for po in catalog_sources(roots) if not only_stale or is_stale(po)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m core.catalogs FOLDER...``: compile the stale catalogs under each folder."""
    roots = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)] or [Path(".")]
    written = compile_tree(roots)
    print(f"compiled {len(written)} catalog(s)" if written else "catalogs are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
