"""Built-in plugin: every VAT invoice and correction through KSeF, the national e-invoice system (off by default).

Turn it on with ``[ksef] enabled = true`` and the KSeF token
(``HOOKBILL_KSEF_TOKEN``); see :mod:`~plugins.ksef.settings` and the README.
Its parts, each in its own module:

* :mod:`~plugins.ksef.scope`: which documents go (by the kind of buyer);
* ``on_invoice_issue`` (inside the issuing transaction): the document's
  :class:`~plugins.ksef.models.KsefSubmission` and an outbox message
  ``ksef_send``; no network in the transaction;
* :mod:`~plugins.ksef.sending`: the outbox handler (after commit, with
  retries): the FA(3) built once, sent in the open session
  (:mod:`~plugins.ksef.api`, on the ``ksef-client`` library), its status until
  KSeF gives the number or rejects it, offline mode when KSeF is unavailable;
* :mod:`~plugins.ksef.marks`: the KSeF number and the verification QR codes on
  the PDF (``hookbill_document_marks``);
* :mod:`~plugins.ksef.mail`: the customer's mail waits for the number
  (``hookbill_hold_document_mail``);
* ``hookbill_ksef_number``: a correction names its invoice's KSeF number;
* :mod:`~plugins.ksef.queue` with :mod:`~plugins.ksef.views` and
  :mod:`~plugins.ksef.cli`: the staff's queue and ``hookbill ksef status|resend``;
* the ``ksef`` cron job: queues again what is stranded, lets held mail go,
  keeps offline deadlines, closes an idle session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.config import Config
from core.extension import CronJob, MenuItem, MigrationSet, TemplateContext
from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.documents.marks import DocumentMark
    from core.models import Document, Staff


@hookimpl
def hookbill_configure(config: Config) -> None:
    from plugins.ksef.settings import add_defaults

    add_defaults(config)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("ksef", "plugins.ksef.migrations")]


@hookimpl
def on_invoice_issue(document: Document) -> None:
    """Record the document's way to KSeF and queue it (VAT invoices and corrections, when enabled and in scope)."""
    from plugins.ksef.settings import current, enabled

    if not enabled():
        return
    from plugins.ksef.models import KsefSubmission
    from plugins.ksef.scope import goes_to_ksef
    from plugins.ksef.sending import queue

    if goes_to_ksef(document, current()):
        queue(KsefSubmission.create(document=document.id))


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Any]:
    from plugins.ksef.sending import send

    return {"ksef_send": send}


@hookimpl
def hookbill_ksef_number(document: Document) -> str | None:
    """The KSeF number of an accepted invoice (a correction of it names it)."""
    from plugins.ksef.models import KsefSubmission

    row = KsefSubmission.get_or_none(KsefSubmission.document == document.id)
    return row.ksef_number if row is not None and row.state == "accepted" and row.ksef_number else None


@hookimpl
def hookbill_document_marks(document: Document, lang: str) -> list[DocumentMark] | None:
    from plugins.ksef.marks import marks

    return marks(document, lang)


@hookimpl
def hookbill_hold_document_mail(document: Document) -> bool | None:
    from plugins.ksef.mail import hold

    return hold(document)


def run_cron() -> dict[str, int]:
    """Cron: queue stranded invoices again, let held mail go, refresh failure deadlines, close an idle session."""
    from plugins.ksef.cron import run

    return run()


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("ksef", run_cron, every=timedelta(minutes=1))]


@hookimpl
def hookbill_blueprints(config: Config) -> list[Any]:
    from plugins.ksef.views import bp

    return [bp]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    from plugins.ksef.settings import enabled

    if not enabled():
        return []
    return [MenuItem("KSeF queue", "ksef.queue", order=46, roles=("admin", "billing"), active_prefix="/admin/ksef")]


@hookimpl
def hookbill_cli_commands() -> list[Any]:
    from plugins.ksef.cli import ksef

    return [ksef]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """On the admin page of a document: its way through KSeF."""
    if name != "admin_document_detail" or context.get("doc") is None:
        return None
    from plugins.ksef.views import document_card

    return document_card(context.get("doc"))
