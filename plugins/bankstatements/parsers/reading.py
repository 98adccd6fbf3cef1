"""Choosing the parser: from the bank's settings, or from the file's first bytes."""

from __future__ import annotations

import re
from typing import Any

from core.i18n import N_
from plugins.bankstatements.parsers import ParsedFile, StatementError


def detect_format(data: bytes) -> str:
    """``camt053`` for XML, ``mt940`` for SWIFT tags, ``csv`` otherwise."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n\x01")
    if head.startswith(b"<"):
        return "camt053"
    if re.search(rb"(^|[\r\n{])(:20:|\{1:|:940:)", head):
        return "mt940"
    return "csv"


def read_statement(data: bytes, bank: Any = None) -> ParsedFile:
    """Parse ``data`` with ``bank``'s format and settings (a :class:`~plugins.bankstatements.models.Bank`).

    Without a bank the format is detected; a CSV file needs a bank, because
    only its saved mapping says which column is which.
    """
    from plugins.bankstatements.parsers.camt import parse_camt
    from plugins.bankstatements.parsers.csvfile import parse_csv
    from plugins.bankstatements.parsers.mt940zbp import parse_mt940

    if not data.strip():
        raise StatementError(N_("The file is empty."))
    fmt = bank.format if bank is not None else detect_format(data)
    if fmt == "camt053":
        return parse_camt(data)
    if fmt == "mt940":
        return parse_mt940(data, bank.encoding if bank else "auto", bank.separator if bank else "auto")
    if bank is None:
        raise StatementError(N_("A CSV statement needs a bank whose column mapping says how to read it."))
    return parse_csv(data, {**(bank.mapping or {}), "encoding": bank.encoding})
