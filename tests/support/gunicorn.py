"""Test-only helper: run the real app under gunicorn with several workers.

Configuration goes through ``HOOKBILL_*`` environment variables, exactly as in
production; the database must already be migrated.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gunicorn

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# gunicorn 27 opens a control socket at one fixed path per user; servers started side by side
# (xdist workers, other checkouts) would take it from each other, so tests run without it.
_OWN_CONTROL_SOCKET = ("--no-control-socket",) if gunicorn.version_info >= (27,) else ()
#: The master process of each running server, by its base URL (see :func:`worker_pids`).
MASTERS: dict[str, subprocess.Popen[bytes]] = {}


def worker_pids(base: str) -> list[int]:
    """The process ids of the gunicorn workers serving ``base`` now (Linux: the master's children)."""
    master = MASTERS[base].pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@contextmanager
def gunicorn_server(
    db_url: str, tmp: Path, *, workers: int = 4, clock_fixed: str = "", extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start ``gunicorn core.wsgi:app`` on a free loopback port; yield its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")}
    env.update(
        {
            "HOOKBILL_DATABASE_URL": db_url,
            "HOOKBILL_APP_SECRET_KEY": "gunicorn-test-secret",
            "HOOKBILL_APP_INSTANCE_PATH": str(tmp / "instance"),
            "HOOKBILL_CLOCK_FIXED": clock_fixed,
            "HOOKBILL_OUTBOX_PROCESS_AFTER_REQUEST": "false",
            "HOOKBILL_APP_BASE_URL": f"http://127.0.0.1:{port}",
            **(extra_env or {}),
        }
    )
    log = (tmp / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            *_OWN_CONTROL_SOCKET,
            "core.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A readiness wait, not a timing: on a loaded machine four workers importing the app take a while.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start:\n" + (tmp / "gunicorn.log").read_text()[-3000:]
                    ) from None
                time.sleep(0.2)
        MASTERS[base] = process
        yield base
    finally:
        MASTERS.pop(base, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
