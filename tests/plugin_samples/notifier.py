"""Webhook notifier: posts every paid sale, by its VAT invoice's number, to a URL.

The other plugin written from the hook reference alone and dropped into
``plugins.folder`` as this one file. ``on_invoice_paid`` comes for the paid
proforma and then for the VAT invoice issued paid for it; the VAT invoice is
the document the buyer's books know, so that is the one posted, once. Inside
the payment's transaction it only queues the message; the outbox posts it after
commit (and again later if the receiver fails).

Configuration: ``[notifier] url = "https://chat.example/hooks/billing"``.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from core import outbox, runtime
from core.config import Config
from core.hookspecs import hookimpl
from core.models import Document
from core.outbox import Handler

__version__ = "1.0"


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.setdefault("notifier", {}).setdefault("url", "")


@hookimpl
def on_invoice_paid(document: Document) -> None:
    """Queue the paid VAT invoice's message (the proforma's event is not the sale's)."""
    if document.kind != "vat":
        return
    outbox.enqueue(
        "notifier",
        {
            "text": f"Paid: {document.number}",
            "number": document.number,
            "gross": str(document.total_gross),
            "currency": document.currency,
            "proforma": Document.get_by_id(document.proforma_id).number if document.proforma_id else None,
        },
        dedupe_key=f"notifier:{document.id}",
    )


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Handler]:
    return {"notifier": post}


def post(payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON to ``[notifier] url``; a failure raises, so the outbox retries."""
    url = str(runtime.config().get_value("notifier.url"))
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
