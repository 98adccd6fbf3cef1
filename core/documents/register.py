"""The register of sales (rejestr sprzedaży VAT): every sale of a month at its tax point.

A month's register lists, at the day VAT on it became due:

* **VAT invoices**, at the day the money that paid them was received (the tax
  point of a payment received before the period is performed, art. 19a ust. 8;
  the invoice prints it as its payment date), or their issue date when they
  name no payment;
* **advance invoices** (``ZAL``), at the day the advance was received, their
  date of supply (art. 19a ust. 8, art. 106e ust. 1 pkt 6);
* **correcting invoices**, at their issue date (a correction that lowers the
  tax base, art. 29a ust. 13; one that raises it is listed with the same date,
  and the provider moves it to the corrected period if its adviser says so);
* **advances of consumers without an invoice**: a private person who did not
  ask for invoices for advances (art. 106b ust. 3) gets no advance invoice, but
  the tax point is the same, so money received in a month on a proforma still
  unpaid at that month's end is listed as a sale without an invoice
  (``consumer_advance``), split per rate as an advance invoice would be
  (:func:`core.documents.advances.advance_totals`). When the VAT invoice
  documenting the whole sale is issued, a ``consumer_advance_settled`` row
  takes those amounts back out in its month, so the invoice is not taxed twice;
  when the proforma is cancelled and the money goes to the credit balance, a
  ``consumer_advance_returned`` row does the same in the month of the return.

A document is listed in the register of its tax point's month when it was
issued by the end of the month after it (an invoice is due by the 15th of that
month, art. 106i ust. 1); one issued later is listed in the month it was issued,
its tax point shown, so that no document is ever missing from every register.
Amounts are in the document's currency; totals are per currency and rate.

Reading a month costs one query for its documents, one for its payments and a
few per proforma with a consumer's advance; the register is read by staff and
exported as CSV (:func:`to_csv`), never on a customer's page.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from peewee import fn

from core import clock
from core.documents.advances import advance_totals, advances_of, wants_advance_invoice
from core.documents.issuing import snapshot_of
from core.documents.snapshot import PaymentPart, RateTotal
from core.documents.state import payment_parts, payments_of
from core.models import Document, LedgerEntry, Payment
from core.money import ZERO

#: Register rows that are documents, by the document's kind.
DOCUMENT_ROWS = ("vat", "advance", "correction")
#: Register rows of consumers' advances without an invoice (module docstring).
CONSUMER_ROWS = ("consumer_advance", "consumer_advance_settled", "consumer_advance_returned")
#: Ledger entries that carry a cancelled proforma's money to the balance.
RETURN_KINDS = ("stale_payment",)


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register: a document, or a consumer's advance without one.

    ``kind`` is a document kind (:data:`DOCUMENT_ROWS`) or one of
    :data:`CONSUMER_ROWS`; ``number`` is the document's number (for a consumer
    row, the proforma's); ``issue_date`` is None for a row with no document.
    ``totals`` are per rate; a row that takes amounts back is negative.
    """

    tax_point: date
    kind: str
    number: str
    issue_date: date | None
    buyer_name: str
    buyer_tax_id: str
    currency: str
    totals: tuple[RateTotal, ...]
    document_id: int | None = None
    proforma_id: int | None = None

    @property
    def net(self) -> Decimal:
        """The row's net, all rates."""
        return sum((t.net for t in self.totals), ZERO)

    @property
    def vat(self) -> Decimal:
        """The row's VAT, all rates."""
        return sum((t.vat for t in self.totals), ZERO)

    @property
    def gross(self) -> Decimal:
        """The row's gross, all rates."""
        return sum((t.gross for t in self.totals), ZERO)

    @property
    def late(self) -> bool:
        """True for a document issued after the month following its tax point (module docstring)."""
        return self.issue_date is not None and self.issue_date > _month_end(_next_month(self.tax_point))


@dataclass(frozen=True)
class RateSum:
    """The register's sum for one currency and rate."""

    currency: str
    vat_rate: str
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class SalesRegister:
    """A month's register: its rows by tax point, and the sums per currency and rate."""

    month: date
    rows: tuple[RegisterRow, ...]
    sums: tuple[RateSum, ...]
    provisional: bool


def month_of(day: date) -> date:
    """The first day of ``day``'s month: how a register's month is named."""
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_end(day: date) -> date:
    return _next_month(day) - timedelta(days=1)


