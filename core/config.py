"""Configuration: defaults, a TOML file, and ``HOOKBILL_*`` environment overrides.

Every key lives in a section (``[app]``, ``[database]``, ...). Any key can be
overridden by the environment variable ``HOOKBILL_<SECTION>_<KEY>`` in upper
case, e.g. ``HOOKBILL_DATABASE_URL`` or ``HOOKBILL_APP_SECRET_KEY``. Values
from the environment are parsed as TOML scalars when they look like one
(``true``, ``3``, ``["a", "b"]``) and taken as strings otherwise.
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "HOOKBILL_"
CONFIG_FILE_ENV = "HOOKBILL_CONFIG"

DEFAULTS: dict[str, dict[str, Any]] = {
    "app": {
        "mode": "development",  # or "production"
        "secret_key": "",
        "base_url": "http://127.0.0.1:5000",
        "name": "hookbill",
        "language": "pl",
        "languages": ["pl", "en"],
        "timezone": "Europe/Warsaw",
        "currency": "PLN",
        "session_days": 14,
        "secure_cookies": False,
        "instance_path": "instance",
        # How many reverse proxies in front of the app set X-Forwarded-For and
        # X-Forwarded-Proto (nginx: 1). 0 ignores those headers: the address is the socket's.
        "trusted_proxies": 0,
    },
    "database": {"url": "sqlite:///instance/hookbill.sqlite3"},
    "mail": {
        "host": "127.0.0.1",
        "port": 25,
        "username": "",
        "password": "",
        "starttls": False,
        "sender": "hookbill <billing@localhost>",
        "max_attempts": 8,
    },
    "outbox": {"process_after_request": True, "per_minute": 500},
    "security": {
        "login_attempts": 5,  # failed logins into one account from one address before it is throttled
        "login_attempts_per_address": 20,  # failed logins from one address (any accounts) before 429
        "login_attempts_per_account": 20,  # failed logins into one account from addresses it never used
        "login_window_seconds": 900,
        "password_hash_concurrency": 1,  # password hashes computed at once on one machine (all processes)
        "require_verified_email": False,  # a customer confirms their e-mail address before ordering or paying
        "reset_token_minutes": 60,
        "verify_token_hours": 48,
        "password_min_length": 10,
    },
    "billing": {
        "vat_rate": "23",
        "downgrade": "end_of_period",
        "change_documents": "difference",  # difference | correction: how a paid package change is invoiced
        "proforma_due_days": 7,
        "quote_valid_minutes": 60,
        "place_of_issue": "Warszawa",
        "vat_rates_by_country": {},  # OSS (art. 28k): {"DE": "19"} for private EU buyers
        "renewal_days_before": 14,  # issue the renewal proforma this many days before next_due
        "renewal_batch_size": 200,  # renewals issued (or looked at) per write transaction of the renewal run
        "reminder_days_before_due": 3,  # one reminder e-mail this many days before its due date
        "suspend_after_days": 7,  # suspend a service this many days after an unpaid renewal was due
        "terminate_after_days": 30,  # terminate it this many days after the due date
    },
    "documents": {"logo_path": ""},  # PNG/JPEG drawn top left on document PDFs
    "numbering": {
        "vat": "FV/{year}/{month}/{seq:04}",
        "proforma": "PRO/{year}/{seq:05}",
        "correction": "FK/{year}/{month}/{seq:04}",
        "advance": "FZ/{year}/{month}/{seq:04}",
    },
    "plugins": {"disabled": [], "folder": "", "trace": False},
    "theme": {"name": "default", "folder": ""},
    "clock": {"fixed": ""},
}


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used; the message names the key."""


