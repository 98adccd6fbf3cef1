"""Deciding where one incoming transfer goes, in a fixed order of rules.

1. **Document number in the title** (:mod:`plugins.bankstatements.numbers`):
   every number written, in order. A superseded proforma counts as its newest
   version. The money pays them in that order, each up to what is due on it;
   what is left goes to the last one, whose overpayment goes to the credit
   balance (and a document no longer open sends all of it there).
2. **Split payment** (:mod:`plugins.bankstatements.splitpay`): the invoice named
   after ``/INV/`` is paid in full once, whether the bank credited the net
   amount or the gross.
3. **The customer's virtual account** (:mod:`plugins.bankstatements.virtual`):
   the customer is certain; the money pays their open proforma whose amount
   due equals it, else their open proformas oldest first, the rest to their
   credit balance (all of it when nothing is open).
4. **Amount and payer**: the one open proforma whose amount due equals the
   transfer, of the customer recognised as the payer
   (:mod:`plugins.bankstatements.payer`).

Anything less than certain goes to staff with the candidates: numbers of
documents of different customers, a virtual account of another customer than
the document named, another currency, split-payment amounts that do not add
up, several documents of the amount, or one whose payer is not recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from core.i18n import N_
from core.models import Customer, Document
from core.money import ZERO
from core.payments.recording import OPEN_STATUSES, amount_due
from plugins.bankstatements import payer, splitpay, virtual
from plugins.bankstatements.numbers import numbers_with_kinds
from plugins.bankstatements.parsers import StatementLine

MAX_CANDIDATES = 20


@dataclass
class Decision:
    """Book ``parts`` (``(document or None for the balance, amount)``), or queue with candidates."""

    action: str  # book | queue
    rule: str = ""
    customer_id: int | None = None
    parts: list[tuple[Document | None, Decimal]] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    reason: str = ""
    vat: Decimal | None = None


def _queue(reason: str, candidates: list[Document], customer_id: int | None = None) -> Decision:
    ids = list(dict.fromkeys(d.id for d in candidates))[:MAX_CANDIDATES]
    return Decision("queue", reason=reason, candidates=ids, customer_id=customer_id)


def current_version(document: Document) -> Document:
    """A superseded proforma's newest version (staff corrected it); any other document as it is."""
    hops = 0
    while document.status == "superseded" and document.superseded_by_id and hops < 20:
        document = Document.get_by_id(document.superseded_by_id)
        hops += 1
    return document


def documents_named(numbers: list[tuple[str, str]]) -> list[Document]:
    """The documents with these ``(kind, number)`` (newest versions), in the order given."""
    found: dict[tuple[str, str], Document] = {}
    for kind in {kind for kind, _n in numbers}:
        wanted = [n for k, n in numbers if k == kind]
        query = Document.select().where((Document.kind == kind) & Document.number.in_(wanted))  # the unique index
        found.update({(d.kind, d.number): d for d in query})
    ordered = [current_version(found[key]) for key in numbers if key in found]
    return list({d.id: d for d in ordered}.values())


def allocate(amount: Decimal, documents: list[Document]) -> list[tuple[Document | None, Decimal]]:
    """Split ``amount`` over ``documents`` in order, each up to its amount due; the rest to the last one."""
    parts: list[tuple[Document | None, Decimal]] = []
    left = amount
    open_docs = [d for d in documents if amount_due(d) > 0] or documents[:1]
    for index, document in enumerate(open_docs):
        last = index == len(open_docs) - 1
        share = left if last else min(left, amount_due(document))
        if share > 0:
            parts.append((document, share))
            left -= share
        if left <= 0:
            break
    return parts


def _virtual_customer(line: StatementLine) -> int | None:
    if not virtual.enabled():
        return None
    for account in line.own_accounts:
        customer_id = virtual.customer_for(account)
        if customer_id is not None and Customer.get_or_none(Customer.id == customer_id) is not None:
            return customer_id
    return None


