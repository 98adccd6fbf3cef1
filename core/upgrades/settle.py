"""The core's arithmetic of a quote (docs/billing.md rules), after every ``on_upgrade_quote`` implementation ran.

Plugins add lines to the quote; they never compute its totals, so a plugin that
adds a line (a discount, a fee) cannot leave the quote inconsistent. From the
lines, :func:`settle` computes, in this order:

1. **Totals per VAT rate** of the documents the quote becomes
   (:func:`core.upgrades.lines.planned_documents`), each priced as that document
   prices itself (:mod:`core.documents.build`): each line's net in whole grosze,
   VAT once per rate on the net sum of that rate (rule 1; a correcting invoice's
   totals are its after-state's minus its before-state's); the quote's total per
   rate is the sum over its documents, and the grand totals are their sums. For
   a buyer under reverse charge every line carries ``oo``.
2. **What confirming does** (rules 7-9) from the net: ``pay`` when it is
   positive, ``apply`` when it is zero, and for a negative net the configured
   downgrade mode: ``schedule`` (``end_of_period``: applies on the next due
   date; a new cycle re-anchors there, the same cycle keeps its anchored
   schedule, rule 4), ``credit`` or ``apply`` (``none``).
3. **The balance** (rule 7): only a quote that asks for money uses it, as
   :func:`core.balance.credit.use_balance` decides for every document: the
   staff credit on it first, as a discount on the lines of the VAT invoice
   (``staff_discounts``; the totals of step 1 are computed again with them, so
   VAT is on the discounted net), then the deposits, as a payment:
   ``balance_applied = min(balance_offered, deposits, gross)``, never negative,
   and ``to_pay = gross - balance_applied``. ``balance_offered`` is what the
   balance plugin decided deposits may pay (all of them, unless the provider
   turned the automatic application off); without it no deposit is applied.

Pure: no database, no I/O (line texts are in the document language of the
configuration), so the property tests run it by the thousand.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.balance.credit import BalanceParts, use_balance
from core.billing.cycles import Cycle, add_cycles, period_containing
from core.billing.vat import require_grosz
from core.documents.build import ordered_rates
from core.documents.snapshot import RateTotal
from core.money import ZERO
from core.upgrades.lines import invoice_lines, planned_documents
from core.upgrades.quote import Quote


def settle(quote: Quote) -> Quote:
    """Fill ``quote``'s totals, action, balance applied and amount to pay from its lines (module docstring).

    Raises ValueError naming the line when a line's net is not whole grosze or
    its VAT rate is not one a document can carry.
    """
    for line in quote.lines:
        require_grosz(line.net, f"the net of the quote's {line.kind!r} line")
        line.vat_rate = line.vat_rate or quote.vat_rate
    quote.staff_discounts, quote.staff_credit_applied = (), ZERO
    _total(quote)
    _decide_action(quote)
    if quote.action == "pay":
        staff_credit = max(min(quote.staff_credit_available, quote.balance_available), ZERO)
        parts = BalanceParts(staff_credit, max(quote.balance_available - staff_credit, ZERO))
        use = use_balance(
            invoice_lines(quote),
            parts,
            deposits_offered=quote.balance_offered,
            reverse_charge=quote.reverse_charge,
            payable=quote.gross,
        )
        if use.staff_credit > 0:
            quote.staff_discounts, quote.staff_credit_applied = use.discounts, use.staff_credit
            _total(quote)
        quote.balance_applied = use.deposits
        quote.to_pay = quote.gross - quote.balance_applied
    else:
        quote.balance_applied = ZERO
        quote.to_pay = ZERO
    return quote


def _total(quote: Quote) -> None:
    """Step 1: the quote's totals are the sums of its documents' own totals."""
    quote.rate_totals = _merged(
        document.totals(reverse_charge=quote.reverse_charge) for document in planned_documents(quote)
    )
    quote.net = sum((t.net for t in quote.rate_totals), ZERO)
    quote.vat = sum((t.vat for t in quote.rate_totals), ZERO)
    quote.gross = sum((t.gross for t in quote.rate_totals), ZERO)


def _merged(per_document: Iterable[tuple[RateTotal, ...]]) -> tuple[RateTotal, ...]:
    """Per rate, the sums of the documents' own totals (each document rounded its VAT once per rate)."""
    sums: dict[str, RateTotal] = {}
    for totals in per_document:
        for add in totals:
            had = sums.get(add.vat_rate, RateTotal(add.vat_rate, ZERO, ZERO, ZERO))
            sums[add.vat_rate] = RateTotal(add.vat_rate, had.net + add.net, had.vat + add.vat, had.gross + add.gross)
    return tuple(sums[rate] for rate in ordered_rates(sums))


def _decide_action(quote: Quote) -> None:
    quote.apply_on = None
    if quote.net > 0:
        quote.action = "pay"
    elif quote.net == 0:
        quote.action = "apply"
    elif quote.downgrade_mode == "end_of_period":
        _schedule(quote)
    elif quote.downgrade_mode == "credit":
        quote.action = "credit"
    else:
        quote.action = "apply"


def _schedule(quote: Quote) -> None:
    """A downgrade at the end of the period: nothing moves now; the new period begins on the next due date."""
    service = quote.service
    quote.action = "schedule"
    quote.apply_on = service.next_due
    quote.new_period_start = service.next_due
    if quote.same_cycle:  # keep the anchored schedule (rule 4)
        quote.new_next_due = period_containing(service.anchor_date, Cycle(service.cycle), service.next_due)[1]
        quote.new_anchor = None
    else:
        quote.new_next_due = add_cycles(service.next_due, Cycle(quote.target_cycle), 1)
        quote.new_anchor = service.next_due
