"""Benchmark: admin lists at 100 customers against the same lists at 100 000, side by side.

Run from the repository root (the project's venv has gunicorn):

    .venv/bin/python -m bench.bench_admin_lists [--customers 100000] [--rounds 7]
    .venv/bin/python -m bench.bench_admin_lists --db postgresql://u:p@host/small --big-db postgresql://u:p@host/big

Two databases are seeded by bench.seeding (each customer with a service, a VAT
invoice and a ticket, two in three open): 100 customers, and ``--customers``.
Each is served by its own gunicorn (``--preload``, two sync workers); an admin
signs in to both. Per page the small and the big one are timed in turns (order
swapped every round), ``--requests`` GETs each; printed is the big database's
mean latency over the small one's, min and median over the rounds (the goal:
1x, no growth), and both medians in milliseconds.

Pages: the dashboard, the customer list (first page, and a page deep in the
list by keyset), a search, the tickets queue, the documents list.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import seeding
from bench.http import gunicorn, log_in, measure, ratio_line
from bench.served import build
from core import db
from core.testing.factories import PASSWORD

SMALL = 100


def pages(customers: int) -> list[tuple[str, str]]:
    """``(name, path)`` of every page measured, for a database of ``customers`` customers."""
    middle = customers // 2
    return [
        ("dashboard", "/admin/"),
        ("customers", "/admin/customers"),
        ("customers, deep page", f"/admin/customers?after={middle}"),
        ("search", f"/admin/customers?q=numer{middle}"),
        ("tickets queue", "/admin/tickets"),
        ("documents", "/admin/documents"),
    ]


def seed(url: str, customers: int) -> None:
    started = time.monotonic()
    build(url)
    seeding.admin_data(customers)
    db.close_all()
    print(f"seeded {customers} customers in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", default="", help="the small database (default: a new SQLite file)")
    parser.add_argument("--big-db", default="", help="the big database (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hookbill-bench-"))
    small_url = args.db or f"sqlite:///{folder / 'small.sqlite3'}"
    big_url = args.big_db or f"sqlite:///{folder / 'big.sqlite3'}"
    seed(small_url, SMALL)
    seed(big_url, args.customers)
    with gunicorn(small_url) as small, gunicorn(big_url) as big:
        cookies = {small: log_in(small, seeding.STAFF, PASSWORD, "/admin/login")}
        cookies[big] = log_in(big, seeding.STAFF, PASSWORD, "/admin/login")
        listed = list(zip(pages(SMALL), pages(args.customers), strict=True))
        for (_name, small_path), (_same, big_path) in listed:  # warm up
            measure(small, small_path, cookies[small], requests=10)
            measure(big, big_path, cookies[big], requests=10)
        ratios: dict[str, list[float]] = {name: [] for (name, _p), _b in listed}
        times: dict[str, dict[str, list[float]]] = {name: {"small": [], "big": []} for (name, _p), _b in listed}
        for round_number in range(args.rounds):
            for (name, small_path), (_same, big_path) in listed:
                order = [("small", small, small_path), ("big", big, big_path)]
                if round_number % 2:
                    order.reverse()
                mean = {}
                for kind, address, path in order:
                    run = measure(address, path, cookies[address], requests=args.requests)
                    mean[kind] = statistics.fmean(run.latencies)
                    times[name][kind].append(mean[kind])
                ratios[name].append(mean["big"] / mean["small"])
        print(f"{SMALL} against {args.customers} customers, {small_url.split(':', 1)[0]}, {args.rounds} rounds")
        for name, values in ratios.items():
            small_ms = statistics.median(times[name]["small"]) * 1000
            big_ms = statistics.median(times[name]["big"]) * 1000
            print(f"{ratio_line(f'{name:22} big / small', values)}; {small_ms:.1f} ms against {big_ms:.1f} ms")


if __name__ == "__main__":
    main()