def tax_point(document: Document) -> date:
    """The day VAT on ``document`` became due, as the register lists it (module docstring)."""
    snap = snapshot_of(document)
    if document.kind == "advance":
        return snap.sale_date
    if document.kind == "vat" and snap.payment_date is not None:
        return snap.payment_date
    return document.issue_date


def _negated(totals: Iterable[RateTotal]) -> tuple[RateTotal, ...]:
    return tuple(RateTotal(t.vat_rate, -t.net, -t.vat, -t.gross) for t in totals)


def _summed(groups: Iterable[Iterable[RateTotal]]) -> tuple[RateTotal, ...]:
    by_rate: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for group in groups:
        for t in group:
            net, vat, gross = by_rate.get(t.vat_rate, (ZERO, ZERO, ZERO))
            by_rate[t.vat_rate] = (net + t.net, vat + t.vat, gross + t.gross)
    return tuple(RateTotal(rate, *sums) for rate, sums in by_rate.items())


def _document_row(document: Document, point: date) -> RegisterRow:
    snap = snapshot_of(document)
    return RegisterRow(
        tax_point=point,
        kind=document.kind,
        number=document.number,
        issue_date=document.issue_date,
        buyer_name=snap.buyer.name,
        buyer_tax_id=snap.buyer.tax_id,
        currency=snap.currency,
        totals=snap.totals,
        document_id=document.id,
        proforma_id=document.proforma_id,
    )


def _documents(month: date) -> list[RegisterRow]:
    """Documents with their tax point in ``month`` (issued by the end of the next), and late ones issued in it."""
    end = _month_end(month)
    window_end = _month_end(_next_month(month))
    query = Document.select().where(Document.kind.in_(DOCUMENT_ROWS) & (Document.issue_date >= month))
    rows = []
    for document in query.where(Document.issue_date <= window_end).order_by(Document.id):
        point = tax_point(document)
        if month <= point <= end:
            rows.append(_document_row(document, point))
    late = Document.select().where(
        Document.kind.in_(DOCUMENT_ROWS) & (Document.issue_date >= month) & (Document.issue_date <= end)
    )
    for document in late.order_by(Document.id):
        point = tax_point(document)
        if point < month and document.issue_date > _month_end(_next_month(point)):
            rows.append(_document_row(document, point))
    return rows


def _received_by_month(parts: Iterable[PaymentPart]) -> dict[date, Decimal]:
    """What the payment ``parts`` of a proforma add up to, per month received."""
    received: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for part in parts:
        received[month_of(part.date)] += part.amount
    return dict(received)


def _ended_on(proforma: Document) -> tuple[str, date] | None:
    """How and when ``proforma``'s advances stopped being advances: its VAT invoice, or its money returned."""
    invoice = Document.get_or_none((Document.kind == "vat") & (Document.proforma_id == proforma.id))
    if invoice is not None:
        return "consumer_advance_settled", tax_point(invoice)
    if proforma.status == "cancelled":
        entry = (
            LedgerEntry.select()
            .where(LedgerEntry.kind.in_(RETURN_KINDS) & (LedgerEntry.document_id == proforma.id))
            .order_by(LedgerEntry.id)
            .first()
        )
        if entry is not None:
            return "consumer_advance_returned", clock.local_date(entry.created_at)
    return None


def consumer_rows(proforma: Document, month: date, today: date) -> list[RegisterRow]:
    """The register rows of ``month`` for the advances of a consumer who gets no advance invoice (module docstring).

    Money received in a month is an advance when the proforma was not paid in
    full within that month; in the month the sale ends (its VAT invoice, or the
    money returned to the balance) the advances of earlier months are taken
    back out. For the month in progress (``today`` in it) the rows are what
    stands today.
    """
    if wants_advance_invoice(proforma) or advances_of(proforma):
        return []
    snap = snapshot_of(proforma)
    parts = payment_parts(payments_of(proforma), proforma.paid)
    received = _received_by_month(parts)
    ended = _ended_on(proforma)
    end_month = month_of(ended[1]) if ended else None

    def advance_of(m: date) -> tuple[RateTotal, ...]:
        return advance_totals(snap.totals, received.get(m, ZERO))

    def row(kind: str, point: date, totals: tuple[RateTotal, ...]) -> RegisterRow:
        return RegisterRow(
            tax_point=point,
            kind=kind,
            number=proforma.number,
            issue_date=None,
            buyer_name=snap.buyer.name,
            buyer_tax_id=snap.buyer.tax_id,
            currency=snap.currency,
            totals=totals,
            proforma_id=proforma.id,
        )

    if end_month is None or month < end_month:
        totals = advance_of(month)
        if not totals:
            return []
        in_month = [p for p in parts if month_of(p.date) == month]
        return [row("consumer_advance", in_month[-1].date, totals)]
    if month == end_month and ended is not None:
        earlier = [advance_of(m) for m in sorted(received) if m < month]
        taken = _summed(earlier)
        return [row(ended[0], ended[1], _negated(taken))] if taken else []
    return []


