"""Staff credit is a discount, deposits are payments: the one rule that splits a credit balance.

The balance (the ledger's sum) holds two kinds of money, and they leave it in
two different ways:

* **Staff credit** (ledger ``staff_credit``: goodwill staff gave, e.g. for an
  outage) is not money the customer paid. When it is used it lowers the price
  on the document, as a discount (rabat) on its lines, so the tax base and the
  VAT go down with it (art. 29a ust. 7 pkt 2 of the VAT act: discounts granted
  at the moment of sale are not part of the tax base; art. 106e ust. 1 pkt 10:
  the invoice states them). It is never a payment, and never paid out.
* **Deposits** (top-ups, overpayments, credits from corrections, refunds that
  did not happen...: everything else) are money the customer paid. They pay a
  proforma as a payment (method "credit balance"), the tax point being the day
  they are applied, and are the only part a refund may pay out.

**Which is used first.** Staff credit first, then deposits: a new document is
discounted by all the staff credit it can take, and what is left to pay is paid
from deposits as far as they go. So what stays on the balance is refundable
money for as long as possible, and staff credit is never kept back while a
deposit is spent. :func:`split` is the one function that decides this, for
package changes (:mod:`core.upgrades.settle`), orders
(:func:`core.orders.quote.settle`) and renewals (:mod:`core.renewals.issuing`).

**How a discount is sized.** The staff credit is gross money; a discount is a
net amount on a line, and VAT is computed once per rate on the discounted net
(docs/billing.md rule 1). Going through the lines in order, each line is
discounted by the largest whole-grosz net amount (at most its net) whose drop in
the document's gross, VAT included, is within the credit left. The credit used
is the exact drop in gross: the ledger is debited by that (``staff_credit_used``),
so the balance stays exact to the grosz; a grosz the rounding of VAT cannot
give stays on the balance.

**Which part is which** is read from the ledger in the order the entries were
made (:func:`parts_from`): ``staff_credit`` and ``staff_credit_returned`` add
staff credit, ``staff_credit_used`` and ``staff_debit`` take from it first,
``applied`` and ``refund`` take from deposits first (before this rule a payment
from the balance could spend staff credit, so an older ledger reads right too),
and every other kind adds deposits. The two parts always add up to the balance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from core.documents.build import LineInput, make_line, rate_percent, rate_totals
from core.i18n import N_, document_text
from core.models import Customer, Document, LedgerEntry
from core.money import CENT, ZERO, round_money, vat_of

#: Ledger kinds that put staff credit on the balance.
STAFF_CREDIT_IN = ("staff_credit", "staff_credit_returned")
#: Ledger kinds that take staff credit first (then deposits).
STAFF_CREDIT_FIRST = ("staff_credit_used", "staff_debit")
#: The ledger kind of staff credit given as a discount on a document, and of its return.
USED, RETURNED = "staff_credit_used", "staff_credit_returned"


@dataclass(frozen=True)
class BalanceParts:
    """A balance in its two parts (module docstring); both >= 0, ``staff_credit + deposits`` = the balance."""

    staff_credit: Decimal
    deposits: Decimal

    @property
    def total(self) -> Decimal:
        """The whole balance."""
        return self.staff_credit + self.deposits


def parts_from(entries: Iterable[tuple[str, Decimal]], deposits: Decimal = ZERO) -> BalanceParts:
    """The two parts of a balance from its ledger entries ``(kind, amount)``, oldest first (module docstring).

    ``deposits``: what the entries before these left, all deposits (no staff credit came before them).
    """
    credit = ZERO
    for kind, amount in entries:
        if amount >= 0:
            if kind in STAFF_CREDIT_IN:
                credit += amount
            else:
                deposits += amount
            continue
        take = -amount
        if kind in STAFF_CREDIT_FIRST:
            part = min(take, max(credit, ZERO))
            credit, deposits = credit - part, deposits - (take - part)
        else:
            part = min(take, max(deposits, ZERO))
            deposits, credit = deposits - part, credit - (take - part)
    return BalanceParts(credit, deposits)


def parts_of(customer_id: int) -> BalanceParts:
    """The customer's balance in its two parts, read from their ledger.

    Everything before the customer's first staff credit is deposits, summed
    by the database; only the entries from that one on are read and folded
    (:func:`parts_from`): a customer who never had staff credit reads no
    entry, however long their ledger. Three queries either way.
    """
    mine = LedgerEntry.customer == customer_id
    first = LedgerEntry.select(fn.MIN(LedgerEntry.id)).where(mine & LedgerEntry.kind.in_(STAFF_CREDIT_IN)).scalar()
    cut = int(first) if first is not None else None
    before = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount), 0).coerce(False)).where(
        mine & (LedgerEntry.id < cut) if cut is not None else mine
    )
    deposits = (Decimal(int(before.scalar() or 0)) / 100).quantize(CENT)
    # Without staff credit the entries' query reads nothing (no id is null): the same SQL either way.
    after = (LedgerEntry.id >= cut) if cut is not None else LedgerEntry.id.is_null()
    rows = LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount).where(mine & after).order_by(LedgerEntry.id)
    return parts_from(((str(row.kind), row.amount) for row in rows), deposits)


@dataclass(frozen=True)
class BalanceSplit:
    """How a balance meets one document (module docstring).

    ``discounts``: the net discount from staff credit added to each line, in
    the lines' order; ``staff_credit``: the gross the discounts take off the
    document (what the ledger is debited); ``deposits``: what deposits pay of
    what is left; ``gross``: what the document asks for after the discounts.
    """

    discounts: tuple[Decimal, ...] = ()
    staff_credit: Decimal = ZERO
    deposits: Decimal = ZERO
    gross: Decimal = ZERO

    @property
    def discount(self) -> Decimal:
        """The net of all the staff-credit discounts."""
        return sum(self.discounts, ZERO)

    def applied_to(self, lines: Sequence[LineInput]) -> list[LineInput]:
        """``lines`` with their staff-credit discounts added to the discounts they had."""
        if not any(self.discounts):
            return list(lines)
        return [
            dataclasses.replace(line, discount=line.discount + extra)
            for line, extra in zip(lines, self.discounts, strict=True)
        ]


def _drop(rate_net: Decimal, percent: Decimal | None, discount: Decimal) -> Decimal:
    """How much a rate's gross falls when its net sum ``rate_net`` is lowered by ``discount`` (VAT once per rate)."""
    if percent is None:
        return discount
    return discount + vat_of(rate_net, percent) - vat_of(rate_net - discount, percent)


