"""Migrations (twice, two processes at once) and start-up errors that name the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import clock, db
from core.config import ConfigError, check_config, load_config
from core.migrate import MigrationTable, PlannedMigration, collect, duplicate_numbers, migrate, pending
from core.runtime import current
from tests.cli_helpers import run_hookbill

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_twice_changes_nothing_the_second_time(app):
    assert migrate(current()) == []
    assert pending(current()) == []
    with db.connection():
        names = [(m.component, m.name) for m in MigrationTable.select()]
    assert ("core", "m0001_initial") in names
    assert len(names) == len(set(names))


def test_every_component_numbers_its_migrations_once(app):
    planned = collect(current())
    assert {p.component for p in planned} >= {"core", "services", "tickets", "bankstatements", "ksef"}
    assert duplicate_numbers(planned) == []


def test_a_shared_number_is_found():
    import types

    def planned(component: str, name: str) -> PlannedMigration:
        return PlannedMigration(component, name, types.ModuleType(name))

    found = duplicate_numbers(
        [planned("core", "m0006_orders"), planned("core", "m0006_dunning_steps"), planned("pgp", "m0006_keys")]
    )
    assert found == ["core:m0006 (m0006_orders, m0006_dunning_steps)"]


#: The core migrations renumbered after three shared m0006, and the names they were released under.
RENUMBERED = {"m0009_dunning_steps": "m0006_dunning_steps", "m0010_orders": "m0006_orders"}


def _as_before_the_renumbering() -> None:
    """Make the migrated database look like one a release before the renumbering left, one migration behind."""
    with db.connection(), db.write_transaction():
        MigrationTable.delete().where(
            (MigrationTable.component == "core") & MigrationTable.name.in_([*RENUMBERED, "m0007_list_indexes"])
        ).execute()
        for old in RENUMBERED.values():
            MigrationTable.create(component="core", name=old, applied_at=clock.utcnow())


def _core_names() -> set[str]:
    with db.connection():
        return {m.name for m in MigrationTable.select().where(MigrationTable.component == "core")}


def test_a_database_that_applied_the_old_names_migrates_to_the_new_ones(app):
    _as_before_the_renumbering()
    assert pending(current()) == ["core:m0007_list_indexes"]  # the renumbered ones count as applied
    assert migrate(current()) == ["core:m0007_list_indexes"]  # and are not run again
    assert _core_names() >= {*RENUMBERED, *RENUMBERED.values(), "m0007_list_indexes"}
    assert migrate(current()) == [] and pending(current()) == []


def test_the_command_records_the_new_names_with_nothing_else_to_do(tmp_path):
    import sqlite3

    assert "applied core:m0010_orders" in run_hookbill(tmp_path, "migrate").stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        for new, old in RENUMBERED.items():
            connection.execute("UPDATE schema_migration SET name = ? WHERE name = ?", (old, new))
    assert run_hookbill(tmp_path, "migrate").stdout.strip() == "nothing to migrate"
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM schema_migration")}
    assert names >= {*RENUMBERED, *RENUMBERED.values()}


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
