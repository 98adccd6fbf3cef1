"""Migrations (twice, two processes at once) and start-up errors that name the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import db
from core.config import ConfigError, check_config, load_config
from core.migrate import MigrationTable, migrate, pending
from core.runtime import current

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_twice_changes_nothing_the_second_time(app):
    assert migrate(current()) == []
    assert pending(current()) == []
    with db.connection():
        names = [(m.component, m.name) for m in MigrationTable.select()]
    assert ("core", "m0001_initial") in names
    assert len(names) == len(set(names))


def _migrate_process(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "HOOKBILL_DATABASE_URL": url,
        "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", "migrate"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_migrating_at_once(db_url, tmp_path):
    first, second = _migrate_process(db_url, tmp_path), _migrate_process(db_url, tmp_path)
    outputs = [proc.communicate(timeout=120) for proc in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    applied = [out for out, _err in outputs if "applied core:m0001_initial" in out]
    assert len(applied) == 1, outputs
    assert any("nothing to migrate" in out for out, _err in outputs)


def test_production_needs_a_secret_key():
    config = load_config(
        overrides={"app": {"mode": "production"}, "database": {"url": "postgresql://db/hookbill"}},
        environ={},
        use_files=False,
    )
    with pytest.raises(ConfigError, match="app.secret_key"):
        check_config(config)


def test_production_needs_a_database_url():
    config = load_config(overrides={"app": {"mode": "production", "secret_key": "s3cret"}}, environ={}, use_files=False)
    with pytest.raises(ConfigError, match="database.url"):
        check_config(config)


def test_environment_overrides_every_key(tmp_path):
    file = tmp_path / "config.toml"
    file.write_text('[app]\nname = "Z pliku"\n[billing]\nvat_rate = "23"\n', encoding="utf-8")
    config = load_config(
        file,
        environ={
            "HOOKBILL_APP_NAME": "Z env",
            "HOOKBILL_BILLING_PROFORMA_DUE_DAYS": "14",
            "HOOKBILL_PLUGINS_DISABLED": '["hello"]',
        },
    )
    assert config.get_value("app.name") == "Z env"
    assert config.get_value("billing.proforma_due_days") == 14
    assert config.get_value("plugins.disabled") == ["hello"]


def test_bad_config_file_is_named(tmp_path):
    file = tmp_path / "config.toml"
    file.write_text("[app\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(file, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", environ={})


def test_cli_refuses_production_start_without_secret(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOOKBILL_APP_MODE": "production",
        "PYTHONPATH": str(ROOT),
        "HOOKBILL_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "app.secret_key is not set" in result.stderr


def test_plugin_sections_are_overridable_from_the_environment(tmp_path):
    from core.runtime import setup

    config = load_config(
        overrides={"database": {"url": f"sqlite:///{tmp_path}/x.sqlite3"}},
        environ={
            "HOOKBILL_TICKETS_MAX_ATTACHMENTS": "2",
            "HOOKBILL_TOTP_LOCK_MINUTES": "30",
            "HOOKBILL_PGP_PASSPHRASE_TECHNICZNY": "never copied",
        },
        use_files=False,
    )
    setup(config)
    assert config.get_value("tickets.max_attachments") == 2
    assert config.get_value("totp.lock_minutes") == 30
    assert "never copied" not in repr(config)


def test_config_example_is_complete_and_starts_in_production(tmp_path):
    from cryptography.fernet import Fernet

    from core.plugins import PluginError
    from core.runtime import setup

    example = ROOT / "config.example.toml"
    env = {"HOOKBILL_APP_SECRET_KEY": "from-the-environment", "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises((ConfigError, PluginError, RuntimeError), match="totp.encryption_key"):
        setup(load_config(example, environ=env))
    env["HOOKBILL_TOTP_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    config = load_config(example, environ=env)
    setup(config)
    assert config.production and config.get_value("testgateway.enabled") is False
    assert config.get_value("database.url").startswith("postgresql://")
