"""Benchmark: the client pages ``/``, ``/services``, ``/invoices`` under gunicorn against their floor.

Run from the repository root (the project's venv has gunicorn):

    .venv/bin/python -m bench.bench_client_pages [--services 100] [--rounds 7] [--db URL]

One customer with ``--services`` services, as many documents and balance entries
(bench.seeding). gunicorn serves ``bench.served:app`` (``--preload``, two sync
workers); the floor is the same template rendered from the same data held in
memory by the same workers (``/floor/...``: no database, no session). Real page
and floor are measured in turns, the order swapped every round; each
measurement is ``--requests`` GETs from two client threads (one per worker) on the same machine.

Printed per page: requests per second of the page over its floor (min and median
of the rounds; the goal is >= 0.5x) and the page's p99 latency (median of the
rounds; the goal is < 50 ms at 100 services), beside the floor's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench import seeding
from bench.http import gunicorn, log_in, measure, ratio_line
from bench.served import build
from core import db
from core.testing.factories import PASSWORD

PAGES = ("/", "/services", "/invoices")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='hookbill-bench-')) / 'bench.sqlite3'}"
    build(url)
    seeding.client_data(args.services)
    db.close_all()
    with gunicorn(url) as address:
        cookie = log_in(address, seeding.EMAIL, PASSWORD)
        for page in PAGES:  # warm both workers: templates compiled, floor data loaded
            measure(address, page, cookie, requests=20)
            measure(address, "/floor" + page, requests=20)
        ratios: dict[str, list[float]] = {page: [] for page in PAGES}
        p99: dict[str, list[float]] = {page: [] for page in PAGES}
        floor_p99: dict[str, list[float]] = {page: [] for page in PAGES}
        for round_number in range(args.rounds):
            for page in PAGES:
                runs = {}
                order = ("real", "floor") if round_number % 2 == 0 else ("floor", "real")
                for kind in order:
                    path = page if kind == "real" else "/floor" + page
                    runs[kind] = measure(address, path, cookie if kind == "real" else "", requests=args.requests)
                ratios[page].append(runs["real"].rate / runs["floor"].rate)
                p99[page].append(runs["real"].percentile(0.99))
                floor_p99[page].append(runs["floor"].percentile(0.99))
        print(f"{args.services} services, {url.split(':', 1)[0]}, {args.rounds} rounds of {args.requests} requests")
        for page in PAGES:
            line = ratio_line(f"{page:10} page / floor req/s", ratios[page])
            page_ms, floor_ms = statistics.median(p99[page]) * 1000, statistics.median(floor_p99[page]) * 1000
            print(f"{line}; p99 {page_ms:.0f} ms (floor {floor_ms:.0f} ms)")


if __name__ == "__main__":
    main()
