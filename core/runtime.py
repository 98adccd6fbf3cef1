"""The process's runtime: its configuration, database binding, clock and plugins.

Web requests, the CLI, cron and tests all start with :func:`setup`; domain
services reach plugins through :func:`hooks` without importing Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import peewee
import pluggy

from core import clock, db
from core.config import Config, app_secret_key, check_config
from core.plugins import make_plugin_manager

log = logging.getLogger("hookbill")


@dataclass
class Runtime:
    """What :func:`setup` made: the config, the bound database and the plugin manager.

    ``cache`` holds what is derived from them once per runtime (gettext
    catalogs, mail template environments), so a new runtime never sees a stale one.
    """

    config: Config
    database: peewee.Database
    pm: pluggy.PluginManager
    cache: dict[str, Any] = field(default_factory=dict)


_current: Runtime | None = None


def setup(config: Config, plugins: Iterable[Any] = ()) -> Runtime:
    """Check ``config``, resolve the app's secret key, bind the database, set the clock, load plugins.

    ``plugins`` are plugin objects registered after the configured ones (tests
    register the plugin they test this way; see :mod:`core.testing`).

    Raises :class:`core.config.ConfigError` or :class:`core.plugins.PluginError`
    with a message naming the key or plugin at fault.
    """
    global _current
    check_config(config)
    app_secret_key(config)  # resolved once, so every consumer sees the same key
    clock.configure(str(config.get_value("app.timezone")), config.get_value("clock.fixed") or None)
    database = db.bind(str(config.get_value("database.url")))
    pm = make_plugin_manager(config, plugins)
    _current = Runtime(config, database, pm)
    pm.hook.hookbill_configure(config=config)
    config.apply_environment()
    return _current


def current() -> Runtime:
    """The runtime set up by :func:`setup`; raises if there is none."""
    if _current is None:
        raise RuntimeError("hookbill is not set up: call core.runtime.setup(config) first")
    return _current


def hooks() -> Any:
    """``pm.hook`` of the current runtime: call hooks as ``hooks().on_payment(...)``."""
    return current().pm.hook


def config() -> Config:
    """The current configuration."""
    return current().config
