"""Loyalty discount: a customer with us for a year gets 10% off the charge of an upgrade.

And the other side of the deal: a customer with us for less than 30 days may
not move to a smaller package yet (the plugin refuses that quote, with a
message the customer reads in their language).

One of the two plugins written from the hook reference alone, as a new plugin
author would, and dropped into ``plugins.folder`` as it is (a package, for its
translations, in its own gettext domain). It adds one ``discount`` line to the quote; it computes no
totals, shows nothing of its own and copies no template: the core prices the
line (VAT, gross, the balance, what is left to pay) and shows it on the summary
page, the proforma, its PDF and in the API.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.hookspecs import HookRefused, hookimpl
from core.i18n import Domain, document_text
from core.money import round_money
from core.upgrades.quote import Quote

__version__ = "1.0"

#: The plugin's gettext domain: translations/<lang>/LC_MESSAGES/loyalty.po
i18n = Domain("loyalty")

PERCENT = Decimal(10)
LOYAL_AFTER = timedelta(days=365)
DOWNGRADE_AFTER = timedelta(days=30)


@hookimpl
def on_upgrade_quote(quote: Quote) -> None:
    """Add the discount to an upgrade of a loyal customer; refuse a downgrade of a new one."""
    with_us = quote.change_date - quote.customer.created_at.date()
    if quote.charge < quote.credit and with_us < DOWNGRADE_AFTER:
        raise HookRefused(i18n.N_("You can move to a smaller package %(days)s days after you joined.", days=30))
    if quote.charge <= quote.credit or with_us < LOYAL_AFTER:
        return
    amount = round_money(quote.charge * PERCENT / 100)
    quote.add_line(
        "discount",
        # on the documents, in the provider's language
        document_text(
            i18n.N_("Loyalty discount %(percent)s%% on %(product)s"), percent=PERCENT, product=quote.target.name
        ),
        -amount,
        # on the summary page, in the customer's
        label=i18n.N_("Loyalty discount %(percent)s%% on %(product)s", percent=PERCENT, product=quote.target.name),
        short_label=i18n.N_("loyalty discount"),
    )
