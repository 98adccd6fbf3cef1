"""camt.053 (ISO 20022 bank-to-customer statement) XML, versions 001.02 to 001.13.

Parsed with the standard ElementTree through defusedxml (no DTDs, no entity
expansion). Namespaces are taken from the document itself, so every
``camt.053.001.xx`` version reads the same; the elements used here
(``Stmt/Id``, ``Acct/Id``, ``Ntry/Amt``, ``CdtDbtInd``, ``RvslInd``,
``BookgDt``, ``AcctSvcrRef``, ``NtryDtls/TxDtls`` with ``Refs``,
``RltdPties`` and ``RmtInf/Ustrd``) have the same paths in all of them,
except that from 001.08 a party's name sits one level deeper
(``Dbtr/Pty/Nm``) and the status is a code (``Sts/Cd``).

Only booked entries are read (``Sts`` ``BOOK``); pending ones are left for a
later statement. An entry that bundles several transfers (``TxDtls`` with
amounts of their own) becomes one line per transfer.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from core.i18n import N_
from plugins.bankstatements.parsers import ParsedFile, StatementError, StatementLine

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."


class _Finder:
    """Namespaced look-ups written as plain paths: ``find(el, "Ntry/Amt")``."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" if part not in (".", "..") else part for part in path.split("/"))

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._path(path))

    def text(self, element: Element | None, *paths: str) -> str:
        """The stripped text at the first of ``paths`` that has some, else ""."""
        if element is None:
            return ""
        for path in paths:
            found = element.find(self._path(path))
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return ""


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise StatementError(
            N_("The camt.053 statement has an amount that is not a number: %(value)s"), value=value
        ) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise StatementError(
            N_("The camt.053 statement has a date that is not a date: %(value)s"), value=value
        ) from None


def parse_camt(data: bytes) -> ParsedFile:
    """Read a camt.053 file; raises :class:`StatementError` when it is not one."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise StatementError(
            N_("The XML file declares a DTD or entities, which a bank statement never does.")
        ) from None
    except ElementTree.ParseError as exc:
        raise StatementError(N_("The file is not valid XML: %(error)s"), error=str(exc)) from None
    match = re.match(r"\{([^}]*)\}", root.tag)
    namespace = match.group(1) if match else ""
    if not namespace.startswith(NAMESPACE_PREFIX):
        raise StatementError(N_("This XML file is not a camt.053 bank statement."))
    x = _Finder(namespace)
    parsed = ParsedFile(format="camt053")
    for statement in x.findall(root, "BkToCstmrStmt/Stmt"):
        account = x.text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id").replace(" ", "").upper()
        parsed.account = parsed.account or account
        statement_id = "|".join((account, x.text(statement, "Id"), x.text(statement, "ElctrncSeqNb")))
        parsed.statement_ids.append(statement_id)
        position = 0
        for entry in x.findall(statement, "Ntry"):
            status = x.text(entry, "Sts/Cd", "Sts")
            if status and status.upper() != "BOOK":
                continue
            for line in _entry_lines(x, entry, statement_id, position):
                parsed.lines.append(line)
                position = line.position
    if not parsed.statement_ids:
        raise StatementError(N_("This XML file is not a camt.053 bank statement."))
    return parsed


def _entry_lines(x: _Finder, entry: Element, statement_id: str, position: int) -> list[StatementLine]:
    sign = -1 if x.text(entry, "CdtDbtInd") == "DBIT" else 1
    reversal = x.text(entry, "RvslInd").lower() == "true"
    amount_el = x.find(entry, "Amt")
    currency = amount_el.get("Ccy", "") if amount_el is not None else ""
    booked = _date(x.text(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"))
    entry_ref = x.text(entry, "AcctSvcrRef")
    details = x.findall(entry, "NtryDtls/TxDtls")
    split = len(details) > 1 and all(x.text(d, "AmtDtls/TxAmt/Amt", "Amt") for d in details)
    if not split:
        parts = [(details[0] if details else None, _amount(x.text(entry, "Amt")), entry_ref)]
    else:
        parts = [
            (
                d,
                _amount(x.text(d, "AmtDtls/TxAmt/Amt", "Amt")),
                x.text(d, "Refs/AcctSvcrRef") or (f"{entry_ref}/{n}" if entry_ref else ""),
            )
            for n, d in enumerate(details, 1)
        ]
    lines = []
    for offset, (tx, amount, reference) in enumerate(parts, 1):
        incoming = sign > 0
        party = "Dbtr" if incoming else "Cdtr"
        own = "Cdtr" if incoming else "Dbtr"
        ustrd = [u.text or "" for u in x.findall(tx, "RmtInf/Ustrd")] if tx is not None else []
        structured = x.text(tx, "RmtInf/Strd/CdtrRefInf/Ref") if tx is not None else ""
        title_parts = [*ustrd, structured] if structured else ustrd
        own_account = x.text(tx, f"RltdPties/{own}Acct/Id/IBAN", f"RltdPties/{own}Acct/Id/Othr/Id")
        lines.append(
            StatementLine(
                statement_id=statement_id,
                position=position + offset,
                booking_date=booked,
                amount=sign * amount,
                currency=currency,
                title=" ".join(p.strip() for p in title_parts if p.strip()),
                title_parts=tuple(title_parts),
                counterparty=x.text(tx, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm"),
                counterparty_account=x.text(tx, f"RltdPties/{party}Acct/Id/IBAN", f"RltdPties/{party}Acct/Id/Othr/Id")
                .replace(" ", "")
                .upper(),
                reference=reference or (x.text(tx, "Refs/AcctSvcrRef") if tx is not None else ""),
                own_accounts=(own_account.replace(" ", "").upper(),) if own_account else (),
                kind="reversal" if reversal else "transfer",
            )
        )
    return lines
