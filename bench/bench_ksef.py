"""Benchmark: VAT invoices per minute through the local KSeF 2.0, with one session kept open.

Run from the repository root (the test extra installed: the local KSeF is the tests'):

    .venv/bin/python -m bench.bench_ksef [--invoices 200] [--db URL]

Issues ``--invoices`` VAT invoices (untimed), then times the outbox sending
them: for each, the ``ksef_send`` handler builds and validates the FA(3),
encrypts it with the session's AES key, sends it, asks its status (the local
KSeF answers 200 at the first poll), fetches its UPO and stores everything.
Authentication and opening the session happen once, at the first invoice; the
session stays open for the rest. The local KSeF decrypts every invoice,
validates it against the FA(3) schema and checks the request against the
OpenAPI description, so its own work is part of the figure. The real KSeF
allows 180 invoice sends an hour per context and address in online sessions:
this measures hookbill, not what KSeF lets through.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from core import clock, db, outbox
from core.app import create_app
from core.config import load_config
from core.migrate import migrate
from core.models import OutboxMessage
from core.runtime import current
from plugins.ksef.models import KsefSubmission
from tests.ksef_helpers import ksef_config, paid_invoice
from tests.support.ksef import FakeKsef


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    fake = FakeKsef(processing_polls=0).start()
    tmp = Path(tempfile.mkdtemp(prefix="hookbill-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    config = load_config(
        overrides={
            "database": {"url": url},
            "app": {"secret_key": "bench", "instance_path": str(tmp)},
            "outbox": {"process_after_request": False},
            "ksef": ksef_config(fake, mail_wait_minutes=0),
        },
        environ={},
        use_files=False,
    )
    create_app(config)
    migrate(current())
    clock.freeze("2026-03-16T12:00:00")
    print(f"issuing {args.invoices} VAT invoices ...", flush=True)
    for n in range(args.invoices):
        paid_invoice(f"bench{n}@example.test")
    with db.connection():
        with db.write_transaction():  # only the KSeF messages are timed
            OutboxMessage.update(status="sent").where(OutboxMessage.kind != "ksef_send").execute()
        started = time.perf_counter()
        while outbox.process(limit=1000):
            pass
        elapsed = time.perf_counter() - started
        accepted = KsefSubmission.select().where(KsefSubmission.state == "accepted").count()
    sessions = len(fake.sessions)
    fake.stop()
    print(f"{accepted} accepted of {args.invoices} in {elapsed:.1f} s, {len(fake.invoices)} received")
    print(f"{accepted / elapsed * 60:.0f} invoices/minute; sessions opened: {sessions}; {url.split(':')[0]}")


if __name__ == "__main__":
    main()
