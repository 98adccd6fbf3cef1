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
  (:func:`advances_due`; the dashboard counts it with :func:`count_due`, one
  statement whatever the number of proformas). When the whole amount arrives within the month of
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

import peewee

from core import activity, clock, db
from core.documents.build import LineInput, rate_percent
from core.documents.issuing import issue_document, snapshot_of
from core.documents.pdf_labels import fmt_money
from core.documents.snapshot import AdvanceRef, PaymentPart, RateTotal
from core.documents.state import OPEN_STATUSES, payment_parts, payments_of, version_ids
from core.keyset import Count, capped_count
from core.models import Customer, Document, LedgerEntry, Payment
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
    return _due(proforma, before, payments_of(proforma), advanced(proforma), wants_advance_invoice(proforma))


def _due(
    proforma: Document, before: date, payments: list[Payment], documented: Decimal, invoice: bool
) -> AdvanceDue | None:
    """:func:`undocumented` from what was read: the proforma's ``payments`` (:func:`payments_of`), the gross
    its advance invoices ``documented``, and whether the buyer gets an ``invoice``."""
    parts = payment_parts(payments, proforma.paid)
    before = min(before, _completed_in(proforma, parts) or before)
    received = [p for p in parts if p.date < before]
    amount = sum((p.amount for p in received), ZERO) - documented
    if amount <= 0:
        return None
    day = received[-1].date
    return AdvanceDue(proforma, amount, _last(received, amount), day, deadline(day), invoice)


def _completed_in(proforma: Document, parts: tuple[PaymentPart, ...]) -> date | None:
    """The first day of the month in which ``proforma``'s payment ``parts`` reached its total, or None while they
    have not.

    Money received in that month is documented by the VAT invoice, not as an
    advance (art. 106b ust. 1a), even when the payment is recorded in a later
    month with its real date (a bank transfer entered by staff). A part-paid
    proforma has not reached it: this changes nothing :func:`due_query` finds.
    """
    total = ZERO
    for part in parts:
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


def _versions(seed: peewee.ModelSelect[Document]) -> peewee.CTE:
    """``(head, vid)``: each proforma ``seed`` selects (twice its id), and every earlier version it supersedes.

    A recursive walk of ``supersedes_id``, as :func:`core.documents.state.version_ids`
    does one proforma at a time; UNION, not UNION ALL, so a (broken) cycle of
    versions ends the walk.
    """
    older = Document.alias("older")
    chain = seed.cte("proforma_versions", recursive=True, columns=("head", "vid"))
    step = (
        older.select(chain.c.head, older.supersedes_id)
        .join(chain, on=(older.id == chain.c.vid))
        .where(older.supersedes_id.is_null(False))
    )
    return chain.union(step)


def due_query(before: date) -> peewee.ModelSelect[Document]:
    """The part-paid proformas with money received before ``before`` that no advance invoice documents, in SQL.

    The same proformas for which :func:`undocumented` answers an amount, asked
    in one statement: per proforma (with the earlier versions it supersedes, a
    recursive walk of ``supersedes_id``) the payments received before
    ``before`` (a payment that went wholly to the credit balance does not
    count), at most what the proforma counts as paid, exceed the advance
    invoices issued. Nothing is read per proforma, so a count of it costs the
    same for one proforma as for a hundred thousand.
    """
    head = Document.alias("head")
    versions = _versions(
        head.select(head.id, head.id).where((head.kind == "proforma") & (head.status == "partially_paid"))
    )
    to_balance = LedgerEntry.select(peewee.SQL("1")).where(
        (LedgerEntry.kind == "overpayment")
        & (LedgerEntry.payment_id == Payment.id)
        & (LedgerEntry.amount >= Payment.amount)
    )
    received = (
        Payment.select(versions.c.head.alias("head"), peewee.fn.SUM(Payment.amount).alias("amount"))
        .join(versions, on=(Payment.document == versions.c.vid))
        .where((Payment.received_at < clock.stored_start_of(before)) & ~peewee.fn.EXISTS(to_balance))
        .group_by(versions.c.head)
        .cte("received_before")
    )
    advance = Document.alias("advance")
    documented = (
        advance.select(versions.c.head.alias("head"), peewee.fn.SUM(advance.total_gross).alias("amount"))
        .join(versions, on=(advance.proforma_id == versions.c.vid))
        .where(advance.kind == "advance")
        .group_by(versions.c.head)
        .cte("documented")
    )
    advanced = peewee.fn.COALESCE(documented.c.amount, 0)
    return (
        Document.select()
        .join(received, on=(received.c.head == Document.id))
        .join(documented, peewee.JOIN.LEFT_OUTER, on=(documented.c.head == Document.id))
        .where((received.c.amount > advanced) & (Document.paid > advanced))
        .with_cte(versions, received, documented)
    )


def count_due(cap: int, today: date | None = None) -> Count:
    """How many proformas :func:`advances_due` lists, up to ``cap`` (one statement, no rows read)."""
    return capped_count(due_query(first_of_month(today or clock.today())), cap)


def advances_due(today: date | None = None) -> list[AdvanceDue]:
    """Open part-paid proformas with money received in an earlier month and no advance invoice for it yet.

    Read in five statements whatever their number (:func:`due_query`, then the
    versions, payments, advance invoices and customers of all of them); each
    proforma's ``customer`` is set from them.
    """
    before = first_of_month(today or clock.today())
    proformas = list(due_query(before))
    if not proformas:
        return []
    chains: dict[int, list[int]] = {p.id: [] for p in proformas}
    head = Document.alias("head")
    versions = _versions(head.select(head.id, head.id).where(head.id.in_(list(chains))))
    for head_id, version_id in versions.select_from(versions.c.head, versions.c.vid).tuples():
        if version_id != head_id:
            chains[head_id].append(version_id)
    every = [*chains, *(v for vs in chains.values() for v in vs)]
    paid_to: dict[int, list[Payment]] = {}
    for payment in Payment.select().where(Payment.document.in_(every)):
        paid_to.setdefault(payment.document_id or 0, []).append(payment)
    earlier_ids = [p.id for v in every if v not in chains for p in paid_to.get(v, [])]
    overpaid = {
        e.payment_id: e.amount
        for e in LedgerEntry.select().where(
            (LedgerEntry.kind == "overpayment") & LedgerEntry.payment_id.in_(earlier_ids or [0])
        )
    }
    documented: dict[int, Decimal] = {}
    for advance in Document.select(Document.proforma_id, Document.total_gross).where(
        (Document.kind == "advance") & Document.proforma_id.in_(every)
    ):
        key = advance.proforma_id or 0
        documented[key] = documented.get(key, ZERO) + advance.total_gross
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_({p.customer_id for p in proformas}))}
    found = []
    for proforma in proformas:
        earlier = [p for v in chains[proforma.id] for p in paid_to.get(v, [])]
        applied = [p for p in earlier if p.amount - overpaid.get(p.id, ZERO) > 0]  # as payments_of counts them
        payments = sorted(paid_to.get(proforma.id, []) + applied, key=lambda p: (p.received_at, p.id))
        advanced_gross = sum((documented.get(v, ZERO) for v in (proforma.id, *chains[proforma.id])), ZERO)
        proforma.customer = customers[proforma.customer_id]  # read above: no query per proforma
        due = _due(proforma, before, payments, advanced_gross, wants_advance_invoice(proforma))
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
