"""kill -9 of gunicorn workers in the middle of a burst of payments leaves nothing half-applied.

Forty customers each owe a proforma of 123.00. The gateway's signed callbacks
for all of them (a quarter overpaying by 27.00) arrive twelve at a time at
``gunicorn -w 3``, and two workers are killed with SIGKILL while requests are
in flight. Like a real gateway, every callback that got no answer is sent
again until each is answered 200 (booked) or 409 (booked before). Then the
invariants: each proforma paid once, each payment with its activity record,
its VAT invoice and (for an overpayment) its one ledger entry; VAT invoice
numbers unique and gapless; no payment, invoice or ledger entry without the
others. On both engines.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest

from core import clock, db
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import ActivityLog, Document, LedgerEntry, Payment
from tests.helpers import make_customer
from tests.support.gunicorn import gunicorn_server, worker_pids
from tests.upgrade_helpers import billing_profile, setup_seller

pytestmark = pytest.mark.slow

CUSTOMERS = 40
NOW = "2026-03-16T12:00:00"
#: The gateway secret gunicorn's app derives from its secret key (see plugins.testgateway.secret).
SECRET = hmac.new(b"gunicorn-test-secret", b"hookbill-testgateway", hashlib.sha256).hexdigest().encode()


def _proformas() -> list[Document]:
    clock.freeze(NOW)
    made = []
    with db.connection():
        setup_seller()
        for n in range(CUSTOMERS):
            customer = make_customer(f"klient{n}@example.test")
            billing_profile(customer)
            with db.write_transaction():
                made.append(issue_document(customer, "proforma", [LineInput("Hosting", D(1), "szt.", D("100.00"))]))
    return made


def _callback(document: Document, n: int) -> bytes:
    return json.dumps(
        {
            "document_id": document.id,
            "transaction_id": f"TG-KILL-{n}",
            "amount": "150.00" if n % 4 == 0 else "123.00",
            "currency": "PLN",
            "timestamp": int(clock.now().timestamp()),  # the clock both sides are frozen at
        }
    ).encode()


def _deliver(base: str, body: bytes) -> int:
    """POST one callback; 0 when the connection broke (the worker died under it)."""
    signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{base}/pay/testgateway/callback",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hookbill-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def test_killed_workers_leave_every_payment_whole(app, tmp_path):
    proformas = _proformas()
    bodies = [_callback(document, n) for n, document in enumerate(proformas)]
    url = str(app.config["HOOKBILL"].get_value("database.url"))
    db.database.obj.close()
    with gunicorn_server(url, tmp_path, workers=3, clock_fixed=NOW) as base:
        progress = threading.Condition()
        answers = [0]
        killed: list[int] = []

        def killer() -> None:
            for after in (6, 18):  # answers seen before each kill; twelve requests are in flight then
                with progress:
                    progress.wait_for(lambda: answers[0] >= after, timeout=60)  # noqa: B023
                victim = worker_pids(base)[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        def send(body: bytes) -> int:
            status = _deliver(base, body)
            with progress:
                answers[0] += 1
                progress.notify_all()
            return status

        murderer = threading.Thread(target=killer)
        murderer.start()
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(send, bodies))
        murderer.join(timeout=60)
        assert len(killed) == 2
        # The gateway sends again what got no answer, until everything is answered.
        for _ in range(20):
            pending = [i for i, status in enumerate(statuses) if status not in (200, 409)]
            if not pending:
                break
            time.sleep(0.5)  # the master starts a new worker
            for i in pending:
                statuses[i] = _deliver(base, bodies[i])
        assert all(status in (200, 409) for status in statuses), Counter(statuses)
    _check_invariants(proformas)


def _check_invariants(proformas: list[Document]) -> None:
    with db.connection():
        payments = list(Payment.select().where(Payment.method == "testgateway"))
        assert sorted(p.transaction_id for p in payments) == sorted(f"TG-KILL-{n}" for n in range(CUSTOMERS))
        by_document = {p.document_id: p for p in payments}
        recorded = Counter(
            row.subject_id for row in ActivityLog.select().where(ActivityLog.action == "payment.recorded")
        )
        ledger = list(LedgerEntry.select())
        assert sorted(e.payment_id for e in ledger) == sorted(p.id for p in payments if p.amount == D("150.00"))
        assert {(e.kind, e.amount) for e in ledger} == {("overpayment", D("27.00"))}
        invoices = list(Document.select().where(Document.kind == "vat").order_by(Document.number))
        assert sorted(i.proforma_id for i in invoices) == sorted(d.id for d in proformas)
        assert [i.number for i in invoices] == [f"FV/2026/03/{n:04d}" for n in range(1, CUSTOMERS + 1)]
        for document in proformas:
            fresh = Document.get_by_id(document.id)
            payment = by_document[document.id]
            assert (fresh.status, fresh.paid) == ("paid", D("123.00")), fresh.number
            assert recorded[payment.id] == 1, payment.transaction_id
        assert set(recorded) == {p.id for p in payments}
