"""Themes: where templates and static files are looked up.

Lookup order: the active theme (``theme.name`` under ``themes/``, or the folder
``theme.folder``), then each plugin's ``templates/`` (or ``static/``) folder in
plugin order, then ``themes/default``. A theme template can extend the one it
replaces with ``{% extends "default:client/base.html" %}``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pluggy

from core.config import Config
from core.plugins import plugin_folder

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
DEFAULT_THEME = THEMES_DIR / "default"


def active_theme_dir(config: Config) -> Path | None:
    """The active theme's folder, or None when it is the default theme."""
    folder = str(config.get_value("theme.folder") or "")
    if folder:
        return Path(folder)
    name = str(config.get_value("theme.name") or "default")
    return None if name == "default" else THEMES_DIR / name


def _plugin_dirs(pm: pluggy.PluginManager, sub: str) -> list[Path]:
    dirs = []
    for _name, plugin in pm.list_name_plugin():
        folder = plugin_folder(plugin)
        if folder is not None and (folder / sub).is_dir() and folder != Path(__file__).parent:
            dirs.append(folder / sub)
    return dirs


def search_path(config: Config, pm: pluggy.PluginManager, sub: str) -> list[Path]:
    """Folders to search for ``sub`` (``templates`` or ``static``), first match wins."""
    theme = active_theme_dir(config)
    dirs = [theme / sub] if theme is not None and (theme / sub).is_dir() else []
    return dirs + _plugin_dirs(pm, sub) + [DEFAULT_THEME / sub]


def template_loader(config: Config, pm: pluggy.PluginManager) -> jinja2.BaseLoader:
    """A Jinja loader for the lookup chain, with ``default:`` reaching the default theme."""
    return jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(DEFAULT_THEME / "templates"))}, delimiter=":"),
            jinja2.FileSystemLoader([str(p) for p in search_path(config, pm, "templates")]),
        ]
    )


def find_static(config: Config, pm: pluggy.PluginManager, filename: str) -> Path | None:
    """The first static file named ``filename`` along the lookup chain, or None."""
    for folder in search_path(config, pm, "static"):
        candidate = (folder / filename).resolve()
        if candidate.is_file() and folder.resolve() in candidate.parents:
            return candidate
    return None
