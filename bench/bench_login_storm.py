"""Benchmark: other customers' write latency during a login storm from 24 addresses, against no storm.

Run from the repository root (nothing beyond the project's venv; ``--engine
postgres`` starts a private PostgreSQL server with the testing kit, which needs
the PostgreSQL server programs installed):

    .venv/bin/python -m bench.bench_login_storm [--engine sqlite|postgres] [--seconds 20]

The real app runs under gunicorn (``-w 4``, as the README's production example;
``--threads`` for gthread workers) behind one trusted proxy
(``app.trusted_proxies = 1``), so each storm thread comes from its own address
in ``X-Forwarded-For``. Two customers, already logged in, save their account
details (``POST /profile``: a write transaction and an activity log entry) one
after the other, and every write is timed: first with no storm, then while 24
threads, one per address, post wrong passwords to ``/login`` as fast as the
server answers.

Two servers are measured, each with and without the storm:

* **limits on** (the defaults): what the login limits refuse is refused before
  any password is hashed, so most of the storm costs a few queries;
* **limits off** (every limit raised out of reach): every storm attempt hashes a
  password (argon2id), which shows what bounding the hashes and keeping them out
  of database transactions does on its own.

Printed per server: the writes' median and 95th percentile with no storm,
during a **page flood** (the same 24 clients asking for the login page as fast
as they can: what any flood costs, the floor for the storm), and during the
**login storm**, with the ratios to no storm (median / p95); what the storm got
(401: a password was checked; 429: refused before hashing); and the logins of
a writer from the address it always uses, made during the storm.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from core import db
from core.config import load_config
from core.migrate import migrate
from core.models import Customer
from core.runtime import current, setup
from core.testing.ports import free_port
from tests.helpers import PASSWORD, password_hash

ROOT = Path(__file__).resolve().parents[1]
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRITERS = 2
ADDRESSES = 24
TARGETS = 12
NO_LIMITS = {
    "HOOKBILL_SECURITY_LOGIN_ATTEMPTS": "1000000",
    "HOOKBILL_SECURITY_LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
    "HOOKBILL_SECURITY_LOGIN_ATTEMPTS_PER_ACCOUNT": "1000000",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    """A cookie jar and a fixed client address (``X-Forwarded-For``, read through the trusted proxy)."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(request, timeout=300) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def token(self, path: str) -> str:
        status, page = self.request(path)
        match = TOKEN_RE.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"no form at {path} ({status})")
        return match.group(1)


def prepare(url: str, instance: Path) -> None:
    """Migrate the database and create the writers and the storm's target accounts."""
    environ = {
        "HOOKBILL_DATABASE_URL": url,
        "HOOKBILL_APP_SECRET_KEY": "bench",
        "HOOKBILL_APP_INSTANCE_PATH": str(instance),
    }
    setup(load_config(environ=environ, use_files=False))
    migrate(current())
    hashed = password_hash(PASSWORD)
    with db.connection(), db.write_transaction():
        for n in range(WRITERS):
            Customer.create(
                email=f"writer{n}@example.test", password_hash=hashed, first_name="Writer", last_name=str(n)
            )
        for n in range(TARGETS):
            Customer.create(
                email=f"victim{n}@example.test", password_hash=hashed, first_name="Victim", last_name=str(n)
            )
    db.database.obj.close()


@contextmanager
def gunicorn(url: str, instance: Path, workers: int, threads: int, extra: dict[str, str]) -> Iterator[str]:
    """The app under gunicorn behind one trusted proxy; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")}
    env.update(
        {
            "HOOKBILL_DATABASE_URL": url,
            "HOOKBILL_APP_SECRET_KEY": "bench",
            "HOOKBILL_APP_INSTANCE_PATH": str(instance),
            "HOOKBILL_APP_TRUSTED_PROXIES": "1",
            "HOOKBILL_OUTBOX_PROCESS_AFTER_REQUEST": "false",
            **extra,
        }
    )
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "300"]
    if threads > 1:
        command += ["--threads", str(threads)]
    log = (instance / f"gunicorn-{port}.log").open("wb")
    process = subprocess.Popen([*command, "core.wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=5).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start; see " + log.name) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def writers(base: str) -> list[tuple[Browser, str]]:
    """The writers, logged in, each with the token of its profile form."""
    logged_in = []
    for n in range(WRITERS):
        browser = Browser(base, f"198.51.100.{n + 1}")
        form = {"email": f"writer{n}@example.test", "password": PASSWORD, "csrf_token": browser.token("/login")}
        status, _ = browser.request("/login", form)
        if status != 302:
            raise RuntimeError(f"writer{n} could not log in ({status})")
        logged_in.append((browser, browser.token("/profile")))
    return logged_in


def write_for(seconds: float, logged_in: list[tuple[Browser, str]]) -> list[float]:
    """Each writer saves its details again and again for ``seconds``; return every write's latency."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(n: int, browser: Browser, token: str) -> None:
        i = 0
        while time.monotonic() < stop:
            i += 1
            form = {"csrf_token": token, "first_name": f"Writer{i}", "last_name": str(n), "phone": "", "language": "pl"}
            started = time.perf_counter()
            status, _ = browser.request("/profile", form)
            elapsed = time.perf_counter() - started
            if status != 302:
                raise RuntimeError(f"a write answered {status}")
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=work, args=(n, b, t)) for n, (b, t) in enumerate(logged_in)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


