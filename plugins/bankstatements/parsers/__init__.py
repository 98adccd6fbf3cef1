"""Reading bank statement files: MT940 (ZBP), camt.053 and CSV with a saved column mapping.

Every parser turns the bytes of one file into a :class:`ParsedFile`: the
statements it holds and their lines, each line a :class:`StatementLine` with
the amount signed (a credit is positive), the title as the payer wrote it, the
payer's name and account and the bank's own reference. Parsers know nothing of
documents or payments; matching and booking happen in
:mod:`plugins.bankstatements.importing`. A file that cannot be read raises
:class:`StatementError`, whose message is shown to staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.i18n import N_

FORMATS = ("mt940", "camt053", "csv")
#: How each format is named on pages and in the CLI.
FORMAT_LABELS = {"mt940": N_("MT940"), "camt053": N_("camt.053 (XML)"), "csv": N_("CSV")}

#: Line kinds: an ordinary transfer, or a reversal (a returned transfer, a
#: cancelled credit), which is never a customer's payment.
LINE_KINDS = ("transfer", "reversal")


class StatementError(ValueError):
    """The file is not a statement this parser can read; the message says why (for staff)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class StatementLine:
    """One booked entry of a statement.

    ``amount`` is signed (credits > 0). ``title`` is for people; the bank's
    ``title_parts`` (MT940 sub-fields, camt.053 ``Ustrd`` lines) are kept,
    because a bank cuts a title at a fixed width, even inside a word or a
    document number, or puts one thought per part: :meth:`title_spellings`
    joins them both ways. ``counterparty`` and ``counterparty_parts`` likewise.
    ``reference`` is the bank's own reference of the entry ("" when the bank
    gives none); ``own_accounts`` are the other account numbers the entry names
    (the account credited, a virtual account, when the bank says which). ``statement_id`` and ``position`` (1-based,
    within its statement) place the line in the file.
    """

    statement_id: str
    position: int
    booking_date: date
    amount: Decimal
    currency: str
    title: str
    title_parts: tuple[str, ...] = ()
    counterparty: str = ""
    counterparty_parts: tuple[str, ...] = ()
    counterparty_account: str = ""
    reference: str = ""
    own_accounts: tuple[str, ...] = ()
    kind: str = "transfer"

    def title_spellings(self) -> list[str]:
        """The title's parts joined with nothing, the title as shown, the parts joined with spaces: each once."""
        return _spellings(self.title, self.title_parts)

    def payer_spellings(self) -> list[str]:
        """The payer's name the same three ways."""
        return _spellings(self.counterparty, self.counterparty_parts)

    @property
    def is_credit(self) -> bool:
        """True for money received (a positive transfer that is not a reversal)."""
        return self.amount > 0 and self.kind == "transfer"


@dataclass
class ParsedFile:
    """What one statement file holds: its format, the account(s) and every line."""

    format: str
    account: str = ""
    statement_ids: list[str] = field(default_factory=list)
    lines: list[StatementLine] = field(default_factory=list)


def _spellings(shown: str, parts: tuple[str, ...]) -> list[str]:
    found = ["".join(parts).strip(), shown, " ".join(p.strip() for p in parts if p.strip())]
    return [text for text in dict.fromkeys(found) if text]
