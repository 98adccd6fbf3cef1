"""Decoding statement files: Polish banks write CP852, Windows-1250, ISO-8859-2 or UTF-8.

A bank's setting names its encoding; ``"auto"`` guesses it: UTF-8 when the
bytes are valid UTF-8, else the single-byte code page in which the file reads
as the most Polish letters and the fewest stray symbols. The three code pages
put ``ą ś ź Ą Ś Ź`` (and CP852 every Polish letter) on different bytes, so a
file with a few Polish words is told apart reliably; a file with none decodes
the same in all three for every letter that matters.
"""

from __future__ import annotations

import codecs

from core.i18n import N_
from plugins.bankstatements.parsers import StatementError

ENCODINGS = ("auto", "utf-8", "cp1250", "iso-8859-2", "cp852")
SINGLE_BYTE = ("cp1250", "iso-8859-2", "cp852")
POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def _score(text: str) -> int:
    """Polish letters count for the guess, other non-ASCII characters against it."""
    score = 0
    for char in text:
        if char in POLISH:
            score += 2
        elif (ord(char) > 127 and not char.isspace()) or (ord(char) < 32 and char not in "\r\n\t\x01\x03"):
            score -= 3
    return score


def guess_encoding(data: bytes) -> str:
    """The most likely encoding of ``data`` (one of :data:`ENCODINGS` but ``auto``)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best, best_score = "cp852", None
    sample = bytes(b for b in data if b > 127)  # only these differ between the code pages
    for name in SINGLE_BYTE:
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if best_score is None or score > best_score:
            best, best_score = name, score
    return best


def decode(data: bytes, encoding: str = "auto") -> str:
    """``data`` as text in ``encoding`` (``"auto"`` guesses); a leading BOM is dropped."""
    name = guess_encoding(data) if encoding in ("", "auto") else encoding
    try:
        codecs.lookup(name)
    except LookupError:
        raise StatementError(N_("Unknown text encoding %(encoding)s."), encoding=name) from None
    try:
        return data.decode(name).removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise StatementError(N_("The file is not written in the encoding %(encoding)s."), encoding=name) from None
