"""The plugin manager: built-ins, entry points, a drop-in folder, tracing.

Order of registration (pytest style): the built-in plugins listed in
:data:`BUILTIN_PLUGINS`, then distributions that declare an entry point in the
group ``hookbill``, then ``*.py`` files and packages in the drop-in folder
(``plugins.folder``). A plugin named in ``plugins.disabled`` is blocked.
Anything that fails to import, or implements a hook that does not exist,
stops start-up with :class:`PluginError` naming the plugin.
Set ``HOOKBILL_PLUGINS_TRACE=1`` (or ``plugins.trace``) to log every hook call.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs
from core.config import Config

log = logging.getLogger("hookbill.plugins")

# Core behaviour is a plugin like any other; their order here is their order of
# registration. Ordering between hook implementations that matters is explicit
# (tryfirst / trylast), never left to this list.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "core.builtin",
    "core.upgrades.hooks",
    "core.payments.hooks",
    "core.renewals.plugin",
    "core.billing_data.plugin",
    "core.api.plugin",
    "plugins.proration",
    "plugins.balance",
    "plugins.banktransfer",
    "plugins.bankstatements",
    "plugins.testgateway",
    "plugins.provisioning_log",
    "core.tickets.plugin",
    "plugins.totp",
    "plugins.pgp",
    "plugins.ksef",
)


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message names it."""


@dataclass(frozen=True)
class PluginInfo:
    """What ``hookbill plugins`` shows for one registered plugin."""

    name: str
    version: str
    source: str  # builtin | entrypoint | folder
    hooks: tuple[str, ...]


def _import_builtin(dotted: str) -> ModuleType:
    try:
        return importlib.import_module(dotted)
    except Exception as exc:
        raise PluginError(f"built-in plugin {dotted!r} failed to import: {exc}") from exc


def _load_file_plugin(path: Path) -> ModuleType:
    """Import a drop-in ``name.py`` or package folder; errors name the plugin as ``name``."""
    name = f"hookbill_dropin_{path.stem}"
    target = path / "__init__.py" if path.is_dir() else path
    spec = importlib.util.spec_from_file_location(
        name, target, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise PluginError(f"drop-in plugin {path.stem!r} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise PluginError(f"drop-in plugin {path.stem!r} ({path}) failed to import: {exc}") from exc
    return module


def _folder_plugins(folder: str) -> list[tuple[str, ModuleType]]:
    if not folder:
        return []
    root = Path(folder)
    if not root.is_dir():
        raise PluginError(f"plugins.folder {folder!r} is not a folder")
    found = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            found.append((path.stem, _load_file_plugin(path)))
    return found


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    if pm.is_blocked(name):
        return
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc


def make_plugin_manager(config: Config) -> pluggy.PluginManager:
    """Build the plugin manager for ``config``, or raise PluginError naming the culprit."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    sources: dict[str, str] = {}
    for name in config.get_value("plugins.disabled") or []:
        pm.set_blocked(name)
    for dotted in BUILTIN_PLUGINS:
        short = dotted.rsplit(".", 1)[-1] if dotted.startswith("plugins.") else dotted
        if pm.is_blocked(short):
            continue
        _register(pm, _import_builtin(dotted), short)
        sources[short] = "builtin"
    for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT):
        if pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} (entry point {ep.value}) failed to import: {exc}") from exc
        _register(pm, plugin, ep.name)
        sources[ep.name] = "entrypoint"
    for name, module in _folder_plugins(str(config.get_value("plugins.folder") or "")):
        _register(pm, module, name)
        sources[name] = "folder"
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(f"plugin {name!r} implements an unknown hook: {exc}") from exc
    pm.hookbill_sources = sources  # type: ignore[attr-defined]
    if config.get_value("plugins.trace"):
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm


def _version_of(plugin: Any, name: str, source: str) -> str:
    version = getattr(plugin, "__version__", None)
    if version:
        return str(version)
    if source == "builtin":
        try:
            return importlib.metadata.version("hookbill")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == hookspecs.PROJECT and ep.name == name:
                return dist.version
    return "unknown"


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """One :class:`PluginInfo` per registered plugin, in registration order."""
    sources: dict[str, str] = getattr(pm, "hookbill_sources", {})
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        source = sources.get(name, "other")
        infos.append(PluginInfo(name, _version_of(plugin, name, source), source, hooks))
    return infos


def plugin_folder(plugin: Any) -> Path | None:
    """The folder of a module or package plugin (for its templates/ and static/)."""
    file = getattr(plugin, "__file__", None)
    return Path(file).parent if file else None


def collect_by_code(groups: list[list[Any]], what: str) -> dict[str, Any]:
    """Merge the lists plugins returned into ``{obj.code: obj}``; two with one code raise.

    Used for payment methods and provisioning modules: a code names one
    implementation, so a clash is a configuration error to report, not to guess.
    """
    found: dict[str, Any] = {}
    for group in groups:
        for item in group:
            if item.code in found:
                raise RuntimeError(f"two plugins provide the {what} {item.code!r}")
            found[item.code] = item
    return found
