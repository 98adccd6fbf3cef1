"""``hookbill new-plugin NAME``: write a plugin package that works and passes its tests at once.

The package (``template/`` here, files ending in ``.tmpl``) has everything a
plugin usually grows: the entry point in the group ``hookbill``, one hook (a
footer note), a setting, a table with its migration, a Polish translation in the
plugin's own gettext domain, a build step that compiles it, and tests on the
testing kit. ``docs/plugins.md`` walks through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE_DIR = Path(__file__).resolve().parent / "template"
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


class ScaffoldError(ValueError):
    """The plugin cannot be written: a bad name, or the folder is not empty."""


@dataclass(frozen=True)
class PluginNames:
    """The names of a new plugin: ``hello`` -> ``hookbill-hello``, ``hookbill_hello``."""

    name: str  # entry-point name, settings namespace, migration component: "hello", "loyalty_discount"
    dist: str  # distribution (pip) name: "hookbill-hello"
    package: str  # import package and gettext domain: "hookbill_hello"

    @classmethod
    def of(cls, name: str) -> PluginNames:
        """The names for ``name`` (lower case letters, digits, ``-`` or ``_``; ``hookbill-`` is optional)."""
        raw = name.strip().lower()
        for prefix in ("hookbill-", "hookbill_"):
            raw = raw.removeprefix(prefix)
        if not NAME_RE.match(raw):
            raise ScaffoldError(
                f"{name!r} cannot name a plugin: use lower-case letters, digits and - or _, starting with a letter"
            )
        short = raw.replace("-", "_")
        return cls(name=short, dist=f"hookbill-{short.replace('_', '-')}", package=f"hookbill_{short}")


def _target_path(relative: Path, names: PluginNames) -> Path:
    parts = [part.replace("PACKAGE", names.package) for part in relative.parts]
    parts[-1] = parts[-1].removesuffix(".tmpl")
    return Path(*parts)


def new_plugin(name: str, directory: Path | None = None) -> Path:
    """Write the plugin ``name`` into ``directory`` (default ``./hookbill-NAME``); return the folder.

    Refuses (:class:`ScaffoldError`) a bad name, or a folder that exists and is not
    empty, so nothing of someone's work is overwritten.
    """
    names = PluginNames.of(name)
    target = directory if directory is not None else Path.cwd() / names.dist
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty")
    values = {"name": names.name, "dist": names.dist, "package": names.package}
    for source in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        path = target / _target_path(source.relative_to(TEMPLATE_DIR), names)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    return target
