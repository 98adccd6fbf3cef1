"""The ``[totp]`` section: production needs a Fernet key, development derives a stable one, keys rotate."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from core import runtime
from core.app import create_app
from core.config import ConfigError, load_config
from core.runtime import setup
from plugins.totp import crypto


def config_for(tmp_path, **totp):
    return load_config(
        overrides={
            "app": {"mode": "production", "secret_key": "s3cret", "instance_path": str(tmp_path)},
            "database": {"url": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
            "totp": totp,
        },
        environ={},
        use_files=False,
    )


def test_production_without_a_key_refuses_to_start_naming_it(tmp_path):
    with pytest.raises(ConfigError, match=r"totp\.encryption_key"):
        setup(config_for(tmp_path))


def test_a_bad_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match=r"totp\.encryption_key is not a valid Fernet key"):
        setup(config_for(tmp_path, encryption_key="not-a-key"))


def test_production_with_a_key_fills_defaults(tmp_path):
    key = Fernet.generate_key().decode()
    config = setup(config_for(tmp_path, encryption_key=key)).config
    assert config.get_value("totp.encryption_key") == key
    assert config.get_value("totp.issuer") == "hookbill"
    assert config.get_value("totp.max_failures") == 5


def test_development_key_is_derived_from_the_secret_key_and_stable(tmp_path):
    first = load_config(
        overrides={"app": {"secret_key": "abc", "instance_path": str(tmp_path)}}, environ={}, use_files=False
    )
    second = load_config(
        overrides={"app": {"secret_key": "abc", "instance_path": str(tmp_path)}}, environ={}, use_files=False
    )
    crypto.configure(first)
    crypto.configure(second)
    assert first.get_value("totp.encryption_key") == second.get_value("totp.encryption_key")
    assert first.get_value("totp.encryption_key") != crypto.derive_development_key("other")


def test_rotation_new_key_first_still_reads_old_secrets(tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    setup(config_for(tmp_path, encryption_key=old))
    token = crypto.encrypt("JBSWY3DPEHPK3PXP")
    setup(config_for(tmp_path, encryption_key=[new, old]))
    assert crypto.decrypt(token) == "JBSWY3DPEHPK3PXP"
    setup(config_for(tmp_path, encryption_key=new))
    with pytest.raises(ValueError):
        crypto.decrypt(token)
    assert runtime.config().get_value("totp.encryption_key") == new


def production_env(tmp_path, **environ):
    return load_config(
        environ={
            "HOOKBILL_APP_MODE": "production",
            "HOOKBILL_APP_SECRET_KEY": "s3cret",
            "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path),
            "HOOKBILL_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **environ,
        },
        use_files=False,
    )


def test_production_starts_with_the_key_given_only_in_the_environment(tmp_path):
    key = Fernet.generate_key().decode()
    app = create_app(production_env(tmp_path, HOOKBILL_TOTP_ENCRYPTION_KEY=key, HOOKBILL_TOTP_MAX_FAILURES="3"))
    config = app.config["HOOKBILL"]
    assert config.get_value("totp.encryption_key") == key
    assert config.get_value("totp.max_failures") == 3
    assert crypto.decrypt(crypto.encrypt("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"


def test_a_plugin_section_reads_the_environment_and_overrides_still_win(tmp_path):
    config = load_config(
        overrides={"totp": {"lock_minutes": 7}},
        environ={"HOOKBILL_TOTP_LOCK_MINUTES": "30", "HOOKBILL_TOTP_ISSUER": "Hostownia"},
        use_files=False,
    )
    section = config.section("totp", crypto.DEFAULTS)
    assert section["issuer"] == "Hostownia"  # from the environment, before any default
    assert section["lock_minutes"] == 7  # the caller's override wins over the environment
    assert section["max_failures"] == 5  # the default where nothing was given
    config.apply_environment()
    assert config.get_value("totp.lock_minutes") == 7
