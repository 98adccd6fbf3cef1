"""hookbill's own fixtures: short names over the testing kit (:mod:`core.testing`).

The kit (a pytest plugin installed with hookbill) builds the app; these are the
names our tests have always used. ``app`` is the kit's ``hookbill_app``, which
``hookbill_engines`` in pyproject.toml runs on a fresh SQLite file and on a fresh
database of the worker's PostgreSQL server. Tests that need one engine only use
``sqlite_app``. A test module changes config sections by overriding
``app_overrides``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.config import Config
from core.testing.apps import kit_config, running_app, serve
from core.testing.smtp import SmtpCapture

# pytester: tests of the testing kit run an inner pytest session.
pytest_plugins = ["tests.support.fixtures", "pytester"]


def make_config(db_url: str, tmp_path: Path, smtp_port: int, **sections: dict[str, Any]) -> Config:
    """A test configuration: no files, no environment, mail to the loopback capture (the kit's ``kit_config``)."""
    return kit_config(db_url, tmp_path / "instance", mail_port=smtp_port, sections=sections)


def _build(db_url: str, tmp_path: Path, smtp_port: int, overrides: dict[str, dict[str, Any]]) -> Iterator[Flask]:
    """The migrated app of ``make_config`` (the kit's ``running_app``), for tests that build their own."""
    with running_app(make_config(db_url, tmp_path, smtp_port, **overrides)) as application:
        yield application


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    """Override in a test module to change config sections for ``app``."""
    return {}


@pytest.fixture
def hookbill_config(app_overrides: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The kit's config sections are our ``app_overrides``."""
    return app_overrides


@pytest.fixture
def db_url(hookbill_db_url: str) -> str:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database."""
    return hookbill_db_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file URL (for tests that need only one engine)."""
    return f"sqlite:///{tmp_path / 'hookbill.sqlite3'}"


@pytest.fixture
def app(hookbill_app: Flask) -> Flask:
    """The migrated app on each engine."""
    return hookbill_app


@pytest.fixture
def sqlite_app(
    sqlite_url: str,
    tmp_path: Path,
    smtp_server: SmtpCapture,
    app_overrides: dict[str, dict[str, Any]],
    hookbill_plugins: list[Any],
) -> Iterator[Flask]:
    """The migrated app on SQLite only."""
    config = make_config(sqlite_url, tmp_path, smtp_server.port, **app_overrides)
    with running_app(config, hookbill_plugins) as application:
        yield application


@pytest.fixture
def postgres_app(
    postgres_database: str,
    tmp_path: Path,
    smtp_server: SmtpCapture,
    app_overrides: dict[str, dict[str, Any]],
    hookbill_plugins: list[Any],
) -> Iterator[Flask]:
    """The migrated app on PostgreSQL only (what several nodes do at once; mark the test ``postgres``)."""
    config = make_config(postgres_database, tmp_path, smtp_server.port, **app_overrides)
    with running_app(config, hookbill_plugins) as application:
        yield application


@pytest.fixture
def client(hookbill_client: FlaskClient) -> FlaskClient:
    """A test client of ``app``."""
    return hookbill_client


@pytest.fixture
def conn(hookbill_db: None) -> None:
    """An open database connection for domain-level tests."""


@pytest.fixture
def live_server(sqlite_app: Flask) -> Iterator[str]:
    """The SQLite app served over real HTTP for browser tests; yields the base URL."""
    with serve(sqlite_app) as url:
        yield url
