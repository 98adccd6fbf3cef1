"""The plugin manager: built-ins, entry points, a drop-in folder, tracing.

Order of registration (pytest style): the built-in plugins listed in
:data:`BUILTIN_PLUGINS`, then distributions that declare an entry point in the
group ``hookbill``, then ``*.py`` files and packages in the drop-in folder
(``plugins.folder``), then any plugin objects the caller passes (the testing
kit's ``hookbill_plugins``). A plugin named in ``plugins.disabled`` is blocked.
Anything that fails to import, or implements a hook that does not exist,
stops start-up with :class:`PluginError` naming the plugin.
Set ``HOOKBILL_PLUGINS_TRACE=1`` (or ``plugins.trace``) to log every hook call.

An exception that comes out of a hook implementation is marked with the plugin
and the hook it was raised in (:func:`failed_in`), so the web error handler and
the CLI can name the culprit in one line.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import logging
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, ModuleType
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
    "core.services.plugin",
    "core.orders.plugin",
    "core.billing_data.plugin",
    "core.api.plugin",
    "plugins.proration",
    "plugins.balance",
    "plugins.promotions",
    "plugins.banktransfer",
    "plugins.bankstatements",
    "plugins.testgateway",
    "plugins.przelewy24",
    "plugins.provisioning_log",
    "core.tickets.plugin",
    "plugins.totp",
    "plugins.pgp",
    "plugins.ksef",
)


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message names it."""


@dataclass(frozen=True)
class HookFault:
    """Where an exception came from: the plugin (as registered) and the hook."""

    plugin: str
    hook: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r}, hook {self.hook}"


_FAULT_ATTR = "_hookbill_fault"


def failed_in(exc: BaseException) -> HookFault | None:
    """The plugin and hook ``exc`` was raised in, or None when no hook implementation raised it.

    For a failure in a hook called from inside another hook's implementation,
    the innermost hook is named: that is where the error is.
    """
    fault = getattr(exc, _FAULT_ATTR, None)
    return fault if isinstance(fault, HookFault) else None


def describe_failure(exc: BaseException) -> str:
    """One line for a log or a terminal: the plugin and hook at fault (when known), the error's type and text."""
    fault = failed_in(exc)
    where = f"plugin {fault.plugin!r} failed in hook {fault.hook}: " if fault is not None else ""
    return f"{where}{type(exc).__name__}: {exc}"


def _code_of(function: Any) -> CodeType | None:
    return getattr(getattr(function, "__func__", function), "__code__", None)


def _mark_fault(
    outcome: pluggy.Result[Any], hook_name: str, hook_impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
) -> None:
    """``after`` of the hook call monitoring: mark an exception with the implementation that raised it.

    The implementation is the innermost frame of the traceback that runs one of
    the called implementations' functions (a wrapper's frame is outside the
    implementation it wraps, so it is not blamed for it).
    """
    exc = outcome.exception
    if exc is None or failed_in(exc) is not None:
        return
    plugins = {_code_of(impl.function): impl.plugin_name for impl in hook_impls}
    culprit = None
    tb = exc.__traceback__
    while tb is not None:
        culprit = plugins.get(tb.tb_frame.f_code, culprit)
        tb = tb.tb_next
    if culprit is None:
        return
    fault = HookFault(culprit, hook_name)
    try:
        setattr(exc, _FAULT_ATTR, fault)
    except AttributeError:  # an exception type that takes no attributes: nothing to mark
        return
    exc.add_note(f"(raised in {fault})")


