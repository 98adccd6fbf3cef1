"""The pytest plugin of hookbill's testing kit (entry point ``pytest11``: ``hookbill``).

Loaded by pytest in any environment where hookbill is installed; it imports
nothing but pytest until a test asks for one of its fixtures, so it costs
nothing to a test suite that does not use it. The fixtures are listed in
:mod:`core.testing`; the choices below are the ones a plugin author may change.

Engines
    ``hookbill_app`` runs on SQLite. Add PostgreSQL with
    ``--hookbill-engines=sqlite,postgres`` (or ``postgres`` alone), with
    ``hookbill_engines = ["sqlite", "postgres"]`` in ``[tool.pytest.ini_options]``,
    or for one test with ``@pytest.mark.hookbill_engines("sqlite", "postgres")``.
    Each engine is a parameter of the test (ids ``[sqlite]``, ``[postgres]``);
    PostgreSQL runs are marked ``postgres`` so ``-m "not postgres"`` skips them.
    The kit starts a throwaway PostgreSQL server (``initdb`` + ``pg_ctl``, from
    ``$HOOKBILL_PG_BINDIR``, ``pg_config`` or Debian's ``postgresql`` package)
    once per session (per xdist worker) and gives every test a new database.

Plugins and configuration
    Override the ``hookbill_plugins`` fixture to return plugin objects (modules,
    class instances) to register beside the built-in and installed ones, and
    ``hookbill_config`` to return config sections. ``@pytest.mark.hookbill_plugins``
    adds plugins for one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask

    from core.testing.factories import Factories
    from core.testing.helpers import Cli, Clock, Outbox
    from core.testing.postgres import PostgresServer
    from core.testing.queries import QueryLog
    from core.testing.smtp import SmtpCapture
    from core.testing.web import WebClient
    from core.testing.webhook import WebhookReceiver

#: The database engines the kit can run a test on.
ENGINES = ("sqlite", "postgres")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--hookbill-engines`` and the ini option ``hookbill_engines``."""
    group = parser.getgroup("hookbill", "hookbill testing kit")
    group.addoption(
        "--hookbill-engines",
        dest="hookbill_engines",
        default=None,
        help="database engines for hookbill_app, comma-separated: sqlite, postgres (default: sqlite)",
    )
    parser.addini("hookbill_engines", "database engines for hookbill_app (sqlite, postgres)", type="args")


def pytest_configure(config: pytest.Config) -> None:
    """Register the kit's markers (so ``--strict-markers`` accepts them)."""
    config.addinivalue_line("markers", "hookbill_engines(*engines): run this test's hookbill_app on these engines")
    config.addinivalue_line("markers", "hookbill_plugins(*plugins): register these plugin objects in hookbill_app")
    config.addinivalue_line("markers", "postgres: runs on the PostgreSQL server the hookbill testing kit starts")


def _configured_engines(config: pytest.Config) -> list[str]:
    option = config.getoption("hookbill_engines")
    if option:
        return [name.strip() for name in str(option).split(",") if name.strip()]
    return list(config.getini("hookbill_engines") or ["sqlite"])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses ``hookbill_engine`` (through ``hookbill_app``) once per chosen engine."""
    if "hookbill_engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("hookbill_engines")
    engines = list(marker.args) if marker else _configured_engines(metafunc.config)
    unknown = [name for name in engines if name not in ENGINES]
    if unknown or not engines:
        raise pytest.UsageError(f"hookbill engines must be some of {', '.join(ENGINES)}; got {engines}")
    metafunc.parametrize(
        "hookbill_engine",
        [pytest.param(name, id=name, marks=[pytest.mark.postgres] if name == "postgres" else []) for name in engines],
    )


# -- databases -----------------------------------------------------------------------


@pytest.fixture
def hookbill_engine() -> str:
    """The engine of this test's database: ``sqlite`` or ``postgres`` (a parameter of the test)."""
    return "sqlite"


@pytest.fixture(scope="session")
def hookbill_postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for this session (xdist worker); stopped and deleted at the end."""
    from core.testing.postgres import PostgresServer

    with PostgresServer() as server:
        yield server


@pytest.fixture
def hookbill_db_url(hookbill_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty database: a SQLite file, or a new database on ``hookbill_postgres``."""
    if hookbill_engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'hookbill.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("hookbill_postgres")
    with server.temporary_database(request.node.name) as url:
        yield url


