"""Built-in plugin: prices a package/cycle change (docs/billing.md rules 3-6).

``on_upgrade_quote`` is ``tryfirst``: it adds the ``credit`` line for the
unused part of the old package and the ``charge`` line for the new one (rules 3,
5, 6, each line rounded on its own) and the period facts (days, the new period
and anchor when the cycle changes). Pure: no database, no I/O.

Everything computed from the lines is the core's, after every implementation
has run (:mod:`core.upgrades.settle`): the totals with VAT once per rate, what
confirming does (pay, apply, credit or schedule), the balance applied. So a
plugin that adds its own line (a discount) is priced by the same rules.
"""

from __future__ import annotations

from datetime import timedelta

from core.billing.cycles import Cycle
from core.billing.proration import ProrationInput, prorate
from core.hookspecs import hookimpl
from core.i18n import N_, document_text
from core.upgrades.quote import Quote

CYCLE_WORDS = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "semiannually": N_("semi-annual"),
    "annually": N_("annual"),
    "biennially": N_("two-year"),
    "triennially": N_("three-year"),
}


@hookimpl(tryfirst=True)
def on_upgrade_quote(quote: Quote) -> None:
    """Add the credit and charge lines and the period facts to ``quote``."""
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
    # a printed period names its last day (the stored period is half-open). The
    # labels are what the summary page says, in the customer's language.
    quote.add_line(
        "credit",
        document_text(
            N_("Credit for the unused part of %(product)s (%(left)s/%(days)s days)"), product=old_name, **days
        ),
        -result.credit,
        label=N_(
            "Credit for the unused part of %(name)s (%(left)s of %(total)s days)",
            name=old_name,
            left=result.remaining_days,
            total=result.period_days,
        ),
        short_label=N_("credit for the unused part of %(name)s", name=old_name),
        product_name=old_name,
        cycle=service.cycle,
    )
    if result.same_cycle:
        label = N_(
            "Charge for %(name)s (%(left)s of %(total)s days)",
            name=new_name,
            left=result.remaining_days,
            total=result.period_days,
        )
    else:
        label = N_(
            "Charge for %(name)s, %(start)s – %(end)s",
            name=new_name,
            start=result.new_period_start,
            end=result.new_next_due - timedelta(days=1),
        )
    quote.add_line(
        "charge",
        charge,
        result.charge,
        label=label,
        short_label=N_("charge for %(name)s", name=new_name),
        product_name=new_name,
        cycle=quote.target_cycle,
    )
    quote.remaining_days, quote.period_days = result.remaining_days, result.period_days
    quote.same_cycle = result.same_cycle
    quote.new_period_start, quote.new_next_due = result.new_period_start, result.new_next_due
    quote.new_anchor = result.new_anchor
