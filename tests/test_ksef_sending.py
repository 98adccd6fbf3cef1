"""The KSeF plugin: off by default; when on, invoices go out after commit to the configured URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core import outbox
from core.documents.ksef import validate_fa3
from core.models import ActivityLog, Document, OutboxMessage
from core.payments.recording import record_payment
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import setup_seller, shop


class Recorder(BaseHTTPRequestHandler):
    """Answers 201 with a reference and remembers every request (the server's ``received``)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})  # type: ignore[attr-defined]
        status = self.server.status  # type: ignore[attr-defined]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"KSEF-REF-0001" if status < 300 else b"busy")

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def ksef_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.received = []  # type: ignore[attr-defined]
    server.status = 201  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _paid_invoice() -> Document:
    setup_seller()
    customer, (svc,), _basic, pro = shop()
    proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
    record_payment("banktransfer", "BANK-1", proforma.total_gross, proforma)
    return Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))


def test_off_by_default_nothing_is_queued(sqlite_app):
    from core import db

    with db.connection():
        _paid_invoice()
        assert not OutboxMessage.select().where(OutboxMessage.kind == "ksef_send").exists()


def test_on_sends_validated_xml_after_commit_and_retries_failures(sqlite_app, ksef_server):
    from core import db, runtime

    config = runtime.config()
    config["ksef"].update(
        enabled=True, url=f"http://127.0.0.1:{ksef_server.server_port}/api/invoices", token="test-token"
    )
    ksef_server.status = 503
    with db.connection():
        invoice = _paid_invoice()
        queued = OutboxMessage.get(OutboxMessage.kind == "ksef_send")
        assert queued.payload == {"document_id": invoice.id}
        assert not ksef_server.received  # nothing is sent inside the issuing transaction
        outbox.process()
        assert len(ksef_server.received) == 1  # tried, refused: stays queued for a retry
        assert OutboxMessage.get_by_id(queued.id).attempts == 1
        assert not ActivityLog.select().where(ActivityLog.action == "ksef.sent").exists()
        ksef_server.status = 201
        OutboxMessage.update(next_attempt_at=OutboxMessage.created_at).where(OutboxMessage.id == queued.id).execute()
        outbox.process()
        request = ksef_server.received[-1]
        assert request["path"] == "/api/invoices"
        assert request["headers"]["Authorization"] == "Bearer test-token"
        assert request["headers"]["Content-Type"].startswith("application/xml")
        validate_fa3(request["body"])
        assert invoice.number.encode() in request["body"]
        sent = ActivityLog.get(ActivityLog.action == "ksef.sent")
        assert sent.details["reference"] == "KSEF-REF-0001" and sent.details["status"] == 201
        outbox.process()
        assert len(ksef_server.received) == 2  # sent once, never again
