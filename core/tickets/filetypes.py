"""Attachment checks for tickets: name, size and type judged by content, not by claim.

What is promised:

- The type is sniffed from the first bytes (magic numbers); the browser's
  Content-Type and the file name's extension are never trusted on their own.
- The extension must agree with the sniffed type: a ``.png`` that is a PDF, an HTML
  page or an SVG renamed to ``.png`` or ``.txt``, or an ``.exe`` is refused.
- Active content (HTML, SVG, XML, executables) is refused whatever ``allowed`` says,
  because a browser or the OS might run it.
- A name carrying a path (``/``, ``\\``, ``..``, a drive letter), NUL, control or
  invisible formatting characters (e.g. the right-to-left override) is refused, not
  silently cleaned: the customer sees why and renames the file.
- Files are stored under :func:`random_storage_name`, never under the given name.
"""

from __future__ import annotations

import codecs
import secrets
import unicodedata
from collections.abc import Set
from dataclasses import dataclass

from core.i18n import N_, FileSize

SNIFF_BYTES = 8192
MAX_NAME_BYTES = 255

PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
PDF, ZIP, GZIP, TEXT = "application/pdf", "application/zip", "application/gzip", "text/plain"
HTML, SVG, XML = "text/html", "image/svg+xml", "application/xml"
EXE, ELF = "application/x-msdownload", "application/x-executable"

DEFAULT_ALLOWED = frozenset({PNG, JPEG, GIF, WEBP, PDF, ZIP, GZIP, TEXT})
ACTIVE = frozenset({HTML, SVG, XML, EXE, ELF})

EXTENSIONS: dict[str, str] = {
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "gif": GIF,
    "webp": WEBP,
    "pdf": PDF,
    "zip": ZIP,
    "gz": GZIP,
    "tgz": GZIP,
    **dict.fromkeys(("txt", "log", "csv", "md", "conf", "cfg", "ini", "json", "yaml", "yml"), TEXT),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
    (b"\x1f\x8b", GZIP),
    (b"\x7fELF", ELF),
)
_MARKUP: tuple[tuple[str, str], ...] = (
    ("<!doctype html", HTML),
    ("<html", HTML),
    ("<head", HTML),
    ("<body", HTML),
    ("<script", HTML),
    ("<iframe", HTML),
    ("<!--", HTML),
    ("<svg", SVG),
    ("<?xml", XML),
)


class AttachmentRejected(ValueError):
    """An attachment was refused; ``code`` is one of "empty", "too_big", "name", "type"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedAttachment:
    """An attachment that passed :func:`check_attachment`: safe to store and offer."""

    safe_name: str
    mime: str
    size: int


def _is_text(head: bytes) -> bool:
    """Valid UTF-8 (a multi-byte letter cut at the end of ``head`` is fine), no NUL."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff_type(head: bytes) -> str | None:
    """Return the MIME type the content's first bytes show, or None if unrecognised.

    Recognises PNG, JPEG, GIF, WebP, PDF, ZIP, gzip, Windows and ELF executables,
    HTML/SVG/XML markup, and plain UTF-8 text without NUL bytes. Only the first
    :data:`SNIFF_BYTES` bytes are looked at.
    """
    head = head[:SNIFF_BYTES]
    if not head:
        return None
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if not _is_text(head):
        return EXE if head.startswith(b"MZ") else None
    start = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    for prefix, mime in _MARKUP:
        if start.startswith(prefix):
            return mime
    # Text that merely contains "<script" (say, a web server log with an attack in it)
    # stays text: it is only ever sent as a download, with its sniffed type.
    return TEXT


def _check_name(filename: str) -> str:
    """Return the NFC form of ``filename`` or raise ``AttachmentRejected("name")``."""
    name = unicodedata.normalize("NFC", filename)
    if not name.strip():
        raise AttachmentRejected("name", N_("The file has no name."))
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise AttachmentRejected("name", N_("The file name is too long (255 bytes at most)."))
    if "/" in name or "\\" in name or ":" in name or ".." in name:
        raise AttachmentRejected(
            "name",
            N_("The file name must not contain a folder path, a drive letter or '..'; please send just the file."),
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        raise AttachmentRejected(
            "name", N_("The file name contains control or invisible characters; please rename the file.")
        )
    if name != name.strip() or name.endswith(".") or name.startswith("."):
        raise AttachmentRejected(
            "name", N_("The file name must not start with a dot or a space, nor end with a dot or a space.")
        )
    return name


def check_attachment(filename: str, data: bytes, *, max_bytes: int, allowed: Set[str]) -> CheckedAttachment:
    """Accept an upload only if its name, size and sniffed type are all acceptable.

    Raises :class:`AttachmentRejected` with code "name", "empty", "too_big" or "type"
    and a message to show the customer. ``allowed`` is the set of MIME types the
    caller permits (see :data:`DEFAULT_ALLOWED`); types in :data:`ACTIVE` are refused
    even when listed. The returned ``mime`` is the sniffed type, the one to store.
    """
    name = _check_name(filename)
    size = len(data)
    if size == 0:
        raise AttachmentRejected("empty", N_("The file %(name)s is empty.", name=name))
    if size > max_bytes:
        raise AttachmentRejected(
            "too_big",
            N_(
                "The file %(name)s is %(size)s; the limit is %(limit)s.",
                name=name,
                size=FileSize(size),
                limit=FileSize(max_bytes),
            ),
        )
    mime = sniff_type(data[:SNIFF_BYTES])
    if mime is None:
        raise AttachmentRejected(
            "type",
            N_(
                "The content of %(name)s is not a file type we accept (images, PDF, ZIP, gzip or plain UTF-8 text).",
                name=name,
            ),
        )
    if mime in ACTIVE or mime not in allowed:
        raise AttachmentRejected("type", N_("Files of type %(type)s are not accepted.", type=mime))
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise AttachmentRejected(
            "type",
            N_(
                "The extension of %(name)s is not one we accept; for this content use .%(extension)s.",
                name=name,
                extension=_extension_for(mime),
            ),
        )
    if expected != mime:
        raise AttachmentRejected(
            "type",
            N_(
                "%(name)s is named like %(expected)s but its content is %(type)s; the name and the content must agree.",
                name=name,
                expected=expected,
                type=mime,
            ),
        )
    return CheckedAttachment(name, mime, size)


def _extension_for(mime: str) -> str:
    return next((ext for ext, kind in EXTENSIONS.items() if kind == mime), "bin")


def random_storage_name() -> str:
    """Return a fresh unguessable storage name (32 hex characters, 128 random bits)."""
    return secrets.token_hex(16)