def open_proformas(customer_id: int | None = None, amount: Decimal | None = None, currency: str = "") -> list[Document]:
    """Open proformas, oldest due first; of one customer and/or with exactly ``amount`` due."""
    query = Document.select().where((Document.kind == "proforma") & Document.status.in_(OPEN_STATUSES))
    if customer_id is not None:
        query = query.where(Document.customer == customer_id)
    if currency:
        query = query.where(Document.currency == currency)
    if amount is not None:
        cents = peewee.Value(int(amount * 100), converter=False)
        query = query.where((Document.total_gross - Document.paid) == cents)
    return list(query.order_by(Document.due_date, Document.id))


def decide(line: StatementLine, split_mode: str = "auto") -> Decision:
    """Where the credit ``line`` goes (see the module docstring). Reads only; books nothing."""
    amount = line.amount
    virtual_customer = _virtual_customer(line)
    spellings = line.title_spellings()
    split = next((found for text in spellings if (found := splitpay.parse_split_payment(text))), None)
    numbers = numbers_with_kinds(split.invoice) if split else []
    numbers += [n for n in numbers_with_kinds(*spellings) if n not in numbers]
    documents = documents_named(numbers)
    if documents:
        customers = {d.customer_id for d in documents}
        if len(customers) > 1:
            return _queue(N_("The title names documents of different customers."), documents)
        customer_id = customers.pop()
        if virtual_customer is not None and virtual_customer != customer_id:
            return _queue(N_("The virtual account and the document named belong to different customers."), documents)
        if any(d.currency != line.currency for d in documents):
            return _queue(N_("The transfer is in another currency than the document."), documents, customer_id)
        if split is not None:
            return _split_decision(line, split, documents, split_mode)
        return Decision("book", "number", customer_id, allocate(amount, documents))
    if virtual_customer is not None:
        return _virtual_decision(line, virtual_customer)
    return _amount_decision(line)


def _split_decision(
    line: StatementLine, split: splitpay.SplitPayment, documents: list[Document], mode: str
) -> Decision:
    document = documents[0]
    if len(documents) > 1:
        return _queue(N_("A split payment pays one invoice, but the title names several."), documents)
    booked = splitpay.booked_amount(line.amount, split.vat, amount_due(document), mode)
    if booked is None:
        queued = _queue(
            N_("Split payment: the amount and the VAT do not add up to what is due."), documents, document.customer_id
        )
        queued.vat = split.vat
        return queued
    decision = Decision("book", "split_payment", document.customer_id, [(document, booked)])
    decision.vat = split.vat
    return decision


def _virtual_decision(line: StatementLine, customer_id: int) -> Decision:
    exact = open_proformas(customer_id, line.amount, line.currency)
    if len(exact) == 1:
        return Decision("book", "virtual_account", customer_id, [(exact[0], line.amount)])
    documents = open_proformas(customer_id, currency=line.currency)
    if not documents:
        return Decision("book", "virtual_account", customer_id, [(None, line.amount)])
    parts = allocate(line.amount, documents)
    return Decision("book", "virtual_account", customer_id, parts)


def _amount_decision(line: StatementLine) -> Decision:
    candidates = open_proformas(amount=line.amount, currency=line.currency)
    known_payer = payer.customer_by_account(line.counterparty_account)
    if not candidates:
        return _queue(
            N_("No document number, virtual account or document with this amount due was found."), [], known_payer
        )
    if known_payer is not None:
        fitting = [d for d in candidates if d.customer_id == known_payer]
    else:
        customers = {c.id: c for c in Customer.select().where(Customer.id.in_([d.customer_id for d in candidates]))}
        names = line.payer_spellings()
        fitting = [d for d in candidates if payer.name_matches(names, customers[d.customer_id])]
    if len(fitting) == 1:
        return Decision("book", "amount_payer", fitting[0].customer_id, [(fitting[0], line.amount)])
    if len(candidates) > 1:
        return _queue(N_("Several documents have this amount due."), candidates, known_payer)
    return _queue(N_("One document has this amount due, but the payer was not recognised."), candidates, known_payer)


def payable(parts: list[tuple[Document | None, Decimal]]) -> Decimal:
    """The sum of ``parts``."""
    return sum((amount for _doc, amount in parts), ZERO)
