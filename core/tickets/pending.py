"""What hooks see before anything is stored: uploads checked, attachments pending.

:class:`PendingAttachment` is the mutable object passed to ``on_ticket_create``
and ``on_ticket_reply``; a plugin may replace ``data``/``filename``/``mime`` (the
PGP plugin puts ciphertext there and sets ``encrypted``). Files are written only
after every hook ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core import runtime
from core.errors import ValidationError
from core.i18n import N_
from core.tickets.filetypes import DEFAULT_ALLOWED, AttachmentRejected, check_attachment

DEFAULTS: dict[str, Any] = {
    "max_attachment_bytes": 5 * 1024 * 1024,
    "max_attachments": 5,
    "allowed_types": sorted(DEFAULT_ALLOWED),
    "idle_close_days": 7,
    "attachments_folder": "",
    "max_body_chars": 50_000,
}


@dataclass(frozen=True)
class Upload:
    """A file as it came from the form (name as given, bytes in memory)."""

    filename: str
    data: bytes


@dataclass
class PendingAttachment:
    """An accepted attachment not stored yet; hooks may change it."""

    filename: str
    data: bytes
    mime: str
    encrypted: bool = False


def limit(name: str) -> int:
    """An integer limit of ``[tickets]``."""
    return int(runtime.config().get_value(f"tickets.{name}", DEFAULTS[name]))


def check_uploads(uploads: Sequence[Upload]) -> list[PendingAttachment]:
    """Check count, names, sizes and types by content; raise ValidationError on ``attachments``.

    The message names the file and the reason, so the customer can fix just that.
    """
    if len(uploads) > limit("max_attachments"):
        raise ValidationError(
            {"attachments": N_("At most %(count)s files per message.", count=limit("max_attachments"))}
        )
    allowed = set(runtime.config().get_value("tickets.allowed_types") or DEFAULTS["allowed_types"])
    pending = []
    for upload in uploads:
        try:
            checked = check_attachment(
                upload.filename, upload.data, max_bytes=limit("max_attachment_bytes"), allowed=allowed
            )
        except AttachmentRejected as exc:
            raise ValidationError({"attachments": exc.message}) from exc
        pending.append(PendingAttachment(checked.safe_name, upload.data, checked.mime))
    return pending
