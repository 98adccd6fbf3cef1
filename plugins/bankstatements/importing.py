"""Importing a statement: read it, then book or queue each credit, once ever.

:func:`import_statement` parses the whole file first (a file that does not
read books nothing), then handles each credit in a write transaction of its
own:

1. It claims the line's key (:mod:`plugins.bankstatements.keys`) by inserting
   its :class:`StatementEntry`; the key is unique, so a line seen by an
   earlier import, or by a second import of the same file running at the
   same time (on PostgreSQL the second insert waits for the first
   transaction and then fails), is counted as already known and nothing else
   happens.
2. A payment already recorded under the key (staff typed the transfer in)
   marks the entry ``recorded``: nothing is booked twice.
3. Otherwise :func:`plugins.bankstatements.matching.decide` says where the
   money goes; a certain match is recorded (on PostgreSQL after deciding
   again under the customer's row lock; SQLite's write lock is held from the
   start) through :func:`core.payments.recording.record_payment`
   (same transaction rules as every payment: part payments leave the rest to
   pay, overpayments go to the credit balance); anything else is queued for
   staff. A plugin refusing the payment queues the entry with its message.

Debits (outgoing transfers, fees, the VAT moved out of a split payment) and
reversals are ignored and counted as such. The summary, stored on the
:class:`StatementImport`, counts and sums credits, matched, queued, already
known and ignored lines: matched + queued + known = credits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee

from core import activity, clock, db, runtime
from core.errors import DomainError
from core.hookspecs import HookRefused
from core.models import Payment
from core.money import ZERO
from core.payments.bank_entry import arrival_time
from core.payments.recording import record_payment
from plugins.bankstatements.keys import METHOD, line_keys
from plugins.bankstatements.matching import Decision, decide
from plugins.bankstatements.models import Bank, StatementEntry, StatementImport
from plugins.bankstatements.parsers import StatementLine
from plugins.bankstatements.parsers.reading import read_statement


@dataclass
class Tally:
    """A count and a sum."""

    count: int = 0
    total: Decimal = ZERO

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.total += amount


def import_statement(
    data: bytes, *, bank: Bank | None = None, filename: str = "", staff: Any = None, via: str = "admin", ip: str = ""
) -> StatementImport:
    """Import one statement file; return the import with its summary. Raises StatementError for a bad file."""
    parsed = read_statement(data, bank)
    keys = line_keys(parsed)
    with db.write_transaction():
        record = StatementImport.create(
            bank=bank,
            format=parsed.format,
            filename=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            account=parsed.account[:64],
            staff_id=getattr(staff, "id", None),
            via=via,
        )
    tallies = {name: Tally() for name in ("credits", "matched", "queued", "known", "ignored")}
    split_mode = bank.split_payment if bank is not None else "auto"
    for line, key in zip(parsed.lines, keys, strict=True):
        if not line.is_credit:
            tallies["ignored"].add(abs(line.amount))
            continue
        tallies["credits"].add(line.amount)
        tallies[handle_line(record, line, key, split_mode, staff)].add(line.amount)
    with db.write_transaction():
        for name, tally in tallies.items():
            setattr(record, name, tally.count)
            setattr(record, f"{name}_sum", tally.total)
        record.save()
        activity.record(
            "statements.imported",
            actor=staff,
            subject=record,
            ip=ip,
            via=via,
            file=record.filename,
            summary={name: f"{tally.count} / {tally.total}" for name, tally in tallies.items()},
        )
    return record


def handle_line(record: StatementImport, line: StatementLine, key: str, split_mode: str, staff: Any = None) -> str:
    """Book or queue one credit; return ``"matched"``, ``"queued"`` or ``"known"`` (seen before)."""
    try:
        with db.write_transaction():
            if StatementEntry.select().where(StatementEntry.key == key).exists():
                return "known"
            entry = _claim(record, line, key)
            existing = Payment.get_or_none((Payment.method == METHOD) & (Payment.transaction_id == key))
            if existing is not None:
                _mark_recorded(entry, existing)
                return "known"
            decision = decide(line, split_mode)
            if decision.action == "book" and decision.customer_id is not None and db.is_postgres():
                # Decided again under the customer's row lock, so what is due is what it pays; SQLite's
                # write lock was held from the transaction's first statement, so there the decision stands.
                db.lock_customer(decision.customer_id)
                decision = decide(line, split_mode)
            if decision.action == "book":
                return _book_or_queue(entry, decision, staff)
            _queue(entry, decision)
            return "queued"
    except peewee.IntegrityError:
        if StatementEntry.select().where(StatementEntry.key == key).exists():
            return "known"  # a concurrent import of the same line claimed the key first
        raise


def _claim(record: StatementImport, line: StatementLine, key: str) -> StatementEntry:
    currency = line.currency or str(runtime.config().get_value("app.currency"))
    return StatementEntry.create(
        key=key,
        statement_import=record,
        position=line.position,
        booking_date=line.booking_date,
        amount=line.amount,
        currency=currency[:3],
        title=line.title[:2000],
        counterparty=line.counterparty[:255],
        counterparty_account=line.counterparty_account[:64],
        reference=line.reference[:128],
        state="queued",
    )


def _mark_recorded(entry: StatementEntry, payment: Payment) -> None:
    entry.state = "recorded"
    entry.rule = "staff" if payment.recorded_by_staff else ""
    entry.customer_id = payment.customer_id
    entry.document_id = payment.document_id
    entry.payment_id = payment.id
    entry.save()


def _queue(entry: StatementEntry, decision: Decision) -> None:
    entry.state = "queued"
    entry.reason = decision.reason[:255]
    entry.candidates = decision.candidates
    entry.customer_id = decision.customer_id
    entry.vat_amount = decision.vat
    entry.save()


def _book_or_queue(entry: StatementEntry, decision: Decision, staff: Any) -> str:
    try:
        with db.write_transaction():  # a savepoint: a refusal undoes the booking, not the entry
            book(entry, decision, staff)
        return "matched"
    except (DomainError, HookRefused) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        _queue(entry, Decision("queue", reason=message, candidates=[d.id for d, _a in decision.parts if d]))
        return "queued"


def book(entry: StatementEntry, decision: Decision, staff: Any = None, *, state: str = "booked") -> None:
    """Record the payment(s) of ``decision`` for ``entry`` and mark it ``state``; inside a write transaction.

    The first part is recorded under the entry's key, further parts (a
    transfer paying several documents) under ``key#2``, ``key#3``; each as
    received on the statement's booking date (noon, the provider's time). A payment
    under the key that appeared meanwhile (staff typed it in) marks the entry
    ``recorded`` and books nothing.
    """
    details = {"statement_entry": entry.id, "booking_date": entry.booking_date.isoformat(), "rule": decision.rule}
    if decision.vat is not None:
        details["split_payment_vat"] = str(decision.vat)
    for index, (document, amount) in enumerate(decision.parts):
        outcome = record_payment(
            METHOD,
            entry.key if index == 0 else f"{entry.key}#{index + 1}",
            amount,
            document,
            customer_id=decision.customer_id,
            staff=staff,
            details=details,
            received_at=arrival_time(entry.booking_date),
        )
        if index == 0 and outcome.duplicate:
            _mark_recorded(entry, outcome.payment)
            return
        if index == 0:
            entry.payment_id = outcome.payment.id
    first = decision.parts[0][0] if decision.parts else None
    entry.state = state
    entry.rule = decision.rule
    entry.customer_id = decision.customer_id
    entry.document_id = first.id if first is not None else None
    entry.vat_amount = decision.vat
    entry.reason = ""
    if state == "assigned":
        entry.resolved_by = getattr(staff, "id", None)
        entry.resolved_at = clock.utcnow()
    entry.save()