@contextmanager
def storm(base: str, passwords: bool = True) -> Iterator[Counter[int]]:
    """24 addresses posting wrong passwords (or, ``passwords=False``, asking for the login page)
    as fast as the server answers, until the block ends; yields the count of answers by status."""
    answers: Counter[int] = Counter()
    lock = threading.Lock()
    running = threading.Event()
    running.set()

    def attack(n: int) -> None:
        browser = Browser(base, f"10.{n}.0.1")
        token = browser.token("/login")
        i = 0
        while running.is_set():
            i += 1
            if passwords:
                email = f"victim{(n + i) % TARGETS}@example.test"
                status, _ = browser.request(
                    "/login", {"email": email, "password": f"guess {n} {i}", "csrf_token": token}
                )
            else:
                status, _ = browser.request("/login")
            with lock:
                answers[status] += 1

    threads = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(ADDRESSES)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # let every client have its first request in flight
    try:
        yield answers
    finally:
        running.clear()
        for thread in threads:
            thread.join(timeout=300)


def owner_logins(base: str, seconds: float) -> tuple[Counter[int], list[float]]:
    """writer0 logs in again and again from the address it always uses; statuses and latencies."""
    browser = Browser(base, "198.51.100.1")
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        fresh = Browser(base, browser.address)
        form = {"email": "writer0@example.test", "password": PASSWORD, "csrf_token": fresh.token("/login")}
        started = time.perf_counter()
        status, _ = fresh.request("/login", form)
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
    return statuses, latencies


def summary(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def measure(name: str, url: str, instance: Path, args: argparse.Namespace, extra: dict[str, str]) -> None:
    with gunicorn(url, instance, args.workers, args.threads, extra) as base:
        logged_in = writers(base)
        calm = write_for(args.seconds, logged_in)
        with storm(base, passwords=False) as views:
            flooded = write_for(args.seconds, logged_in)
        with storm(base) as answers:
            owner: list[tuple[Counter[int], list[float]]] = []
            thread = threading.Thread(target=lambda: owner.append(owner_logins(base, args.seconds)))
            thread.start()
            stormy = write_for(args.seconds, logged_in)
            thread.join()
    calm_median, calm_p95 = summary(calm)
    print(f"\n{name}")
    for label, latencies in (("no storm", calm), ("page flood", flooded), ("login storm", stormy)):
        median, p95 = summary(latencies)
        ratio = f"x{median / calm_median:5.1f} / x{p95 / calm_p95:5.1f}" if latencies is not calm else ""
        timing = f"median {median * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms"
        print(f"  {label:12s} {len(latencies):5d} writes, {timing}  {ratio}")
    print(f"  page flood:  {sum(views.values())} views of /login by the 24 clients")
    checked, refused = answers.get(401, 0), answers.get(429, 0)
    others = {k: v for k, v in answers.items() if k not in (401, 429)}
    print(f"  login storm: {checked} passwords checked (401), {refused} refused before hashing (429) {others or ''}")
    statuses, latencies = owner[0]
    median, _p95 = summary(latencies)
    print(f"  the owner, from their usual address, during the storm: {dict(statuses)}, median {median * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per worker (1: sync workers)")
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hookbill-bench-")))
        for name, extra in (("limits on (the defaults)", {}), ("limits off (every attempt hashed)", NO_LIMITS)):
            folder = tmp / name.split()[1]
            folder.mkdir()
            if args.engine == "postgres":
                from core.testing.postgres import PostgresServer

                server = stack.enter_context(PostgresServer())
                url = server.create_database(f"bench_{name.split()[1]}")
            else:
                url = f"sqlite:///{folder / 'hookbill.sqlite3'}"
            prepare(url, folder)
            measure(name, url, folder, args, extra)
    print(f"\n{args.engine}, gunicorn -w {args.workers}" + (f" --threads {args.threads}" if args.threads > 1 else ""))


if __name__ == "__main__":
    main()
