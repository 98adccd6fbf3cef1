"""The build step pyproject.toml cannot say: compile the gettext catalogs into the package.

``build_py`` copies the ``.po`` files like any package data, then writes each
one's ``.mo`` beside it in the build folder, so the installed plugin carries
compiled catalogs. An editable install (``pip install -e .``) compiles in place:
``hookbill compile-catalogs hookbill_hello``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages import mofile, pofile
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """``build_py``, then compile every copied ``.po`` into its ``.mo``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for po_path in Path(self.build_lib).rglob("LC_MESSAGES/*.po"):
            with po_path.open("rb") as handle:
                catalog = pofile.read_po(handle, locale=po_path.parent.parent.name)
            with po_path.with_suffix(".mo").open("wb") as handle:
                mofile.write_mo(handle, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
