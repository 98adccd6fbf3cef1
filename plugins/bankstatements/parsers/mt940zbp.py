"""MT940 as Polish banks export it (the ZBP variant), read with the ``mt-940`` library.

The library reads the SWIFT tags: the statement (``:20:``, ``:25:``,
``:28C:``, balances) and each entry's ``:61:`` line (dates, credit or debit,
amount, the bank's reference after ``//``). It leaves ``:86:`` raw, and the
Polish banks' ``:86:`` is structured in its own way (Związek Banków Polskich):
a three-digit transaction code, then sub-fields, each a separator and two
digits, the separator being ``~`` in most banks (``^``, ``<`` or ``+`` in a
few; found from the field itself or set per bank):

* ``~00`` the kind of operation, ``~20``-``~25`` the title (six parts of up to
  27 characters, ``~26`` and ``~60``-``~63`` more of it in some banks),
* ``~27``-``~29`` or ``~32``-``~33`` the counterparty's name and address,
* ``~30`` the counterparty's bank sort code and ``~31`` its account,
* ``~38`` the counterparty's IBAN.

The field wraps at 65 characters wherever the bank likes, even inside a
sub-field, so its lines are joined with nothing before it is split.

The statement's identity, for lines without a bank reference, is the account,
``:20:``, ``:28C:`` and the opening and closing balances (with their dates):
some banks number every statement ``1/1``, but no two days share balances
and dates.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from core.i18n import N_
from plugins.bankstatements.parsers import ParsedFile, StatementError, StatementLine
from plugins.bankstatements.parsers.encoding import decode

# The library logs every tag it cannot match; the error reaches staff as a StatementError.
logging.getLogger("mt940").addHandler(logging.NullHandler())

OPTIONS = mt940.Options(
    unbounded_details=True, strip_bom=True, case_insensitive_marks=True, merge_keeps_values=True, reversal_sign=True
)
SEPARATORS = ("auto", "~", "^", "<", "+", "?")
TITLE_FIELDS = ("20", "21", "22", "23", "24", "25", "26", "60", "61", "62", "63")
NAME_FIELDS = ("32", "33")
NAME_FIELDS_ALT = ("27", "28", "29")
KEPT_SPACE = "\ue000"  # a private-use character: never in a bank file
PLACEHOLDERS = frozenset({"", "NONREF", "NOTPROVIDED", "NONE", "BRAK"})
_NRB = re.compile(r"(?<![\dA-Z])(?:PL)?\d{2}(?: ?\d{4}){6}(?!\d)")
_SUBFIELD_START = re.compile(r"^\s*(?:\d{3})?([~^<+?])\d{2}")


def detect_separator(details: str) -> str:
    """The sub-field separator of a ZBP ``:86:`` field, or "" for free text."""
    match = _SUBFIELD_START.match(details)
    return match.group(1) if match else ""


def subfields(details: str, separator: str = "auto") -> dict[str, list[str]]:
    """``{"20": [...], "32": [...]}``: the ZBP sub-fields of one ``:86:`` field.

    ``"code"`` holds the leading transaction code. Free text (no sub-fields)
    comes back as ``{"20": [text]}``, so it is read as the title.
    """
    text = "".join(line.rstrip("\r") for line in details.split("\n")).replace(KEPT_SPACE, " ")
    sep = detect_separator(text) if separator in ("", "auto") else separator
    if not sep or sep not in text:
        return {"20": [text.strip()]} if text.strip() else {}
    parts = re.split(re.escape(sep) + r"(\d{2})", text)
    found: dict[str, list[str]] = {"code": [parts[0].strip()]}
    for number, value in zip(parts[1::2], parts[2::2], strict=True):
        found.setdefault(number, []).append(value)
    return found


def _parts(fields: dict[str, list[str]], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value for name in names for value in fields.get(name, []))


def _joined(fields: dict[str, list[str]], names: tuple[str, ...]) -> str:
    """The sub-fields as the bank cut them, joined back (the cut falls anywhere, even inside a word)."""
    return "".join(_parts(fields, names)).strip()


def _account(fields: dict[str, list[str]]) -> str:
    iban = _joined(fields, ("38",))
    if iban:
        return re.sub(r"\s", "", iban).upper()
    sort_code = re.sub(r"\D", "", _joined(fields, ("30",)))
    account = re.sub(r"\s", "", _joined(fields, ("31",))).upper()
    if len(sort_code) == 8 and len(account) == 16 and account.isdigit():
        return _nrb(sort_code, account)
    return account


def _nrb(sort_code: str, account: str) -> str:
    """A 26-digit NRB from a sort code and a 16-digit account (check digits computed)."""
    from stdnum import iban

    return iban.calc_check_digits("PL00" + sort_code + account) + sort_code + account


def accounts_in(*texts: str, exclude: str = "") -> tuple[str, ...]:
    """Every Polish account number (26 digits, in groups of four or not) written in ``texts``, but ``exclude``.

    A bank that credits a virtual account names it somewhere in the entry; the
    matcher keeps the one that falls in the provider's virtual range.
    """
    skip = re.sub(r"\D", "", exclude)[-26:]
    found: dict[str, None] = {}
    for text in texts:
        for match in _NRB.finditer(text):
            number = re.sub(r"\D", "", match.group(0))
            if number != skip:
                found.setdefault(number, None)
    return tuple(found)


def _plain_date(value: Any) -> date:
    return date(value.year, value.month, value.day)


def _balance_key(value: Any) -> str:
    if value is None:
        return ""
    return f"{getattr(value, 'date', '')}:{getattr(getattr(value, 'amount', None), 'amount', '')}"


def _clean(text: str) -> str:
    """Drop what wraps the SWIFT text block in some exports: SOH/ETX, ``{1:...}{4:`` and ``-}``.

    A ``:86:`` line that ends in a space (the bank wrapped the field at 65
    characters right after a word) keeps it: the parser strips every line,
    which would glue the last word of the line to the first of the next, so
    those spaces travel as :data:`KEPT_SPACE` and become spaces again in
    :func:`subfields`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x01", "").replace("\x03", "")
    text = re.sub(r"\{[1-3]:[^}]*\}", "", text)
    text = re.sub(r"\{4:\s*", "", text)
    text = re.sub(r"^-\}?\s*$", "", text, flags=re.MULTILINE)
    lines, in_details = [], False
    for line in text.split("\n"):
        if line.startswith(":"):
            in_details = line.startswith(":86:")
        if in_details and line.endswith(" "):
            stripped = line.rstrip(" ")
            line = stripped + KEPT_SPACE * (len(line) - len(stripped))
        lines.append(line)
    return "\n".join(lines)


