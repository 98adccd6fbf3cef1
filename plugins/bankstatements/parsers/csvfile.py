"""CSV statements, read through a column mapping saved per bank.

A mapping is data (stored with the bank, edited in the admin area):

* ``delimiter`` (``;`` or ``,`` or ``tab``), ``encoding`` (``auto`` or a code page),
  ``date_format`` (``%Y-%m-%d``, ``%d.%m.%Y``...), ``decimal`` (``,`` or ``.``),
  ``currency`` (when the file has no currency column);
* ``columns``: which column holds ``date``, ``amount`` (signed; or ``credit``
  and ``debit``), ``title``, ``counterparty``, ``account``, ``reference``,
  ``currency``. A column is named by its header (case and surrounding ``#``
  or quotes ignored, found in the first row that has them all, so a bank's
  preamble above the header is skipped) or by its number counted from 1
  (then ``skip_rows`` rows are skipped first).

Rows after the header whose date cell is empty and whose amount cell is
empty are footers or blank lines and are skipped; any other row that does
not read is an error naming its row, so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.i18n import N_
from plugins.bankstatements.parsers import ParsedFile, StatementError, StatementLine
from plugins.bankstatements.parsers.encoding import decode

COLUMN_KEYS = ("date", "amount", "credit", "debit", "title", "counterparty", "account", "reference", "currency")
DELIMITERS = {";": ";", ",": ",", "tab": "\t", "|": "|"}


def _label(cell: str) -> str:
    return cell.strip().strip("#'\"").strip().casefold()


def _number(spec: str) -> int | None:
    return int(spec) - 1 if spec.strip().isdigit() and int(spec) > 0 else None


def parse_amount(cell: str, decimal: str) -> Decimal | None:
    """``"1 234,56"``, ``"-12.30 PLN"``, ``"+1.234,56"`` -> Decimal; "" -> None; junk raises ValueError."""
    text = re.sub(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$", "", cell.strip())  # "PLN 12,30", "12,30 PLN"
    text = re.sub(r"[\s\u00a0']", "", text)
    if not text:
        return None
    if not re.fullmatch(r"[+-]?[\d.,]+", text):
        raise ValueError(cell)
    thousands = "." if decimal == "," else ","
    text = text.replace(thousands, "").replace(decimal, ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(cell) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(cell)
    return value


def _columns(mapping: dict[str, Any], rows: list[list[str]]) -> tuple[dict[str, int], int]:
    """``{key: column index}`` and the index of the first data row."""
    specs = {
        k: str(v).strip() for k, v in (mapping.get("columns") or {}).items() if k in COLUMN_KEYS and str(v).strip()
    }
    if "date" not in specs or not ({"amount", "credit"} & specs.keys()):
        raise StatementError(N_("The bank's CSV mapping needs at least the date and amount columns."))
    named = {k: _label(v) for k, v in specs.items() if _number(v) is None}
    if not named:
        return {k: _number(v) or 0 for k, v in specs.items()}, int(mapping.get("skip_rows") or 0)
    for index, row in enumerate(rows):
        labels = [_label(cell) for cell in row]
        if all(name in labels for name in named.values()):
            columns = {k: labels.index(named[k]) if k in named else (_number(v) or 0) for k, v in specs.items()}
            return columns, index + 1
    missing = ", ".join(sorted(named.values()))
    raise StatementError(N_("No header row with the columns %(columns)s was found in the file."), columns=missing)


def parse_csv(data: bytes, mapping: dict[str, Any]) -> ParsedFile:
    """Read a CSV statement with ``mapping`` (see the module docstring)."""
    text = decode(data, str(mapping.get("encoding") or "auto"))
    delimiter = DELIMITERS.get(str(mapping.get("delimiter") or ";"), ";")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    columns, first = _columns(mapping, rows)
    date_format = str(mapping.get("date_format") or "%Y-%m-%d")
    decimal = str(mapping.get("decimal") or ",")
    currency = str(mapping.get("currency") or "PLN").upper()
    parsed = ParsedFile(format="csv")

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in enumerate(rows[first:], first + 1):
        when = cell(row, "date")
        amounts = [cell(row, k) for k in ("amount", "credit", "debit")]
        if not when and not any(amounts):
            continue
        try:
            booked = datetime.strptime(when, date_format).date()
        except ValueError:
            if not any(re.search(r"\d", a) for a in amounts) or not re.search(r"\d", when):
                continue  # a footer such as "#Saldo końcowe;;1 234,56" or a note line
            raise StatementError(
                N_("Row %(row)s: %(value)s is not a date in the format %(format)s."),
                row=number,
                value=when,
                format=date_format,
            ) from None
        try:
            amount = _signed_amount(cell(row, "amount"), cell(row, "credit"), cell(row, "debit"), decimal)
        except ValueError:
            raise StatementError(N_("Row %(row)s: the amount cannot be read."), row=number) from None
        if amount is None:
            raise StatementError(N_("Row %(row)s: the amount cannot be read."), row=number)
        parsed.lines.append(_line(row, cell, booked, amount, currency, number))
    return parsed


def _signed_amount(amount: str, credit: str, debit: str, decimal: str) -> Decimal | None:
    if amount:
        return parse_amount(amount, decimal)
    received = parse_amount(credit, decimal) if credit else None
    paid = parse_amount(debit, decimal) if debit else None
    if received:
        return abs(received)
    if paid:
        return -abs(paid)
    return received if received is not None else paid


def _line(row: list[str], cell: Any, booked: date, amount: Decimal, currency: str, number: int) -> StatementLine:
    title = cell(row, "title")
    return StatementLine(
        statement_id="",
        position=number,
        booking_date=booked,
        amount=amount,
        currency=(cell(row, "currency") or currency).upper(),
        title=" ".join(title.split()),
        title_parts=(title,),
        counterparty=" ".join(cell(row, "counterparty").split()),
        counterparty_account=re.sub(r"[^0-9A-Za-z]", "", cell(row, "account")).upper(),
        reference=re.sub(r"^'|'$", "", cell(row, "reference")),
    )
