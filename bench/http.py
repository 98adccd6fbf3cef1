"""Serving the benchmark app with gunicorn and timing requests to it, interleaved with its floor.

:func:`gunicorn` starts ``bench.served:app`` on a free loopback port (``--preload``,
sync workers, one per core) and stops it afterwards; :func:`log_in` signs in
through the real login form and returns the session cookie; :func:`measure` sends
requests from a few client threads and returns the rate and the latencies.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(db_url: str, workers: int = 2) -> Iterator[str]:
    """``bench.served:app`` on ``db_url`` under gunicorn; yields ``host:port``."""
    port = _free_port()
    env = {**os.environ, "BENCH_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--preload",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "bench.served:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def request(address: str, path: str, cookie: str = "", method: str = "GET", body: str = "") -> tuple[int, dict, str]:
    """One request; returns the status, the headers (lower-case names) and the body."""
    connection = http.client.HTTPConnection(address, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read().decode()
    found: dict[str, str] = {}
    for name, value in response.getheaders():  # several Set-Cookie headers are kept, joined as one
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key == "set-cookie" and key in found else value
    connection.close()
    return response.status, found, data


def _cookies(headers: dict, jar: dict[str, str]) -> dict[str, str]:
    raw = headers.get("set-cookie", "")
    for part in re.split(r",(?=[^ ;]+=)", raw):
        name, _, rest = part.strip().partition("=")
        value = rest.split(";", 1)[0]
        if name and value:
            jar[name] = value
        elif name:  # an empty value deletes the cookie
            jar.pop(name, None)
    return jar


def log_in(address: str, email: str, password: str, path: str = "/login") -> str:
    """Sign in through the login form at ``path``; the Cookie header of the session."""
    _status, headers, page = request(address, path)
    jar = _cookies(headers, {})
    token = CSRF.search(page)
    fields = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = request(address, path, cookie, "POST", urllib.parse.urlencode(fields))
    if status != 302:
        raise RuntimeError(f"login at {path} answered {status}")
    jar = _cookies(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class Run:
    """Requests per second and latencies (seconds) of one :func:`measure`."""

    rate: float
    latencies: list[float]

    def percentile(self, share: float) -> float:
        """The latency ``share`` (0..1) of the requests stayed under."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(address: str, path: str, cookie: str = "", requests: int = 200, threads: int = 2) -> Run:
    """``requests`` GETs of ``path`` from ``threads`` client threads; each must answer 200."""
    latencies: list[float] = []
    lock = threading.Lock()
    left = iter(range(requests))

    def work() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            started = time.perf_counter()
            status, _headers, _body = request(address, path, cookie)
            took = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            with lock:
                latencies.append(took)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Run(len(latencies) / (time.perf_counter() - started), latencies)


def ratio_line(name: str, ratios: list[float]) -> str:
    """``name: min x, median y`` over interleaved rounds."""
    return f"{name}: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x over {len(ratios)} rounds"
