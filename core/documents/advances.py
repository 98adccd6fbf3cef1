"""Advance invoices for part payments (faktura zaliczkowa) and the settlement invoice that follows.

Hosting is a periodic service, performed at the end of each period (art. 19a
ust. 3 of the VAT act), so money received for it earlier is an advance and VAT
is due on it when it is received (art. 19a ust. 8):

* **When.** A proforma paid only in part (a transfer for part of it, or the
  credit balance applied at issue) whose rest has not arrived by the end of the
  month of that part gets an advance invoice (art. 106b ust. 1 pkt 4) for the
  amount received in that month and earlier, not yet documented, no later than
  the 15th of the next month (art. 106i ust. 2). ``hookbill cron`` issues it
  (:func:`run_advance_invoices`, daily); staff see what is due
  (:func:`advances_due`). When the whole amount arrives within the month of
  the first part, no advance invoice is needed (art. 106b ust. 1a): the VAT
  invoice issued on the last payment documents it all. When the rest arrives
  in a later month before the cron ran, the advance invoice is issued first,
  in the same transaction.
* **What.** Its amount per rate follows art. 106f ust. 1 pkt 3: VAT = gross
  received x rate / (100 + rate), rounded once; net = gross - VAT. Over
  several rates the gross is split in proportion to each rate's gross on the
  proforma (the last rate takes the rest, so the parts add up exactly). It names
  the order (the proforma's lines and gross value, art. 106f ust. 1 pkt 4), the
  date the money was received (its date of supply, art. 106e ust. 1 pkt 6) and
  the payments. FA(3) ``RodzajFaktury`` ``ZAL``.
* **Settlement.** The VAT invoice issued when the proforma is paid in full is
  the settlement invoice (art. 106f ust. 3, FA(3) ``ROZ``): it lists the
  service in full, names the advance invoices, and its totals are what is left
  after them (:func:`core.documents.build.build_snapshot`, ``advances``).
* **Consumers** (art. 106b ust. 3): a private person gets an advance invoice
  only when they asked for invoices for advances (:attr:`Customer.advance_invoices`);
  without it no document is issued, but the tax point is the same, and
  :func:`advances_due` lists the amount and the day received for the
  provider's register of sales.
* **Corrections.** When the proforma is cancelled and what was paid on it goes
  to the credit balance (a stale change, a terminated service), each advance
  invoice is corrected to nothing (FA(3) ``KOR_ZAL``), the refund settled on
  the balance (:func:`return_advances`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import activity, clock, db
from core.documents.build import LineInput, rate_percent
from core.documents.issuing import issue_document, snapshot_of
from core.documents.pdf_labels import fmt_money
from core.documents.snapshot import AdvanceRef, PaymentPart, RateTotal
from core.documents.state import OPEN_STATUSES, payment_parts, payments_of, version_ids
from core.models import Document
from core.money import ZERO, round_money

#: What an advance invoice says about the order it pays for (Polish, the document's language).
ORDER_NOTE = "Zaliczka na poczet zamówienia (proforma {proforma}) o wartości brutto {value} {currency}"
#: What a settlement invoice says about the advances it settles.
SETTLEMENT_NOTE = "Rozliczenie zaliczek: {advances}; pozostało do zapłaty {left} {currency}"

#: Why an advance invoice is corrected to nothing (Polish, the document's language).
RETURN_REASON = "Anulowanie zamówienia: zaliczka zwrócona na saldo konta klienta"


def advance_totals(totals: tuple[RateTotal, ...], gross: Decimal) -> tuple[RateTotal, ...]:
    """The advance ``gross`` per rate of an order with ``totals`` (module docstring, art. 106f ust. 1 pkt 3)."""
    whole = sum((t.gross for t in totals), ZERO)
    if whole <= 0 or gross <= 0:
        return ()
    result, left = [], gross
    for index, total in enumerate(totals):
        part = left if index == len(totals) - 1 else round_money(gross * total.gross / whole)
        left -= part
        percent = rate_percent(total.vat_rate)
        vat = round_money(part * percent / (100 + percent)) if percent is not None else ZERO
        result.append(RateTotal(total.vat_rate, part - vat, vat, part))
    return tuple(result)


def advances_of(proforma: Document) -> list[Document]:
    """The advance invoices issued for ``proforma`` or an earlier version of it, oldest first."""
    return list(
        Document.select()
        .where((Document.kind == "advance") & Document.proforma_id.in_(version_ids(proforma)))
        .order_by(Document.id)
    )


def advanced(proforma: Document) -> Decimal:
    """The gross the advance invoices of ``proforma`` document."""
    return sum((a.total_gross for a in advances_of(proforma)), ZERO)


def refs(advances: list[Document]) -> tuple[AdvanceRef, ...]:
    """Advance invoices as a settlement invoice names them."""
    return tuple(AdvanceRef(number=a.number, issue_date=a.issue_date, totals=snapshot_of(a).totals) for a in advances)


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def deadline(received: date) -> date:
    """The 15th of the month after ``received``: the last day to issue its advance invoice (art. 106i ust. 2)."""
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return date(year, month, 15)


def wants_advance_invoice(proforma: Document) -> bool:
    """True for a company buyer, and for a private person who asked for invoices for advances (art. 106b ust. 3)."""
    if snapshot_of(proforma).buyer.kind == "company":
        return True
    return bool(getattr(proforma.customer, "advance_invoices", False))


@dataclass(frozen=True)
class AdvanceDue:
    """Money received on ``proforma`` before ``before`` that no advance invoice documents yet."""

    proforma: Document
    amount: Decimal
    parts: tuple[PaymentPart, ...]
    received_on: date
    deadline: date
    invoice: bool


def undocumented(proforma: Document, before: date) -> AdvanceDue | None:
    """What ``proforma`` received before ``before`` and no advance invoice documents, or None."""
    before = min(before, _completed_in(proforma) or before)
    received = [p for p in payment_parts(payments_of(proforma), proforma.paid) if p.date < before]
    amount = sum((p.amount for p in received), ZERO) - advanced(proforma)
    if amount <= 0:
        return None
    day = received[-1].date
    return AdvanceDue(proforma, amount, _last(received, amount), day, deadline(day), wants_advance_invoice(proforma))


def _completed_in(proforma: Document) -> date | None:
    """The first day of the month in which ``proforma``'s payments reached its total, or None while they have not.

    Money received in that month is documented by the VAT invoice, not as an
    advance (art. 106b ust. 1a), even when the payment is recorded in a later
    month with its real date (a bank transfer entered by staff).
    """
    total = ZERO
    for part in payment_parts(payments_of(proforma), proforma.paid):
        total += part.amount
        if total >= proforma.total_gross:
            return first_of_month(part.date)
    return None


def _last(parts: list[PaymentPart], amount: Decimal) -> tuple[PaymentPart, ...]:
    """The newest ``parts`` making up ``amount`` (the older ones an earlier advance invoice documented)."""
    taken: list[PaymentPart] = []
    left = amount
    for part in reversed(parts):
        if left <= 0:
            break
        share = min(part.amount, left)
        taken.insert(
            0, PaymentPart(amount=share, date=part.date, method=part.method, label=part.label, ksef_form=part.ksef_form)
        )
        left -= share
    return tuple(taken)


def advances_due(today: date | None = None) -> list[AdvanceDue]:
    """Open part-paid proformas with money received in an earlier month and no advance invoice for it yet."""
    before = first_of_month(today or clock.today())
    found = []
    for proforma in Document.select().where((Document.kind == "proforma") & (Document.status == "partially_paid")):
        due = undocumented(proforma, before)
        if due is not None:
            found.append(due)
    return sorted(found, key=lambda d: (d.deadline, d.proforma.id))


def issue_advance(proforma: Document, before: date) -> Document | None:
    """Issue the advance invoice of what ``proforma`` received before ``before`` (once); None when none is due.

    Runs inside the caller's write transaction with the customer's lock.
    """
    due = undocumented(proforma, before)
    if due is None or not due.invoice:
        return None
    snap = snapshot_of(proforma)
    invoice = issue_document(
        proforma.customer,
        "advance",
        [LineInput.from_line(ln) for ln in snap.lines],
        proforma=proforma,
        sale_date=due.received_on,
        paid=due.amount,
        payment_date=due.received_on,
        payments=due.parts,
        payment_method=due.parts[-1].method,
        planned_totals=advance_totals(snap.totals, due.amount),
        order_value=proforma.total_gross,
        purpose=proforma.purpose,
        purpose_ref=proforma.purpose_ref,
        notes=[
            ORDER_NOTE.format(proforma=proforma.number, value=fmt_money(proforma.total_gross), currency=snap.currency)
        ],
    )
    activity.record(
        "document.advance_issued",
        subject=invoice,
        customer_id=proforma.customer_id,
        proforma=proforma.number,
        amount=str(due.amount),
    )
    return invoice


def run_advance_invoices(today: date | None = None) -> int:
    """Cron: issue every advance invoice due (module docstring); return how many were issued.

    Each proforma in its own transaction with the customer's lock, re-read
    inside it, so two cron nodes never issue one advance twice.
    """
    before = first_of_month(today or clock.today())
    issued = 0
    for due in advances_due(today):
        with db.write_transaction():
            db.lock_customer(due.proforma.customer_id)
            proforma = Document.get_by_id(due.proforma.id)
            if proforma.status in OPEN_STATUSES and issue_advance(proforma, before) is not None:
                issued += 1
    return issued


def return_advances(proforma: Document) -> list[Document]:
    """Correct every advance invoice of a cancelled ``proforma`` to nothing (KOR_ZAL), settled on the balance.

    The caller has put what was paid on the proforma on the credit balance.
    """
    from core.documents.corrections import issue_correction

    corrections = []
    for advance in advances_of(proforma):
        if Document.select().where((Document.kind == "correction") & (Document.corrects_id == advance.id)).exists():
            continue
        lines = [LineInput.from_line(ln) for ln in snapshot_of(advance).lines]
        corrections.append(issue_correction(advance, lines, RETURN_REASON, refund_on_balance=True))
    return corrections
