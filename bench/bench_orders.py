"""Benchmark: quotes per second for a 5-item cart, and the time from an order placed to paid and provisioned.

Run: ``.venv/bin/python -m bench.bench_orders [--quotes 1000] [--orders 100] [--db URL]``
Prints median, p95 and per-second figures; numbers go into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from core import clock, db
from core.app import create_app
from core.config import load_config
from core.migrate import migrate
from core.models import OutboxMessage
from core.orders.cart import check_cart
from core.orders.placing import place_order
from core.orders.quoting import build_order_quote
from core.payments.recording import amount_due, record_payment
from core.runtime import current
from core.upgrades.provisioning import handle_provisioning
from tests.order_helpers import buyer, item, package, promo, setup_seller


def _figures(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return (
        f"{name}: n={len(samples)} median={statistics.median(samples) * 1000:.2f} ms "
        f"p95={p95 * 1000:.2f} ms ({len(samples) / sum(samples):.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookbill-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    config = load_config(
        overrides={
            "database": {"url": url},
            "app": {"secret_key": "bench", "instance_path": str(tmp)},
        },
        environ={},
        use_files=False,
    )
    create_app(config)
    migrate(current())
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        products = [package(f"p{n}", f"Pakiet {n}", {"monthly": f"{20 + n * 10}.00"}) for n in range(5)]
        promo("BENCH10", value="10.00", recurring=True)
        customer = buyer("bench-quote@example.test")
        cart = check_cart([item(p, domain=f"strona{n}.example.pl") for n, p in enumerate(products)])
        samples = []
        for _ in range(args.quotes):
            started = time.perf_counter()
            build_order_quote(customer, cart, promo_code="BENCH10")
            samples.append(time.perf_counter() - started)
        print(_figures("quote of a 5-item cart with a code (on_order_quote hooks + totals)", samples))
        cycle = []
        for n in range(args.orders):
            who = buyer(f"bench-{n}@example.test")
            started = time.perf_counter()
            placed = place_order(who, [item(products[0])], accept_terms=True, payment_method="testgateway")
            record_payment("testgateway", f"BENCH-{n}", amount_due(placed.document), placed.document)
            queued = OutboxMessage.select().where(
                (OutboxMessage.kind == "provisioning") & (OutboxMessage.status == "pending")
            )
            for message in list(queued):  # what the outbox worker does for it, without the mails and PDFs
                handle_provisioning(message.payload)
                OutboxMessage.update(status="sent").where(OutboxMessage.id == message.id).execute()
            cycle.append(time.perf_counter() - started)
        print(_figures("order placed -> paid -> provisioned (two transactions + the module's create)", cycle))


if __name__ == "__main__":
    main()
