"""Where the panel may send a browser back to: a path on this site, never another site.

Browsers read ``//evil.com`` and ``/\\evil.com`` as addresses of another host,
and drop tabs and line breaks inside URLs before reading them, so ``/\\t/evil.com``
is ``//evil.com`` too. Only a path that starts with one ``/`` followed by
something that is not ``/`` or ``\\``, holding no backslash and no control
character, is local.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (with its query), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def back_to(referrer: str | None, host: str, default: str) -> str:
    """The local path of ``referrer`` when it is a page of ``host``, else ``default``.

    An absolute referrer of another host, a scheme-relative one, or one whose
    path is not local (:func:`local_path`) gives ``default``.
    """
    if not referrer:
        return default
    parts = urlsplit(referrer)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return default
    if parts.netloc and parts.netloc != host:
        return default
    if not parts.netloc and not parts.scheme:
        return local_path(referrer) or default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_path(path) or default
