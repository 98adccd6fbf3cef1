"""Benchmark: importing and matching a 10 000-line MT940 statement, against two floors, side by side.

Run from the repository root (no tool beyond the project's own venv):

    .venv/bin/python -m bench.bench_statements [--lines 10000] [--db URL]

The statement (ZBP MT940, CP852, titles cut at 27 characters) holds, per 20 lines:
12 credits naming a proforma (half with a bank reference, half without), 3 paying
one by amount with the payer's name, 2 that match nothing (they wait for staff) and
3 debits. Every matched proforma becomes paid, so each also gets its VAT invoice.

Printed, each as seconds and lines per second:

* **parse only**: reading the file into lines (the mt-940 library and the ZBP sub-fields);
* **bare insert**: the same number of statement entries inserted with ``insert_many``
  in one transaction (what storing the lines costs at the least);
* **import and match**: :func:`plugins.bankstatements.importing.import_statement`
  (parse, then per credit its own write transaction: claim the key, match, record the
  payment with its hooks, issue the VAT invoice);
* **import again**: the same file a second time (every credit already known).

The ratios of the import to the two floors come last.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from core import clock, db
from core.app import create_app
from core.config import load_config
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.migrate import migrate
from core.models import BillingProfile, Customer, Document
from core.runtime import current
from plugins.bankstatements.importing import import_statement
from plugins.bankstatements.models import StatementEntry, StatementImport
from plugins.bankstatements.parsers.reading import read_statement
from tests.helpers import password_hash
from tests.statement_helpers import mt940_statement
from tests.upgrade_helpers import setup_seller


def _customers_and_proformas(count: int) -> list[Document]:
    """``count`` proformas, three per customer, each with its own gross amount."""
    documents: list[Document] = []
    hashed = password_hash("bench password 1")
    for n in range((count + 2) // 3):
        with db.write_transaction():
            owner = Customer.create(
                email=f"bench{n}@example.test", password_hash=hashed, first_name="Klient", last_name=f"Numer{n}"
            )
            BillingProfile.create(
                customer=owner,
                kind="private",
                name=f"Klient Numer{n}",
                address_line1="ul. Prosta 1",
                postcode="00-001",
                city="Warszawa",
                country="PL",
            )
            for _ in range(3):
                if len(documents) == count:
                    break
                net = Decimal(1000) + Decimal(len(documents)) / 100  # gross amounts all different
                line = LineInput("Hosting", Decimal(1), "szt.", net)
                documents.append(issue_document(owner, "proforma", [line]))
    return documents


def _entries(documents: list[Document], lines: int) -> list[tuple[str, Decimal, str, str, str]]:
    entries = []
    docs = iter(documents)
    for n in range(lines):
        kind = n % 20
        if kind < 12:
            doc = next(docs)
            reference = f"BNK{n:08d}" if kind % 2 else ""
            entries.append((reference, doc.total_gross, f"Zapłata za {doc.number} hosting", "KLIENT", ""))
        elif kind < 15:
            doc = next(docs)
            payer = f"KLIENT NUMER{(doc.customer_id - 1)} UL. PROSTA 1 WARSZAWA"
            entries.append((f"BNK{n:08d}", doc.total_gross, "opłata za usługi", payer, ""))
        elif kind < 17:
            entries.append((f"BNK{n:08d}", Decimal("7.77"), "darowizna", "NIEZNANY NADAWCA", ""))
        else:
            entries.append((f"BNK{n:08d}", Decimal("-2.50"), "Opłata za przelew", "BANK", ""))
    return entries


def _timed(name: str, lines: int, action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"{name:<22} {elapsed:8.2f} s   {lines / elapsed:10.0f} lines/s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookbill-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    config = load_config(
        overrides={
            "database": {"url": url},
            "app": {"secret_key": "bench", "instance_path": str(tmp)},
            "outbox": {"process_after_request": False},
        },
        environ={},
        use_files=False,
    )
    create_app(config)
    migrate(current())
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        needed = sum(1 for n in range(args.lines) if n % 20 < 15)
        print(f"setting up {needed} proformas ...", flush=True)
        documents = _customers_and_proformas(needed)
        data = mt940_statement(_entries(documents, args.lines))
        print(f"statement: {args.lines} lines, {len(data) / 1e6:.1f} MB; {url.split(':')[0]}")
        parse = _timed("parse only", args.lines, lambda: read_statement(data))

        def bare_insert() -> None:
            with db.write_transaction():
                record = StatementImport.create(format="mt940", sha256="floor")
                rows = [
                    {
                        "key": f"FLOOR-{n}",
                        "statement_import": record.id,
                        "position": n,
                        "booking_date": date(2026, 3, 16),
                        "amount": Decimal("1.00"),
                        "currency": "PLN",
                        "title": "Zapłata za PRO/2026/00001 hosting",
                        "state": "queued",
                    }
                    for n in range(args.lines)
                ]
                for start in range(0, len(rows), 500):
                    StatementEntry.insert_many(rows[start : start + 500]).execute()

        floor = _timed("bare insert", args.lines, bare_insert)
        full = _timed("import and match", args.lines, lambda: import_statement(data, filename="bench.sta"))
        record = StatementImport.select().order_by(StatementImport.id.desc()).first()
        print(
            f"    credits {record.credits}, matched {record.matched}, queued {record.queued}, "
            f"known {record.known}, ignored {record.ignored}"
        )
        _timed("import again (known)", args.lines, lambda: import_statement(data, filename="bench.sta"))
        print(f"import / parse only: {full / parse:.0f}x   import / bare insert: {full / floor:.0f}x")


if __name__ == "__main__":
    main()
