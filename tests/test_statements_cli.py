"""``hookbill statements import``: run as a real process, alone and twice at once on the same file.

Both on SQLite and on PostgreSQL. Two imports of one file running at the same
time book each transfer once: every line's key is claimed by one of them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from core import clock, db
from core.documents.issuing import snapshot_of
from core.models import Document, LedgerEntry, Payment
from plugins.bankstatements.models import Bank, StatementEntry, StatementImport
from tests.statement_helpers import booked, customer, mt940_statement, proforma, shop, statement, world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hookbill(app, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")},
        "HOOKBILL_DATABASE_URL": str(app.config["HOOKBILL"].get_value("database.url")),
        "HOOKBILL_APP_INSTANCE_PATH": str(tmp_path / "instance"),
        "HOOKBILL_CLOCK_FIXED": "2026-03-17T10:00:00",
        "HOOKBILL_MAIL_PORT": "1",
        "PYTHONPATH": str(ROOT),
    }

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "core.cli", "statements", "import", *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        process = start(*args)
        out, err = process.communicate(timeout=120)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    run.start = start  # type: ignore[attr-defined]
    return run


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_import_prints_the_summary(hookbill, tmp_path, conn):
    people = world()
    db.database.obj.close()
    result = hookbill(write(tmp_path, "wyciag.sta", statement("zbp_pkobp_cp852.sta")))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Zaimportowano wyciąg wyciag.sta (MT940)." in out
    assert result.stderr.startswith("Pozycje wyciągu: 11 w ")  # from cron: one line, how many and how long
    rows = [re.match(r"^ +(.+): +(\d+) +(.+)$", line) for line in out.splitlines()[1:]]
    assert [row.groups() for row in rows if row] == [
        ("Wpływy", "8", "683,50"),
        ("Dopasowane i zaksięgowane", "7", "560,50"),
        ("Czeka na obsługę", "1", "123,00"),
        ("Już zaimportowane lub zapisane", "0", "0,00"),
        ("Pominięte: obciążenia, opłaty i zwroty", "3", "1\u00a0051,00"),
    ]
    with db.connection():
        assert booked(people["docs"][0]) == ("paid", D("123.00"))
        assert StatementImport.get().via == "cli"
        # Imported on 17 March, the money arrived on the 16th: the VAT invoice says when it was paid.
        payment = Payment.get(Payment.document == people["docs"][0].id)
        assert clock.to_local(payment.received_at).date() == date(2026, 3, 16)
        invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == people["docs"][0].id))
        assert (invoice.issue_date, snapshot_of(invoice).payment_date) == (date(2026, 3, 17), date(2026, 3, 16))


def test_cli_refuses_a_bad_file_or_an_unknown_bank(hookbill, tmp_path, conn):
    shop()
    with db.write_transaction():
        Bank.create(slug="mbank", name="mBank", format="csv", mapping={"columns": {"date": "Data"}})
    db.database.obj.close()
    bad = hookbill(write(tmp_path, "zly.sta", b":20:X\n:25:PL1\n:61:garbage\n"))
    assert bad.returncode == 1 and "Nie można odczytać wyciągu MT940" in bad.stderr
    unknown = hookbill("--bank", "pekao", write(tmp_path, "ok.sta", statement("zbp_pkobp_cp852.sta")))
    assert unknown.returncode == 1 and "Nie ma banku o krótkiej nazwie pekao." in unknown.stderr
    mapping = hookbill("--bank", "mbank", write(tmp_path, "m.csv", statement("mbank_lista_operacji_1250.csv")))
    assert mapping.returncode == 1 and "musi wskazywać co najmniej kolumny daty i kwoty" in mapping.stderr
    missing = hookbill(str(tmp_path / "nie-ma.sta"))
    assert missing.returncode == 2
    with db.connection():
        assert StatementImport.select().count() == 0 and Payment.select().count() == 0


def test_two_imports_of_one_file_at_once_book_each_transfer_once(hookbill, tmp_path, conn):
    shop()
    owners = [customer(f"klient{n}@example.test", f"Klient Numer{n}") for n in range(30)]
    docs = [proforma(owner, "100.00") for owner in owners for _ in range(2)]
    entries = []
    for n, doc in enumerate(docs):
        reference = f"REF{n:06d}" if n % 2 else ""  # every other line without a bank reference
        entries.append((reference, D("123.00"), f"Zapłata za {doc.number}", f"KLIENT NUMER{n // 2}", ""))
    entries += [(f"Q{n:05d}", D("77.70"), "darowizna", "OBCY", "") for n in range(15)]
    entries += [(f"D{n:05d}", D("-5.00"), "Opłata", "BANK", "") for n in range(15)]
    path = write(tmp_path, "duzy.sta", mt940_statement(entries))
    db.database.obj.close()
    first, second = hookbill.start(path), hookbill.start(path)
    results = [(*process.communicate(timeout=300), process.returncode) for process in (first, second)]
    assert [r[2] for r in results] == [0, 0], results
    with db.connection():
        imports = list(StatementImport.select())
        assert len(imports) == 2
        assert sum(i.matched for i in imports) == 60 and sum(i.queued for i in imports) == 15
        assert sum(i.known for i in imports) == 75 and all(i.ignored == 15 for i in imports)
        assert Payment.select().count() == 60 and StatementEntry.select().count() == 75
        assert all(booked(doc) == ("paid", D("123.00")) for doc in docs)
        assert Document.select().where(Document.kind == "vat").count() == 60
        assert LedgerEntry.select().count() == 0  # nothing paid twice, so nothing overpaid
