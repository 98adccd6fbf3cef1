"""``hookbill ksef status`` and ``hookbill ksef resend N`` for operators.

``status`` prints how many invoices are in each state of the KSeF queue, then
every invoice that is not accepted: its number, state, the offline deadline
and KSeF's reason. ``resend N`` (N: the document's id or number) sends a
rejected or failed invoice again (:func:`plugins.ksef.queue.resend`) and runs
the outbox once; it exits with 1 and says why when the invoice cannot be sent again.
"""

from __future__ import annotations

import click

from core import db, outbox, runtime, untrusted
from core.errors import Conflict
from core.i18n import N_, Domain
from core.models import Document
from plugins.ksef import queue

i18n = Domain("ksef")


def document_text(message: str, **values: object) -> str:
    """``message`` in the provider's language (``app.language``), in the plugin's own words first."""
    text = str(i18n.translations(str(runtime.config().get_value("app.language"))).gettext(message))
    return text % values if values else text


@click.group("ksef")
def ksef() -> None:
    """KSeF: the state of invoices sent to the national e-invoice system."""


@ksef.command("status")
def status() -> None:
    """How many invoices wait, were accepted, rejected or failed; the ones that need attention."""
    with db.connection():
        counts = queue.counts()
        for state, label in queue.STATE_LABELS.items():
            click.echo(f"{document_text(label)}: {counts.get(state, 0)}")
        for row in queue.rows():
            sub = row.submission
            if sub.state == "accepted":
                continue
            parts = [row.document.number, document_text(queue.STATE_LABELS[sub.state])]
            if sub.offline:
                parts.append(document_text(queue.OFFLINE_MODES.get(sub.offline_mode, N_("offline"))))
            if sub.deadline:
                parts.append(document_text(N_("send by %(day)s"), day=sub.deadline.isoformat()))
            if sub.reason:
                parts.append(sub.reason)
            click.echo(" · ".join(parts))


@ksef.command("resend")
@click.argument("document")
def resend(document: str) -> None:
    """Send the rejected or failed invoice DOCUMENT (its id or number) to KSeF again."""
    with db.connection():
        row = Document.get_or_none(Document.number == document)
        if row is None and (wanted := untrusted.as_id(document)) is not None:
            row = Document.get_or_none(Document.id == wanted)
        if row is None:
            raise click.ClickException(document_text(N_("There is no document %(number)s."), number=document))
        try:
            queue.resend(row.id)
        except Conflict as exc:
            raise click.ClickException(document_text(exc.message)) from None
        outbox.process()
        sub = queue.KsefSubmission.get(queue.KsefSubmission.document == row.id)
        click.echo(
            document_text(
                N_("%(number)s sent again: %(state)s."),
                number=row.number,
                state=document_text(queue.STATE_LABELS[sub.state]),
            )
        )
