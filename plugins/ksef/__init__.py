"""Built-in plugin: send VAT and correcting invoices to KSeF (off by default).

Turn it on with ``[ksef] enabled = true`` and ``[ksef] url`` (the endpoint that
accepts an FA(3) document), ``[ksef] token`` (sent as ``Authorization: Bearer``;
put it in the environment, ``HOOKBILL_KSEF_TOKEN``, never in the repo) and
``[ksef] timeout_seconds``.

* ``on_invoice_issue`` (inside the issuing transaction): for a VAT or correcting
  invoice, queue an outbox message ``ksef_send``, nothing else: no network in
  the transaction.
* ``ksef_send`` (outbox handler, after commit, with retries): build the FA(3)
  XML, validate it against the XSD, POST it; a 2xx answer is recorded in the
  activity log (``ksef.sent`` with the HTTP status and the reference the server
  returned); anything else raises, so the outbox retries with back-off.

Transport only: the official KSeF API wraps this in an authenticated, encrypted
session (challenge, session token, AES-encrypted document); a provider going
live puts a gateway speaking that protocol behind ``[ksef] url``.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from core import activity, db, outbox, runtime
from core.config import Config
from core.documents.files import KSEF_KINDS, document_xml
from core.hookspecs import hookimpl
from core.models import Document

DEFAULTS = {"enabled": False, "url": "", "token": "", "timeout_seconds": 30}


@dataclass(frozen=True)
class KsefAnswer:
    """What the KSeF endpoint answered: the HTTP status and the body (its reference)."""

    status: int
    body: str


def post_xml(url: str, xml: bytes, *, token: str = "", timeout: float = 30) -> KsefAnswer:
    """POST ``xml`` to ``url``; return the answer. Raises on a network error or a non-2xx status."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"ksef.url must be an http(s) URL, not {url!r}")
    headers = {"Content-Type": "application/xml; charset=utf-8", "Accept": "application/json, text/plain"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=xml, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return KsefAnswer(response.status, response.read(4096).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        # The error carries the open connection: read the answer and close it
        # here, or the socket leaks until the outbox's retry is long gone.
        with exc:
            detail = exc.read(512).decode("utf-8", "replace")
        raise RuntimeError(f"KSeF answered {exc.code}: {detail}") from None


def enabled() -> bool:
    """True when ``[ksef] enabled`` is set."""
    return bool(runtime.config().get_value("ksef.enabled"))


@hookimpl
def hookbill_configure(config: Config) -> None:
    config.section("ksef", DEFAULTS)


@hookimpl
def on_invoice_issue(document: Document) -> None:
    """Queue the invoice for KSeF (VAT and correcting invoices, when enabled).

    Invoices with an OSS rate (another EU state's VAT, art. 28k) are not sent:
    sales under the OSS procedure are outside the KSeF obligation and FA(3)
    has no Polish rate field for them.
    """
    from core.documents.snapshot import is_oss_rate

    if any(is_oss_rate(str(t.get("vat_rate", ""))) for t in (document.snapshot or {}).get("totals", [])):
        return
    if document.kind in KSEF_KINDS and enabled():
        outbox.enqueue("ksef_send", {"document_id": document.id}, dedupe_key=f"ksef_send:{document.id}")


def send(payload: dict[str, Any]) -> None:
    """Outbox handler ``ksef_send``: build, validate and POST the XML; log the answer."""
    config = runtime.config()
    url = str(config.get_value("ksef.url") or "")
    if not url:
        raise RuntimeError("ksef.url is not set; the message stays queued")
    document = Document.get_by_id(payload["document_id"])
    answer = post_xml(
        url,
        document_xml(document),
        token=str(config.get_value("ksef.token") or ""),
        timeout=float(config.get_value("ksef.timeout_seconds") or 30),
    )
    with db.write_transaction():
        activity.record(
            "ksef.sent", subject=document, status=answer.status, reference=answer.body[:200], number=document.number
        )


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Any]:
    return {"ksef_send": send}