def parse_mt940(data: bytes, encoding: str = "auto", separator: str = "auto") -> ParsedFile:
    """Read an MT940 (ZBP) file; raises :class:`StatementError` when it is not one."""
    text = _clean(decode(data, encoding))
    if not re.search(r"^:20:", text, re.MULTILINE) or not re.search(r"^:25:", text, re.MULTILINE):
        raise StatementError(N_("This is not an MT940 statement (no :20: and :25: fields)."))
    try:
        statements = mt940.parse_statements(text, options=OPTIONS)
    except Exception as exc:  # the library raises RuntimeError/ValueError/KeyError on malformed tags
        raise StatementError(N_("The MT940 statement cannot be read: %(error)s"), error=str(exc)[:200]) from None
    parsed = ParsedFile(format="mt940")
    for statement in statements:
        info = statement.data
        account = re.sub(r"[\s/]", "", str(info.get("account_identification") or "")).upper()
        parsed.account = parsed.account or account
        statement_id = "|".join(
            (
                account,
                str(info.get("transaction_reference") or ""),
                str(info.get("statement_number") or ""),
                str(info.get("sequence_number") or ""),
                _balance_key(info.get("final_opening_balance") or info.get("opening_balance")),
                _balance_key(info.get("final_closing_balance") or info.get("closing_balance")),
            )
        )
        parsed.statement_ids.append(statement_id)
        for position, transaction in enumerate(statement, 1):
            parsed.lines.append(_line(transaction.data, statement_id, position, separator))
    if not parsed.statement_ids:
        raise StatementError(N_("This is not an MT940 statement (no :20: and :25: fields)."))
    return parsed


def _line(data: dict[str, Any], statement_id: str, position: int, separator: str) -> StatementLine:
    amount = data["amount"].amount
    status = str(data.get("status") or "")
    fields = subfields(str(data.get("transaction_details") or ""), separator)
    bank_reference = str(data.get("bank_reference") or "").strip()
    counterparty_account = _account(fields)
    names = NAME_FIELDS if _parts(fields, NAME_FIELDS) else NAME_FIELDS_ALT
    mentioned = [value for name, values in fields.items() if name not in (*names, "30", "31", "38") for value in values]
    mentioned += [str(data.get(key) or "") for key in ("customer_reference", "extra_details")]
    when = data.get("entry_date") or data.get("date")
    return StatementLine(
        statement_id=statement_id,
        position=position,
        booking_date=_plain_date(when),
        amount=Decimal(amount),
        currency=str(data.get("currency") or data["amount"].currency or ""),
        title=_joined(fields, TITLE_FIELDS),
        title_parts=_parts(fields, TITLE_FIELDS),
        counterparty=_joined(fields, names),
        counterparty_parts=_parts(fields, names),
        counterparty_account=counterparty_account,
        reference="" if bank_reference.upper() in PLACEHOLDERS else bank_reference,
        own_accounts=accounts_in(*mentioned, exclude=counterparty_account),
        kind="reversal" if status.upper().startswith("R") else "transfer",
    )
