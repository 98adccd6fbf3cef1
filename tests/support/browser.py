"""Launching the system chromium for Playwright.

Playwright's own browser download does not work in our environments, so the tests
drive Debian's ``chromium`` package (``/usr/bin/chromium``; another binary can be
named in ``$HOOKBILL_CHROMIUM``).
"""

from __future__ import annotations

import os

from playwright.sync_api import Browser, Playwright

DEFAULT_CHROMIUM = "/usr/bin/chromium"

#: Flags for headless chromium in containers and CI: no sandbox (we run as root), no
#: GPU, no /dev/shm (often tiny in containers), and no traffic of its own.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


class ChromiumNotFound(RuntimeError):
    """The chromium binary is not installed."""


def chromium_path() -> str:
    """Return the chromium executable to use; raise :class:`ChromiumNotFound` if absent."""
    path = os.environ.get("HOOKBILL_CHROMIUM") or DEFAULT_CHROMIUM
    if not os.access(path, os.X_OK):
        raise ChromiumNotFound(
            f"chromium not found at {path}: install the Debian package `chromium` "
            "(`bash scripts/system-deps.sh` does), point $HOOKBILL_CHROMIUM at another "
            "binary, or deselect the browser tests with -m 'not browser'"
        )
    return path


def launch_chromium(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Launch the system chromium through ``playwright`` with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(
        executable_path=chromium_path(),
        headless=headless,
        args=list(CHROMIUM_ARGS),
    )