class Config(dict[str, dict[str, Any]]):
    """Sectioned configuration; ``config.get_value("app.secret_key")`` reads one key."""

    environ: Mapping[str, str] = {}
    overrides: Mapping[str, Any] = {}

    def section(self, name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """The section ``name`` as a plugin's ``hookbill_configure`` should read it; returned and kept.

        The file's values, then ``HOOKBILL_<NAME>_<KEY>`` from the environment, then
        the caller's overrides (tests), and ``defaults`` for every key still
        missing. A plugin that checks its settings at start-up (a required key)
        thus checks what it will run with, wherever the value was given.
        """
        section = self.setdefault(name, {})
        _apply_env(self, self.environ, only=name, keep=self.overrides)
        for key, value in defaults.items():
            section.setdefault(key, copy.deepcopy(value))
        return section

    def apply_environment(self) -> None:
        """Apply ``HOOKBILL_<SECTION>_<KEY>`` again, now for sections plugins added too.

        Called after the ``hookbill_configure`` hook, so a plugin's own section is
        overridable from the environment like the core's even when the plugin
        did not read it through :meth:`section`; the caller's overrides still win.
        PGP passphrase variables are read where they are needed and never copied
        into the configuration.
        """
        _apply_env(self, self.environ, keep=self.overrides)

    def get_value(self, dotted: str, default: Any = None) -> Any:
        """Return the value at ``section.key`` or ``default`` when absent."""
        section, _, key = dotted.partition(".")
        return self.get(section, {}).get(key, default)

    @property
    def production(self) -> bool:
        """True when ``app.mode`` is ``production``."""
        return str(self.get_value("app.mode")) == "production"


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(
    config: dict[str, Any], environ: Mapping[str, str], only: str | None = None, keep: Mapping[str, Any] | None = None
) -> None:
    """Set ``HOOKBILL_<SECTION>_<KEY>`` values; the longest section name that fits wins.

    With ``only``, just the variables that land in that section; keys set in
    ``keep`` (the caller's overrides, which win over the environment) stay.
    """
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_FILE_ENV or "PASSPHRASE" in name:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        for section in sorted(config, key=len, reverse=True):
            if rest.startswith(section + "_"):
                key = rest[len(section) + 1 :]
                kept = (keep or {}).get(section)
                if (only is None or section == only) and not (isinstance(kept, Mapping) and key in kept):
                    config[section][key] = _parse_env_value(raw)
                break


def load_config(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    use_files: bool = True,
) -> Config:
    """Build the configuration: defaults < TOML file < environment < ``overrides``.

    ``path`` defaults to ``$HOOKBILL_CONFIG``, then ``./config.toml`` if it exists.
    A file that is named but missing, or is not valid TOML, raises ConfigError.
    ``use_files=False`` reads no file at all (tests).
    """
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = copy.deepcopy(DEFAULTS)
    chosen = (path or environ.get(CONFIG_FILE_ENV)) if use_files else None
    if use_files and chosen is None and Path("config.toml").exists():
        chosen = "config.toml"
    if chosen:
        file = Path(chosen)
        if not file.exists():
            raise ConfigError(f"config file {file} does not exist")
        try:
            _merge(data, tomllib.loads(file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
    _apply_env(data, environ)
    if overrides:
        _merge(data, overrides)
    config = Config(data)
    config.environ = dict(environ)
    config.overrides = copy.deepcopy(dict(overrides or {}))
    return config


DEV_SECRET_FILE = "secret_key"


def app_secret_key(config: Config) -> str:
    """The app's secret key, the one every consumer (sessions, CSRF, derived keys) uses.

    ``app.secret_key`` when it is set. In development, when it is empty, a random
    key is kept in ``<instance_path>/secret_key`` (created once, mode 0600, so that
    sessions survive a restart and every process of one instance agrees) and written
    into ``app.secret_key``, so that code reading the configuration sees that same
    key. :func:`core.runtime.setup` calls this once; calling it again changes nothing.
    Production never gets here without a key (:func:`check_config` refuses it).
    """
    key = str(config.get_value("app.secret_key") or "")
    if not key:
        key = _development_secret(Path(str(config.get_value("app.instance_path"))) / DEV_SECRET_FILE)
        config.setdefault("app", {})["secret_key"] = key
    return key


def _development_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: link() fails if another process
        # won the race, and nobody ever reads a half-written file.
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(secrets.token_urlsafe(48))
        partial.chmod(0o600)
        try:
            with contextlib.suppress(FileExistsError):
                os.link(partial, path)
        finally:
            partial.unlink()
    return path.read_text().strip()


def check_config(config: Config) -> None:
    """Refuse to start production with a missing secret or database; name the key.

    In production the database URL must be given explicitly: the embedded
    SQLite default is for trying hookbill out, not for running a business.
    """
    if not config.production:
        return
    if not str(config.get_value("app.secret_key") or "").strip():
        raise ConfigError("app.secret_key is not set (set it in config.toml or HOOKBILL_APP_SECRET_KEY)")
    url = str(config.get_value("database.url") or "").strip()
    if not url or url == DEFAULTS["database"]["url"]:
        raise ConfigError("database.url is not set (set it in config.toml or HOOKBILL_DATABASE_URL)")


def trusted_proxies(config: Config) -> int:
    """``app.trusted_proxies`` as a count of proxies (0 or more); ConfigError naming the key otherwise."""
    value = config.get_value("app.trusted_proxies", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"app.trusted_proxies must be a whole number of proxies (0 or more), not {value!r}")
    return value