# -- mail ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hookbill_mail_server() -> Iterator[SmtpCapture]:
    """The session's loopback SMTP server (aiosmtpd) that every test app sends mail to."""
    from core.testing.smtp import SmtpCapture

    with SmtpCapture() as capture:
        yield capture


@pytest.fixture
def hookbill_mail(hookbill_mail_server: SmtpCapture) -> Iterator[SmtpCapture]:
    """Mail sent by the app during this test (``.messages``, ``.wait_for(predicate)``).

    Mail is queued in the outbox and sent when it is delivered:
    ``hookbill_outbox.deliver()`` first.
    """
    hookbill_mail_server.clear()
    yield hookbill_mail_server
    hookbill_mail_server.clear()


# -- the app -------------------------------------------------------------------------


@pytest.fixture
def hookbill_plugins() -> list[Any]:
    """Plugin objects to register in ``hookbill_app`` beside the built-in and installed ones.

    Override it (``return [my_plugin]``); an installed plugin is found through
    its entry point without this.
    """
    return []


@pytest.fixture
def hookbill_config() -> dict[str, dict[str, Any]]:
    """Config sections for ``hookbill_app`` over the test defaults; override it (``{"billing": {...}}``)."""
    return {}


@pytest.fixture
def hookbill_app(
    hookbill_db_url: str,
    tmp_path: Path,
    hookbill_mail: SmtpCapture,
    hookbill_config: dict[str, dict[str, Any]],
    hookbill_plugins: list[Any],
    request: pytest.FixtureRequest,
) -> Iterator[Flask]:
    """The migrated hookbill app on this test's database, with the chosen plugins and config."""
    from core.testing.apps import kit_config, running_app

    plugins = list(hookbill_plugins)
    for marker in request.node.iter_markers("hookbill_plugins"):
        plugins.extend(marker.args)
    config = kit_config(hookbill_db_url, tmp_path / "instance", mail_port=hookbill_mail.port, sections=hookbill_config)
    with running_app(config, plugins) as application:
        yield application


@pytest.fixture
def hookbill_client(hookbill_app: Flask) -> WebClient:
    """A test client of ``hookbill_app`` with ``csrf``, ``post_form``, ``login`` and ``staff_login``."""
    from core.testing.web import WebClient

    client = hookbill_app.test_client()
    assert isinstance(client, WebClient)
    return client


@pytest.fixture
def hookbill_db(hookbill_app: Flask) -> Iterator[None]:
    """An open connection to the app's database, for calling domain services and models directly."""
    from core import db

    with db.connection():
        yield


@pytest.fixture
def hookbill_cli(hookbill_app: Flask) -> Cli:
    """Runs ``hookbill`` commands in-process: ``hookbill_cli("plugins").output``."""
    from core.testing.helpers import Cli

    return Cli()


@pytest.fixture
def hookbill_clock() -> Iterator[Clock]:
    """The clock: ``freeze("2026-03-16T12:00")``, ``advance(days=3)``; running again after the test."""
    from core.testing.helpers import Clock

    handle = Clock()
    try:
        yield handle
    finally:
        handle.unfreeze()


@pytest.fixture
def hookbill_make(hookbill_app: Flask) -> Factories:
    """Factories: ``customer()``, ``staff()``, ``seller()``, ``product()``, ``service()``, ``proforma()``,
    ``pay()``, ``invoice()``, ``top_up()`` (see :class:`core.testing.factories.Factories`)."""
    from core.testing.factories import Factories

    return Factories()


@pytest.fixture
def hookbill_outbox(hookbill_app: Flask) -> Outbox:
    """The outbox: ``pending(kind)``, ``deliver()``, ``sent(kind)``, ``failed(kind)``."""
    from core.testing.helpers import Outbox

    return Outbox()


@pytest.fixture
def hookbill_queries() -> Callable[[], AbstractContextManager[QueryLog]]:
    """``with hookbill_queries() as log:`` records the SQL sent inside the block (``log.count``,
    ``log.statements``, ``log.diff(other)``); see :mod:`core.testing.queries`."""
    from core.testing.queries import count_queries

    return count_queries


@pytest.fixture
def hookbill_webhook() -> Iterator[WebhookReceiver]:
    """A loopback HTTP server recording requests: ``.url``, ``.requests``, ``.wait_for()``, ``.respond(500)``."""
    from core.testing.webhook import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def hookbill_live_server(hookbill_app: Flask) -> Iterator[str]:
    """``hookbill_app`` served over real HTTP on its loopback port; yields the base URL."""
    from core.testing.apps import serve

    with serve(hookbill_app) as url:
        yield url
