"""The issued-document snapshot: what a proforma, VAT invoice or correction said.

A snapshot is copied at issue time and never changes afterwards (docs/billing.md,
"Documents"): seller and buyer data, every line and the totals per VAT rate. These
frozen dataclasses hold it, and ``to_json`` / ``from_json`` turn it into plain JSON
for storage: every Decimal is a string (``"123.00"``), every date ISO
(``"2026-03-16"``), so nothing is lost to floats.

Which figures are authoritative (docs/billing.md rule 1): each line's ``net`` is rounded
on its own; VAT is computed once per VAT rate on the document's net sum for that rate.
So ``totals`` (one :class:`RateTotal` per rate) and ``total_net`` / ``total_vat`` /
``total_gross`` are the legal amounts. A line's ``vat`` and ``gross`` are informative
only (VAT of that line alone) and may differ from the rate total by a grosz when
summed; nothing downstream (PDF totals, KSeF P_13/P_14/P_15, payments) adds them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from core.money import to_decimal

PartyKind = Literal["company", "private"]
DocumentKind = Literal["proforma", "vat", "correction", "advance"]
#: A line's rate: one of :data:`VAT_RATES`, or another EU state's numeric rate
#: (OSS, see :func:`is_oss_rate`); :func:`is_vat_rate` checks it.
VatRate = str

#: The Polish rates in the order a document lists them; numeric ones carry VAT.
VAT_RATES: tuple[VatRate, ...] = ("23", "8", "5", "0", "zw", "np", "oo")
DOCUMENT_KINDS: tuple[str, ...] = ("proforma", "vat", "correction", "advance")
SNAPSHOT_VERSION = 1
_FOREIGN_RATE = re.compile(r"^[0-9]{1,2}(\.[0-9]{1,2})?$")


def is_oss_rate(vat_rate: str) -> bool:
    """True for a numeric rate outside the Polish set: another EU state's rate (OSS, art. 28k).

    Such a rate (``"19"``, ``"25.5"``) comes only from ``billing.vat_rates_by_country``
    (:mod:`core.documents.taxation`); it carries VAT like a Polish numeric rate.
    """
    return vat_rate not in VAT_RATES and bool(_FOREIGN_RATE.match(vat_rate))


def is_vat_rate(vat_rate: str) -> bool:
    """True for a rate a line may carry: one of :data:`VAT_RATES` or an OSS rate."""
    return vat_rate in VAT_RATES or is_oss_rate(vat_rate)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _money(value: object) -> Decimal:
    return to_decimal(value)


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True, kw_only=True)
class Party:
    """Seller or buyer as printed on the document.

    ``tax_id`` holds NIP digits for a Polish party, an EU VAT id with its country
    prefix (``"DE136695976"``) for an EU party, free text elsewhere, and is empty
    for a private person. ``country`` is ISO 3166-1 alpha-2 (``"PL"``).
    """

    kind: PartyKind
    name: str
    tax_id: str = ""
    address_line1: str
    address_line2: str = ""
    postcode: str
    city: str
    country: str
    email: str = ""
    bank_account: str = ""
    bank_name: str = ""

    def __post_init__(self) -> None:
        _check(self.kind in ("company", "private"), f"party kind {self.kind!r}")
        _check(bool(self.name.strip()), "party name is empty")
        _check(len(self.country) == 2 and self.country.isupper(), f"country {self.country!r}")

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON dict of every field (all strings)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Party:
        """Inverse of :meth:`to_json`; unknown keys are an error."""
        return cls(**data)


@dataclass(frozen=True)
class Line:
    """One document line. ``net`` is authoritative; ``vat``/``gross`` informative.

    ``base_rate`` is the rate the line carries in a domestic sale (the product's
    own rate) when ``vat_rate`` was set by the buyer's tax treatment instead
    (``"oo"`` under reverse charge, another state's OSS rate); empty when the two
    are the same or unknown. It is not printed: it lets staff re-price an open
    proforma when the buyer's tax treatment changes
    (:mod:`core.documents.reissue`).

    ``discount`` is the line's discount (rabat, art. 106e ust. 1 pkt 10 of the
    VAT act) in net money, not included in ``unit_net``: ``net = quantity x
    unit_net - discount``. A discount lowers its own line's price and is printed
    on it ("rabat"; KSeF ``P_10``), never as a separate negative line. Zero for
    a line without one.
    """

    description: str
    quantity: Decimal
    unit: str
    unit_net: Decimal
    vat_rate: VatRate
    net: Decimal
    vat: Decimal
    gross: Decimal
    annex15: bool = False
    base_rate: str = ""
    discount: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        _check(is_vat_rate(self.vat_rate), f"VAT rate {self.vat_rate!r}")
        _check(not self.base_rate or is_vat_rate(self.base_rate), f"base rate {self.base_rate!r}")
        for name in ("quantity", "unit_net", "net", "vat", "gross", "discount"):
            _check(isinstance(getattr(self, name), Decimal), f"line {name} must be Decimal")

    def to_json(self) -> dict[str, Any]:
        """Dict with Decimals as strings and ``annex15`` as a bool."""
        return {
            "description": self.description,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "unit_net": str(self.unit_net),
            "vat_rate": self.vat_rate,
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.gross),
            "annex15": self.annex15,
            "base_rate": self.base_rate,
            **({"discount": str(self.discount)} if self.discount else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        """Inverse of :meth:`to_json`."""
        return cls(
            description=data["description"],
            quantity=_money(data["quantity"]),
            unit=data["unit"],
            unit_net=_money(data["unit_net"]),
            vat_rate=data["vat_rate"],
            net=_money(data["net"]),
            vat=_money(data["vat"]),
            gross=_money(data["gross"]),
            annex15=bool(data.get("annex15", False)),
            base_rate=data.get("base_rate", ""),
            discount=_money(data.get("discount", "0.00")),
        )


@dataclass(frozen=True)
class RateTotal:
    """Authoritative sums for one VAT rate: ``vat`` is computed once on ``net``."""

    vat_rate: VatRate
    net: Decimal
    vat: Decimal
    gross: Decimal

    def to_json(self) -> dict[str, Any]:
        """Dict with Decimals as strings."""
        return {"vat_rate": self.vat_rate, "net": str(self.net), "vat": str(self.vat), "gross": str(self.gross)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RateTotal:
        """Inverse of :meth:`to_json`."""
        return cls(data["vat_rate"], _money(data["net"]), _money(data["vat"]), _money(data["gross"]))


@dataclass(frozen=True, kw_only=True)
class PaymentPart:
    """One payment that settled (part of) the document, as printed and sent to KSeF.

    ``amount`` is what this payment contributed to the document (a negative
    amount: money returned to the buyer, e.g. a correction settled on the credit
    balance). ``method`` is the payment method's code; ``label`` says how it was
    paid in Polish words, the document's language ("przelew"); ``ksef_form`` is
    the FA(3) ``FormaPlatnosci`` code (``"6"`` for a transfer), or empty when no
    listed form fits, in which case KSeF gets ``PlatnoscInna`` with ``label``.
    Both come from the payment method (:mod:`core.payments.methods`) at issue.
    """

    amount: Decimal
    date: date
    method: str
    label: str
    ksef_form: str = ""

    def to_json(self) -> dict[str, Any]:
        """Dict with the amount as a string and the date ISO."""
        return {
            "amount": str(self.amount),
            "date": self.date.isoformat(),
            "method": self.method,
            "label": self.label,
            "ksef_form": self.ksef_form,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentPart:
        """Inverse of :meth:`to_json`."""
        return cls(
            amount=_money(data["amount"]),
            date=date.fromisoformat(data["date"]),
            method=data["method"],
            label=data["label"],
            ksef_form=data.get("ksef_form", ""),
        )


@dataclass(frozen=True, kw_only=True)
class AdvanceRef:
    """An advance invoice a settlement invoice settles (art. 106f ust. 3): its number, date and amounts per rate."""

    number: str
    issue_date: date
    totals: tuple[RateTotal, ...]
    ksef_number: str = ""

    @property
    def gross(self) -> Decimal:
        """The advance received, gross."""
        return sum((t.gross for t in self.totals), Decimal("0.00"))

    def to_json(self) -> dict[str, Any]:
        """Dict with the date ISO and the totals as dicts."""
        return {
            "number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "totals": [t.to_json() for t in self.totals],
            "ksef_number": self.ksef_number,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdvanceRef:
        """Inverse of :meth:`to_json`."""
        return cls(
            number=data["number"],
            issue_date=date.fromisoformat(data["issue_date"]),
            totals=tuple(RateTotal.from_json(x) for x in data["totals"]),
            ksef_number=data.get("ksef_number", ""),
        )


@dataclass(frozen=True, kw_only=True)
class Correction:
    """What a correcting invoice corrects (art. 106j): the corrected invoice's
    number and issue date, the reason, and its lines before and after.

    ``sale_date`` is the corrected invoice's date of supply (art. 106j ust. 2
    pkt 3 with art. 106e ust. 1 pkt 6); None in snapshots taken before it was
    recorded. ``ksef_number`` is the corrected invoice's KSeF id when it was sent
    to KSeF. ``kind`` is the corrected document's kind (``advance``: a
    correction of an advance invoice, FA(3) ``KOR_ZAL``); ``advances`` are the
    advance invoices a corrected settlement invoice settled (``KOR_ROZ``
    refers to them); ``totals_before`` the corrected document's totals per
    rate when they are not its lines' (an advance invoice documents the amount
    received, not the order's value).
    """

    number: str
    issue_date: date
    reason: str
    lines_before: tuple[Line, ...]
    lines_after: tuple[Line, ...]
    ksef_number: str = ""
    sale_date: date | None = None
    kind: str = "vat"
    advances: tuple[AdvanceRef, ...] = ()
    totals_before: tuple[RateTotal, ...] = ()

    @property
    def sale_date_differs(self) -> bool:
        """True when the corrected invoice's date of supply is known and not its issue date."""
        return self.sale_date is not None and self.sale_date != self.issue_date

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines_before", tuple(self.lines_before))
        object.__setattr__(self, "lines_after", tuple(self.lines_after))
        object.__setattr__(self, "advances", tuple(self.advances))
        object.__setattr__(self, "totals_before", tuple(self.totals_before))

    def to_json(self) -> dict[str, Any]:
        """Dict with the date ISO and both line lists as lists of dicts."""
        return {
            "kind": self.kind,
            "advances": [ref.to_json() for ref in self.advances],
            "totals_before": [t.to_json() for t in self.totals_before],
            "number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "sale_date": self.sale_date.isoformat() if self.sale_date else None,
            "reason": self.reason,
            "ksef_number": self.ksef_number,
            "lines_before": [line.to_json() for line in self.lines_before],
            "lines_after": [line.to_json() for line in self.lines_after],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Correction:
        """Inverse of :meth:`to_json`."""
        return cls(
            number=data["number"],
            issue_date=date.fromisoformat(data["issue_date"]),
            sale_date=_date(data.get("sale_date")),
            reason=data["reason"],
            ksef_number=data.get("ksef_number", ""),
            lines_before=tuple(Line.from_json(x) for x in data["lines_before"]),
            lines_after=tuple(Line.from_json(x) for x in data["lines_after"]),
            kind=data.get("kind", "vat"),
            advances=tuple(AdvanceRef.from_json(x) for x in data.get("advances", [])),
            totals_before=tuple(RateTotal.from_json(x) for x in data.get("totals_before", [])),
        )


@dataclass(frozen=True, kw_only=True)
class DocumentSnapshot:
    """Everything an issued document says, frozen at issue.

    For ``kind == "correction"`` the ``lines`` and totals are the difference
    (after minus before) and ``corrected`` describes the corrected invoice.
    ``amount_due = total_gross - paid`` (negative: to be refunded).
    ``exemption_basis`` is the legal basis printed when a line is ``"zw"``.
    ``advances`` (a settlement invoice, art. 106f ust. 3) are the advance
    invoices it settles: its totals are what is left after them. An advance
    invoice (``kind == "advance"``, art. 106f ust. 1) has the order's lines as
    ``lines``, the order's gross value as ``order_value`` and the advance
    received as its totals. ``payments`` are the payments that settled the document, frozen at issue
    (a VAT invoice issued paid lists the payments of its proforma); a proforma
    is issued before it is paid, so its printed payments come from its current
    state (:mod:`core.documents.state`).
    """

    kind: DocumentKind
    number: str
    issue_date: date
    sale_date: date
    due_date: date
    payment_date: date | None
    place_of_issue: str
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    totals: tuple[RateTotal, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    paid: Decimal
    amount_due: Decimal
    payment_method: str
    transfer_title: str
    reverse_charge: bool
    split_payment: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    proforma_number: str = ""
    corrected: Correction | None = None
    exemption_basis: str = ""
    payments: tuple[PaymentPart, ...] = field(default_factory=tuple)
    advances: tuple[AdvanceRef, ...] = field(default_factory=tuple)
    order_value: Decimal | None = None

    @property
    def invoice_type(self) -> str:
        """FA(3) ``RodzajFaktury``: VAT, ZAL (advance), ROZ (settles advances), KOR, KOR_ZAL, KOR_ROZ."""
        if self.kind == "advance":
            return "ZAL"
        if self.corrected is not None:
            if self.corrected.kind == "advance":
                return "KOR_ZAL"
            return "KOR_ROZ" if self.corrected.advances else "KOR"
        return "ROZ" if self.advances else "VAT"

    def __post_init__(self) -> None:
        for name in ("lines", "totals", "notes", "payments", "advances"):  # lists are accepted, tuples kept
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check(self.kind in DOCUMENT_KINDS, f"document kind {self.kind!r}")
        _check(
            (self.kind == "correction") == (self.corrected is not None),
            "a correction, and only a correction, carries 'corrected'",
        )
        _check(len(self.currency) == 3, f"currency {self.currency!r}")

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict (see module docstring); ``from_json`` restores it exactly."""
        money = ("total_net", "total_vat", "total_gross", "paid", "amount_due")
        plain = (
            "kind",
            "number",
            "place_of_issue",
            "currency",
            "payment_method",
            "transfer_title",
            "reverse_charge",
            "split_payment",
            "proforma_number",
            "exemption_basis",
        )
        data: dict[str, Any] = {"version": SNAPSHOT_VERSION}
        data.update({name: getattr(self, name) for name in plain})
        data.update({name: str(getattr(self, name)) for name in money})
        for name in ("issue_date", "sale_date", "due_date"):
            data[name] = getattr(self, name).isoformat()
        data["payment_date"] = self.payment_date.isoformat() if self.payment_date else None
        data["seller"] = self.seller.to_json()
        data["buyer"] = self.buyer.to_json()
        data["lines"] = [line.to_json() for line in self.lines]
        data["totals"] = [total.to_json() for total in self.totals]
        data["notes"] = list(self.notes)
        data["corrected"] = self.corrected.to_json() if self.corrected else None
        data["payments"] = [part.to_json() for part in self.payments]
        data["advances"] = [ref.to_json() for ref in self.advances]
        data["order_value"] = None if self.order_value is None else str(self.order_value)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentSnapshot:
        """Rebuild a snapshot from :meth:`to_json` output; refuses unknown versions."""
        _check(data.get("version") == SNAPSHOT_VERSION, f"snapshot version {data.get('version')!r}")
        return cls(
            kind=data["kind"],
            number=data["number"],
            issue_date=date.fromisoformat(data["issue_date"]),
            sale_date=date.fromisoformat(data["sale_date"]),
            due_date=date.fromisoformat(data["due_date"]),
            payment_date=_date(data["payment_date"]),
            place_of_issue=data["place_of_issue"],
            currency=data["currency"],
            seller=Party.from_json(data["seller"]),
            buyer=Party.from_json(data["buyer"]),
            lines=tuple(Line.from_json(x) for x in data["lines"]),
            totals=tuple(RateTotal.from_json(x) for x in data["totals"]),
            total_net=_money(data["total_net"]),
            total_vat=_money(data["total_vat"]),
            total_gross=_money(data["total_gross"]),
            paid=_money(data["paid"]),
            amount_due=_money(data["amount_due"]),
            payment_method=data["payment_method"],
            transfer_title=data["transfer_title"],
            reverse_charge=data["reverse_charge"],
            split_payment=data["split_payment"],
            notes=tuple(data["notes"]),
            proforma_number=data.get("proforma_number", ""),
            corrected=Correction.from_json(data["corrected"]) if data["corrected"] else None,
            exemption_basis=data.get("exemption_basis", ""),
            payments=tuple(PaymentPart.from_json(x) for x in data.get("payments", [])),
            advances=tuple(AdvanceRef.from_json(x) for x in data.get("advances", [])),
            order_value=None if data.get("order_value") is None else _money(data["order_value"]),
        )

    @property
    def settled(self) -> bool:
        """True when nothing is left to pay or refund and money moved (paid in full, or refund settled)."""
        return self.amount_due == 0 and self.paid != 0

    @property
    def payment_day(self) -> date | None:
        """The day the document was settled: the last payment's date, else ``payment_date``."""
        return self.payments[-1].date if self.payments else self.payment_date
