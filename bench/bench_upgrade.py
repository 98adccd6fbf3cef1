"""Benchmark: quote latency, and a full upgrade-to-paid cycle (confirm -> proforma -> gateway payment
-> change applied -> VAT invoice), on a fresh SQLite file (or ``--db <url>``).

Run: ``.venv/bin/python -m bench.bench_upgrade [--quotes 2000] [--cycles 200] [--db URL]``
Prints median, p95 and per-second figures; numbers go into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from core import clock, db
from core.app import create_app
from core.config import load_config
from core.migrate import migrate
from core.payments.recording import record_payment
from core.runtime import current
from core.upgrades.confirm import confirm_change
from core.upgrades.quoting import build_quote
from tests.helpers import make_customer
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller


def _figures(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return (
        f"{name}: n={len(samples)} median={statistics.median(samples) * 1000:.2f} ms "
        f"p95={p95 * 1000:.2f} ms ({len(samples) / sum(samples):.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookbill-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    config = load_config(
        overrides={"database": {"url": url}, "app": {"secret_key": "bench", "instance_path": str(tmp)}},
        environ={},
        use_files=False,
    )
    create_app(config)
    migrate(current())
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        owner = make_customer("bench-quote@example.test")
        svc = service(owner, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        give_balance(owner, "10.00")
        quote_samples = []
        for _ in range(args.quotes):
            started = time.perf_counter()
            build_quote(svc, pro.id, "monthly")
            quote_samples.append(time.perf_counter() - started)
        print(_figures("quote (build_quote: DB reads + on_upgrade_quote hooks)", quote_samples))
        cycle_samples = []
        for n in range(args.cycles):
            customer = make_customer(f"bench-{n}@example.test")
            billing_profile(customer)
            give_balance(customer, "10.00")
            own = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
            started = time.perf_counter()
            result = confirm_change(customer.id, own.id, pro.id, "monthly")
            outcome = record_payment("testgateway", f"BENCH-{n}", "21.73", result.document)
            cycle_samples.append(time.perf_counter() - started)
            assert outcome.applied > 0
        print(_figures("upgrade to paid (confirm + proforma + balance + payment + apply + VAT invoice)", cycle_samples))


if __name__ == "__main__":
    main()