def _largest(line_net: Decimal, rate_net: Decimal, percent: Decimal | None, budget: Decimal) -> Decimal:
    """The largest net discount on a line of ``line_net`` whose drop in gross is at most ``budget``."""
    if line_net <= 0 or budget <= 0:
        return ZERO
    guess = budget if percent is None else round_money(budget * 100 / (100 + percent))
    discount = min(max(guess, ZERO), line_net)
    while discount > 0 and _drop(rate_net, percent, discount) > budget:
        discount -= CENT
    while discount < line_net and _drop(rate_net, percent, discount + CENT) <= budget:
        discount += CENT
    return discount


def split(
    lines: Sequence[LineInput],
    *,
    staff_credit: Decimal,
    deposits: Decimal,
    reverse_charge: bool = False,
    payable: Decimal | None = None,
) -> BalanceSplit:
    """Decide how ``staff_credit`` and ``deposits`` meet a document of ``lines`` (module docstring). Pure.

    ``payable`` is the gross the customer is asked for when it is not the
    lines' own gross (a package change invoiced as a correction plus a new
    invoice asks for their sum; the discounts go on the new invoice's lines):
    neither part is used beyond it. ``reverse_charge`` prices the lines as the
    document will (no VAT).
    """
    priced = [make_line(line, reverse_charge=reverse_charge) for line in lines]
    sums = {total.vat_rate: total.net for total in rate_totals(priced)}
    gross = sum((total.gross for total in rate_totals(priced)), ZERO)
    limit = gross if payable is None else payable
    budget = max(min(staff_credit, limit), ZERO)
    used = ZERO
    discounts = []
    for line in priced:
        percent = rate_percent(line.vat_rate)
        discount = _largest(line.net, sums[line.vat_rate], percent, budget - used)
        used += _drop(sums[line.vat_rate], percent, discount)
        sums[line.vat_rate] -= discount
        discounts.append(discount)
    left = limit - used
    return BalanceSplit(tuple(discounts), used, max(min(deposits, left), ZERO), left)