def _consumer_proformas(month: date) -> list[Document]:
    """Proformas that may have a consumer's advance row in ``month`` (a superset; :func:`consumer_rows` decides).

    Paid into in the month and not recorded as paid in full within it; or
    whose VAT invoice was issued by the end of the next month and which had
    money from an earlier month (or an earlier version); or whose money went
    back to the balance in the month. Proformas paid in one go within a
    month, most of them, are not read at all.
    """
    start = clock.start_of_day_utc(month)
    stop = clock.start_of_day_utc(_next_month(month))
    window_end = _month_end(_next_month(month))
    paid_in_full_within = (Document.status == "paid") & (Document.paid_at < stop)
    paid_into = (
        Payment.select(Payment.document)
        .join(Document, on=(Payment.document == Document.id))
        .where((Payment.received_at >= start) & (Payment.received_at < stop) & ~paid_in_full_within)
    )
    proforma = Document.alias()
    earlier = Payment.select(Payment.id).where((Payment.document == proforma.id) & (Payment.received_at < start))
    invoiced = (
        Document.select(Document.proforma_id)
        .join(proforma, on=(Document.proforma_id == proforma.id))
        .where(
            (Document.kind == "vat")
            & (Document.issue_date >= month)
            & (Document.issue_date <= window_end)
            & (fn.EXISTS(earlier) | proforma.supersedes_id.is_null(False))
        )
    )
    returned = LedgerEntry.select(LedgerEntry.document_id).where(
        LedgerEntry.kind.in_(RETURN_KINDS) & (LedgerEntry.created_at >= start) & (LedgerEntry.created_at < stop)
    )
    ids = (
        {p.document_id for p in paid_into}
        | {d.proforma_id for d in invoiced}
        | {e.document_id for e in returned if e.document_id}
    )
    found: dict[int, Document] = {}
    for document in Document.select().where(Document.id.in_(list(ids)) & (Document.kind == "proforma")):
        current = document
        while current.superseded_by_id:
            current = Document.get_by_id(current.superseded_by_id)
        found[current.id] = current
    return [found[k] for k in sorted(found)]


def sales_register(month: date, today: date | None = None) -> SalesRegister:
    """The register of sales of ``month`` (any day in it), rows by tax point (module docstring)."""
    month = month_of(month)
    today = today or clock.today()
    rows = _documents(month)
    for proforma in _consumer_proformas(month):
        rows.extend(consumer_rows(proforma, month, today))
    rows.sort(key=lambda r: (r.tax_point, r.issue_date or r.tax_point, r.number))
    sums: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]] = {}
    for r in rows:
        for t in r.totals:
            net, vat, gross = sums.get((r.currency, t.vat_rate), (ZERO, ZERO, ZERO))
            sums[(r.currency, t.vat_rate)] = (net + t.net, vat + t.vat, gross + t.gross)
    return SalesRegister(
        month=month,
        rows=tuple(rows),
        sums=tuple(RateSum(cur, rate, *vals) for (cur, rate), vals in sorted(sums.items())),
        provisional=today <= _month_end(month),
    )


CSV_HEADER = (
    "tax_point",
    "kind",
    "number",
    "issue_date",
    "buyer",
    "buyer_tax_id",
    "currency",
    "vat_rate",
    "net",
    "vat",
    "gross",
)


def to_csv(register: SalesRegister) -> str:
    """The register as CSV, one line per row and rate, codes and ISO dates (for a bookkeeping program)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in register.rows:
        for t in r.totals:
            writer.writerow(
                (
                    r.tax_point.isoformat(),
                    r.kind,
                    r.number,
                    r.issue_date.isoformat() if r.issue_date else "",
                    r.buyer_name,
                    r.buyer_tax_id,
                    r.currency,
                    t.vat_rate,
                    t.net,
                    t.vat,
                    t.gross,
                )
            )
    return out.getvalue()
