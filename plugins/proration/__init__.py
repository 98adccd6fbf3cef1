"""Built-in plugin: prices a package/cycle change (docs/billing.md rules 1-9).

``on_upgrade_quote`` is ``tryfirst``: it adds the credit line for the unused
part of the old package and the charge line for the new one (rules 3, 5, 6,
each line rounded on its own), the totals with VAT once per rate (rule 1), and
decides what confirming does (rules 7-9): ``pay`` when net > 0, ``apply`` when
net = 0, and for net < 0 the configured ``billing.downgrade`` mode:
``schedule`` (``end_of_period``, applies on the next due date), ``credit`` or
``apply`` (``none``). Pure: no database, no I/O.

A scheduled downgrade (``end_of_period``) moves no money: the lines are still
filled so the customer sees what the new package costs, and the new period
begins on the current next due date (a new cycle re-anchors there).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.billing.cycles import Cycle, add_cycles, period_containing
from core.billing.proration import ProrationInput, prorate
from core.billing.vat import document_totals, grand_totals
from core.hookspecs import hookimpl
from core.i18n import N_, document_text
from core.money import ZERO
from core.upgrades.quote import Quote, QuoteLine

CYCLE_WORDS = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "semiannually": N_("semi-annual"),
    "annually": N_("annual"),
    "biennially": N_("two-year"),
    "triennially": N_("three-year"),
}


def _rate_percent(rate: str) -> Decimal:
    from core.documents.build import rate_percent

    return rate_percent(rate) or ZERO


@hookimpl(tryfirst=True)
def on_upgrade_quote(quote: Quote) -> None:
    """Fill the credit and charge lines, the VAT totals and the action of ``quote``."""
    service = quote.service
    result = prorate(
        ProrationInput(
            old_net_price=quote.old_price,
            old_cycle=Cycle(service.cycle),
            new_net_price=quote.new_price,
            new_cycle=Cycle(quote.target_cycle),
            period_start=service.period_start,
            next_due=service.next_due,
            change_date=quote.change_date,
        )
    )
    old_name, new_name = service.product.name, quote.target.name
    days = {"left": result.remaining_days, "days": result.period_days}
    cycle = document_text(CYCLE_WORDS[quote.target_cycle])
    if result.same_cycle:
        charge = document_text(
            N_("%(product)s, %(cycle)s (%(left)s/%(days)s days)"), product=new_name, cycle=cycle, **days
        )
    else:
        charge = document_text(
            N_("%(product)s, %(cycle)s, %(start)s – %(end)s"),
            product=new_name,
            cycle=cycle,
            start=result.new_period_start.isoformat(),
            end=(result.new_next_due - timedelta(days=1)).isoformat(),
        )
    # Line texts go on the proforma, so they are in the provider's document language;
    # a printed period names its last day (the stored period is half-open).
    quote.lines = [
        QuoteLine(
            "credit",
            document_text(
                N_("Credit for the unused part of %(product)s (%(left)s/%(days)s days)"), product=old_name, **days
            ),
            -result.credit,
            old_name,
            service.cycle,
            quote.vat_rate,
        ),
        QuoteLine("charge", charge, result.charge, new_name, quote.target_cycle, quote.vat_rate),
    ]
    quote.remaining_days, quote.period_days = result.remaining_days, result.period_days
    quote.same_cycle = result.same_cycle
    quote.new_period_start, quote.new_next_due = result.new_period_start, result.new_next_due
    quote.new_anchor = result.new_anchor
    totals = grand_totals(document_totals((line.net, _rate_percent(line.vat_rate)) for line in quote.lines))
    quote.net, quote.vat, quote.gross = totals.net, totals.vat, totals.gross
    quote.to_pay = max(quote.gross, ZERO)
    if quote.net > 0:
        quote.action = "pay"
    elif quote.net == 0:
        quote.action = "apply"
    elif quote.downgrade_mode == "end_of_period":
        quote.action = "schedule"
        quote.apply_on = service.next_due
        quote.new_period_start = service.next_due
        if result.same_cycle:  # keep the anchored schedule (rule 4)
            quote.new_next_due = period_containing(service.anchor_date, Cycle(service.cycle), service.next_due)[1]
            quote.new_anchor = None
        else:
            quote.new_next_due = add_cycles(service.next_due, Cycle(quote.target_cycle), 1)
            quote.new_anchor = service.next_due
    elif quote.downgrade_mode == "credit":
        quote.action = "credit"
    else:
        quote.action = "apply"
    if quote.action != "pay":
        quote.to_pay = ZERO
