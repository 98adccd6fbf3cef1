"""A migrated hookbill app for one test, and serving it over HTTP.

The configuration reads no file and no environment variable, so a developer's
``config.toml`` or ``HOOKBILL_*`` variables never leak into a test; mail goes
to the loopback SMTP capture and the outbox is never worked after a request
(a test delivers it when it wants to, with ``hookbill_outbox.deliver()``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from core import clock, db
from core.app import create_app
from core.config import Config, load_config
from core.migrate import migrate
from core.runtime import current
from core.testing.ports import free_port
from core.testing.web import WebClient

#: The secret key of every test app (signing sessions, CSRF, the test gateway).
TEST_SECRET_KEY = "test-secret"


def kit_config(
    db_url: str, instance_path: Path, *, mail_port: int, sections: Mapping[str, Mapping[str, Any]] | None = None
) -> Config:
    """A configuration for a test: ``db_url``, files under ``instance_path``, mail to ``mail_port``.

    ``sections`` are merged over the defaults, section by section
    (``{"billing": {"downgrade": "credit"}}``). ``app.base_url`` names a free
    loopback port that :func:`serve` listens on, so links in mail work.
    """
    port = free_port()
    overrides: dict[str, dict[str, Any]] = {
        "app": {
            "secret_key": TEST_SECRET_KEY,
            "instance_path": str(instance_path),
            "base_url": f"http://127.0.0.1:{port}",
            "_port": port,
        },
        "database": {"url": db_url},
        "mail": {"host": "127.0.0.1", "port": mail_port, "sender": "hookbill <billing@hookbill.test>"},
        "outbox": {"process_after_request": False},
    }
    for name, values in (sections or {}).items():
        overrides.setdefault(name, {}).update(values)
    return load_config(overrides=overrides, environ={}, use_files=False)


@contextmanager
def running_app(config: Config, plugins: Iterable[Any] = ()) -> Iterator[Flask]:
    """The app for ``config`` with ``plugins`` registered, its database migrated; closed afterwards.

    Its test client is a :class:`core.testing.web.WebClient`. On the way out the
    clock is unfrozen and every connection of the database's pool closed.
    """
    application = create_app(config, plugins=plugins)
    application.test_client_class = WebClient
    migrate(current())
    try:
        yield application
    finally:
        clock.freeze(None)
        db.close_all()


@contextmanager
def serve(application: Flask) -> Iterator[str]:
    """Serve ``application`` on its configured loopback port in a thread; yield its base URL."""
    config = application.config["HOOKBILL"]
    port = int(config.get_value("app._port"))
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hookbill-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
