"""The split-payment title (mechanizm podzielonej płatności, ustawa o VAT art. 108a ust. 3).

A payer who pays in split payment sends one "komunikat przelewu" whose title
is fixed by law: ``/VAT/10,00/IDC/5213017228/INV/FV 2026/11/0001/TXT/free
text``: the VAT amount, the supplier's tax id, the invoice number and free
text. The payer's bank moves the ``/VAT/`` amount to the supplier's VAT
account, so the settlement account sees either the net amount alone, or the
gross amount followed by a debit moving the VAT out, depending on the bank.
Either way the document is paid in full once: :func:`booked_amount` says how
much of it one credit pays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from plugins.bankstatements.parsers.csvfile import parse_amount

_TITLE = re.compile(
    r"/VAT/(?P<vat>[\d\s.,]+?)/IDC/(?P<idc>[^/]*)/INV/(?P<inv>.*?)(?:/TXT/(?P<txt>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
MODES = ("auto", "net", "gross")


@dataclass(frozen=True)
class SplitPayment:
    """The parts of a split-payment title."""

    vat: Decimal
    supplier_tax_id: str
    invoice: str
    text: str


def parse_split_payment(title: str) -> SplitPayment | None:
    """The split-payment parts of ``title``, or None when it is not one."""
    match = _TITLE.search(title.strip())
    if not match:
        return None
    try:
        vat = parse_amount(match.group("vat"), "," if "," in match.group("vat") else ".")
    except ValueError:
        return None
    if vat is None or vat < 0:
        return None
    return SplitPayment(
        vat, re.sub(r"\D", "", match.group("idc")), match.group("inv").strip(), match.group("txt") or ""
    )


def booked_amount(credit: Decimal, vat: Decimal, due: Decimal, mode: str) -> Decimal | None:
    """How much one split-payment credit pays, or None when it cannot be told.

    ``net``: the bank credits the net amount and the VAT went to the VAT
    account, so the payment is ``credit + vat``. ``gross``: the bank credits
    the gross amount (and debits the VAT later), so the payment is ``credit``.
    ``auto``: whichever makes the credit pay exactly the amount due; neither
    (a part payment, a document already paid) cannot be told and goes to staff.
    """
    if mode == "net":
        return credit + vat
    if mode == "gross":
        return credit
    if due > 0 and credit + vat == due:
        return credit + vat
    if due > 0 and credit == due:
        return credit
    return None
