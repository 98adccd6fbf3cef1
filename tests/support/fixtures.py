"""pytest plugin: fixtures for real services. Loaded by ``tests/conftest.py``.

Session-scoped fixtures live once per pytest process, which under pytest-xdist
means once per worker (``make test`` runs two). Every worker therefore has its own
PostgreSQL server, SMTP capture and chromium: nothing is shared between workers, so
no locking or cross-worker naming is needed, at the price of one extra server start
per worker (about a second each). The PostgreSQL server and the SMTP capture are the
testing kit's (:mod:`core.testing.plugin`); the names below are ours for them.

Fixtures:

``postgres_server`` (session)
    The kit's started :class:`~core.testing.postgres.PostgresServer`.
``postgres_database`` (function)
    URL of a fresh, empty database on that server, dropped after the test.
``smtp_capture`` (session)
    The kit's started :class:`~core.testing.smtp.SmtpCapture`.
``smtp_server`` (function)
    The same capture, emptied before (and after) the test.
``playwright`` (session)
    The Playwright sync API object, started on first use.
``browser`` (session)
    The system chromium, launched through Playwright.
``page`` (function)
    A page in a fresh browser context (no shared cookies or storage), default
    timeout 10 s; the context is closed after the test.
``fake_p24`` (function)
    A started local Przelewy24 (:class:`~tests.support.p24.FakeP24`), stopped after the test.
``fake_ksef`` (function)
    A started local KSeF 2.0 (:class:`~tests.support.ksef.FakeKsef`), stopped after the
    test; the test fails when any request broke the Ministry's OpenAPI description.

Playwright and asyncio: the sync API runs Playwright's event loop in the main
thread, in a greenlet, and between two calls leaves that loop registered as the
thread's *running* loop. Any later test in the same worker that calls
``asyncio.run()`` (or code built on it) would then fail with "cannot be called from
a running event loop". Like pytest-playwright we start ``sync_playwright()`` once per
session, and in addition the hook wrappers below register Playwright's loop only
while a test that uses ``playwright``, ``browser`` or ``page`` is being set up, run
or torn down, and unregister it otherwise. Browser tests themselves still cannot
call ``asyncio.run()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from core.testing.postgres import PostgresServer
from core.testing.smtp import SmtpCapture
from tests.support.browser import ChromiumNotFound, launch_chromium
from tests.support.ksef import FakeKsef
from tests.support.p24 import FakeP24

#: Default timeout of every Playwright action and navigation on ``page``, in ms.
PAGE_TIMEOUT_MS = 10_000

#: Fixtures whose tests run Playwright code, directly or through another fixture.
PLAYWRIGHT_FIXTURES = frozenset({"playwright", "browser", "page"})

# Playwright's event loop while the session's Playwright runs, else None.
_playwright_loop: asyncio.AbstractEventLoop | None = None


def playwright_running() -> bool:
    """Whether this process has started the session's Playwright (and not stopped it)."""
    return _playwright_loop is not None


def _expose_playwright_loop() -> None:
    if _playwright_loop is not None:
        asyncio._set_running_loop(_playwright_loop)


def _hide_playwright_loop() -> None:
    if _playwright_loop is not None and asyncio._get_running_loop() is _playwright_loop:
        asyncio._set_running_loop(None)


@contextmanager
def _playwright_loop_for(item: pytest.Item) -> Iterator[None]:
    """Register Playwright's loop as running only around tests that use Playwright."""
    if not PLAYWRIGHT_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
        _expose_playwright_loop()
    try:
        yield
    finally:
        _hide_playwright_loop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Run the setup phase with Playwright's loop registered only if the test uses it."""
    with _playwright_loop_for(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Run the test itself with Playwright's loop registered only if the test uses it."""
    with _playwright_loop_for(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Run the teardown phase with Playwright's loop registered only if the test uses it."""
    with _playwright_loop_for(item):
        return (yield)


# -- PostgreSQL and SMTP: the testing kit's, under the names our tests use -------------


@pytest.fixture(scope="session")
def postgres_server(hookbill_postgres: PostgresServer) -> PostgresServer:
    """The kit's private PostgreSQL server for this worker."""
    return hookbill_postgres


@pytest.fixture
def postgres_database(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a new empty database, named after the test, dropped afterwards."""
    with postgres_server.temporary_database(request.node.name) as url:
        yield url


@pytest.fixture(scope="session")
def smtp_capture(hookbill_mail_server: SmtpCapture) -> SmtpCapture:
    """The kit's SMTP capture server, running for the whole session."""
    return hookbill_mail_server


@pytest.fixture
def smtp_server(hookbill_mail: SmtpCapture) -> SmtpCapture:
    """The SMTP capture with no messages in it: only this test's mail shows up."""
    return hookbill_mail


# -- Browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, started once per session (per xdist worker)."""
    global _playwright_loop
    pw = sync_playwright().start()
    # The sync API leaves its loop registered as running after each call.
    _playwright_loop = asyncio._get_running_loop()
    try:
        yield pw
    finally:
        # Session teardown may happen while finishing a test that does not use
        # Playwright, with the loop unregistered: register it for the shutdown.
        _expose_playwright_loop()
        try:
            pw.stop()
        finally:
            _playwright_loop = None


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The system chromium (see :mod:`tests.support.browser`), closed at session end."""
    try:
        browser = launch_chromium(playwright)
    except ChromiumNotFound as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield browser
    finally:
        _expose_playwright_loop()
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in its own fresh browser context, default timeout 10 s."""
    context = browser.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# -- Przelewy24 ------------------------------------------------------------------------


@pytest.fixture
def fake_p24() -> Iterator[FakeP24]:
    """A local Przelewy24 on a free loopback port, for this test only."""
    server = FakeP24().start()
    try:
        yield server
    finally:
        server.stop()


# -- KSeF ------------------------------------------------------------------------------


@pytest.fixture
def fake_ksef() -> Iterator[FakeKsef]:
    """A local KSeF 2.0 on a free loopback port; every request it got must match the OpenAPI description."""
    server = FakeKsef().start()
    try:
        yield server
    finally:
        server.stop()
    assert server.violations == [], server.violations
