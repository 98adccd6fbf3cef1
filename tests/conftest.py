"""App fixtures: a real database (SQLite file or PostgreSQL), the app, clients, a live server.

``app`` is parametrised over both engines: every test that uses it runs on a
fresh SQLite file and on a fresh database of the worker's PostgreSQL server.
Tests that only need one engine use ``sqlite_app``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from core import clock, db
from core.app import create_app
from core.config import Config, load_config
from core.migrate import migrate
from core.runtime import current
from tests.support.ports import free_port

pytest_plugins = ["tests.support.fixtures"]


def make_config(db_url: str, tmp_path: Path, smtp_port: int, **sections: dict[str, Any]) -> Config:
    """A test configuration: no files, no environment, mail to the loopback capture."""
    port = free_port()
    overrides: dict[str, Any] = {
        "app": {
            "secret_key": "test-secret",
            "instance_path": str(tmp_path / "instance"),
            "base_url": f"http://127.0.0.1:{port}",
            "_port": port,
        },
        "database": {"url": db_url},
        "mail": {"host": "127.0.0.1", "port": smtp_port, "sender": "hookbill <billing@hookbill.test>"},
        "outbox": {"process_after_request": False},
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_config(overrides=overrides, environ={}, use_files=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hookbill.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file URL (for tests that need only one engine)."""
    return f"sqlite:///{tmp_path / 'hookbill.sqlite3'}"


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    """Override in a test module to change config sections for ``app``."""
    return {}


def _build(db_url: str, tmp_path: Path, smtp_port: int, overrides: dict[str, dict[str, Any]]) -> Iterator[Flask]:
    application = create_app(make_config(db_url, tmp_path, smtp_port, **overrides))
    migrate(current())
    try:
        yield application
    finally:
        clock.freeze(None)
        database = db.database.obj
        if database is not None and not database.is_closed():
            database.close()


@pytest.fixture
def app(db_url: str, tmp_path: Path, smtp_server: Any, app_overrides: dict[str, dict[str, Any]]) -> Iterator[Flask]:
    """The migrated app on each engine."""
    yield from _build(db_url, tmp_path, smtp_server.port, app_overrides)


@pytest.fixture
def sqlite_app(
    sqlite_url: str, tmp_path: Path, smtp_server: Any, app_overrides: dict[str, dict[str, Any]]
) -> Iterator[Flask]:
    """The migrated app on SQLite only."""
    yield from _build(sqlite_url, tmp_path, smtp_server.port, app_overrides)


@pytest.fixture
def postgres_app(
    postgres_database: str, tmp_path: Path, smtp_server: Any, app_overrides: dict[str, dict[str, Any]]
) -> Iterator[Flask]:
    """The migrated app on PostgreSQL only (what several nodes do at once; mark the test ``postgres``)."""
    yield from _build(postgres_database, tmp_path, smtp_server.port, app_overrides)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def conn(app: Flask) -> Iterator[None]:
    """An open database connection for domain-level tests."""
    with db.connection():
        yield


def serve_live(application: Flask) -> Iterator[str]:
    """Serve ``application`` on its configured loopback port in a thread; yield its base URL."""
    config = application.config["HOOKBILL"]
    port = int(config.get_value("app._port"))
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(sqlite_app: Flask) -> Iterator[str]:
    """The SQLite app served over real HTTP for browser tests; yields the base URL."""
    yield from serve_live(sqlite_app)
