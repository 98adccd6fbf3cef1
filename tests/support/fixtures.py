"""pytest plugin: fixtures for real services. Loaded by ``tests/conftest.py``.

Session-scoped fixtures live once per pytest process, which under pytest-xdist
means once per worker (``make test`` runs two). Every worker therefore has its own
PostgreSQL server, SMTP capture and chromium: nothing is shared between workers, so
no locking or cross-worker naming is needed, at the price of one extra server start
per worker (about a second each).

Fixtures:

``postgres_server`` (session)
    A started :class:`~tests.support.postgres.PostgresServer`.
``postgres_database`` (function)
    URL of a fresh, empty database on that server, dropped after the test.
``smtp_capture`` (session)
    The worker's started :class:`~tests.support.smtp.SmtpCapture`.
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
import os
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.browser import ChromiumNotFound, launch_chromium
from tests.support.p24 import FakeP24
from tests.support.postgres import PostgresServer
from tests.support.smtp import SmtpCapture

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


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for this worker; stopped and deleted at the end."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_database(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a new empty database, named after the test, dropped afterwards."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]
    name = f"t_{os.getpid()}_{slug}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


# -- SMTP ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_capture() -> Iterator[SmtpCapture]:
    """This worker's SMTP capture server, running for the whole session."""
    with SmtpCapture() as capture:
        yield capture


@pytest.fixture
def smtp_server(smtp_capture: SmtpCapture) -> Iterator[SmtpCapture]:
    """The SMTP capture with no messages in it: only this test's mail shows up."""
    smtp_capture.clear()
    yield smtp_capture
    smtp_capture.clear()


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
