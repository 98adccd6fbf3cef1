"""Text and JSON from outside: what hookbill refuses before it reaches a view or the database.

Two kinds of text cannot be stored at all: the NUL character (PostgreSQL
refuses it in every text column) and a lone UTF-16 surrogate, U+D800 to
U+DFFF, which no UTF-8 encoder accepts (JSON's ``"\\ud800"`` escape makes one).
Left alone, either fails deep inside a transaction as a 500. And JSON nested
hundreds of levels deep exhausts the parser's recursion. Nothing legitimate
needs any of the three, so they are refused at the edge: the web layer calls
:func:`check_text` on every field and :func:`loads_json` on every JSON body
(:mod:`core.web.input_guard`); a plugin that reads a raw body itself (a
gateway's signed callback) parses it with :func:`loads_json` too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.errors import DomainError
from core.i18n import N_

#: JSON deeper than this is refused; hookbill's own APIs need two levels.
MAX_JSON_DEPTH = 20
#: The largest id there can be: SQLite's largest integer (PostgreSQL's ids are smaller still).
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

UNSTORABLE_MESSAGE = N_(
    "The text contains a character that cannot be saved (a NUL character or a broken Unicode character). "
    "Remove it and try again."
)
TOO_DEEP_MESSAGE = N_("The JSON is nested too deeply.")


class UnsafeInput(DomainError):
    """Input refused before any view ran: unstorable text, or JSON nested too deeply (400)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "bad_text") -> None:
        super().__init__(message, field=field, code=code)


class UnsafeJSON(ValueError):
    """A JSON document :func:`loads_json` refuses; ``message`` says why (an English msgid)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def storable(text: str) -> bool:
    """True unless ``text`` holds a NUL character or a lone surrogate."""
    return _UNSTORABLE.search(text) is None


def check_text(text: str, field: str | None = None) -> None:
    """Raise :class:`UnsafeInput` (400, code ``bad_text``) when ``text`` cannot be stored."""
    if not storable(text):
        raise UnsafeInput(UNSTORABLE_MESSAGE, field=field)


def as_id(value: object) -> int | None:
    """An id from outside (a form field, a query parameter, a JSON value), or None when it cannot be one.

    Promise: the result is an int from 1 to :data:`MAX_ID`, which every engine
    can compare with a key. Text must be ASCII digits (surrounding spaces
    allowed); a bool, a float, ``"1e3"``, ``"-4"``, ``"١٢"`` or a thousand
    digits are None, which a caller treats like an id that does not exist.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if _ID.fullmatch(text) else None
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def as_page(value: object, last: int = 10**9) -> int:
    """A page number from a query string: 1 for anything that is not one, never above ``last``.

    Bounded so that ``(page - 1) * page_size`` is an offset every engine takes.
    """
    return min(as_id(value) or 1, last)


def _check_tree(value: Any, max_depth: int) -> None:
    """Walk a parsed document without recursion: depth and every string (keys too)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                raise UnsafeJSON(UNSTORABLE_MESSAGE, "bad_text")
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                raise UnsafeJSON(TOO_DEEP_MESSAGE, "too_deep")
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)


def loads_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from outside; promise: the result is at most ``max_depth`` deep and its strings storable.

    Raises :class:`UnsafeJSON` (a ValueError) for a document nested deeper, or
    holding a NUL or a lone surrogate in any key or string; ``ValueError`` for
    text that is not JSON at all (including bytes that are not UTF-8).
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise UnsafeJSON(TOO_DEEP_MESSAGE, "too_deep") from None
    _check_tree(value, max_depth)
    return value
