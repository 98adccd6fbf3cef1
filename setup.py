"""The build step pyproject.toml cannot say: compile the gettext catalogs into the package.

Everything else about the package is in pyproject.toml. ``build_py`` copies the
``.po`` sources like any package data, then compiles each into its ``.mo`` in
the build folder, so an installed hookbill never compiles (or writes) at start-up.
An editable install compiles in place instead: ``make catalogs``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core.catalogs import compile_tree  # needs the folder above on sys.path


class BuildWithCatalogs(build_py):
    """``build_py``, then compile every copied ``.po`` into its ``.mo``."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            compile_tree([Path(self.build_lib)], only_stale=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
