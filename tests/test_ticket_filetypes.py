"""Attachment checks: content sniffing, names with paths, sizes, disguised files."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from core.tickets.filetypes import (
    DEFAULT_ALLOWED,
    AttachmentRejected,
    CheckedAttachment,
    check_attachment,
    random_storage_name,
    sniff_type,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
TEXT = "Błąd 500 na stronie zamówień, log poniżej:\n[error] żółw\n".encode()


def _check(name: str, data: bytes, max_bytes: int = 1_000_000) -> CheckedAttachment:
    return check_attachment(name, data, max_bytes=max_bytes, allowed=DEFAULT_ALLOWED)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # a fixed timestamp keeps the bytes (and so test ids) equal across xdist workers
        archive.writestr(zipfile.ZipInfo("a.txt", (2026, 1, 1, 0, 0, 0)), "zawartość")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (PDF, "application/pdf"),
        (_zip(), "application/zip"),
        (gzip.compress(b"log", mtime=0), "application/gzip"),
        (TEXT, "text/plain"),
        (EXE, "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (HTML, "text/html"),
        (b"  \n<html>", "text/html"),
        (SVG, "image/svg+xml"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><svg/>", "application/xml"),
        (b"", None),
        (b"\x00\x01\x02\x03", None),
        ("zażółć".encode("cp1250"), None),
        ("ą".encode() * 4096 + "ą".encode()[:1], "text/plain"),  # a letter cut at 8 KiB
    ],
)
def test_sniff_type_reads_content(head: bytes, mime: str | None) -> None:
    assert sniff_type(head) == mime


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("zrzut ekranu.PNG", PNG, "image/png"),
        ("faktura_wrzesień.pdf", PDF, "application/pdf"),
        ("błąd.log", TEXT, "text/plain"),
        ("notatki.txt", b"GET /?q=<script>alert(1)</script> 404\n", "text/plain"),
        ("kopia.zip", _zip(), "application/zip"),
    ],
)
def test_allowed_files_are_accepted(name: str, data: bytes, mime: str) -> None:
    checked = _check(name, data)
    assert checked == CheckedAttachment(name, mime, len(data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", EXE),
        ("program.png", EXE),
        ("obrazek.png", HTML),
        ("strona.txt", HTML),
        ("logo.png", SVG),
        ("logo.svg", SVG),
        ("strona.html", b"hello"),
        ("dokument.png", PDF),
        ("zdjecie.pdf", PNG),
        ("bez_rozszerzenia", TEXT),
        ("dane.bin", b"\x00\x01\x02\x03" * 10),
    ],
)
def test_disguised_or_unknown_types_are_refused(name: str, data: bytes) -> None:
    with pytest.raises(AttachmentRejected) as caught:
        _check(name, data)
    assert caught.value.code == "type"
    assert caught.value.message


def test_type_not_in_allowed_is_refused() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        check_attachment("a.zip", _zip(), max_bytes=10_000, allowed={"image/png"})
    assert caught.value.code == "type"


def test_active_content_is_refused_even_when_allowed() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        check_attachment("a.html", HTML, max_bytes=10_000, allowed={"text/html"})
    assert caught.value.code == "type"


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "a/b.png",
        "c:\\x.png",
        "C:x.png",
        "..",
        ".",
        "a..png",
        "/abs.png",
        "nul\x00.png",
        "line\nbreak.png",
        "tab\t.png",
        "gnp\u202e.exe",
        ".htaccess",
        "trailing.png ",
        "trailing.png.",
        "",
        "   ",
        "x" * 300 + ".png",
    ],
)
def test_bad_names_are_refused_not_cleaned(name: str) -> None:
    with pytest.raises(AttachmentRejected) as caught:
        _check(name, PNG)
    assert caught.value.code == "name"


def test_too_big_is_refused_at_the_limit_plus_one() -> None:
    assert _check("a.txt", b"x" * 100, max_bytes=100).size == 100
    with pytest.raises(AttachmentRejected) as caught:
        _check("a.txt", b"x" * 101, max_bytes=100)
    assert caught.value.code == "too_big"
    assert "100" in caught.value.message


def test_empty_is_refused() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        _check("pusty.txt", b"")
    assert caught.value.code == "empty"


def test_rejection_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        _check("a/b.png", PNG)


def test_name_is_returned_in_nfc() -> None:
    decomposed = "z\u0307o\u0301\u0142w.txt"  # ż and ó as letter + combining mark
    assert _check(decomposed, TEXT).safe_name == "\u017c\u00f3\u0142w.txt"  # żółw.txt


def test_storage_names_are_random_hex() -> None:
    names = {random_storage_name() for _ in range(100)}
    assert len(names) == 100
    assert all(len(name) == 32 and int(name, 16) >= 0 for name in names)