def _no_op_before(hook_name: str, hook_impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class PluginInfo:
    """What ``hookbill plugins`` shows for one registered plugin."""

    name: str
    version: str
    source: str  # builtin | entrypoint | folder | extra
    hooks: tuple[str, ...]


def where_it_failed(exc: BaseException) -> str:
    """``file:line`` of the place an import error happened (the syntax error's own place for one)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    frames = traceback.extract_tb(exc.__traceback__)
    # The innermost frame outside the import machinery is the plugin's own line.
    for frame in reversed(frames):
        if "importlib" not in frame.filename:
            return f"{frame.filename}:{frame.lineno}"
    return "unknown place"


def _import_failed(what: str, exc: BaseException) -> PluginError:
    return PluginError(f"{what} failed to import at {where_it_failed(exc)}: {type(exc).__name__}: {exc}")


def _import_builtin(dotted: str) -> ModuleType:
    try:
        return importlib.import_module(dotted)
    except Exception as exc:  # any import error stops start-up
        raise _import_failed(f"built-in plugin {dotted!r}", exc) from exc


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
        raise _import_failed(f"drop-in plugin {path.stem!r}", exc) from exc
    return module


def _folder_plugin_paths(folder: str) -> list[Path]:
    """The ``*.py`` files and packages of the drop-in folder, in name order (not imported)."""
    if not folder:
        return []
    root = Path(folder)
    if not root.is_dir():
        raise PluginError(f"plugins.folder {folder!r} is not a folder")
    return [
        path
        for path in sorted(root.iterdir())
        if not path.name.startswith(("_", "."))
        and (path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    ]


def builtin_name(dotted: str) -> str:
    """The name a built-in plugin is registered (and disabled) under: ``plugins.totp`` -> ``totp``."""
    return dotted.rsplit(".", 1)[-1] if dotted.startswith("plugins.") else dotted


def _disabled_names(config: Config, known: list[str]) -> list[str]:
    """``plugins.disabled``, checked: a list of names of plugins that exist, else PluginError."""
    value = config.get_value("plugins.disabled") or []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise PluginError(f'plugins.disabled must be a list of plugin names, e.g. ["testgateway"]; got {value!r}')
    for name in value:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise PluginError(
                f"plugins.disabled names {name!r}, which is not a plugin.{hint} "
                f"`hookbill plugins` lists them: {', '.join(sorted(known))}"
            )
    return list(value)


def _unknown_hook_error(pm: pluggy.PluginManager, exc: pluggy.PluginValidationError) -> PluginError:
    """The error for an implementation of a hook that has no spec, with the closest real hook name."""
    plugin_name = pm.get_name(exc.plugin) or repr(exc.plugin)
    names = [name for name in dir(pm.hook) if not name.startswith("_")]
    specified = [name for name in names if getattr(pm.hook, name).has_spec()]
    hints = []
    for name in names:
        caller = getattr(pm.hook, name)
        if caller.has_spec() or not any(impl.plugin is exc.plugin for impl in caller.get_hookimpls()):
            continue
        close = difflib.get_close_matches(name, specified, n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    listed = ", ".join(hints) or str(exc)
    return PluginError(f"plugin {plugin_name!r} implements an unknown hook: {listed}")


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    if pm.is_blocked(name):
        return
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc


def plugin_name(plugin: Any) -> str:
    """The name an extra plugin object is registered under: its module's or class's name."""
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    return str(name).rsplit(".", 1)[-1]


def make_plugin_manager(config: Config, extra: Iterable[Any] = ()) -> pluggy.PluginManager:
    """Build the plugin manager for ``config``, or raise PluginError naming the culprit.

    ``extra`` plugins (modules or objects) are registered last, under
    :func:`plugin_name`; one that is registered already (an installed plugin
    handed in again) is skipped.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    sources: dict[str, str] = {}
    entry_points = list(importlib.metadata.entry_points(group=hookspecs.PROJECT))
    folder_paths = _folder_plugin_paths(str(config.get_value("plugins.folder") or ""))
    known = [builtin_name(d) for d in BUILTIN_PLUGINS] + [ep.name for ep in entry_points]
    known += [path.stem for path in folder_paths]
    for name in _disabled_names(config, known):
        pm.set_blocked(name)
    for dotted in BUILTIN_PLUGINS:
        short = builtin_name(dotted)
        if pm.is_blocked(short):
            continue
        _register(pm, _import_builtin(dotted), short)
        sources[short] = "builtin"
    for ep in entry_points:
        if pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise _import_failed(f"plugin {ep.name!r} (entry point {ep.value})", exc) from exc
        _register(pm, plugin, ep.name)
        sources[ep.name] = "entrypoint"
    for path in folder_paths:
        if pm.is_blocked(path.stem):
            continue
        _register(pm, _load_file_plugin(path), path.stem)
        sources[path.stem] = "folder"
    for plugin in extra:
        if pm.is_registered(plugin):
            continue
        name = plugin_name(plugin)
        _register(pm, plugin, name)
        sources[name] = "extra"
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise _unknown_hook_error(pm, exc) from exc
    pm.hookbill_sources = sources  # type: ignore[attr-defined]
    pm.add_hookcall_monitoring(_no_op_before, _mark_fault)
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
