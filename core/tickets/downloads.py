"""Sending attachment files and armored messages: always a download, never rendered.

Every answer carries ``Content-Disposition: attachment``, ``X-Content-Type-Options:
nosniff``, a sandboxing CSP and ``Cache-Control: private, no-store``; the caller has
already checked that the person may see the ticket.
"""

from __future__ import annotations

from flask import Response, abort, send_file

from core.tickets.models import TicketAttachment, TicketMessage
from core.tickets.storage import path_of


def _harden(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_attachment(attachment: TicketAttachment) -> Response:
    """The stored file as a download under its checked original name."""
    path = path_of(attachment.storage_name)
    if not path.is_file():
        abort(404)
    mime = "application/pgp-encrypted" if attachment.encrypted else attachment.mime
    return _harden(
        send_file(
            path,
            mimetype=mime,
            as_attachment=True,
            download_name=attachment.filename,
            conditional=False,
            etag=False,
            max_age=0,
        )
    )


def send_armored(message: TicketMessage) -> Response:
    """An encrypted message's ciphertext as ``ticket-<id>-message-<id>.asc``."""
    if not message.encrypted:
        abort(404)
    response = Response(message.body, mimetype="application/pgp-encrypted")
    name = f"ticket-{message.ticket_id}-message-{message.id}.asc"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _harden(response)