def use_balance(
    lines: Sequence[LineInput],
    parts: BalanceParts,
    *,
    deposits_offered: Decimal,
    reverse_charge: bool = False,
    payable: Decimal | None = None,
) -> BalanceSplit:
    """:func:`split` with the customer's whole staff credit and the deposits the balance plugin offers.

    Staff credit is a discount the provider granted, not a way to pay, so all
    of it is used; deposits only as far as ``deposits_offered`` (the balance
    plugin offers them all unless the provider turned that off).
    """
    offered = max(min(deposits_offered, parts.deposits), ZERO)
    return split(
        lines, staff_credit=parts.staff_credit, deposits=offered, reverse_charge=reverse_charge, payable=payable
    )


def split_at_issue(
    customer: Customer, lines: Sequence[LineInput], *, replacing: Document | None = None
) -> BalanceSplit:
    """:func:`split` of the customer's staff credit over a proforma about to be issued (no deposits: they pay it after).

    For a document priced at its issue (a renewal, an order that waited for
    its VIES check): run it under the customer's money lock, in the issuing
    transaction, and issue ``applied_to(lines)`` with ``staff_credit``.
    ``replacing``: a proforma that will be cancelled for this one; the staff
    credit it took counts as available (it is given back when it is cancelled).
    """
    from core.documents.build import is_reverse_charge
    from core.documents.issuing import buyer_party

    reverse = is_reverse_charge(buyer_party(customer))
    available = parts_of(customer.id).staff_credit + (taken_by(replacing) if replacing is not None else ZERO)
    return split(lines, staff_credit=available, deposits=ZERO, reverse_charge=reverse)


def staff_credit_notes(discount: Decimal) -> list[str]:
    """The note a proforma carries when ``discount`` (net) of its discounts is staff credit; none for zero.

    In the document language, like every document text; the VAT invoice copies it.
    """
    if discount <= 0:
        return []
    from core import runtime
    from core.documents.pdf_labels import fmt_money

    currency = str(runtime.config().get_value("app.currency"))
    return [
        document_text(
            N_("Discount from credit granted by our staff: %(amount)s %(currency)s net"),
            amount=fmt_money(discount),
            currency=currency,
        )
    ]


def _versions(document: Document) -> list[int]:
    """The ids of ``document`` and of every earlier version it superseded (a staff re-issue keeps the discount)."""
    ids: list[int] = []
    current: Document | None = document
    while current is not None and current.id not in ids:
        ids.append(current.id)
        current = Document.get_or_none(Document.id == current.supersedes_id) if current.supersedes_id else None
    return ids


def taken_by(document: Document) -> Decimal:
    """The staff credit ``document`` (and the versions it superseded) holds as a discount, not given back."""
    rows = LedgerEntry.select(LedgerEntry.amount).where(
        (LedgerEntry.customer == document.customer_id)
        & (LedgerEntry.document_id.in_(_versions(document)))
        & (LedgerEntry.kind.in_([USED, RETURNED]))
    )
    return -sum((row.amount for row in rows), ZERO)


def give_back(document: Document) -> LedgerEntry | None:
    """Return to the balance the staff credit a cancelled proforma took as a discount; the entry, or None.

    Runs in the cancelling transaction, with the customer's money lock. The
    amount is what the ledger records as taken for this proforma and the
    versions it superseded, less what was given back already, so it is exact
    and given back once (``staff_credit_returned``).
    """
    from core.balance import ledger

    taken = taken_by(document)
    if taken <= 0:
        return None
    return ledger.append(
        document.customer_id,
        RETURNED,
        taken,
        document_id=document.id,
        reason=document_text(
            N_("%(number)s was cancelled: its discount is back on the balance"), number=document.number
        ),
    )
